"""Settlement with the service network (结算): what the brand pays its outlets for closed orders (docs/settlement.md).

A ``Tariff`` is a brand's versioned table of what a job earns (its ``TariffFee`` rows and fixed terms), valid from
a day to a day, both inclusive, like a price list; a ``SettlementRule`` is a deduction or bonus kept as data.
Each closed order earns ``SettlementLine`` rows, each made by one tariff version or one rule, collected per outlet
(and per technician) and month in a ``Statement``, whose state moves only through settlement/workflow.py, which
writes a ``StatementEvent`` per move.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import OutletType, Role
from accounts.models import Organisation
from catalog.choices import ServiceType
from core.models import DatedVersion, TimeStampedModel
from core.scoping import BrandScopedQuerySet, DatedQuerySet, ScopedQuerySet
from settlement.choices import DisputeState, FlagCheck, FlagState, LineKind, RuleKind, StatementState

MONEY = {"max_digits": 12, "decimal_places": 2}
KM = {"max_digits": 7, "decimal_places": 1}
HOUR = [MinValueValidator(0), MaxValueValidator(23)]
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class TariffQuerySet(DatedQuerySet):
    pass


class Tariff(DatedVersion):
    """A brand's settlement standard (结算标准) for a span of days: an order is settled by the published tariff
    valid on the local day it was completed. Published tariffs of one brand never share a day (clean())."""

    free_km = models.DecimalField(_("free kilometres"), default=Decimal("0.0"), validators=NOT_NEGATIVE, **KM)
    per_km = models.DecimalField(_("allowance per km past the free kilometres"), default=Decimal("0.00"),
                                 validators=NOT_NEGATIVE, **MONEY)
    travel_cap = models.DecimalField(_("travel allowance cap"), null=True, blank=True, validators=NOT_NEGATIVE,
                                     help_text=_("Empty for no cap."), **MONEY)
    night_from_hour = models.PositiveSmallIntegerField(_("night from (hour)"), default=22, validators=HOUR)
    night_to_hour = models.PositiveSmallIntegerField(_("night until (hour)"), default=6, validators=HOUR)
    night_surcharge = models.DecimalField(_("night surcharge"), default=Decimal("0.00"), validators=NOT_NEGATIVE,
                                          **MONEY)
    holiday_surcharge = models.DecimalField(_("holiday surcharge"), default=Decimal("0.00"),
                                            validators=NOT_NEGATIVE, **MONEY)
    high_floor_surcharge = models.DecimalField(_("high floor without lift surcharge"), default=Decimal("0.00"),
                                               validators=NOT_NEGATIVE, **MONEY)
    high_floor_from = models.PositiveSmallIntegerField(
        _("high floor from"), default=6, validators=[MinValueValidator(2)],
        help_text=_("The floor from which a site without a lift is paid the high-floor surcharge."))
    remote_surcharge = models.DecimalField(_("remote area surcharge"), default=Decimal("0.00"),
                                           validators=NOT_NEGATIVE, **MONEY)
    holidays = models.JSONField(_("holidays"), default=list, blank=True,
                                help_text=_('The days paid the holiday surcharge, e.g. ["2026-10-01"].'))
    remote_regions = models.ManyToManyField("network.Region", verbose_name=_("remote regions"), blank=True,
                                            related_name="+")
    failed_visit_fee = models.DecimalField(_("failed visit fee"), default=Decimal("0.00"), validators=NOT_NEGATIVE,
                                           help_text=_("Paid for each visit that failed through the customer "
                                                       "(the technician on site put the job on hold waiting for "
                                                       "the customer), also when the order is then cancelled."),
                                           **MONEY)

    technician_share = models.DecimalField(
        _("technician's piece rate (% of the fee)"), max_digits=5, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("The share of each job's service fee shown on the technician's own statement."))

    ends_before_start = _("The tariff must end on or after the day it starts.")
    overlaps = _("Another published tariff of this brand is valid on some of these days.")

    objects = TariffQuerySet.as_manager()

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["brand", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="tariff_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["brand", "is_published", "valid_from"], name="tariff_lookup")]


class TariffFeeQuerySet(BrandScopedQuerySet):
    brand_field = "tariff__brand_id"


class TariffFee(models.Model):
    """One fee row: service type × (model, category or any) × (outlet type or any) × (region or any) × distance
    band (from inclusive, to exclusive) → fee. The most specific matching row wins (settlement.arithmetic)."""

    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.CASCADE, related_name="fees")
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    category = models.ForeignKey("catalog.ProductCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    product_model = models.ForeignKey("catalog.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outlet_type = models.CharField(_("outlet type"), max_length=12, choices=OutletType.choices, blank=True,
                                   help_text=_("Empty for any type."))
    region = models.ForeignKey("network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    km_from = models.DecimalField(_("from km"), default=Decimal("0.0"), validators=NOT_NEGATIVE, **KM)
    km_to = models.DecimalField(_("to km"), null=True, blank=True, help_text=_("Exclusive; empty for no end."),
                                **KM)
    fee = models.DecimalField(_("fee"), validators=NOT_NEGATIVE, **MONEY)

    objects = TariffFeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("tariff fee")
        verbose_name_plural = _("tariff fees")
        ordering = ["tariff", "service_type", "km_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(km_to__isnull=True) | models.Q(km_to__gt=models.F("km_from")),
                                   name="tariff_fee_band_ordered"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="tariff_fee_not_negative"),
        ]

    def __str__(self) -> str:
        scope = self.product_model or self.category or _("all products")
        return f"{self.get_service_type_display()} · {scope} · {self.fee}"


class TariffPart(models.Model):
    """The brand's transfer price of one part in one tariff version: what a part the outlet fitted under warranty
    earns it, and what a brand-supplied defective part not returned in time costs it."""

    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    transfer_price = models.DecimalField(_("transfer price"), validators=NOT_NEGATIVE, **MONEY)

    objects = TariffFeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("part transfer price")
        verbose_name_plural = _("part transfer prices")
        ordering = ["tariff", "part"]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "part"], name="tariff_part_unique"),
            models.CheckConstraint(condition=models.Q(transfer_price__gte=0), name="tariff_part_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} · {self.transfer_price}"


class SettlementRule(TimeStampedModel):
    """A deduction or bonus the brand keeps as data, valid over a span of days (docs/settlement.md, "Rules").

    ``amount`` is a fixed sum; ``share`` a percentage of the order's fee (either may be used, per kind);
    ``threshold`` and ``days`` are the kind's condition (a rating, a count of days)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    share = models.DecimalField(_("share of the fee (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2, null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    min_ratings = models.PositiveSmallIntegerField(
        _("minimum ratings"), null=True, blank=True,
        help_text=_("Satisfaction bonus: paid only when the month has at least this many ratings."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Inclusive; empty for no end."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement rule")
        verbose_name_plural = _("settlement rules")
        ordering = ["brand", "kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="settlement_rule_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_from.isoformat()})"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The rule must end on or after the day it starts.")})
        if self.amount is None and self.share is None:
            raise ValidationError(_("Give an amount or a share."))


