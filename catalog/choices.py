"""The catalogue's vocabularies, and the order vocabularies its data names: a service standard is kept per
service type, a fault code opens an order of a type and a priority (so both sit here, below workorders)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    INSTALL = "install", _("Installation")
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")
    INSPECTION = "inspection", _("Inspection")
    MAIL_IN = "mail_in", _("Mail-in repair")
    SITE_SURVEY = "site_survey", _("Site survey")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ExclusionReason(models.TextChoices):
    """Why a reported symptom voids the warranty for the whole visit."""

    MISUSE = "misuse", _("misuse")
    ACCIDENTAL_DAMAGE = "accidental_damage", _("accidental or physical damage")
    UNAUTHORISED_REPAIR = "unauthorised_repair", _("repair or modification by a third party")
    EXTERNAL_CAUSE = "external_cause", _("external cause (power, water quality, pests, disaster)")
