"""Extended warranty (延保, issue 16): the terms a brand sells, their prices by segment and region on a price
list, and the warranties bought for installed products. Imported into ``pricing.models`` (Django finds
models there); the services are in ``pricing/extended.py``, the verdict in ``pricing.coverage``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import TimeStampedModel
from core.scoping import BrandScopedQuerySet, ScopedQuerySet
from core.text import bilingual
from customers.choices import Segment
from customers.models import orders_seen_by
from pricing.choices import ExtendedWarrantyStatus, SoldVia

MONEY = {"max_digits": 12, "decimal_places": 2}
REFERENCE_MAX = 64


def validate_families(value) -> None:
    if not isinstance(value, list) or not all(isinstance(f, str) and 0 < len(f) <= 40 for f in value):
        raise ValidationError(_("Part families are a list of short codes."), code="invalid_families")


def covers_text(item) -> str:
    """What a term (or a bought warranty) pays for, in words."""
    if item.covers_labour and item.covers_parts:
        return _("Labour, call-out and parts") if not item.part_families else _("Labour, call-out and some parts")
    if item.covers_labour:
        return _("Labour and call-out")
    return _("Parts") if not item.part_families else _("Some parts")


class WarrantyExtensionTerm(TimeStampedModel):
    """An extended warranty the brand sells for a category or one model: how many months past the base
    warranty, what it pays for (labour and call-out, parts, or only some part families), and which units
    may still buy it (their age, how long after the base warranty ended)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    category = models.ForeignKey("catalog.ProductCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    product_model = models.ForeignKey("catalog.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      help_text=_("Only for a term of one model; otherwise give the category."))
    months = models.PositiveSmallIntegerField(_("months"), validators=[MinValueValidator(1), MaxValueValidator(120)])
    covers_labour = models.BooleanField(_("covers labour and call-out"), default=True)
    covers_parts = models.BooleanField(_("covers parts"), default=True)
    part_families = models.JSONField(
        _("only these part families"), default=list, blank=True, validators=[validate_families],
        help_text=_("Empty: every part. Otherwise only parts of these families are covered."),
    )
    max_unit_age_months = models.PositiveSmallIntegerField(
        _("unit at most (months old)"), null=True, blank=True, validators=[MaxValueValidator(240)],
        help_text=_("Only units younger than this when bought, counted from installation (else purchase). "
                    "Empty: any age."),
    )
    months_after_expiry = models.PositiveSmallIntegerField(
        _("may be bought after the warranty ended (months)"), default=0, validators=[MaxValueValidator(120)],
        help_text=_("0: only before the base warranty ends (it then follows on). Otherwise it may still be "
                    "bought this long after, and runs from the day it is bought."),
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extended warranty term")
        verbose_name_plural = _("extended warranty terms")
        ordering = ["brand", "category", "months", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__isnull=True) | models.Q(product_model__isnull=True),
                                   name="extension_term_one_scope"),
            models.CheckConstraint(condition=models.Q(category__isnull=False) | models.Q(product_model__isnull=False),
                                   name="extension_term_has_scope"),
            models.CheckConstraint(condition=models.Q(covers_labour=True) | models.Q(covers_parts=True),
                                   name="extension_term_covers_something"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self):
        return bilingual(self.name, self.name_en)

    @property
    def covers_label(self):
        """What it pays for, in words (pricing.extended.covers_label)."""
        return covers_text(self)

    def clean(self) -> None:
        if bool(self.category_id) == bool(self.product_model_id):
            raise ValidationError(_("Give a product model or a category, not both."))
        if not self.covers_labour and not self.covers_parts:
            raise ValidationError(_("A term covers labour, parts or both."))
        if self.part_families and not self.covers_parts:
            raise ValidationError({"part_families": _("Part families only narrow a term that covers parts.")})
        for name, owner in (("category", lambda: self.category.brand_id),
                            ("product_model", lambda: self.product_model.category.brand_id)):
            if getattr(self, f"{name}_id") and self.brand_id and owner() != self.brand_id:
                raise ValidationError({name: _("This belongs to another brand.")})


