"""Mail-in repair (寄修 / 中央维修): the unit's case at the repair centre, its hops, and the parcels that carry it.

A ``MailIn`` belongs to a work order of the mail-in type, assigned to a repair centre (an outlet flagged
``is_repair_centre``); whoever sees the order sees its case. Its ``hop`` moves only through
logistics/workflow.py, which writes a ``MailInStep`` per move: the customer's tracking page and the turnaround
report read those rows. Each ``Shipment`` is one waybill (in to the centre, back to the customer) with the
route events its courier reported, kept once each whatever order and however often they came.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.choices import ExclusionReason
from core.scoping import ScopedQuerySet
from logistics.choices import Decision, Direction, Hop, Outcome, ShipmentStatus
from workorders.estimates import localized

MONEY = {"max_digits": 10, "decimal_places": 2}

# How long a unit may stay in each hop before the watch flags it late (minutes), when the brand set nothing;
# the pickup's is counted from the end of the pickup window. About a day from report to redelivery in all.
DEFAULT_HOP_TARGET_MINUTES: dict[str, int] = {
    Hop.PICKUP_BOOKED: 60, Hop.COLLECTED: 120, Hop.IN_TRANSIT: 360, Hop.ARRIVED: 60, Hop.RECEIVED: 120,
    Hop.DIAGNOSED: 60, Hop.QUOTED: 24 * 60, Hop.APPROVED: 240, Hop.DECLINED: 120, Hop.REPAIRED: 60,
    Hop.QC_PASSED: 60, Hop.SHIPPED: 8 * 60,
}


class MailInPolicy(models.Model):
    """A brand's mail-in terms: what the courier costs out of warranty, the inspection fee of a declined
    quote, and each hop's target time (the brand's own minutes override the defaults hop by hop)."""

    brand = models.OneToOneField(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    courier_fee = models.DecimalField(_("courier fee out of warranty"), default=Decimal("30.00"), **MONEY,
                                      help_text=_("Both ways; free while the unit is in warranty."))
    inspection_fee = models.DecimalField(_("inspection fee on a declined quote"), default=Decimal("0.00"),
                                         **MONEY)
    hop_target_minutes = models.JSONField(_("hop targets (minutes)"), default=dict, blank=True,
                                          help_text=_('Per hop, e.g. {"received": 90}; a hop not named keeps '
                                                      "the default."))

    class Meta:
        verbose_name = _("mail-in policy")
        verbose_name_plural = _("mail-in policies")

    def __str__(self) -> str:
        return str(self.brand)

    def target_minutes(self, hop: str) -> int | None:
        own = (self.hop_target_minutes or {}).get(hop)
        return int(own) if isinstance(own, int) and own > 0 else DEFAULT_HOP_TARGET_MINUTES.get(hop)


class MailInQuerySet(ScopedQuerySet):
    parent_field = "work_order"


class MailIn(models.Model):
    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"),
                                      on_delete=models.CASCADE, related_name="mail_in")
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(Organisation, verbose_name=_("repair centre"), on_delete=models.PROTECT,
                               related_name="+")
    hop = models.CharField(_("hop"), max_length=16, choices=Hop.choices, default=Hop.PICKUP_BOOKED)
    hop_since = models.DateTimeField(_("in this hop since"))
    hop_due = models.DateTimeField(_("hop due"), null=True, blank=True)
    late_hop = models.CharField(_("hop flagged late"), max_length=16, blank=True)
    version = models.PositiveIntegerField(default=1)
    pickup_start = models.DateTimeField(_("pickup from"))
    pickup_end = models.DateTimeField(_("pickup until"))
    # Where the courier collects and returns the unit, as booked (the site may change afterwards).
    contact_name = models.CharField(_("contact name"), max_length=80)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    address = models.CharField(_("address"), max_length=255)
    in_warranty = models.BooleanField(_("in warranty"), default=False)
    # In each language ({"zh-hans": ..., "en": ...}: workorders.estimates.localized shows the reader's).
    warranty_reason = models.JSONField(_("warranty verdict"), default=dict, blank=True)
    # Receiving: what came out of the box.
    received_serial = models.CharField(_("serial received"), max_length=40, blank=True)
    serial_matches = models.BooleanField(_("serial matches the order"), null=True, blank=True)
    condition_note = models.CharField(_("condition on arrival"), max_length=500, blank=True)
    accessories = models.JSONField(_("accessories received"), default=list, blank=True)
    # The photos of the unit as it came out of the box (ids of the order's attachments), taken at receiving.
    condition_photos = models.JSONField(_("condition photos"), default=list, blank=True)
    diagnosis = models.CharField(_("diagnosis"), max_length=500, blank=True)
    exclusion = models.CharField(_("warranty exclusion found"), max_length=20, choices=ExclusionReason.choices,
                                 blank=True)
    # The quote (out of warranty): the pricing engine's estimate with the diagnosed parts, plus the courier fee.
    quote_parts = models.JSONField(_("parts quoted"), default=list, blank=True)
    quote = models.JSONField(_("quote"), default=dict, blank=True)
    quote_total = models.DecimalField(_("quote total"), null=True, blank=True, **MONEY)
    quote_token = models.CharField(_("quote link key"), max_length=32, blank=True)
    decision = models.CharField(_("customer's decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    exchange_serial = models.CharField(_("serial of the exchange unit"), max_length=40, blank=True)
    qc_checklist = models.JSONField(_("quality check"), default=dict, blank=True)
    charge_total = models.DecimalField(_("charged"), null=True, blank=True, **MONEY)
    created_at = models.DateTimeField(_("booked at"))
    delivered_at = models.DateTimeField(_("delivered back at"), null=True, blank=True)

    objects = MailInQuerySet.as_manager()

    class Meta:
        verbose_name = _("mail-in repair")
        verbose_name_plural = _("mail-in repairs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["centre", "hop"], name="mailin_centre_hop"),
                   models.Index(fields=["hop_due"], condition=~Q(hop__in=[Hop.DELIVERED, Hop.CANCELLED]),
                                name="mailin_open_hop_due")]
        constraints = [models.UniqueConstraint(fields=["quote_token"], condition=~Q(quote_token=""),
                                               name="mailin_quote_token_unique")]

    def __str__(self) -> str:
        return f"{self.work_order_id} · {self.hop}"

    @property
    def warranty_words(self) -> str:
        """The warranty verdict in the reader's language."""
        return localized(self.warranty_reason) if self.warranty_reason else ""

    @property
    def quote_required(self) -> bool:
        return not self.in_warranty


