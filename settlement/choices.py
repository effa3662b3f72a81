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
    ADJUSTMENT = "adjustment", _("Late adjustment")
