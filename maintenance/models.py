"""Proactive service (PRODUCT.md loop 4): maintenance plans by tier, consumable rules, the schedule of each
installed product (when its next filter or visit is due, and why), the reminders sent for it, and the
maintenance contracts whose planned visits become orders ahead of time.

Who writes what (services live beside this module):
- plans, tiers and contracts: ``maintenance/plans.py`` and ``maintenance/contracts.py``;
- schedules, their due dates (``maintenance/forecast.py``, plain arithmetic) and reminders:
  ``maintenance/schedules.py`` and ``maintenance/reminders.py``.
"""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import TimeStampedModel
from core.scoping import BrandScopedQuerySet, ScopedQuerySet
from maintenance.choices import (
    Comparison,
    ContractKind,
    ContractStatus,
    DeviceAction,
    DueBy,
    ReminderStatus,
    ReplacedVia,
    ScheduleKind,
    SoldVia,
    Tier,
    VisitStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
LEAD_DAYS_MAX = 120


class RemindsAhead(models.Model):
    """How a plan or a consumable rule is reminded of (maintenance/reminders.py): this many days before it is due,
    again after so many days while ignored, at most so many times."""

    lead_days = models.PositiveSmallIntegerField(_("remind days ahead"), default=14,
                                                 validators=[MaxValueValidator(LEAD_DAYS_MAX)])
    repeat_after_days = models.PositiveSmallIntegerField(_("remind again after (days)"), default=7,
                                                         validators=[MinValueValidator(1)])
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=3,
                                                     validators=[MinValueValidator(1), MaxValueValidator(10)])

    class Meta:
        abstract = True


class MaintenancePlan(TimeStampedModel, RemindsAhead):
    """What a maintenance visit does for a category or a model, how often, and for which tier of customer.

    Due whichever comes first: every ``interval_months`` months, every ``interval_litres`` litres or every
    ``interval_hours`` running hours the device reports (empty: that measure does not count).
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    category = models.ForeignKey("catalog.ProductCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    product_model = models.ForeignKey("catalog.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      help_text=_("Only for a plan of one model; otherwise give the category."))
    tasks = models.TextField(_("what is done"), max_length=2000)
    interval_months = models.PositiveSmallIntegerField(_("every (months)"), null=True, blank=True,
                                                       validators=[MinValueValidator(1), MaxValueValidator(120)])
    interval_litres = models.PositiveIntegerField(_("every (litres)"), null=True, blank=True,
                                                  validators=[MinValueValidator(1)])
    interval_hours = models.PositiveIntegerField(_("every (running hours)"), null=True, blank=True,
                                                 validators=[MinValueValidator(1)])
    visits_per_year = models.PositiveSmallIntegerField(_("visits a year"), default=1,
                                                       validators=[MinValueValidator(1), MaxValueValidator(52)])
    standard_minutes = models.PositiveSmallIntegerField(_("standard minutes"), default=60,
                                                        validators=[MinValueValidator(5), MaxValueValidator(1440)])
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=12,
                                                   validators=[MinValueValidator(1), MaxValueValidator(120)])
    hotline_emergency = models.BooleanField(_("400 hotline emergency service"), default=False)
    priority_response = models.BooleanField(_("priority response"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["brand", "category", "tier", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__isnull=True) | models.Q(product_model__isnull=True),
                                   name="plan_one_scope"),
            models.CheckConstraint(condition=models.Q(category__isnull=False) | models.Q(product_model__isnull=False),
                                   name="plan_has_scope"),
            models.CheckConstraint(condition=models.Q(interval_months__isnull=False)
                                   | models.Q(interval_litres__isnull=False) | models.Q(interval_hours__isnull=False),
                                   name="plan_has_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_tier_display()})"


class PlanPartQuerySet(BrandScopedQuerySet):
    brand_field = "plan__brand_id"


class PlanPart(models.Model):
    """A part or consumable a plan's visit uses (and so replaces: its schedule restarts with the visit)."""

    plan = models.ForeignKey(MaintenancePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])

    objects = PlanPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("part used by the plan")
        verbose_name_plural = _("parts used by the plan")
        constraints = [models.UniqueConstraint(fields=["plan", "part"], name="plan_part_unique")]


