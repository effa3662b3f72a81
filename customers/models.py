from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.dates import add_months
from core.geo import APPROXIMATE, Precision
from core.models import ScopedQuerySet, TimeStampedModel
from core.phones import validate_phone
from customers.choices import CustomerKind, ProductStatus, Segment


def _orders_for(principal):
    from workorders.models import WorkOrder

    return WorkOrder.objects.all()._scope(principal)


class CustomerQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        if principal.is_brand_staff:
            return self.filter(brand_id=principal.brand_id)
        if principal.is_customer:
            return self.filter(pk=principal.customer_id)
        # Outlets and technicians see the customers of the orders they were given.
        return self.filter(pk__in=_orders_for(principal).values("customer_id"))


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

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["brand", "phone"], name="customer_brand_phone")]

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        return self._through("customer", Customer.objects.all()._scope(principal))


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
    def _scope(self, principal):
        if principal.is_brand_staff:
            return self.filter(brand_id=principal.brand_id)
        if principal.is_customer:
            return self.filter(customer_id=principal.customer_id)
        return self.filter(pk__in=_orders_for(principal).exclude(product_id=None).values("product_id"))


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

    def in_warranty(self, on: dt.date) -> bool:
        return self.warranty_end is not None and on <= self.warranty_end
