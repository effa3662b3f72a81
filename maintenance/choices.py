from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.choices import Segment


class Tier(models.TextChoices):
    """Plan tiers by customer segment (the central air-conditioning seed): basic plus the 400 hotline for the
    cost-saving, standard for the value, full with priority response for the premium customer."""

    BASIC = "basic", _("Basic plan")
    STANDARD = "standard", _("Standard plan")
    FULL = "full", _("Full plan")


TIER_OF_SEGMENT = {Segment.COST_SAVING: Tier.BASIC, Segment.VALUE: Tier.STANDARD, Segment.PREMIUM: Tier.FULL}


class ScheduleKind(models.TextChoices):
    CONSUMABLE = "consumable", _("Consumable replacement")
    MAINTENANCE = "maintenance", _("Maintenance visit")


class DueBy(models.TextChoices):
    """What made the due date: the calendar, or the device's reported usage (whichever comes first)."""

    TIME = "time", _("time since the last service")
    LITRES = "litres", _("litres filtered")
    HOURS = "hours", _("running hours")


class ReplacedVia(models.TextChoices):
    INSTALL = "install", _("Installation")
    VISIT = "visit", _("Service visit")
    SHOP = "shop", _("Shop order (self-replacement)")
    DEVICE = "device", _("Reported by the device")
    IMPORT = "import", _("Imported")
    STAFF = "staff", _("Recorded by staff")


class ReminderStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    BOOKED = "booked", _("Visit booked")
    ORDERED = "ordered", _("Ordered from the shop")
    DONE = "done", _("Done another way")
    EXPIRED = "expired", _("No answer")


class ContractKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household plan")
    ENTERPRISE = "enterprise", _("Enterprise maintenance contract")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ORDERED = "ordered", _("Order created")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class SoldVia(models.TextChoices):
    PORTAL = "portal", _("Customer portal shop")
    HOTLINE = "hotline", _("Hotline")
    LEAD = "lead", _("Technician's lead")
    CONTRACT = "contract", _("Signed contract")
    IMPORT = "import", _("Imported")


class DeviceAction(models.TextChoices):
    """What a device's report does by the brand's rule (maintenance/devices.py)."""

    RESET = "reset", _("The part was replaced: restart its schedule")
    ORDER = "order", _("Open a proactive maintenance order")
    REMIND = "remind", _("Send the customer a reminder")


class Comparison(models.TextChoices):
    BELOW = "below", _("below")
    ABOVE = "above", _("above")
