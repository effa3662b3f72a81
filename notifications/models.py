from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.scoping import ScopedQuerySet
from notifications.choices import MessageChannel, MessageStatus


class NotificationQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        # Addressed to one person: nobody else sees it, whatever their role.
        return self.filter(recipient_id=principal.user.pk)


class Notification(models.Model):
    """One message to one person in the console (notifications.backends.InAppBackend writes these).

    ``key`` names the event: the same event delivered twice is one row (unique per recipient). The text
    is made when shown, from ``kind`` and ``data``, so it reads in the reader's language.
    """

    recipient = models.ForeignKey(User, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications", db_index=False)
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key"), max_length=120)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="+", db_index=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_time"),
            # The navigation's unread badge counts only these.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.key}"


class CustomerMessageQuerySet(ScopedQuerySet):
    # Whoever sees the order sees what was sent to its customer about it.
    parent_field = "work_order"


class CustomerMessage(models.Model):
    """One message to a customer about one event on one channel: unique per (event, channel), ever.

    ``status`` moves queued/deferred -> sent (-> delivered when the provider reports it), or -> failed with the
    provider's ``error_code``, retried at ``next_attempt_at`` until MAX_ATTEMPTS; suppressed when the customer
    opted out of the channel. ``next_attempt_at`` is also the claim: a sender moves it forward before it calls
    the provider, so two workers never send the same message (notifications/customer_messages.py).

    A sent SMS learns its fate from the gateway's delivery receipts: delivered, or failed with the carrier's code
    (notifications/receipts.py). ``receipt_due_at`` is when to ask next (empty: at once), and that job's claim.
    """

    event_id = models.BigIntegerField(_("event"))
    kind = models.CharField(_("event kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="customer_messages")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="+")
    address = models.CharField(_("sent to"), max_length=254)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    template = models.CharField(_("provider template"), max_length=64, blank=True)
    params = models.JSONField(_("template variables"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    provider_id = models.CharField(_("provider's id"), max_length=120, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_detail = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    receipt_due_at = models.DateTimeField(_("next receipt check"), null=True, blank=True)

    objects = CustomerMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer message")
        verbose_name_plural = _("customer messages")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event_id", "channel"], name="customer_message_once")]
        indexes = [
            # The periodic job's queue: pending messages by when they are due.
            models.Index(fields=["next_attempt_at"], condition=models.Q(next_attempt_at__isnull=False),
                         name="customer_message_due"),
            models.Index(fields=["channel", "provider_id"], name="customer_message_provider"),
            # The receipts job's queue: text messages the gateway took, not yet delivered or failed.
            models.Index(fields=["sent_at"], condition=models.Q(status="sent", channel="sms"),
                         name="customer_message_receipts"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} → {self.address}"

    @property
    def undelivered(self) -> bool:
        """The provider took it and later reported it did not reach the customer (a receipt, not a refusal)."""
        return self.status == MessageStatus.FAILED and self.sent_at is not None

    @property
    def status_label(self) -> str:
        return str(_("Not delivered")) if self.undelivered else str(self.get_status_display())


class CustomerPreferenceQuerySet(ScopedQuerySet):
    brand_field = "customer__brand_id"
    customer_field = "customer_id"


class CustomerPreference(models.Model):
    """How one customer wants to hear from the brand: each channel on or off, and in which language.

    No row is the default: every channel the customer has an address on, in Chinese.
    """

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                    related_name="message_preference")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    sms = models.BooleanField(_("text messages"), default=True)
    wechat = models.BooleanField(_("WeChat"), default=True)
    email = models.BooleanField(_("email"), default=True)
    # Service reminders (a filter or a maintenance visit falling due) are offered, not asked for: a customer
    # stops them alone, on every channel, without giving up the messages about their orders.
    reminders = models.BooleanField(_("service reminders"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer message preference")
        verbose_name_plural = _("customer message preferences")

    def __str__(self) -> str:
        return str(self.customer_id)

    def allows(self, channel: str) -> bool:
        return bool(getattr(self, channel, False))


class StaffPreferenceQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        return self.filter(user_id=principal.user.pk)


class StaffPreference(models.Model):
    """A staff member's choice of where their notifications go: the console (in-app) and/or email, and the
    language of the e-mails. No row is the default: in the console only, no e-mail.

    Every notice a staff member gets (an SLA alert, an urge, a complaint's rung) follows it: the in-app backend
    leaves out those who turned the console off, the e-mail backend writes only to those who turned e-mail on
    and asks again just before it sends (notifications/backends.py, notifications/staff_email.py).
    """

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="notification_preference")
    in_app = models.BooleanField(_("in the console"), default=True)
    email = models.BooleanField(_("by email"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StaffPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff notification preference")
        verbose_name_plural = _("staff notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)


class StaffEmailQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        return self.filter(recipient_id=principal.user.pk)


class StaffEmail(models.Model):
    """One e-mail to one staff member about one notice: unique per (recipient, notice key), ever, so an event
    delivered twice is mailed once.

    ``status`` moves queued -> sent, or -> failed with the mail server's ``error_code`` (``next_attempt_at`` set
    while a retry may help: the outbox retries the delivery that wrote it), or -> suppressed when the recipient
    turned e-mail off before it went. ``next_attempt_at`` is also the claim, as on ``CustomerMessage``.
    """

    recipient = models.ForeignKey(User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    key = models.CharField(_("key"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="+", db_index=False)
    address = models.CharField(_("sent to"), max_length=254)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    provider_id = models.CharField(_("provider's id"), max_length=120, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_detail = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = StaffEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff e-mail")
        verbose_name_plural = _("staff e-mails")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="staff_email_once_per_key")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address}"