# Who sees statements (docs/settlement.md, "Who sees what"): of the brand, finance and its admin; of an outlet,
# its manager (who confirms or disputes); a technician, his own statement; nobody else.
STATEMENT_BRAND_ROLES = frozenset({Role.FINANCE, Role.BRAND_ADMIN})


class _FinanceOrManager(ScopedQuerySet):
    """Of the brand, finance and its admin; of an outlet, its manager; a technician, his own rows."""

    brand_field = "brand_id"
    outlet_field = "outlet_id"
    technician_field = "technician_id"

    def _rung(self, principal):
        if principal.is_brand_staff and principal.role not in STATEMENT_BRAND_ROLES:
            return None, None
        if principal.is_outlet_staff and principal.role != Role.OUTLET_MANAGER:
            return None, None
        return super()._rung(principal)


class StatementQuerySet(_FinanceOrManager):
    def _scope(self, principal):
        statements = super()._scope(principal)
        if principal.is_technician:
            # A technician's statement is finance's work in progress until it goes out with the outlet's.
            statements = statements.exclude(state=StatementState.DRAFT)
        return statements


class Statement(models.Model):
    """An outlet's (or one of its technicians') settlement lines of one month, with a state and their total.

    ``total`` is always the sum of the lines (written in the same transaction as they are); ``version`` is
    the compare-and-set counter of every change (settlement/workflow.py, settlement/services.py)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    period = models.DateField(_("period"), help_text=_("The first day of the month."))
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices,
                             default=StatementState.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    total = models.DecimalField(_("total"), default=Decimal("0.00"), **MONEY)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    payment_reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-period", "outlet", "pk"]
        constraints = [
            # NULLs are distinct in a unique index: an outlet's own statement is held unique apart.
            models.UniqueConstraint(fields=["brand", "outlet", "period"], condition=models.Q(technician__isnull=True),
                                    name="statement_outlet_period_unique"),
            models.UniqueConstraint(fields=["brand", "outlet", "technician", "period"],
                                    condition=models.Q(technician__isnull=False),
                                    name="statement_technician_period_unique"),
        ]
        indexes = [models.Index(fields=["brand", "period", "state"], name="statement_brand_period")]

    def __str__(self) -> str:
        who = self.technician or self.outlet
        return f"{who} · {self.period:%Y-%m}"


class SettlementLineQuerySet(ScopedQuerySet):
    parent_field = "statement"


class SettlementLine(models.Model):
    """One amount on one order for one reason, with the tariff version or rule that made it and what it was
    computed from (``basis``). Lines of an approved statement never change: a later change is an adjustment
    line (``adjustment_of``) in the next open period.

    Its keys carry no database constraint (``db_constraint=False``; the ORM still protects and cascades on
    delete), nor do the two keys of LineDispute that point at a line: a month's generation writes and rewrites
    millions of lines with INSERT … SELECT from rows it has just joined, and a foreign-key check per key per line
    (PostgreSQL's deferred triggers, fired at COMMIT) cost more than the whole generation otherwise does
    (docs/settlement.md, "Speed"). ``manage.py settlement_check`` finds any line whose keys point nowhere."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              db_index=False, db_constraint=False)
    statement = models.ForeignKey(Statement, verbose_name=_("statement"), on_delete=models.CASCADE,
                                  related_name="lines", db_constraint=False)
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+", db_index=False,
                                   db_constraint=False)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", db_index=False, db_constraint=False)
    rule = models.ForeignKey(SettlementRule, verbose_name=_("rule"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", db_index=False, db_constraint=False)
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    held = models.BooleanField(_("held"), default=False, help_text=_("Not payable until a reviewer decides."))
    adjustment_of = models.ForeignKey("self", verbose_name=_("adjustment of"), on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="adjustments", db_index=False,
                                      db_constraint=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SettlementLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["statement", "work_order", "pk"]
        # Few lines adjust another: a partial index finds them without costing the generated lines anything.
        indexes = [models.Index(fields=["adjustment_of"], condition=models.Q(adjustment_of__isnull=False),
                                name="line_adjustments")]

    def __str__(self) -> str:
        return f"{self.work_order_id} · {self.get_kind_display()} · {self.amount}"


class StatementEventQuerySet(ScopedQuerySet):
    parent_field = "statement"


class StatementEvent(models.Model):
    """One move of a statement from state to state: when, by whom, and why."""

    statement = models.ForeignKey(Statement, verbose_name=_("statement"), on_delete=models.CASCADE,
                                  related_name="events")
    from_state = models.CharField(_("from"), max_length=10, choices=StatementState.choices)
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+", db_index=False)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = StatementEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement event")
        verbose_name_plural = _("statement events")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.statement_id} · {self.from_state} → {self.state}"


class LineDisputeQuerySet(ScopedQuerySet):
    parent_field = "statement"


class LineDispute(models.Model):
    """An outlet's objection to one line of a sent statement, with its reason (and the amount it claims);
    finance upholds it (an adjustment line in the same statement brings the line to the amount decided) or
    rejects it (the line stands). One open dispute per line."""

    statement = models.ForeignKey(Statement, verbose_name=_("statement"), on_delete=models.CASCADE,
                                  related_name="disputes")
    line = models.ForeignKey(SettlementLine, verbose_name=_("line"), on_delete=models.CASCADE,
                             related_name="disputes", db_constraint=False)  # see SettlementLine
    reason = models.CharField(_("reason"), max_length=500)
    claimed_amount = models.DecimalField(_("amount claimed"), null=True, blank=True, **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=DisputeState.choices, default=DisputeState.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+", db_index=False)
    raised_at = models.DateTimeField(_("raised at"))
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    decided_amount = models.DecimalField(_("amount decided"), null=True, blank=True, **MONEY)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    db_index=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    adjustment = models.OneToOneField(SettlementLine, verbose_name=_("adjustment line"), on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="resolves", db_constraint=False)

    objects = LineDisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("line dispute")
        verbose_name_plural = _("line disputes")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=models.Q(state=DisputeState.OPEN),
                                    name="dispute_one_open_per_line"),
        ]
        indexes = [models.Index(fields=["state", "raised_at"], name="dispute_queue")]

    def __str__(self) -> str:
        return f"{self.line_id} · {self.get_state_display()}"


