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


class WarrantyCardStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the brand's review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
