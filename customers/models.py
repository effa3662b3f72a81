from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.dates import add_months
from core.geo import APPROXIMATE, Precision
from core.hooks import Provider
from core.models import TimeStampedModel
from core.phones import validate_phone
from core.scoping import ScopedQuerySet
from customers.choices import CustomerKind, ProductStatus, Segment, WarrantyCardStatus

if TYPE_CHECKING:
    from accounts.principal import Principal


# The work orders a principal sees (``WorkOrder.objects.scoped_for``): outlets and technicians see the
# customers and products of the orders they were given, and orders live a layer up (workorders/hooks.py).
orders_seen_by: Provider[Callable[[Principal], models.QuerySet]] = Provider("customers.orders_seen_by")


class CustomerQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "pk"

    def _scope(self, principal):
        if principal.is_outlet_staff or principal.is_technician:
            return self.filter(pk__in=orders_seen_by(principal).values("customer_id"))
        return super()._scope(principal)


def validate_tags(value) -> None:
    if not isinstance(value, list) or not all(isinstance(t, str) and 0 < len(t) <= 30 for t in value):
        raise ValidationError(_("Tags are a list of short texts."), code="invalid_tags")
    if len(value) > 20:
        raise ValidationError(_("At most 20 tags."), code="invalid_tags")


class Customer(TimeStampedModel):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind.choices, default=CustomerKind.HOUSEHOLD)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone], db_index=True)
    email = models.EmailField(_("email"), blank=True)
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, default=Segment.VALUE)
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_tags])
    user = models.OneToOneField(
        User, verbose_name=_("portal user"), on_delete=models.SET_NULL, null=True, blank=True, related_name="customer"
    )
    # One customer per phone per brand (the portal signs a phone into one record); a second record with a
    # known phone exists only with the reason the agent gave for it. Database default for bulk loaders.
    duplicate_reason = models.CharField(_("reason for a second record with this phone"), max_length=200,
                                        blank=True, default="", db_default="")

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["brand", "phone"], name="customer_brand_phone")]
        constraints = [
            # Race-safe: of two agents creating the same phone at once, the second is refused here.
            models.UniqueConstraint(fields=["brand", "phone"], condition=models.Q(duplicate_reason=""),
                                    name="customer_phone_unique_per_brand"),
        ]

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(ScopedQuerySet):
    parent_field = "customer"


class Site(TimeStampedModel):
    """Where service happens: a home, or one of an enterprise customer's buildings."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255)
    region = models.ForeignKey(
        "network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # How the point was found (core.geo): its precision ("" while there is none) and who gave it (gazetteer,
    # amap, pin, ...), and the administrative division recognised in the address (GB/T 2260 code).
    # Database defaults too: bulk loaders that name their columns (demo/scale.py) leave them out.
    geo_precision = models.CharField(_("location precision"), max_length=10, choices=Precision.choices, blank=True,
                                     default="", db_default="")
    geo_source = models.CharField(_("location source"), max_length=20, blank=True, default="", db_default="")
    geo_adcode = models.CharField(_("division code"), max_length=6, blank=True, default="", db_default="")
    contact_name = models.CharField(_("contact name"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[validate_phone])
    # Carrying up stairs is paid (settlement: the tariff's high-floor surcharge); unknown until someone asks.
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True,
                                     validators=[MinValueValidator(-9), MaxValueValidator(200)],
                                     help_text=_("Negative for a basement; empty when unknown."))
    has_lift = models.BooleanField(_("lift"), null=True, blank=True, help_text=_("Empty when unknown."))

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} · {self.address}"

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def location_approximate(self) -> bool:
        return self.located and self.geo_precision in APPROXIMATE


class InstalledProductQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "customer_id"

    def _scope(self, principal):
        if principal.is_outlet_staff or principal.is_technician:
            return self.filter(pk__in=orders_seen_by(principal).exclude(product_id=None).values("product_id"))
        return super()._scope(principal)


def new_qr_token() -> str:
    """72 random bits, URL-safe: what the unit's QR code carries instead of its guessable serial."""
    return secrets.token_urlsafe(9)


