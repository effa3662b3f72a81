"""Sales on site (服务创收): leads a technician captures with the customer's consent, and the commission
(分利) they earn when one is won, computed from the brand's rule of the day the lead was captured."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.scoping import BrandScopedQuerySet, ScopedQuerySet
from revenue.choices import LeadKind, LeadQueue, LeadStatus

NOTE_MAX = 500
REASON_MAX = 500
VALUE_MAX = 10_000_000


class CommissionRule(models.Model):
    """What a technician earns on a won lead of one kind: a percentage of its value and/or a fixed amount.

    Versioned by validity dates: to change a rule, end it (valid to) and add the next one. A commission
    keeps the rule and the figures it was computed with, so a later rule never rewrites it.
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("lead kind"), max_length=20, choices=LeadKind.choices)
    queue = models.CharField(_("worked by"), max_length=8, choices=LeadQueue.choices,
                             help_text=_("Whose queue the leads of this kind go to."))
    percent = models.DecimalField(_("percentage of the value"), max_digits=5, decimal_places=2, default=0,
                                  validators=[MinValueValidator(0), MaxValueValidator(100)])
    fixed_amount = models.DecimalField(_("fixed amount"), max_digits=10, decimal_places=2, default=0,
                                       validators=[MinValueValidator(0)])
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: until further notice."))

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__gte=0, percent__lte=100), name="rule_percent_range"),
            models.CheckConstraint(condition=models.Q(fixed_amount__gte=0), name="rule_fixed_not_negative"),
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True)
                                   | models.Q(valid_to__gte=models.F("valid_from")), name="rule_dates_ordered"),
        ]
        indexes = [models.Index(fields=["brand", "kind", "valid_from"], name="rule_brand_kind_from")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}–{self.valid_to or ''}"

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlapping(self) -> models.QuerySet[CommissionRule]:
        others = CommissionRule.objects.filter(brand_id=self.brand_id, kind=self.kind).exclude(pk=self.pk)
        if self.valid_to is not None:
            others = others.filter(valid_from__lte=self.valid_to)
        return others.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("A rule must end after it starts.")})
        if self.brand_id and self.kind and self.valid_from and self.overlapping().exists():
            raise ValidationError({"valid_from": _("Another rule for this kind of lead covers some of these days.")})
        if not (self.percent or 0) and not (self.fixed_amount or 0):
            raise ValidationError({"percent": _("Give a percentage, a fixed amount, or both.")})


class LeadQuerySet(ScopedQuerySet):
    """Each queue sees only its own: the brand's desk the brand's queue, an outlet its own; a technician
    the leads they captured; customers none."""

    brand_field = "brand_id"
    outlet_field = "outlet_id"
    technician_field = "technician_id"

    def _scope(self, principal):
        leads = super()._scope(principal)
        if principal.is_brand_staff:
            return leads.filter(queue=LeadQueue.BRAND)
        if principal.is_outlet_staff:
            return leads.filter(queue=LeadQueue.OUTLET)
        return leads


class Lead(models.Model):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT,
                               related_name="leads")
    queue = models.CharField(_("queue"), max_length=8, choices=LeadQueue.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=LeadKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="leads")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="leads")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="leads")
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    # The consent, as given: who agreed, when, and the very words they were shown (in the language shown).
    consented_by = models.CharField(_("consent given by"), max_length=80)
    consent_at = models.DateTimeField(_("consent given at"))
    consent_text = models.TextField(_("consent wording shown"), max_length=1000)
    consent_language = models.CharField(_("consent language"), max_length=10)
    recorded_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    value = models.DecimalField(_("value won"), max_digits=12, decimal_places=2, null=True, blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=REASON_MAX, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("won or lost at"), null=True, blank=True)
    worked_by = models.ForeignKey(User, verbose_name=_("worked by"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One lead of a kind per visit: a second tap (or a retried request) is not a second lead.
            models.UniqueConstraint(fields=["work_order", "kind"], name="lead_one_per_order_and_kind"),
            models.CheckConstraint(condition=~models.Q(status=LeadStatus.WON) | models.Q(value__gt=0),
                                   name="lead_won_has_value"),
            models.CheckConstraint(condition=~models.Q(status=LeadStatus.LOST) | ~models.Q(lost_reason=""),
                                   name="lead_lost_has_reason"),
        ]
        indexes = [
            models.Index(fields=["brand", "queue", "status", "-created_at"], name="lead_brand_queue"),
            models.Index(fields=["outlet", "queue", "status", "-created_at"], name="lead_outlet_queue"),
            models.Index(fields=["technician", "-created_at"], name="lead_technician"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id}"


class LeadEventQuerySet(ScopedQuerySet):
    parent_field = "lead"


class LeadEvent(models.Model):
    """One step in a lead's life: recorded, contacted, won, lost; who, when, and what was said."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12)
    from_status = models.CharField(_("from"), max_length=10, choices=LeadStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=LeadStatus.choices)
    actor = models.ForeignKey(User, verbose_name=_("actor"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_role = models.CharField(_("actor role"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=REASON_MAX, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    objects = LeadEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["created_at", "pk"]


class CommissionQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    outlet_field = "outlet_id"
    technician_field = "technician_id"


class Commission(models.Model):
    """What a technician earned on one won lead; the figures of the rule are copied, never looked up again."""

    lead = models.OneToOneField(Lead, verbose_name=_("lead"), on_delete=models.PROTECT, related_name="commission")
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="commissions")
    rule = models.ForeignKey(CommissionRule, verbose_name=_("rule"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="commissions")
    base_value = models.DecimalField(_("value won"), max_digits=12, decimal_places=2)
    percent = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2)
    fixed_amount = models.DecimalField(_("fixed amount"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("commission"), max_digits=12, decimal_places=2)
    earned_at = models.DateTimeField(_("earned at"))

    objects = CommissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-earned_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="commission_not_negative")]
        indexes = [models.Index(fields=["technician", "-earned_at"], name="commission_technician")]

    def __str__(self) -> str:
        return f"{self.technician_id}: {self.amount}"
