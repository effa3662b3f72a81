"""Dispatch's own records: the brand's in-house rule, and the planned visits of a technician's day."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.scoping import ScopedQuerySet


class InHouseMode(models.TextChoices):
    PREFER = "prefer", _("Prefer in-house staff (partners rank lower)")
    REQUIRE = "require", _("Only in-house staff")


class DispatchRuleQuerySet(ScopedQuerySet):
    brand_field = "brand_id"


class DispatchRule(models.Model):
    """Which jobs are complex or high value, and how strongly they go to the brand's own service centres.

    A job is complex when its standard labour time reaches ``complex_minutes``, high value when the
    product's list price reaches ``high_value_price``; either makes it an in-house job. Simple jobs
    may go to anyone qualified, partners included.
    """

    DEFAULT_COMPLEX_MINUTES = 120
    DEFAULT_HIGH_VALUE_PRICE = Decimal("8000.00")
    DEFAULT_PARTNER_PENALTY_MINUTES = 60

    brand = models.OneToOneField(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    complex_minutes = models.PositiveSmallIntegerField(
        _("complex from (standard minutes)"), default=DEFAULT_COMPLEX_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text=_("A job whose standard labour time is at least this many minutes is complex."),
    )
    high_value_price = models.DecimalField(
        _("high value from (list price)"), max_digits=10, decimal_places=2, default=DEFAULT_HIGH_VALUE_PRICE,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A job on a product whose list price is at least this is high value."),
    )
    in_house_mode = models.CharField(_("complex and high-value jobs"), max_length=10, choices=InHouseMode.choices,
                                     default=InHouseMode.PREFER)
    partner_penalty_minutes = models.PositiveSmallIntegerField(
        _("partner penalty (minutes)"), default=DEFAULT_PARTNER_PENALTY_MINUTES, validators=[MaxValueValidator(600)],
        help_text=_("When in-house staff are preferred: how many minutes of extra travel a partner's technician "
                    "must save on a complex or high-value job to rank above in-house staff."),
    )

    objects = DispatchRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")

    def __str__(self) -> str:
        return str(self.brand)


class VisitQuerySet(ScopedQuerySet):
    parent_field = "work_order"


class Visit(models.Model):
    """Where an order sits in its technician's day, as the last plan or assignment placed it.

    Only a placement: who does the order is the order's own ``technician``. A visit whose technician is
    no longer the order's (recalled, declined, reassigned elsewhere) is ignored and replaced next time.
    """

    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                      related_name="visit")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.CASCADE,
                                   related_name="+")
    day = models.DateField(_("day"))
    sequence = models.PositiveSmallIntegerField(_("place in the day"))
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    travel_seconds = models.PositiveIntegerField(_("travel to it (seconds)"), default=0)
    travel_metres = models.PositiveIntegerField(_("travel to it (metres)"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        indexes = [models.Index(fields=["technician", "day", "sequence"], name="visit_tech_day")]

    def __str__(self) -> str:
        return f"{self.work_order_id} @ {self.technician_id} #{self.sequence}"


class DayPlanQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        if principal.outlet_id is not None:
            return self.filter(brand_id=principal.brand_id, outlet_id=principal.outlet_id)
        if not principal.is_brand_staff:
            return self.none()
        return self.filter(brand_id=principal.brand_id)


class DayPlan(models.Model):
    """An optimised day as it was previewed: applying it (by id) writes exactly these routes and times, or is
    refused when the day changed since (``fingerprint``), so what the dispatcher saw is what the technicians get.

    ``routes``: ``{technician id: [{order, version, arrival, start, end, travel}, ...]}`` in seconds of the day;
    ``recalls``: ``[{order, version}]``, jobs dispatched but not in the plan, which go back to the queue.
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    day = models.DateField(_("day"))
    routes = models.JSONField(_("routes"), default=dict)
    lunches = models.JSONField(_("lunches"), default=dict)
    recalls = models.JSONField(_("back to the queue"), default=list)
    fingerprint = models.CharField(_("the day as previewed"), max_length=64)
    created_by = models.ForeignKey("accounts.User", verbose_name=_("made by"), on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = DayPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("day plan")
        verbose_name_plural = _("day plans")

    def __str__(self) -> str:
        return f"{self.day} #{self.pk}"
