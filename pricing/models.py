"""Pricing master data of a brand: warranty rules and versioned price lists (the parts and symptoms they name
are catalogue data, in catalog.models)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.choices import ServiceType
from catalog.models import Part
from core.models import DatedVersion, TimeStampedModel
from core.scoping import BrandScopedQuerySet, DatedQuerySet
from customers.choices import Segment
from pricing.choices import AdjustmentTarget, CountedFrom

MONEY = {"max_digits": 12, "decimal_places": 2}


class WarrantyRule(TimeStampedModel):
    """One warranty term, for a model, a category or the whole brand, and for one part, a part family
    or the whole unit. The most specific rule wins (pricing.coverage.applicable_rule)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "catalog.ProductCategory", verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", help_text=_("Leave model and category empty for a rule of the whole brand."),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="warranty_rules")
    part_family = models.SlugField(
        _("part family"), max_length=40, blank=True,
        help_text=_("Leave part and part family empty for the whole unit (labour, call-out and other parts)."),
    )
    months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True, validators=[MaxValueValidator(240)],
        help_text=_("0 means never covered; empty means the product model's catalogue warranty."),
    )
    counted_from = models.CharField(_("counted from"), max_length=10, choices=CountedFrom.choices,
                                    default=CountedFrom.INSTALL)
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"), default=0, validators=[MaxValueValidator(365)],
        help_text=_("Added to the purchase date when the term is counted from it (delivery and installation)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # One rule per scope and target; NULLs are distinct in a unique index, so the key spells them out.
    scope_key = models.CharField(max_length=80, editable=False)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warranty rule")
        verbose_name_plural = _("warranty rules")
        ordering = ["brand", "scope_key"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "scope_key"], name="warranty_rule_scope_unique"),
            models.CheckConstraint(condition=models.Q(category__isnull=True) | models.Q(product_model__isnull=True),
                                   name="warranty_rule_one_scope"),
            models.CheckConstraint(condition=models.Q(part__isnull=True) | models.Q(part_family=""),
                                   name="warranty_rule_one_target"),
        ]

    def __str__(self) -> str:
        scope = self.product_model or self.category or _("all products")
        target = self.part or self.part_family or _("whole unit")
        term = _("as catalogue") if self.months is None else self.months
        return f"{scope} · {target} · {term}"

    def make_scope_key(self) -> str:
        scope = (f"m{self.product_model_id}" if self.product_model_id
                 else f"c{self.category_id}" if self.category_id else "brand")
        target = f"p{self.part_id}" if self.part_id else f"f:{self.part_family}" if self.part_family else "unit"
        return f"{scope}|{target}"

    def clean(self) -> None:
        if self.category_id and self.product_model_id:
            raise ValidationError(_("Give a product model or a category, not both."))
        if self.part_id and self.part_family:
            raise ValidationError(_("Give a part or a part family, not both."))
        for name, owner in (("category", lambda: self.category.brand_id),
                            ("product_model", lambda: self.product_model.category.brand_id),
                            ("part", lambda: self.part.brand_id)):
            if getattr(self, f"{name}_id") and self.brand_id and owner() != self.brand_id:
                raise ValidationError({name: _("This belongs to another brand.")})
        others = WarrantyRule.objects.filter(brand_id=self.brand_id, scope_key=self.make_scope_key())
        if others.exclude(pk=self.pk).exists():
            raise ValidationError(_("A rule for this scope and target already exists."))

    def save(self, *args, **kwargs) -> None:
        self.scope_key = self.make_scope_key()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "scope_key"}
        super().save(*args, **kwargs)


class PriceListQuerySet(DatedQuerySet):
    pass


