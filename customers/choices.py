from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    ENTERPRISE = "enterprise", _("Enterprise")


class Segment(models.TextChoices):
    COST_SAVING = "cost_saving", _("Cost-saving")
    VALUE = "value", _("Value")
    PREMIUM = "premium", _("Premium")


class ProductStatus(models.TextChoices):
    SOLD = "sold", _("Sold, not installed")
    ACTIVE = "active", _("In service")
    RETIRED = "retired", _("Retired")
    # The customer's unit went to the repair centre and a refurbished one came back in its place: this row is the
    # old unit's passport (``InstalledProduct.exchanged_for`` names the unit the customer has now).
    EXCHANGED = "exchanged", _("Exchanged at the repair centre")


# Units no longer in the customer's service: no reminders, schedules, contracts, offers or counts of their products.
OUT_OF_SERVICE = frozenset({ProductStatus.RETIRED, ProductStatus.EXCHANGED})


class WarrantyCardStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the brand's review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
