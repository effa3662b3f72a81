"""Sign-in codes and the counters that rate-limit them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class OneTimeCode(models.Model):
    """A 6-digit sign-in code sent by SMS. Only its HMAC is stored; it expires, is used once, and a few
    wrong tries burn it (portal/otp.py)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("phone"), max_length=20)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["brand", "phone", "-created_at"], name="otp_brand_phone_created")]

    def __str__(self) -> str:
        return f"{self.phone} @ {self.created_at:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """Hits of one key in one fixed time window, counted by compare-and-set (portal/throttle.py).

    A table rather than the cache: Django's database cache cannot increment atomically, and the
    count must hold across every web process.
    """

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start:%H:%M}={self.count}"
