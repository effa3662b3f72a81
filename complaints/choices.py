from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintCategory(models.TextChoices):
    CONDUCT = "conduct", _("Technician's conduct")
    LATENESS = "lateness", _("Late or missed visit")
    WORKMANSHIP = "workmanship", _("Quality of the work")
    CHARGES = "charges", _("Charges")
    PRODUCT = "product", _("Product quality")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("complaint status", "Open")
    RESOLVED = "resolved", pgettext_lazy("complaint status", "Resolved")
