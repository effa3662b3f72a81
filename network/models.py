from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import Organisation, User
from core.models import TimeStampedModel
from core.scoping import BrandScopedQuerySet, ScopedQuerySet

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BrandAdminQuerySet(ScopedQuerySet):
    """A brand's configuration (device secrets, fault codes, WeChat accounts, their logs): only the brand's
    admins see it, and only their own brand's."""

    brand_field = "brand_id"

    def _rung(self, principal):
        if principal.role != Role.BRAND_ADMIN:
            return None, None
        return self.brand_field, principal.brand_id


class Region(TimeStampedModel):
    """A city or district an outlet can serve; coordinates are its centre."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    province = models.CharField(_("province"), max_length=40, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    outlets = models.ManyToManyField(
        Organisation, verbose_name=_("outlets serving it"), related_name="service_regions", blank=True
    )

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["brand", "code"], name="region_code_unique")]

    def __str__(self) -> str:
        return self.name


class Skill(TimeStampedModel):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["brand", "code"], name="skill_code_unique")]

    def __str__(self) -> str:
        return self.name


def default_working_hours() -> dict[str, list[str]]:
    return {day: ["08:30", "17:30"] for day in WEEKDAYS[:6]}


def validate_working_hours(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Working hours must map weekdays to [start, end]."), code="invalid_hours")
    for day, span in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(_("Unknown weekday: %(day)s"), code="invalid_hours", params={"day": day})
        try:
            start, end = (dt.time.fromisoformat(s) for s in span)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Use [\"HH:MM\", \"HH:MM\"] for each day."), code="invalid_hours") from exc
        if start >= end:
            raise ValidationError(_("A shift must end after it starts."), code="invalid_hours")


class TechnicianQuerySet(ScopedQuerySet):
    brand_field = "outlet__brand_id"
    outlet_field = "outlet_id"
    technician_field = "pk"

    def qualified_for(self, skill: Skill, on: dt.date) -> TechnicianQuerySet:
        """Technicians who have ``skill`` on day ``on``.

        Which skills need a state certificate (资质) is not recorded on the skill; a certificate on
        file for it is what says so. Such a skill then counts only while one of the technician's
        certificates for it is current: an expired (or not yet valid) one does not count.
        """
        certificates = Certification.objects.filter(technician=models.OuterRef("pk"), skill=skill)
        current = certificates.filter(valid_from__lte=on, expires_on__gte=on)
        return self.filter(skills=skill).filter(~models.Exists(certificates) | models.Exists(current))


class Technician(TimeStampedModel):
    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="technician")
    outlet = models.ForeignKey(
        Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="technicians"
    )
    name = models.CharField(_("name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), related_name="technicians", blank=True)
    home_latitude = models.DecimalField(_("home latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    home_longitude = models.DecimalField(_("home longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    working_hours = models.JSONField(
        _("weekly working hours"), default=default_working_hours, validators=[validate_working_hours]
    )
    daily_capacity = models.PositiveSmallIntegerField(_("jobs per day"), default=6)
    is_active = models.BooleanField(_("active"), default=True)
    # Where the technician's phone last said they were ("on my way", check-in), when they let it tell.
    last_latitude = models.DecimalField(_("last known latitude"), max_digits=9, decimal_places=6, null=True,
                                        blank=True, editable=False)
    last_longitude = models.DecimalField(_("last known longitude"), max_digits=9, decimal_places=6, null=True,
                                         blank=True, editable=False)
    last_located_at = models.DateTimeField(_("last located at"), null=True, blank=True, editable=False)

    objects = TechnicianQuerySet.as_manager()

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def position_since(self, moment: dt.datetime) -> tuple | None:
        """The last known (latitude, longitude), if it was reported at or after ``moment``; else None."""
        if self.last_located_at is None or self.last_latitude is None or self.last_located_at < moment:
            return None
        return (self.last_latitude, self.last_longitude)

    def valid_certifications(self, on: dt.date):
        return self.certifications.filter(valid_from__lte=on, expires_on__gte=on)

    def is_qualified_for(self, skill: Skill, on: dt.date) -> bool:
        return Technician.objects.filter(pk=self.pk).qualified_for(skill, on).exists()


class CertificationQuerySet(ScopedQuerySet):
    parent_field = "technician"


class Certification(TimeStampedModel):
    """A qualification (资质) with an expiry; an expired one does not count."""

    technician = models.ForeignKey(
        Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="certifications"
    )
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_on__gte=models.F("valid_from")),
                                   name="certification_dates_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.skill} · {self.technician}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.expires_on
