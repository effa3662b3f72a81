"""The brand's catalogue: product categories and models, their service standards, the spare parts and
consumables that fit them, the symptoms a customer can report, and what a device's fault codes mean."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.choices import ExclusionReason, Priority, ServiceType
from core.models import TimeStampedModel
from core.scoping import BrandScopedQuerySet
from core.text import bilingual
from network.models import BrandAdminQuerySet, Skill

FAULT_CODE_MAX = 32  # as a device reports it


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


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(_("Not a valid pattern: %(error)s"), params={"error": exc},
                              code="invalid_pattern") from exc


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
    # The shape of this model's serial numbers, a regular expression the whole serial must match
    # ("AQRO500\d{11}"): what an installer's scan is checked against, and how a customer's typed serial
    # names its model. Blank: any serial. Database default for bulk loaders.
    serial_pattern = models.CharField(_("serial number pattern"), max_length=120, blank=True, default="",
                                      db_default="", validators=[validate_pattern])

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

    def serial_fits(self, serial: str) -> bool:
        """The whole serial matches the model's pattern (any serial does when it has none)."""
        if not self.serial_pattern:
            return True
        try:
            return re.fullmatch(self.serial_pattern, serial) is not None
        except re.error:
            return False


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


class Part(TimeStampedModel):
    """A spare part or consumable the brand prices and warrants (滤芯, 压缩机, 主板 …)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("part code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    family = models.SlugField(
        _("part family"), max_length=40, blank=True,
        help_text=_("Parts of one family share warranty rules, e.g. filter or compressor."),
    )
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("Leave empty for a part that fits every category."),
    )
    product_models = models.ManyToManyField(
        ProductModel, verbose_name=_("fits these models"), related_name="+", blank=True,
        help_text=_("The models this part is made for; leave empty when it fits every model of its category."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        db_table = "pricing_part"  # the table it had in pricing, kept when it moved here
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["brand", "code"], name="part_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self):
        return bilingual(self.name, self.name_en)

    def clean(self) -> None:
        if self.category_id and self.brand_id and self.category.brand_id != self.brand_id:
            raise ValidationError({"category": _("The category belongs to another brand.")})

    @staticmethod
    def fitting_ids(part_ids, product_model) -> set[int]:
        """Which of ``part_ids`` fit a unit of ``product_model`` (None: no product known, only universal parts).

        A part fits when its category is empty or the model's, and its list of models is empty or names the model.
        """
        parts = Part.objects.filter(pk__in=list(part_ids))
        if product_model is None:
            return set(parts.filter(category__isnull=True, product_models__isnull=True).values_list("pk", flat=True))
        right_category = models.Q(category__isnull=True) | models.Q(category_id=product_model.category_id)
        named = Part.product_models.through.objects.filter(part_id=models.OuterRef("pk"))
        for_model = named.filter(productmodel_id=product_model.pk)
        fitting = parts.filter(right_category).filter(~models.Exists(named) | models.Exists(for_model))
        return set(fitting.values_list("pk", flat=True))


class SymptomQuerySet(BrandScopedQuerySet):
    brand_field = "category__brand_id"

    def _scope(self, principal):
        # Customers pick a symptom from their product's category when they report a fault.
        if principal.is_customer:
            return self.filter(category__brand_id=principal.brand_id, is_active=True)
        return super()._scope(principal)


class Symptom(TimeStampedModel):
    """A fault a customer can report for a category; some void the warranty (misuse, damage)."""

    category = models.ForeignKey(ProductCategory, verbose_name=_("category"), on_delete=models.CASCADE,
                                 related_name="symptoms")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    excludes_warranty = models.CharField(
        _("excludes warranty"), max_length=20, choices=ExclusionReason.choices, blank=True,
        help_text=_("Set when this symptom means the warranty does not apply."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SymptomQuerySet.as_manager()

    class Meta:
        db_table = "pricing_symptom"  # the table it had in pricing, kept when it moved here
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")
        ordering = ["category", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="symptom_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self):
        return bilingual(self.name, self.name_en)


class FaultCodeMapping(TimeStampedModel):
    """What a device's fault code means for one product model, or (as a fallback) for a whole category:
    the label a technician sees, and the order (type, priority, symptom) an IoT alert with that code opens."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", help_text=_("Give a product model, or leave it empty and give a category (the fallback)."),
    )
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    fault_code = models.CharField(_("fault code"), max_length=FAULT_CODE_MAX,
                                  help_text=_("As the device reports it; compared without regard to case."))
    label = models.CharField(_("meaning"), max_length=120)
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices,
                                    default=ServiceType.REPAIR)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    symptom = models.ForeignKey(
        Symptom, verbose_name=_("symptom"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Optional: the symptom the order is priced with."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        db_table = "integrations_faultcodemapping"  # the table it had in integrations, kept when it moved here
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