class PlanPriceQuerySet(BrandScopedQuerySet):
    brand_field = "plan__brand_id"


class PlanPrice(models.Model):
    """A plan's price on a price list (so it has the list's validity), for a region or every region."""

    plan = models.ForeignKey(MaintenancePlan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="prices")
    price_list = models.ForeignKey("pricing.PriceList", verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="+")
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", help_text=_("Empty for every region."))
    amount = models.DecimalField(_("price"), **MONEY, validators=[MinValueValidator(0)])

    objects = PlanPriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan price")
        verbose_name_plural = _("plan prices")
        constraints = [
            models.UniqueConstraint(fields=["plan", "price_list", "region"], name="plan_price_unique"),
            models.UniqueConstraint(fields=["plan", "price_list"], condition=models.Q(region__isnull=True),
                                    name="plan_price_one_default"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="plan_price_not_negative"),
        ]


class ConsumableRule(TimeStampedModel, RemindsAhead):
    """How long a consumable lasts in a category or model: e.g. the RO membrane 24 months, the PP cotton
    6 months or 2,000 litres, whichever first."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    part = models.ForeignKey("catalog.Part", verbose_name=_("consumable"), on_delete=models.PROTECT,
                             related_name="consumable_rules")
    category = models.ForeignKey("catalog.ProductCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    product_model = models.ForeignKey("catalog.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    months = models.PositiveSmallIntegerField(_("lasts (months)"), validators=[MinValueValidator(1),
                                                                                MaxValueValidator(120)])
    litres = models.PositiveIntegerField(_("lasts (litres)"), null=True, blank=True,
                                         validators=[MinValueValidator(1)])
    hours = models.PositiveIntegerField(_("lasts (running hours)"), null=True, blank=True,
                                        validators=[MinValueValidator(1)])
    self_replaceable = models.BooleanField(_("the customer may replace it"), default=True,
                                           help_text=_("Offer the part in the shop besides a visit."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consumable rule")
        verbose_name_plural = _("consumable rules")
        ordering = ["brand", "part", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__isnull=True) | models.Q(product_model__isnull=True),
                                   name="consumable_rule_one_scope"),
            models.CheckConstraint(condition=models.Q(category__isnull=False) | models.Q(product_model__isnull=False),
                                   name="consumable_rule_has_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.part} · {self.months}"


class ContractQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "customer_id"


class Contract(TimeStampedModel):
    """A maintenance contract: a household plan bought for one unit, or an enterprise 维保合同 over several
    sites and units. It plans its visits ahead of time (ContractVisit) and those become maintenance orders."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("contract number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=12, choices=ContractKind.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="maintenance_contracts")
    plan = models.ForeignKey(MaintenancePlan, verbose_name=_("plan"), on_delete=models.PROTECT,
                             related_name="contracts")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=ContractStatus.choices,
                              default=ContractStatus.ACTIVE)
    price = models.DecimalField(_("price"), **MONEY, default=0, validators=[MinValueValidator(0)])
    sold_via = models.CharField(_("sold via"), max_length=10, choices=SoldVia.choices)
    sold_by = models.ForeignKey(User, verbose_name=_("sold by"), on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    lead = models.ForeignKey("revenue.Lead", verbose_name=_("lead"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance contract")
        verbose_name_plural = _("maintenance contracts")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "number"], name="contract_number_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="contract_dates_ordered"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="contract_price_not_negative"),
        ]
        indexes = [models.Index(fields=["brand", "status", "ends_on"], name="contract_brand_status")]

    def __str__(self) -> str:
        return self.number


class ContractUnitQuerySet(ScopedQuerySet):
    parent_field = "contract"


class ContractUnit(models.Model):
    """One installed product a contract covers (its site is the product's)."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="units")
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="contract_units")

    objects = ContractUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit under contract")
        verbose_name_plural = _("units under contract")
        constraints = [models.UniqueConstraint(fields=["contract", "product"], name="contract_unit_unique")]


class ContractVisitQuerySet(ScopedQuerySet):
    parent_field = "contract"


class ContractVisit(models.Model):
    """One planned visit of a contract to one unit, in a target week (its Monday); the order it became."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="visits")
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    sequence = models.PositiveSmallIntegerField(_("visit number"))
    target_week = models.DateField(_("target week (Monday)"))
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="contract_visit")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason cancelled"), max_length=200, blank=True)

    objects = ContractVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["target_week", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "product", "sequence"],
                                               name="contract_visit_unique")]
        indexes = [models.Index(fields=["status", "target_week"], name="contract_visit_due")]


class ScheduleQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "customer_id"


class Schedule(models.Model):
    """When one installed product next needs one consumable (``rule``) or one plan's visit (``plan``), and why.

    ``due_on`` is stored (and indexed) so the reminder job selects what falls due with one range scan over
    a million products; it is recomputed whenever what it depends on changes: a replacement or visit
    (``last_done_on`` and the meters at that time), a new usage rate from the device's readings, or the rule.
    ``brand`` and ``customer`` are copies of the product's, for that scan and for scoping.
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="+", db_index=False)
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="schedules")
    kind = models.CharField(_("kind"), max_length=12, choices=ScheduleKind.choices)
    rule = models.ForeignKey(ConsumableRule, verbose_name=_("consumable rule"), on_delete=models.CASCADE, null=True,
                             blank=True, related_name="schedules")
    plan = models.ForeignKey(MaintenancePlan, verbose_name=_("plan"), on_delete=models.CASCADE, null=True,
                             blank=True, related_name="schedules")
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="schedules")
    last_done_on = models.DateField(_("last replaced or serviced on"), null=True, blank=True)
    last_done_via = models.CharField(_("last done via"), max_length=10, choices=ReplacedVia.choices, blank=True)
    litres_at_last = models.DecimalField(_("litres meter then"), max_digits=15, decimal_places=3, null=True,
                                         blank=True)
    hours_at_last = models.DecimalField(_("hours meter then"), max_digits=15, decimal_places=3, null=True,
                                        blank=True)
    litres_per_day = models.DecimalField(_("litres a day (recent)"), max_digits=10, decimal_places=3, null=True,
                                         blank=True)
    hours_per_day = models.DecimalField(_("running hours a day (recent)"), max_digits=8, decimal_places=3,
                                        null=True, blank=True)
    # The latest reading of each meter and its day: with the meter at the last replacement, what is used up.
    litres_now = models.DecimalField(_("litres meter now"), max_digits=15, decimal_places=3, null=True,
                                     blank=True)
    hours_now = models.DecimalField(_("hours meter now"), max_digits=15, decimal_places=3, null=True, blank=True)
    read_on = models.DateField(_("meters read on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_by = models.CharField(_("due by"), max_length=8, choices=DueBy.choices, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True,
                               help_text=_("A plan's schedule ends with its contract; a consumable's never."))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("service schedule")
        verbose_name_plural = _("service schedules")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=(models.Q(kind=ScheduleKind.CONSUMABLE, rule__isnull=False,
                                                       plan__isnull=True)
                                              | models.Q(kind=ScheduleKind.MAINTENANCE, rule__isnull=True,
                                                         plan__isnull=False)),
                                   name="schedule_kind_target"),
            models.UniqueConstraint(fields=["product", "rule"], condition=models.Q(rule__isnull=False),
                                    name="schedule_one_per_consumable"),
            models.UniqueConstraint(fields=["product", "plan", "contract"], condition=models.Q(plan__isnull=False),
                                    name="schedule_one_per_plan"),
        ]
        indexes = [models.Index(fields=["is_active", "due_on"], name="schedule_due")]

    def __str__(self) -> str:
        return f"{self.product_id} · {self.rule_id or self.plan_id} · {self.due_on}"


class ReminderQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    customer_field = "customer_id"


def new_reminder_token() -> str:
    """The one-tap link's key: 96 random bits, URL-safe; the link books without a sign-in."""
    return secrets.token_urlsafe(12)


