from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.choices import ServiceType
from core.models import TimeStampedModel
from network.models import BrandScopedQuerySet, Skill


class ProductCategory(TimeStampedModel):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    mail_in_allowed = models.BooleanField(_("mail-in repair allowed"), default=False)
    authorised_outlets = models.ManyToManyField(
        Organisation, verbose_name=_("authorised outlets"), related_name="authorised_categories", blank=True
    )

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["brand", "code"], name="category_code_unique")]

    def __str__(self) -> str:
        return self.name


class ProductModelQuerySet(BrandScopedQuerySet):
    brand_field = "category__brand_id"


class ProductModel(TimeStampedModel):
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="models"
    )
    code = models.CharField(_("model code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"), default=12, validators=[MaxValueValidator(240)]
    )
    list_price = models.DecimalField(_("list price"), max_digits=10, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProductModelQuerySet.as_manager()

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="model_code_unique"),
            models.CheckConstraint(condition=models.Q(list_price__gte=0), name="model_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceStandardQuerySet(BrandScopedQuerySet):
    brand_field = "product_model__category__brand_id"


class ServiceStandard(models.Model):
    """Standard labour minutes and required skill for one model and service type."""

    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.CASCADE, related_name="standards"
    )
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    standard_minutes = models.PositiveSmallIntegerField(
        _("standard labour minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    required_skill = models.ForeignKey(
        Skill, verbose_name=_("required skill"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ServiceStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        constraints = [
            models.UniqueConstraint(fields=["product_model", "service_type"], name="standard_unique"),
            models.CheckConstraint(condition=models.Q(standard_minutes__gte=1), name="standard_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_model} · {self.get_service_type_display()}"
