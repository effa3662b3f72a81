from django.db import models
from django.utils.translation import gettext_lazy as _


class CountedFrom(models.TextChoices):
    INSTALL = "install", _("Install date")
    PURCHASE = "purchase", _("Purchase date")


class AdjustmentTarget(models.TextChoices):
    LABOUR = "labour", _("labour")
    CALLOUT = "callout", _("call-out fee")
    PARTS = "parts", _("parts")


class LineKind(models.TextChoices):
    LABOUR = "labour", _("Labour")
    CALLOUT = "callout", _("Call-out fee")
    PART = "part", _("Part")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LineState(models.TextChoices):
    """How firm a line's amount is."""

    PRICED = "priced", _("priced")
    # Priced from a point near the site (its district's or city's centre): the band may change on the day.
    APPROXIMATE = "approximate", _("approximate")
    # Not priced at all: the site has no location yet, so the call-out distance is unknown.
    TO_CONFIRM = "to_confirm", _("to be confirmed")


# The line kinds an adjustment of each target changes.
TARGET_KINDS = {
    AdjustmentTarget.LABOUR: LineKind.LABOUR,
    AdjustmentTarget.CALLOUT: LineKind.CALLOUT,
    AdjustmentTarget.PARTS: LineKind.PART,
}


class CoverageCode(models.TextChoices):
    """Stable machine-readable reasons for a line's (or the visit's) warranty verdict."""

    IN_WARRANTY = "in_warranty", _("In warranty")
    EXPIRED = "warranty_expired", _("Out of warranty")
    NOT_STARTED = "warranty_not_started", _("Warranty not started")
    NO_START_DATE = "no_warranty_start", _("No purchase or install date")
    NEVER_COVERED = "never_covered", _("Never covered")
    EXCLUDED = "excluded", _("Excluded")
    SERVICE_NOT_COVERED = "service_not_covered", _("Service not covered")
    NO_COVERAGE = "no_coverage", _("Not covered")  # no provider had anything to say
    EXTENDED = "extended_warranty", _("Covered by extended warranty")


class SoldVia(models.TextChoices):
    """How an extended warranty (延保) was sold: the channel the conversion report counts it under."""

    SHOP = "shop", _("Portal shop")
    HOTLINE = "hotline", _("Hotline")
    LEAD = "lead", _("Technician's lead")
    IMPORT = "import", _("Imported")


class ExtendedWarrantyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