class MailInStepQuerySet(ScopedQuerySet):
    parent_field = "mail_in"


class MailInStep(models.Model):
    """One move of a unit from hop to hop: when, where, by whom, and whether the customer sees it."""

    mail_in = models.ForeignKey(MailIn, verbose_name=_("mail-in repair"), on_delete=models.CASCADE,
                                related_name="steps", db_index=False)
    from_hop = models.CharField(_("from"), max_length=16, choices=Hop.choices, blank=True)
    hop = models.CharField(_("hop"), max_length=16, choices=Hop.choices)
    at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", db_index=False)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    customer_visible = models.BooleanField(_("visible to customer"), default=True)
    data = models.JSONField(default=dict, blank=True)

    objects = MailInStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("mail-in step")
        verbose_name_plural = _("mail-in steps")
        ordering = ["pk"]  # the order they happened in (a step's time is never before the one before it)
        indexes = [models.Index(fields=["mail_in", "at"], name="mailinstep_case_time")]

    def __str__(self) -> str:
        return f"{self.mail_in_id}: {self.from_hop}→{self.hop}"


class ShipmentQuerySet(ScopedQuerySet):
    parent_field = "mail_in"


class Shipment(models.Model):
    """One parcel with a courier: booked through the courier's backend (core/couriers), or by hand."""

    mail_in = models.ForeignKey(MailIn, verbose_name=_("mail-in repair"), on_delete=models.CASCADE,
                                related_name="shipments")
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    backend = models.CharField(_("courier"), max_length=20)
    reference = models.CharField(_("our reference"), max_length=64, unique=True)
    waybill = models.CharField(_("waybill"), max_length=40, blank=True)
    # The courier's own handle on the order where it is not our reference (Kuaidi100's task): cancel() needs it.
    provider_order = models.CharField(_("courier's order"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.BOOKING)
    window_start = models.DateTimeField(_("pickup from"))
    window_end = models.DateTimeField(_("pickup until"))
    attempts = models.PositiveSmallIntegerField(_("booking attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_try_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mail_in", "direction"], condition=~Q(status=ShipmentStatus.CANCELLED),
                                    name="shipment_one_live_per_direction"),
            models.UniqueConstraint(fields=["backend", "waybill"], condition=~Q(waybill=""),
                                    name="shipment_waybill_unique"),
        ]
        indexes = [models.Index(fields=["next_try_at"], condition=Q(status=ShipmentStatus.BOOKING),
                                name="shipment_booking_due")]

    def __str__(self) -> str:
        return self.waybill or self.reference


class ShipmentEventQuerySet(ScopedQuerySet):
    parent_field = "shipment"


class ShipmentEvent(models.Model):
    """One route event of a parcel as its courier reported it (pushed or queried); kept once per event id."""

    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE,
                                 related_name="route", db_index=False)
    event_id = models.CharField(_("courier's event id"), max_length=64)
    stage = models.CharField(_("stage"), max_length=16)
    at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    text = models.CharField(_("courier's words"), max_length=255, blank=True)
    provider_code = models.CharField(_("courier's code"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("received at"))

    objects = ShipmentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("route event")
        verbose_name_plural = _("route events")
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shipment", "event_id"], name="route_event_once")]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.stage} {self.at:%Y-%m-%d %H:%M}"
