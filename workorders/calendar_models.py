"""Service hours and the official holiday calendar, which the SLA clocks count in (workorders/service_time.py).

A brand's calendar says when it serves on a working day, a rest day and a public holiday; a region's
or an outlet's calendar, when there is one, beats the brand's. Which dates are holidays and which
weekends are worked (调休) is the country's calendar, one row per date, kept per year in the admin.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.scoping import ScopedQuerySet

MIDNIGHT_HELP = _("00:00 as the closing time means midnight at the end of the day. Leave both empty: closed.")


class ServiceCalendarQuerySet(ScopedQuerySet):
    brand_field = "brand_id"


def _minutes(value: dt.time | None, *, closing: bool = False) -> int | None:
    if value is None:
        return None
    minutes = value.hour * 60 + value.minute
    return 24 * 60 if closing and minutes == 0 else minutes


class ServiceCalendar(models.Model):
    """When the brand (or one region or outlet of it) serves: the hours the SLA minutes are counted in."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+", help_text=_("Empty: the whole brand."))
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+", limit_choices_to={"kind": "outlet"},
                               help_text=_("Orders at this outlet count in its hours."))
    name = models.CharField(_("name"), max_length=80)
    round_the_clock = models.BooleanField(_("7×24 service"), default=False,
                                          help_text=_("Open every hour of every day, holidays included."))
    workday_opens = models.TimeField(_("working days open at"), null=True, blank=True)
    workday_closes = models.TimeField(_("working days close at"), null=True, blank=True, help_text=MIDNIGHT_HELP)
    restday_opens = models.TimeField(_("weekends open at"), null=True, blank=True)
    restday_closes = models.TimeField(_("weekends close at"), null=True, blank=True, help_text=MIDNIGHT_HELP)
    holiday_opens = models.TimeField(_("public holidays open at"), null=True, blank=True)
    holiday_closes = models.TimeField(_("public holidays close at"), null=True, blank=True, help_text=MIDNIGHT_HELP)

    objects = ServiceCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")
        constraints = [
            # One calendar per brand, per region and per outlet.
            models.UniqueConstraint(fields=["brand"], name="service_calendar_brand_unique",
                                    condition=models.Q(region__isnull=True, outlet__isnull=True)),
            models.UniqueConstraint(fields=["region"], name="service_calendar_region_unique",
                                    condition=models.Q(region__isnull=False, outlet__isnull=True)),
            models.UniqueConstraint(fields=["outlet"], name="service_calendar_outlet_unique",
                                    condition=models.Q(outlet__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.outlet_id and not self.brand_id:
            self.brand_id = self.outlet.brand_id
        super().save(*args, **kwargs)

    def hours(self, kind: str) -> tuple[int, int] | None:
        opens, closes = getattr(self, f"{kind}_opens"), getattr(self, f"{kind}_closes")
        if opens is None or closes is None:
            return None
        return _minutes(opens), _minutes(closes, closing=True)

    def clean(self) -> None:
        errors = {}
        for kind in ("workday", "restday", "holiday"):
            opens, closes = getattr(self, f"{kind}_opens"), getattr(self, f"{kind}_closes")
            if (opens is None) != (closes is None):
                errors[f"{kind}_closes"] = _("Give both the opening and the closing time, or neither.")
            elif opens is not None and self.hours(kind)[1] <= self.hours(kind)[0]:
                errors[f"{kind}_closes"] = _("The closing time must be after the opening time.")
        if not errors and not self.round_the_clock and all(
                self.hours(k) is None for k in ("workday", "restday")):
            errors["workday_opens"] = _("Give the hours of working days or weekends, or choose 7×24 service.")
        if self.outlet_id and self.brand_id and self.outlet.brand_id != self.brand_id:
            errors["outlet"] = _("The outlet belongs to another brand.")
        if self.region_id and self.brand_id and self.region.brand_id != self.brand_id:
            errors["region"] = _("The region belongs to another brand.")
        if errors:
            raise ValidationError(errors)


class HolidayYear(models.Model):
    """One year of the official holiday calendar, as the State Council's notice published it."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("The notice this year's dates come from."))
    confirmed = models.BooleanField(_("confirmed"), default=True,
                                    help_text=_("Clear while the dates are provisional (the notice not yet out)."))

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday calendar")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Adjusted working day")


class HolidayDate(models.Model):
    """A date the official calendar moves: a day off, or a weekend that is worked (调休上班)."""

    year = models.ForeignKey(HolidayYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("holiday date")
        verbose_name_plural = _("holiday dates")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.date and self.year_id and self.date.year != self.year.year:
            raise ValidationError({"date": _("The date must be in the year it belongs to.")})