class WarrantyTermPriceQuerySet(BrandScopedQuerySet):
    brand_field = "term__brand_id"


class WarrantyTermPrice(models.Model):
    """A term's price on a price list (so it has the list's validity), for a segment and/or a region or for
    everyone; the most specific row that fits the customer wins (pricing.extended.price_of)."""

    term = models.ForeignKey(WarrantyExtensionTerm, verbose_name=_("term"), on_delete=models.CASCADE,
                             related_name="prices")
    price_list = models.ForeignKey("pricing.PriceList", verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="+")
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True,
                               help_text=_("Empty for every segment."))
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", help_text=_("Empty for every region."))
    amount = models.DecimalField(_("price"), **MONEY, validators=[MinValueValidator(0)])

    objects = WarrantyTermPriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("extended warranty price")
        verbose_name_plural = _("extended warranty prices")
        ordering = ["term", "price_list", "segment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "price_list", "segment", "region"],
                                    condition=models.Q(region__isnull=False), name="term_price_unique"),
            models.UniqueConstraint(fields=["term", "price_list", "segment"], condition=models.Q(region__isnull=True),
                                    name="term_price_one_per_segment"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="term_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.amount}"


class ExtendedWarrantyQuerySet(ScopedQuerySet):
    """Whoever sees the unit sees its extended warranties: the brand's staff all of the brand's, a customer
    those of their own units, an outlet or a technician those of the units of their orders (a correlated
    EXISTS per row, as ``ScopedQuerySet.through`` writes it, not the list of every unit they ever saw)."""

    brand_field = "brand_id"
    customer_field = "product__customer_id"

    def _scope(self, principal):
        if principal.is_outlet_staff or principal.is_technician:
            return self.filter(Exists(orders_seen_by(principal).filter(product_id=OuterRef("product_id"))))
        return super()._scope(principal)

    def active(self):
        return self.filter(status=ExtendedWarrantyStatus.ACTIVE)


class ExtendedWarranty(models.Model):
    """An extended warranty bought for one unit. What it covers is copied from the term when sold, so a
    later change to the term never changes what a customer bought."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="extended_warranties")
    term = models.ForeignKey(WarrantyExtensionTerm, verbose_name=_("term"), on_delete=models.PROTECT,
                             related_name="warranties")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("Inclusive."))
    covers_labour = models.BooleanField(_("covers labour and call-out"))
    covers_parts = models.BooleanField(_("covers parts"))
    part_families = models.JSONField(_("only these part families"), default=list, blank=True)
    price = models.DecimalField(_("price paid"), **MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    sold_via = models.CharField(_("sold via"), max_length=10, choices=SoldVia.choices)
    sold_by = models.ForeignKey(User, verbose_name=_("sold by"), on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    # The lead and the shop order live in apps above pricing: plain ids and references, no foreign keys.
    lead_id = models.PositiveBigIntegerField(_("lead"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=REFERENCE_MAX, blank=True,
                                 help_text=_("The shop order's or the import's reference; selling twice with "
                                             "one reference sells once."))
    status = models.CharField(_("status"), max_length=10, choices=ExtendedWarrantyStatus.choices,
                              default=ExtendedWarrantyStatus.ACTIVE)
    created_at = models.DateTimeField(_("sold at"))

    objects = ExtendedWarrantyQuerySet.as_manager()

    class Meta:
        verbose_name = _("extended warranty")
        verbose_name_plural = _("extended warranties")
        ordering = ["product", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "reference"], condition=~models.Q(reference=""),
                                    name="extended_warranty_reference_unique"),
            models.UniqueConstraint(fields=["lead_id"], condition=models.Q(lead_id__isnull=False),
                                    name="extended_warranty_one_per_lead"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="extended_warranty_dates_ordered"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="extended_warranty_price_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "status", "ends_on"], name="extended_warranty_product")]

    def __str__(self) -> str:
        return f"{self.term} · {self.starts_on.isoformat()} – {self.ends_on.isoformat()}"
