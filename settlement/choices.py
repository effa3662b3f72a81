from django.db import models
from django.utils.translation import gettext_lazy as _

from settlement import arithmetic


class StatementState(models.TextChoices):
    """A statement's place in its lifecycle (settlement/workflow.py holds the moves between them)."""

    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the outlet")
    CONFIRMED = "confirmed", _("Confirmed by the outlet")
    DISPUTED = "disputed", _("Disputed by the outlet")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class RuleKind(models.TextChoices):
    """The deductions and bonuses a brand sets as data (docs/settlement.md, "Rules")."""

    REWORK = "rework", _("Rework")
    COMPLAINT = "complaint", _("Upheld complaint")
    SLA_BREACH = "sla_breach", _("SLA breach")
    MISSING_PHOTO = "missing_photo", _("Missing photo")
    MISSING_SIGNATURE = "missing_signature", _("Missing signature")
    PART_NOT_RETURNED = "part_not_returned", _("Part not returned")
    SATISFACTION_BONUS = "satisfaction_bonus", _("Satisfaction bonus")


class LineKind(models.TextChoices):
    """What a settlement line is for: what the tariff pays (settlement/arithmetic.py), parts, and the rules."""

    FEE = arithmetic.FEE, _("Service fee")
    FAILED_VISIT = arithmetic.FAILED_VISIT, _("Failed visit fee")
    TRAVEL = arithmetic.TRAVEL, _("Travel allowance")
    NIGHT = arithmetic.NIGHT, _("Night surcharge")
    HOLIDAY = arithmetic.HOLIDAY, _("Holiday surcharge")
    HIGH_FLOOR = arithmetic.HIGH_FLOOR, _("High floor without lift surcharge")
    REMOTE = arithmetic.REMOTE, _("Remote area surcharge")
    PART = "part", _("Part")
    REWORK = RuleKind.REWORK.value, _("Rework")
    COMPLAINT = RuleKind.COMPLAINT.value, _("Upheld complaint")
    SLA_BREACH = RuleKind.SLA_BREACH.value, _("SLA breach")
    MISSING_PHOTO = RuleKind.MISSING_PHOTO.value, _("Missing photo")
    MISSING_SIGNATURE = RuleKind.MISSING_SIGNATURE.value, _("Missing signature")
    PART_NOT_RETURNED = RuleKind.PART_NOT_RETURNED.value, _("Part not returned")
    SATISFACTION_BONUS = RuleKind.SATISFACTION_BONUS.value, _("Satisfaction bonus")
    PIECE_RATE = "piece_rate", _("Piece rate")
    LEAD_COMMISSION = "lead_commission", _("Lead commission")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversed after review")


class DisputeState(models.TextChoices):
    """A disputed line's place: open until finance decides it."""

    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class FlagCheck(models.TextChoices):
    """The fraud checks run before an order's lines are payable (docs/settlement.md, "Fraud checks")."""

    FAR_CHECKIN = "far_checkin", _("Check-in far from the site")
    REUSED_PHOTO = "reused_photo", _("Photo already used on another order")
    SERIAL_MISMATCH = "serial_mismatch", _("Serial does not match the unit")
    REPEAT_ORDER = "repeat_order", _("Another order for the same unit within days")
    SHORT_LABOUR = "short_labour", _("Labour far below the standard minutes")
    NO_SIGNATURE = "no_signature", _("Completed without the customer's signature")


class FlagState(models.TextChoices):
    """A flag holds its order's lines while open; cleared makes them payable, upheld reverses them."""

    OPEN = "open", _("Waiting for review")
    CLEARED = "cleared", _("Cleared")
    UPHELD = "upheld", _("Upheld")
