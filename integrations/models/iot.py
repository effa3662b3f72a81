"""IoT master data (signing secrets) and what devices sent (alerts, readings); what a fault code means is
catalogue data (catalog.models.FaultCodeMapping)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.models import FAULT_CODE_MAX, FaultCodeMapping
from core.models import TimeStampedModel
from integrations.choices import AlertOutcome, Metric
from network.models import BrandAdminQuerySet

ALERT_ID_MAX = 64


class DeviceSecret(TimeStampedModel):
    """A brand's HMAC key for device alerts; two may be active at once so a key can be rotated.

    HMAC needs the key itself, so it is stored as issued (unlike API tokens, which keep a hash); the
    admin shows it once, when it is issued, and only its last four characters after that.
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("label"), max_length=80)
    secret = models.CharField(_("secret"), max_length=128, editable=False)
    last_four = models.CharField(_("ends with"), max_length=4, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("IoT signing secret")
        verbose_name_plural = _("IoT signing secrets")
        ordering = ["brand", "-created_at"]
        indexes = [models.Index(fields=["brand", "is_active"], name="iot_secret_brand_active")]

    def __str__(self) -> str:
        return f"{self.label} (…{self.last_four})"

    @property
    def masked(self) -> str:
        return f"••••{self.last_four}"


class DeviceAlert(models.Model):
    """One alert as a device delivered it; its alert id is unique per brand, so a redelivery finds it."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    alert_id = models.CharField(_("alert id"), max_length=ALERT_ID_MAX)
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="device_alerts")
    fault_code = models.CharField(_("fault code"), max_length=FAULT_CODE_MAX, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=AlertOutcome.choices)
    mapping = models.ForeignKey(FaultCodeMapping, verbose_name=_("mapping"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # The first answer, given again to a redelivery of the same alert id.
    response_status = models.PositiveSmallIntegerField(_("response status"), default=0)
    response_body = models.JSONField(_("response"), default=dict, blank=True)

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("device alert")
        verbose_name_plural = _("device alerts")
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["brand", "alert_id"], name="device_alert_unique")]
        indexes = [models.Index(fields=["product", "-received_at"], name="device_alert_product")]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.fault_code}"


class UsageReading(models.Model):
    """One reported value of one metric of one product at one time."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="usage_readings", db_index=False)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=15, decimal_places=3)
    read_at = models.DateTimeField(_("read at"))
    alert = models.ForeignKey(DeviceAlert, verbose_name=_("alert"), on_delete=models.CASCADE, null=True, blank=True,
                              related_name="readings")

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage reading")
        verbose_name_plural = _("usage readings")
        ordering = ["product", "metric", "-read_at"]
        indexes = [models.Index(fields=["product", "metric", "-read_at"], name="reading_product_metric")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.metric}={self.value}"
