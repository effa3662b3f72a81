from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workorders.choices import Status


class WarehouseKind(models.TextChoices):
    CENTRAL = "central", _("Central warehouse")
    STORE = "store", _("Outlet store")
    VAN = "van", _("Technician's van")


class MoveKind(models.TextChoices):
    RECEIVE = "receive", pgettext_lazy("stock move", "Received")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    RESERVE = "reserve", _("Reserved")
    RELEASE = "release", _("Released")
    CONSUME = "consume", _("Used on a job")
    RETURN_DEFECTIVE = "return_defective", _("Defective part returned")
    ADJUST = "adjust", _("Adjusted")


class Condition(models.TextChoices):
    GOOD = "good", _("Good stock")
    DEFECTIVE = "defective", _("Defective stock")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TRANSFERRED = "transferred", _("Transferred to the van")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class DefectiveStatus(models.TextChoices):
    OWED = "owed", _("Owed")
    RECEIVED = "received", _("Received at the outlet")


# A technician may ask the store for parts while the job is theirs and not finished (on hold for parts
# included: that is when a request is most needed) ...
REQUESTABLE_STATUSES = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE,
                                  Status.ON_HOLD})
# ... and use parts on it from being dispatched until it is completed (issue 4).
CONSUMABLE_STATUSES = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE})
# Part families whose replaced piece is waste, not a defective part the brand wants back (the old filter
# cartridge, the used anode rod, refrigerant let out of the circuit). Every other replaced part is owed.
NOT_RETURNED_FAMILIES = frozenset({"filter", "consumable", "refrigerant"})