class Reminder(models.Model):
    """One reminder sent for one due date of one schedule: the ``sequence``-th for that due date.

    Unique per (schedule, due_on, sequence), so two runs of the job at once write (and send) it once.
    What the customer did with it is kept here too: booked a visit, ordered from the shop, or nothing.
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="+")
    schedule = models.ForeignKey(Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE,
                                 related_name="reminders", db_index=False)
    due_on = models.DateField(_("due on"))
    sequence = models.PositiveSmallIntegerField(_("reminder number"), default=1)
    token = models.CharField(_("one-tap key"), max_length=20, unique=True, default=new_reminder_token,
                             editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ReminderStatus.choices,
                              default=ReminderStatus.SENT)
    sent_at = models.DateTimeField(_("sent at"))
    acted_at = models.DateTimeField(_("acted on at"), null=True, blank=True)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("booked visit"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # The segment and region when sent, for the conversion report (reminders sent → visits or orders → revenue).
    segment = models.CharField(_("segment"), max_length=12, blank=True)
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "due_on", "sequence"],
                                               name="reminder_once_per_due_and_sequence")]
        indexes = [models.Index(fields=["brand", "-sent_at"], name="reminder_brand_sent"),
                   models.Index(fields=["customer", "-sent_at"], name="reminder_customer_sent")]

    def __str__(self) -> str:
        return f"{self.schedule_id} · {self.due_on} #{self.sequence}"


class DeviceRule(TimeStampedModel):
    """What a connected unit's report means, as the brand defines it (maintenance/devices.py acts on it):
    a fault code, or a metric past a threshold (filter life below 10 %, outlet TDS above 50 ppm), and what it
    does: restart the part's schedule ("filter replaced"), open a proactive maintenance order, or remind the
    customer. An order or a reminder comes once per cycle of the part (until it is next replaced)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey("catalog.ProductCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+", help_text=_("Empty: every category."))
    product_model = models.ForeignKey("catalog.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fault_code = models.CharField(_("fault code"), max_length=40, blank=True,
                                  help_text=_("The rule matches this code; or give a metric and a threshold."))
    metric = models.CharField(_("metric"), max_length=20, blank=True)
    comparison = models.CharField(_("comparison"), max_length=8, choices=Comparison.choices, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=15, decimal_places=3, null=True, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=DeviceAction.choices)
    part = models.ForeignKey("catalog.Part", verbose_name=_("consumable"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("device rule")
        verbose_name_plural = _("device rules")
        ordering = ["brand", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(fault_code="") | (~models.Q(metric="") & ~models.Q(comparison="")
                                                       & models.Q(threshold__isnull=False)),
                name="device_rule_has_trigger"),
            models.CheckConstraint(condition=~models.Q(action=DeviceAction.RESET) | models.Q(part__isnull=False),
                                   name="device_rule_reset_names_part"),
        ]

    def __str__(self) -> str:
        return self.name


class DeviceRuleFiringQuerySet(ScopedQuerySet):
    brand_field = "rule__brand_id"


class DeviceRuleFiring(models.Model):
    """A rule acted for a unit in one cycle (the part's last replacement): unique, so never twice."""

    rule = models.ForeignKey(DeviceRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="firings")
    product = models.ForeignKey("customers.InstalledProduct", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="+")
    cycle = models.CharField(_("cycle"), max_length=20)
    fired_at = models.DateTimeField(_("fired at"))
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    reminder = models.ForeignKey(Reminder, verbose_name=_("reminder"), on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")

    objects = DeviceRuleFiringQuerySet.as_manager()

    class Meta:
        verbose_name = _("device rule firing")
        verbose_name_plural = _("device rule firings")
        constraints = [models.UniqueConstraint(fields=["rule", "product", "cycle"], name="device_rule_once_per_cycle")]
