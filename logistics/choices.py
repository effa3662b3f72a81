from django.db import models
from django.utils.translation import gettext_lazy as _


class Hop(models.TextChoices):
    """Where a mail-in unit is, in the order the customer's tracking page lists them (logistics/workflow.py)."""

    PICKUP_BOOKED = "pickup_booked", _("Pickup booked")
    COLLECTED = "collected", _("Collected by the courier")
    IN_TRANSIT = "in_transit", _("On the way to the repair centre")
    ARRIVED = "arrived", _("Arrived at the repair centre")
    RECEIVED = "received", _("Received and checked")
    DIAGNOSED = "diagnosed", _("Diagnosed")
    QUOTED = "quoted", _("Quote sent: waiting for your answer")
    APPROVED = "approved", _("Quote approved")
    DECLINED = "declined", _("Quote declined: returned unrepaired")
    REPAIRED = "repaired", _("Repaired")
    QC_PASSED = "qc_passed", _("Quality check passed")
    SHIPPED = "shipped", _("Shipped back to you")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


# The hops as the bench says them, beside the customer's words above (the tracking page says "you"; the bench
# speaks of the centre).
BENCH_LABELS = {
    Hop.PICKUP_BOOKED: _("Pickup booked"),
    Hop.COLLECTED: _("Collected by the courier"),
    Hop.IN_TRANSIT: _("On the way to the centre"),
    Hop.ARRIVED: _("Arrived at the centre"),
    Hop.RECEIVED: _("Received and checked"),
    Hop.DIAGNOSED: _("Diagnosed"),
    Hop.QUOTED: _("Quoted: waiting for the customer"),
    Hop.APPROVED: _("Quote approved"),
    Hop.DECLINED: _("Quote declined"),
    Hop.REPAIRED: _("Repaired"),
    Hop.QC_PASSED: _("Quality check passed"),
    Hop.SHIPPED: _("Shipped back"),
    Hop.DELIVERED: _("Delivered"),
    Hop.CANCELLED: _("Cancelled"),
}
assert set(BENCH_LABELS) == set(Hop), "every hop has the bench's words too"

# The hops the courier's route events move a unit through on its way in; a later event never moves it back.
INBOUND_HOPS = (Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED)
# The hops at the centre: the bench works on the unit.
BENCH_HOPS = (Hop.ARRIVED, Hop.RECEIVED, Hop.DIAGNOSED, Hop.QUOTED, Hop.APPROVED, Hop.DECLINED, Hop.REPAIRED,
              Hop.QC_PASSED)
OPEN_HOPS = frozenset(Hop.values) - {Hop.DELIVERED, Hop.CANCELLED}


class Direction(models.TextChoices):
    INBOUND = "inbound", _("To the repair centre")
    OUTBOUND = "outbound", _("Back to the customer")


class ShipmentStatus(models.TextChoices):
    BOOKING = "booking", _("Being booked with the courier")
    BOOKED = "booked", _("Booked")
    COLLECTED = "collected", _("Collected")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    REPAIRED = "repaired", _("Repaired")
    EXCHANGED = "exchanged", _("Exchanged for a refurbished unit")
    UNREPAIRED = "unrepaired", _("Returned unrepaired")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
