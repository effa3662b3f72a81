"""The portal's small shop (issue 16): a customer's order of consumables, plans and extended warranty for their own
units, its payment (WeChat Pay through core/payments.py, or recorded by staff) and its delivery by courier or on a
visit. Lifecycle: ``shop/workflow.py``; what happens on each step: ``shop/services.py``."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import EventRow
from core.scoping import ScopedQuerySet
from shop.choices import Delivery, LineKind, OrderStatus, PaymentMethod

MONEY = {"max_digits": 12, "decimal_places": 2}
ADDRESS_MAX = 255
NOTE_MAX = 200


class ShopOrderQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "customer_id"


class ShopOrder(models.Model):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("order number"), max_length=32)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="shop_orders")
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("for the unit"),
                                on_delete=models.PROTECT, related_name="shop_orders")
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.AWAITING_PAYMENT)
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.COURIER)
    address = models.CharField(_("delivery address"), max_length=ADDRESS_MAX, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    waybill = models.CharField(_("waybill number"), max_length=40, blank=True)
    slot_start = models.DateTimeField(_("visit window from"), null=True, blank=True)
    slot_end = models.DateTimeField(_("visit window to"), null=True, blank=True)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("installation visit"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reminder = models.ForeignKey("maintenance.Reminder", verbose_name=_("from the reminder"),
                                 on_delete=models.SET_NULL, null=True, blank=True, related_name="shop_orders")
    lead = models.ForeignKey("revenue.Lead", verbose_name=_("from the lead"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="shop_orders")
    total = models.DecimalField(_("total"), **MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    price_list = models.ForeignKey("pricing.PriceList", verbose_name=_("price list"), on_delete=models.PROTECT,
                                   related_name="+")
    # The segment and region at the time of the order, for the conversion report.
    segment = models.CharField(_("segment"), max_length=12, blank=True)
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    pay_url = models.CharField(_("payment page"), max_length=500, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(_("ordered at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ShopOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop order")
        verbose_name_plural = _("shop orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="shop_order_number_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="shop_order_total_not_negative"),
        ]
        indexes = [models.Index(fields=["brand", "status", "-created_at"], name="shop_order_brand_status"),
                   models.Index(fields=["customer", "-created_at"], name="shop_order_customer")]

    def __str__(self) -> str:
        return self.number


class ShopLineQuerySet(ScopedQuerySet):
    parent_field = "order"


class ShopOrderLine(models.Model):
    order = models.ForeignKey(ShopOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    plan = models.ForeignKey("maintenance.MaintenancePlan", verbose_name=_("plan"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    offer_id = models.PositiveBigIntegerField(_("extended warranty offer"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    contract = models.ForeignKey("maintenance.Contract", verbose_name=_("contract"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")

    objects = ShopLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop order line")
        verbose_name_plural = _("shop order lines")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=LineKind.PART, part__isnull=False, plan__isnull=True, offer_id__isnull=True)
                           | Q(kind=LineKind.PLAN, part__isnull=True, plan__isnull=False, offer_id__isnull=True)
                           | Q(kind=LineKind.WARRANTY, part__isnull=True, plan__isnull=True,
                               offer_id__isnull=False)),
                name="shop_line_kind_target"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(unit_price__gte=0),
                                   name="shop_line_not_negative"),
        ]


class PaymentQuerySet(ScopedQuerySet):
    parent_field = "order"


class ShopPayment(models.Model):
    """One payment taken for an order: the provider's transaction (unique, so a second callback for it writes
    nothing) or one recorded by staff."""

    order = models.ForeignKey(ShopOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=12, choices=PaymentMethod.choices)
    transaction_id = models.CharField(_("transaction id"), max_length=64, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    raw = models.JSONField(_("provider's record"), default=dict, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop payment")
        verbose_name_plural = _("shop payments")
        constraints = [
            models.UniqueConstraint(fields=["method", "transaction_id"], condition=~Q(transaction_id=""),
                                    name="shop_payment_transaction_once"),
            models.UniqueConstraint(fields=["order"], name="shop_payment_one_per_order"),
        ]


class ShopEventQuerySet(ScopedQuerySet):
    parent_field = "order"


class ShopOrderEvent(EventRow):
    order = models.ForeignKey(ShopOrder, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=OrderStatus.choices)
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ShopEventQuerySet.as_manager()

    class Meta(EventRow.Meta):
        verbose_name = _("shop order event")
        verbose_name_plural = _("shop order events")
