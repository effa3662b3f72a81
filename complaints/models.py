"""Complaints (投诉): a customer's grievance, linked to the order, the technician and the outlet it is about.

A complaint runs its own lifecycle (complaints/workflow.py) against two clocks counted in service hours
(acknowledge by, resolve by: complaints/sla.py); when a clock runs out the escalation ladder moves it up one
rung (outlet manager → brand region → service director, complaints/ladder.py). Its verdict (upheld, partly,
not upheld) names a remedy and who was responsible; an outlet may appeal an upheld verdict once, and the
brand's arbiter decides, both statements kept.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from complaints.choices import (
    ACTIVE_STATUSES,
    DECIDED_STATUSES,
    Channel,
    ComplaintCategory,
    ComplaintStatus,
    ContactRole,
    LadderLevel,
    Outcome,
    Remedy,
    ResponsibleParty,
    Severity,
)
from core.models import EventRow
from core.scoping import BrandScopedQuerySet, ScopedQuerySet

DESCRIPTION_MAX = 2000
RESOLUTION_MAX = 1000
STATEMENT_MAX = 2000
COMPENSATION_MAX = Decimal("100000.00")


class ComplaintQuerySet(ScopedQuerySet):
    """Scoped like orders: an outlet sees the complaints about its orders, a technician those about theirs."""

    brand_field = "brand_id"
    outlet_field = "outlet_id"
    technician_field = "technician_id"
    customer_field = "customer_id"

    def active(self) -> ComplaintQuerySet:
        return self.filter(status__in=sorted(ACTIVE_STATUSES))


class Complaint(models.Model):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="complaints")
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="complaints")
    # The outlet, technician and region of the order when the complaint was made: it stays theirs if the order
    # moves on.
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="complaints")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="complaints")
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    category = models.CharField(_("category"), max_length=12, choices=ComplaintCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.HOTLINE)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    status = models.CharField(_("status"), max_length=14, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.RECEIVED)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(User, verbose_name=_("opened by"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    # The clocks (service time, complaints/sla.py) and the ladder's rung; escalate_at is when the rung it is on
    # runs out (None once decided).
    acknowledge_due = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), choices=LadderLevel.choices,
                                                        default=LadderLevel.DESK)
    escalate_at = models.DateTimeField(_("escalates at"), null=True, blank=True)
    # The verdict.
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    remedies = models.JSONField(_("remedies"), default=list, blank=True)
    compensation = models.DecimalField(_("compensation"), max_digits=10, decimal_places=2, default=Decimal("0.00"),
                                       validators=[MinValueValidator(Decimal("0"))])
    responsible = models.CharField(_("responsible party"), max_length=10, choices=ResponsibleParty.choices,
                                   blank=True)
    resolution = models.TextField(_("resolution"), max_length=RESOLUTION_MAX, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(User, verbose_name=_("resolved by"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    # The outlet's appeal (once) and the arbiter's decision; the verdict appealed stays in appealed_outcome.
    appeal_statement = models.TextField(_("appeal statement"), max_length=STATEMENT_MAX, blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appealed_by = models.ForeignKey(User, verbose_name=_("appealed by"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    appealed_outcome = models.CharField(_("outcome appealed"), max_length=10, choices=Outcome.choices, blank=True)
    arbitration = models.TextField(_("arbiter's decision"), max_length=STATEMENT_MAX, blank=True)
    arbitrated_at = models.DateTimeField(_("arbitrated at"), null=True, blank=True)
    arbitrated_by = models.ForeignKey(User, verbose_name=_("arbitrated by"), on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "status"], name="complaint_customer_status"),
            models.Index(fields=["brand", "status", "-opened_at"], name="complaint_brand_status"),
            models.Index(fields=["outlet", "-opened_at"], name="complaint_outlet_opened"),
            # The ladder's watch reads only the complaints whose rung runs out.
            models.Index(fields=["escalate_at"], condition=models.Q(escalate_at__isnull=False),
                         name="complaint_escalate_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=sorted(DECIDED_STATUSES), resolved_at__isnull=False)
                | (~models.Q(status__in=sorted(DECIDED_STATUSES)) & models.Q(resolved_at__isnull=True)),
                name="complaint_resolved_has_time",
            ),
            models.CheckConstraint(condition=models.Q(compensation__gte=0), name="complaint_compensation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()}"

    def clean(self) -> None:
        if self.work_order_id and self.customer_id and self.work_order.customer_id != self.customer_id:
            raise ValidationError({"work_order": _("The order belongs to another customer.")})
        if self.outlet_id and self.customer_id and self.outlet.brand_id != self.customer.brand_id:
            raise ValidationError({"outlet": _("The outlet serves another brand.")})

    @property
    def number(self) -> str:
        """How people name it on the phone and in messages (投诉编号 TS000042)."""
        return f"TS{self.pk:06d}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def remedy_labels(self) -> list[str]:
        return [str(Remedy(r).label) for r in self.remedies if r in Remedy.values]


class ComplaintEventQuerySet(ScopedQuerySet):
    parent_field = "complaint"


class ComplaintEvent(EventRow):
    """One step in a complaint's life (opened, acknowledged, escalated, resolved, appealed, ...): who, in which
    role, when, and what was said."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE,
                                  related_name="events")
    action = models.CharField(_("action"), max_length=12)
    from_status = models.CharField(_("from"), max_length=14, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=14, choices=ComplaintStatus.choices)
    level = models.PositiveSmallIntegerField(_("escalation level"), choices=LadderLevel.choices, null=True,
                                             blank=True)
    note = models.TextField(_("note"), max_length=STATEMENT_MAX, blank=True)

    objects = ComplaintEventQuerySet.as_manager()

    class Meta(EventRow.Meta):
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.action} · {self.complaint_id}"


class LadderContact(models.Model):
    """Who stands on a rung of the brand's escalation ladder (the brand region's people, optionally for one
    region; the service director) or arbitrates appeals. The outlet's rung is its outlet managers; a rung
    nobody stands on falls to the brand admins."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=ContactRole.choices)
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+", help_text=_("Empty: every region of the brand."))
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation ladder")
        constraints = [models.UniqueConstraint(fields=["brand", "role", "region", "user"],
                                               name="ladder_contact_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.user}"


class ComplaintClock(models.Model):
    """A brand's own clocks for one severity, in service minutes; a severity without a row keeps the defaults
    (complaints/sla.py CLOCKS). Changed clocks apply to complaints received (or reopened) from then on."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (minutes)"),
                                                      validators=[MinValueValidator(1)])
    resolve_minutes = models.PositiveIntegerField(_("resolve within (minutes)"), validators=[MinValueValidator(1)])
    rung_minutes = models.PositiveIntegerField(_("each rung of the ladder has (minutes)"),
                                               validators=[MinValueValidator(1)],
                                               help_text=_("Once escalated, before the next rung hears of it."))

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint clock")
        verbose_name_plural = _("complaint clocks")
        constraints = [models.UniqueConstraint(fields=["brand", "severity"], name="complaint_clock_unique"),
                       models.CheckConstraint(condition=models.Q(acknowledge_minutes__gte=1, resolve_minutes__gte=1,
                                                                 rung_minutes__gte=1),
                                              name="complaint_clock_positive")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}"

    def clean(self) -> None:
        if self.acknowledge_minutes and self.resolve_minutes and self.acknowledge_minutes > self.resolve_minutes:
            raise ValidationError({"resolve_minutes": _("Resolving cannot come due before acknowledging.")})