class InstalledProduct(TimeStampedModel):
    """One unit in the field, by serial: the product passport."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("serial number"), max_length=40)
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="products"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.SET_NULL, null=True, blank=True, related_name="products"
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    install_date = models.DateField(_("install date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ProductStatus.choices, default=ProductStatus.ACTIVE)
    # Rows bulk-inserted without it (demo/scale.py) get one the first time their label is printed.
    qr_token = models.CharField(_("QR code token"), max_length=16, unique=True, null=True, blank=True,
                                editable=False, default=new_qr_token)
    # Set on the old unit's row when the repair centre exchanged it (status EXCHANGED): the unit the customer got
    # in its place, whose row kept the warranty, history and schedules (logistics.bench). ``exchanged_from`` on the
    # customer's row lists the serials it replaced.
    exchanged_for = models.ForeignKey(
        "self", verbose_name=_("exchanged for"), on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="exchanged_from",
    )
    exchanged_at = models.DateTimeField(_("exchanged at"), null=True, blank=True, editable=False)

    objects = InstalledProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("installed product")
        verbose_name_plural = _("installed products")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "serial"], name="product_serial_unique_per_brand"),
            models.CheckConstraint(
                condition=models.Q(install_date__isnull=True) | models.Q(purchase_date__isnull=True)
                | models.Q(install_date__gte=models.F("purchase_date")),
                name="product_installed_after_purchase",
            ),
        ]
        indexes = [models.Index(fields=["serial"], name="product_serial")]

    def __str__(self) -> str:
        return self.serial

    def clean(self) -> None:
        if self.purchase_date and self.install_date and self.install_date < self.purchase_date:
            raise ValidationError({"install_date": _("The install date cannot be before the purchase date.")})
        if self.site_id and self.customer_id and self.site.customer_id != self.customer_id:
            raise ValidationError({"site": _("The site belongs to another customer.")})

    def compute_warranty_end(self) -> dt.date | None:
        # Warranty runs from installation when known, else from purchase (PRODUCT.md, "Install").
        start = self.install_date or self.purchase_date
        if start is None:
            return None
        return add_months(start, self.product_model.warranty_months)

    def save(self, *args, **kwargs) -> None:
        self.warranty_end = self.compute_warranty_end()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "warranty_end"}
        super().save(*args, **kwargs)


class WarrantyCardPolicy(models.Model):
    """The brand's rule for warranty cards customers register: whether its staff review them first."""

    brand = models.OneToOneField(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    review_required = models.BooleanField(
        _("review warranty cards before the warranty counts"), default=False,
        help_text=_("When on, a unit a customer registers has no warranty until brand staff approve its card "
                    "(purchase date and invoice)."),
    )

    class Meta:
        verbose_name = _("warranty card policy")
        verbose_name_plural = _("warranty card policies")

    def __str__(self) -> str:
        return str(self.brand)


class WarrantyCardQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "customer_id"


def invoice_path(card: WarrantyCard, filename: str) -> str:
    # A random name: the path says nothing of the customer and cannot be guessed.
    return f"warranty-cards/{card.brand_id}/{secrets.token_hex(12)}.jpg"


class WarrantyCard(TimeStampedModel):
    """The electronic warranty card (电子保修卡): a unit a customer registered as bought, with the proof.

    The claimed purchase date lives here; the unit's own purchase date (from which its warranty counts) is
    set from it once the card counts: at once, or when brand staff approve it (WarrantyCardPolicy).
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="warranty_cards")
    product = models.OneToOneField(InstalledProduct, verbose_name=_("product"), on_delete=models.CASCADE,
                                   related_name="warranty_card")
    purchase_date = models.DateField(_("purchase date"))
    purchased_from = models.CharField(_("where bought"), max_length=120)
    invoice = models.FileField(_("invoice photo"), upload_to=invoice_path, max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=WarrantyCardStatus.choices,
                              default=WarrantyCardStatus.PENDING)
    reviewed_by = models.ForeignKey(User, verbose_name=_("reviewed by"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = WarrantyCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("warranty card")
        verbose_name_plural = _("warranty cards")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["brand", "status"], name="warranty_card_brand_status")]

    def __str__(self) -> str:
        return f"{self.product} · {self.get_status_display()}"
