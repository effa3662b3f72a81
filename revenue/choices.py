from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadKind(models.TextChoices):
    FILTER_SUBSCRIPTION = "filter_subscription", _("Filter subscription")
    EXTENDED_WARRANTY = "extended_warranty", _("Extended warranty")
    TRADE_IN = "trade_in", _("Trade-in")
    UPGRADE = "upgrade", _("Upgrade")


class LeadQueue(models.TextChoices):
    BRAND = "brand", _("Brand's queue")
    OUTLET = "outlet", _("Outlet's queue")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead status", "New")
    CONTACTED = "contacted", _("Contacted")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


# Who works a kind of lead when the brand's rule does not say: contracts the brand sells itself go to the
# brand's desk, what the outlet delivers (filters, an old unit taken away) to the outlet.
DEFAULT_QUEUE = {
    LeadKind.FILTER_SUBSCRIPTION: LeadQueue.OUTLET,
    LeadKind.EXTENDED_WARRANTY: LeadQueue.BRAND,
    LeadKind.TRADE_IN: LeadQueue.OUTLET,
    LeadKind.UPGRADE: LeadQueue.BRAND,
}
