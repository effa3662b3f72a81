"""A brand's WeChat official account, the WeChat users linked to customers, and the messages handled."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.models import TimeStampedModel
from integrations.choices import WeChatMode
from network.models import BrandAdminQuerySet

# What WeChat's console accepts: a token of 3-32 letters and digits, an EncodingAESKey of 43.
token_validator = RegexValidator(r"^[A-Za-z0-9]{3,32}$", _("3 to 32 letters and digits, as in WeChat's console."))
aes_key_validator = RegexValidator(r"^[A-Za-z0-9]{43}$", _("43 letters and digits, as in WeChat's console."))


class WeChatAccount(TimeStampedModel):
    brand = models.OneToOneField(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE,
                                 related_name="wechat_account")
    name = models.CharField(_("name"), max_length=80)
    app_id = models.CharField(_("AppID"), max_length=32, blank=True,
                              help_text=_("Needed for the encrypted (safe) mode."))
    app_secret = models.CharField(_("AppSecret"), max_length=64, blank=True,
                                  help_text=_("Needed to send template messages to customers (the access token)."))
    original_id = models.CharField(_("original ID"), max_length=32, blank=True,
                                   help_text=_("The account's gh_… id; messages addressed to another are refused."))
    token = models.CharField(_("token"), max_length=32, validators=[token_validator])
    encoding_aes_key = models.CharField(_("EncodingAESKey"), max_length=43, blank=True,
                                        validators=[aes_key_validator])
    mode = models.CharField(
        _("message mode"), max_length=12, choices=WeChatMode.choices, default=WeChatMode.PLAIN,
        help_text=_("Safe (encrypted) is recommended: only then is the message itself signed and encrypted. In "
                    "plaintext the signature covers the time and a random value but not the message, so it rests on "
                    "the 5-minute window and on each signed request being used once. Set the same mode in "
                    "WeChat's console."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("WeChat official account")
        verbose_name_plural = _("WeChat official accounts")
        constraints = [
            models.CheckConstraint(condition=models.Q(mode=WeChatMode.PLAIN) | ~models.Q(encoding_aes_key="")
                                   & ~models.Q(app_id=""), name="wechat_encrypted_needs_key"),
        ]

    def __str__(self) -> str:
        return self.name


class WeChatLink(TimeStampedModel):
    """A WeChat user (openid) of the brand's account, linked to one customer of that brand."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    openid = models.CharField(_("openid"), max_length=64)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="wechat_links")

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("WeChat link")
        verbose_name_plural = _("WeChat links")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["brand", "openid"], name="wechat_link_unique")]

    def __str__(self) -> str:
        return f"{self.openid} → {self.customer_id}"


class WeChatMessage(models.Model):
    """A message or event WeChat delivered, with the reply given: a retry gets the same reply, nothing more."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(_("message key"), max_length=120)
    openid = models.CharField(_("openid"), max_length=64)
    msg_type = models.CharField(_("message type"), max_length=20)
    event = models.CharField(_("event"), max_length=40, blank=True)
    content = models.CharField(_("content"), max_length=600, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(_("received at"))

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("WeChat message")
        verbose_name_plural = _("WeChat messages")
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["brand", "dedupe_key"], name="wechat_message_unique")]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.dedupe_key}"


class WeChatNonce(models.Model):
    """A signed callback's (timestamp, nonce), kept while that timestamp is fresh: a second request with the
    same pair and another body is a replay and is refused; the same bytes again are WeChat's retry.

    The unique key makes two concurrent uses race in the database, where one insert loses. Rows past the
    window are removed by the periodic job integrations.tasks.forget_wechat_nonces.
    """

    brand = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    timestamp = models.BigIntegerField()
    nonce = models.CharField(max_length=64)
    body_digest = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("WeChat request nonce")
        verbose_name_plural = _("WeChat request nonces")
        constraints = [models.UniqueConstraint(fields=["brand", "timestamp", "nonce"], name="wechat_nonce_unique")]

    def __str__(self) -> str:
        return f"{self.timestamp}:{self.nonce}"