class PriceList(DatedVersion):
    """A brand's published prices for a span of days; an order is priced with the list valid on its day.

    Both ``valid_from`` and ``valid_to`` are inclusive; an empty ``valid_to`` has no end. Published
    lists of one brand never share a day (checked in clean() and in services.publish_price_list).
    """

    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    ends_before_start = _("The list must end on or after the day it starts.")
    overlaps = _("Another published price list of this brand is valid on some of these days.")

    objects = PriceListQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["brand", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="price_list_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["brand", "is_published", "valid_from"], name="price_list_lookup")]


class PriceListLineQuerySet(BrandScopedQuerySet):
    brand_field = "price_list__brand_id"


class LabourPrice(models.Model):
    """Labour for one service type on a category; a model's own price overrides its category's."""

    price_list = models.ForeignKey(PriceList, verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="labour_prices")
    category = models.ForeignKey("catalog.ProductCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="+")
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("Only for a model priced apart from its category."),
    )
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))])

    objects = PriceListLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour price")
        verbose_name_plural = _("labour prices")
        ordering = ["category", "service_type"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "category", "service_type"],
                                    condition=models.Q(product_model__isnull=True), name="labour_category_unique"),
            models.UniqueConstraint(fields=["price_list", "product_model", "service_type"],
                                    condition=models.Q(product_model__isnull=False), name="labour_model_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="labour_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_model or self.category} · {self.get_service_type_display()} · {self.amount}"

    def clean(self) -> None:
        if self.product_model_id and self.category_id and self.product_model.category_id != self.category_id:
            raise ValidationError({"product_model": _("The model belongs to another category.")})
        if self.category_id and self.price_list_id and self.category.brand_id != self.price_list.brand_id:
            raise ValidationError({"category": _("This belongs to another brand.")})


class CalloutBand(models.Model):
    """The call-out fee up to a distance from the serving outlet; the band without a limit is the rest."""

    price_list = models.ForeignKey(PriceList, verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="callout_bands")
    up_to_km = models.DecimalField(
        _("up to (km)"), max_digits=6, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.1"))], help_text=_("Inclusive; empty for every longer distance."),
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))])

    objects = PriceListLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-out band")
        verbose_name_plural = _("call-out bands")
        ordering = ["price_list", models.F("up_to_km").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "up_to_km"], name="callout_band_unique"),
            models.UniqueConstraint(fields=["price_list"], condition=models.Q(up_to_km__isnull=True),
                                    name="callout_one_open_band"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="callout_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(up_to_km__isnull=True) | models.Q(up_to_km__gt=0),
                                   name="callout_distance_positive"),
        ]

    def __str__(self) -> str:
        return f"≤ {self.up_to_km} km · {self.amount}" if self.up_to_km is not None else f"> · {self.amount}"


class PartPrice(models.Model):
    price_list = models.ForeignKey(PriceList, verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="part_prices")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="prices")
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))])

    objects = PriceListLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("part price")
        verbose_name_plural = _("part prices")
        ordering = ["part__code"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "part"], name="part_price_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="part_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.part} · {self.amount}"

    def clean(self) -> None:
        if self.part_id and self.price_list_id and self.part.brand_id != self.price_list.brand_id:
            raise ValidationError({"part": _("This belongs to another brand.")})


class Adjustment(models.Model):
    """A change to what a segment or a region pays for labour, call-out or parts: a percentage or an amount."""

    price_list = models.ForeignKey(PriceList, verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="adjustments")
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True,
                               help_text=_("Empty for every segment."))
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", help_text=_("Empty for every region."))
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AdjustmentTarget.choices)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("500"))],
        help_text=_("Negative for a discount: -10 takes ten percent off."),
    )
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True,
                                 help_text=_("20 for a surcharge of 20, -20 for a discount."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PriceListLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("price adjustment")
        verbose_name_plural = _("price adjustments")
        ordering = ["price_list", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(percent__isnull=True, amount__isnull=False)
                           | models.Q(percent__isnull=False, amount__isnull=True)),
                name="adjustment_percent_or_amount",
            ),
        ]

    def __str__(self) -> str:
        change = f"{self.percent}%" if self.percent is not None else f"{self.amount}"
        who = " · ".join(str(x) for x in (self.get_segment_display() if self.segment else "", self.region or "") if x)
        return f"{who or _('All customers')} · {self.get_applies_to_display()} {change}"

    def clean(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValidationError(_("Give either a percentage or an amount."))
        if self.region_id and self.price_list_id and self.region.brand_id != self.price_list.brand_id:
            raise ValidationError({"region": _("This belongs to another brand.")})



# The extended warranty's models live in their own module (this one would pass STYLE's size otherwise);
# Django registers models it finds here.
from pricing.extended_models import ExtendedWarranty, WarrantyExtensionTerm, WarrantyTermPrice  # noqa: E402, F401
