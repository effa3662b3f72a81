"""IoT master data (signing secrets, fault-code mappings) and what devices sent (alerts, readings)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.choices import ServiceType
from core.models import TimeStampedModel
from integrations.choices import AlertOutcome, Metric
from integrations.models.scoping import BrandAdminQuerySet
from workorders.choices import Priority

ALERT_ID_MAX = 64
FAULT_CODE_MAX = 32


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


class FaultCodeMapping(TimeStampedModel):
    """What a device's fault code means for one product model, or (as a fallback) for a whole category."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", help_text=_("Give a product model, or leave it empty and give a category (the fallback)."),
    )
    category = models.ForeignKey(
        "catalog.ProductCategory", verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    fault_code = models.CharField(_("fault code"), max_length=FAULT_CODE_MAX,
                                  help_text=_("As the device reports it; compared without regard to case."))
    label = models.CharField(_("meaning"), max_length=120)
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices,
                                    default=ServiceType.REPAIR)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    symptom = models.ForeignKey(
        "pricing.Symptom", verbose_name=_("symptom"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Optional: the symptom the order is priced with."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("fault-code mapping")
        verbose_name_plural = _("fault-code mappings")
        ordering = ["brand", "fault_code", "product_model", "category"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product_model__isnull=False, category__isnull=True)
                | models.Q(product_model__isnull=True, category__isnull=False),
                name="fault_mapping_one_scope",
            ),
            models.UniqueConstraint(fields=["product_model", "fault_code"], condition=models.Q(category__isnull=True),
                                    name="fault_mapping_model_unique"),
            models.UniqueConstraint(fields=["category", "fault_code"], condition=models.Q(product_model__isnull=True),
                                    name="fault_mapping_category_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.fault_code} · {self.product_model or self.category} · {self.label}"

    def clean(self) -> None:
        self.fault_code = (self.fault_code or "").strip().upper()
        if bool(self.product_model_id) == bool(self.category_id):
            raise ValidationError(_("Give a product model or a category, not both and not neither."))
        category_id = self.product_model.category_id if self.product_model_id else self.category_id
        owner = self.product_model.category.brand_id if self.product_model_id else self.category.brand_id
        if self.brand_id and owner != self.brand_id:
            raise ValidationError(_("This belongs to another brand."))
        if self.symptom_id and self.symptom.category_id != category_id:
            raise ValidationError({"symptom": _("The symptom belongs to another product category.")})
        clash = FaultCodeMapping.objects.filter(fault_code=self.fault_code).exclude(pk=self.pk)
        clash = (clash.filter(product_model_id=self.product_model_id) if self.product_model_id
                 else clash.filter(category_id=self.category_id, product_model__isnull=True))
        if clash.exists():
            raise ValidationError(_("This fault code is already mapped for this product model or category."))

    def save(self, *args, **kwargs) -> None:
        self.fault_code = (self.fault_code or "").strip().upper()
        super().save(*args, **kwargs)


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
