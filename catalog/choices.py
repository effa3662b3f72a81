from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    INSTALL = "install", _("Installation")
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")
    INSPECTION = "inspection", _("Inspection")
    MAIL_IN = "mail_in", _("Mail-in repair")
    SITE_SURVEY = "site_survey", _("Site survey")
