from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintCategory(models.TextChoices):
    ATTITUDE = "attitude", _("Attitude")
    NO_SHOW = "no_show", _("No-show or late")
    OVERCHARGE = "overcharge", _("Overcharge")
    QUALITY = "quality", _("Quality or repeat failure")
    DAMAGE = "damage", _("Damage")
    PARTS = "parts", pgettext_lazy("complaint category", "Parts")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", pgettext_lazy("severity", "Low")
    NORMAL = "normal", pgettext_lazy("severity", "Normal")
    HIGH = "high", pgettext_lazy("severity", "High")
    CRITICAL = "critical", pgettext_lazy("severity", "Critical")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint status", "Received")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("complaint status", "Acknowledged")
    INVESTIGATING = "investigating", pgettext_lazy("complaint status", "Investigating")
    ESCALATED = "escalated", pgettext_lazy("complaint status", "Escalated")
    RESOLVED = "resolved", pgettext_lazy("complaint status", "Resolved")
    REOPENED = "reopened", pgettext_lazy("complaint status", "Reopened")
    APPEALED = "appealed", pgettext_lazy("complaint status", "Appealed")
    ARBITRATED = "arbitrated", pgettext_lazy("complaint status", "Arbitrated")


# Still being worked: its clocks run and the ladder may move it up.
ACTIVE_STATUSES = frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATING,
                             ComplaintStatus.ESCALATED, ComplaintStatus.REOPENED})
# A verdict stands (possibly under appeal).
DECIDED_STATUSES = frozenset({ComplaintStatus.RESOLVED, ComplaintStatus.APPEALED, ComplaintStatus.ARBITRATED})


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY = "partly", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


# The verdicts an outlet may appeal, and that count against it (KPIs, the settlement's deductions).
COUNTED_OUTCOMES = frozenset({Outcome.UPHELD, Outcome.PARTLY})


class Remedy(models.TextChoices):
    APOLOGY = "apology", _("Apology")
    REVISIT = "revisit", _("Revisit")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    COUPON = "coupon", _("Coupon")


class ResponsibleParty(models.TextChoices):
    OUTLET = "outlet", _("Outlet")
    TECHNICIAN = "technician", _("Technician")
    BRAND = "brand", pgettext_lazy("responsible party", "Brand")
    PRODUCT = "product", _("Product")
    CUSTOMER = "customer", pgettext_lazy("responsible party", "Customer")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    HOTLINE = "hotline", _("Hotline")
    WECHAT = "wechat", _("WeChat")
    CALLBACK = "callback", _("Callback")
    API = "api", _("API")
    URGING = "urging", _("Repeated urging")


class LadderLevel(models.IntegerChoices):
    """Who hears of a complaint whose clock ran out: each breach moves it one rung up."""

    DESK = 0, _("Complaints desk")
    OUTLET = 1, _("Outlet manager")
    REGION = 2, _("Brand region")
    DIRECTOR = 3, _("Service director")


class ContactRole(models.TextChoices):
    """The rungs of a brand's ladder named per user (the outlet's rung is its outlet managers), and its arbiter."""

    REGION = "region", _("Brand region")
    DIRECTOR = "director", _("Service director")
    ARBITER = "arbiter", _("Arbiter")