class FraudFlagQuerySet(_FinanceOrManager):
    technician_field = None


class FraudFlag(models.Model):
    """A fraud check's finding on one closed order, with its evidence (``evidence``: what the reviewer is shown
    side by side). While open, the order's lines are held (not payable); cleared releases them, upheld
    reverses them with lines of their own. One flag per order and check."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField(_("check"), max_length=20, choices=FlagCheck.choices)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=FlagState.choices, default=FlagState.OPEN)
    version = models.PositiveIntegerField(_("version"), default=1)
    raised_at = models.DateTimeField(_("raised at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   db_index=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("reviewer's note"), max_length=500, blank=True)

    objects = FraudFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("fraud flag")
        verbose_name_plural = _("fraud flags")
        ordering = ["raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["work_order", "kind"], name="flag_one_per_order_check")]
        indexes = [models.Index(fields=["brand", "state", "raised_at"], name="flag_queue"),
                   models.Index(fields=["outlet", "state"], name="flag_outlet")]

    def __str__(self) -> str:
        return f"{self.work_order_id} · {self.get_kind_display()} · {self.get_state_display()}"


class PhotoFingerprintQuerySet(ScopedQuerySet):
    brand_field = "brand_id"  # the brand's own staff only: outlets never read one another's photos


class PhotoFingerprint(models.Model):
    """The perceptual hash (64-bit difference hash, hex) of one order photo, kept so a photo reused on another
    order is found by an index lookup instead of by reading every image again."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    attachment = models.OneToOneField("workorders.WorkOrderAttachment", verbose_name=_("photo"),
                                      on_delete=models.CASCADE, related_name="+")
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   related_name="+", db_index=False)
    phash = models.CharField(_("perceptual hash"), max_length=16)

    objects = PhotoFingerprintQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo fingerprint")
        verbose_name_plural = _("photo fingerprints")
        indexes = [models.Index(fields=["brand", "phash"], name="fingerprint_lookup")]

    def __str__(self) -> str:
        return f"{self.attachment_id} · {self.phash}"
