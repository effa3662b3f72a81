from __future__ import annotations

import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import TimeStampedModel
from core.scoping import ScopedQuerySet
from customers.choices import CustomerKind, Segment
from workorders.calendar_models import DayKind, HolidayDate, HolidayYear, ServiceCalendar  # noqa: F401
from workorders.choices import (
    OPEN_STATUSES,
    Channel,
    EventKind,
    HoldReason,
    Priority,
    SlaAlert,
    Status,
    WorkOrderType,
)
from workorders.sla_state import sla_state_of
from workorders.urge_models import Urge, UrgeChannel  # noqa: F401

SYMPTOM_MAX = 2000
OPEN_NOT_ARRIVED = models.Q(status__in=sorted(OPEN_STATUSES), arrived_at__isnull=True)
REASON_MAX = 500


class WorkOrderQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    outlet_field = "outlet_id"
    technician_field = "technician_id"
    customer_field = "customer_id"


# Every index is paid for on each of the many order inserts (a new order maintains all of them), so a
# foreign key whose lookups a composite index below already starts with gets no index of its own
# (db_index=False), and neither do created_at or the rarely deleted site and creator.
NO_INDEX = {"db_index": False}


class WorkOrder(TimeStampedModel):
    brand = models.ForeignKey(
        Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+", **NO_INDEX
    )
    number = models.CharField(_("number"), max_length=24)
    type = models.CharField(_("type"), max_length=20, choices=WorkOrderType.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders",
        **NO_INDEX,
    )
    site = models.ForeignKey(
        "customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        **NO_INDEX,
    )
    product = models.ForeignKey(
        "customers.InstalledProduct", verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="work_orders", **NO_INDEX,
    )
    region = models.ForeignKey(
        "network.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    symptom = models.TextField(_("symptom"), max_length=SYMPTOM_MAX, blank=True)
    reported_symptom = models.ForeignKey(
        "catalog.Symptom", verbose_name=_("reported symptom"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", **NO_INDEX,
    )
    # The quote as the customer saw it at intake (workorders.estimates.estimate_json): plain JSON.
    # The database default too: bulk loaders that name their columns (demo/scale.py) leave it out.
    estimate = models.JSONField(_("estimate"), default=dict, db_default=models.Value({}, models.JSONField()),
                                blank=True)
    estimate_total = models.DecimalField(
        _("estimated customer total"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    slot_start = models.DateTimeField(_("requested from"), null=True, blank=True)
    slot_end = models.DateTimeField(_("requested until"), null=True, blank=True)
    outlet = models.ForeignKey(
        Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="work_orders", **NO_INDEX,
    )
    technician = models.ForeignKey(
        "network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="work_orders", **NO_INDEX,
    )
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    onsite_due = models.DateTimeField(_("on-site due"), null=True, blank=True)
    # The SLA clocks stand still while the order waits for the customer (workorders.sla_clock): when the
    # present pause began, and the total of the ended pauses, for KPIs. Database defaults for bulk loaders.
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("SLA paused (seconds)"), default=0, db_default=0)
    # How far the periodic SLA watch has marked each clock (workorders.sla_watch); forwards only.
    response_alert = models.CharField(_("response alert"), max_length=8, choices=SlaAlert.choices,
                                      default=SlaAlert.OK, db_default=SlaAlert.OK)
    onsite_alert = models.CharField(_("on-site alert"), max_length=8, choices=SlaAlert.choices,
                                    default=SlaAlert.OK, db_default=SlaAlert.OK)
    held_from = models.CharField(_("held from"), max_length=12, choices=Status.choices, blank=True)
    hold_reason = models.CharField(_("hold reason"), max_length=20, choices=HoldReason.choices, blank=True)
    is_rework = models.BooleanField(_("rework"), default=False)
    # The order this one does again (返修, workorders/rework.py), perhaps at another outlet. ``is_rework`` is set
    # with it; on its own it marks an order reopened in place before reworks became new orders.
    rework_of = models.ForeignKey(
        "self", verbose_name=_("rework of"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="reworks", **NO_INDEX,
    )
    cancel_reason = models.CharField(_("cancel reason"), max_length=REASON_MAX, blank=True)
    # The job's own standard minutes, set by what opened it (a maintenance plan's visit: its plan's minutes);
    # empty, the model's service standard for the order's type counts (dispatch.gather.standard_of).
    standard_minutes = models.PositiveSmallIntegerField(_("standard minutes"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        **NO_INDEX,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "number"], name="workorder_number_unique"),
            models.CheckConstraint(
                condition=models.Q(slot_start__isnull=True) | models.Q(slot_end__isnull=True)
                | models.Q(slot_end__gt=models.F("slot_start")),
                name="workorder_slot_ordered",
            ),
            # One live rework per order (workorders/rework.py): two asks at once make one; a cancelled rework
            # frees the order to be reworked again.
            models.UniqueConstraint(fields=["rework_of"], condition=models.Q(rework_of__isnull=False)
                                    & ~models.Q(status=Status.CANCELLED), name="workorder_one_live_rework"),
        ]
        indexes = [
            models.Index(fields=["brand", "-created_at"], name="wo_brand_created"),
            models.Index(fields=["brand", "status", "-created_at"], name="wo_brand_status_created"),
            # The brand each outlet index carries (INCLUDE, PostgreSQL only) is for the brand staff's outlet
            # filter: the brand scope is checked in the index, so the list's capped count is an index-only
            # scan (2 ms at 1M orders) instead of reading ~10,000 rows from the table (12 ms).
            models.Index(fields=["outlet", "status", "-created_at"], include=["brand"],
                         name="wo_outlet_status_created"),
            # An outlet's or a technician's list, newest first, with no status chosen.
            models.Index(fields=["outlet", "-created_at"], include=["brand"], name="wo_outlet_created"),
            models.Index(fields=["technician", "-created_at"], name="wo_technician_created"),
            models.Index(fields=["customer", "-created_at"], name="wo_customer_created"),
            models.Index(fields=["product", "-created_at"], name="wo_product_created"),
            # The SLA filters look only at open orders not yet reached; keep that set in its own indexes. What
            # the filters test beyond the index's columns is included (PostgreSQL), so the count and the
            # page's ids are index-only scans: the sla=ok page 15 -> 1 ms, breached 6 -> 2 ms at 1M orders.
            models.Index(fields=["brand", "onsite_due"], include=["hold_reason"], condition=OPEN_NOT_ARRIVED,
                         name="wo_open_onsite_due"),
            models.Index(fields=["brand", "-created_at"], include=["onsite_due", "hold_reason", "id"],
                         condition=OPEN_NOT_ARRIVED, name="wo_open_created"),
            # Slot offering counts an outlet's booked jobs by slot; orders without a slot stay out of it.
            models.Index(fields=["outlet", "slot_start"], condition=models.Q(slot_start__isnull=False),
                         name="wo_outlet_slot"),
            # Few orders are rework: only they enter this index (a callback's rework, the 30-day counts).
            models.Index(fields=["rework_of"], condition=models.Q(rework_of__isnull=False), name="wo_rework_of"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def sla_state(self) -> str:
        return sla_state_of(self.status, self.onsite_due, self.arrived_at, hold_reason=self.hold_reason)


class OfOrderQuerySet(ScopedQuerySet):
    """An order's events and attachments: seen with their order; a customer only those marked for them."""

    parent_field = "work_order"

    def _scope(self, principal):
        rows = super()._scope(principal)
        return rows.filter(customer_visible=True) if principal.is_customer else rows


class WorkOrderEventQuerySet(OfOrderQuerySet):
    pass


class WorkOrderEvent(models.Model):
    """One step on the order's timeline: who, when, from, to, why, and whether the customer sees it."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", **NO_INDEX)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=24, blank=True)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), on_delete=models.SET_NULL, null=True, blank=True, **NO_INDEX
    )
    actor_role = models.CharField(_("actor role"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    customer_visible = models.BooleanField(_("visible to customer"), default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    objects = WorkOrderEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["work_order", "created_at"], name="woevent_order_time")]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.from_status}→{self.to_status}"


class SlaPolicyQuerySet(ScopedQuerySet):
    brand_field = "brand_id"


class SlaPolicy(models.Model):
    """Response and on-site deadlines; the most specific row (region, segment) wins."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(
        "network.Region", verbose_name=_("region"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("respond within (minutes)"))
    onsite_minutes = models.PositiveIntegerField(_("on site within (minutes)"))

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["brand", "region", "segment", "priority"], name="sla_policy_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} {self.region or '*'} {self.segment or '*'}"


class SlaContractQuerySet(ScopedQuerySet):
    brand_field = "brand_id"


class SlaContract(models.Model):
    """An enterprise customer's own service levels: its terms beat every SlaPolicy (workorders/sla.py)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="sla_contracts")
    reference = models.CharField(_("contract number"), max_length=40)
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"), null=True, blank=True,
                               help_text=_("Leave empty for a contract without an end date."))
    round_the_clock = models.BooleanField(
        _("7×24 service"), default=False, db_default=False,
        help_text=_("The contract's minutes are counted round the clock, not in the brand's service hours."))

    objects = SlaContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA contract")
        verbose_name_plural = _("SLA contracts")
        ordering = ["customer_id", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "reference"], name="sla_contract_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="sla_contract_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.customer})"

    def save(self, *args, **kwargs) -> None:
        # The contract belongs to the customer's brand, whatever a form may have said.
        self.brand_id = self.customer.brand_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.customer_id and self.customer.kind != CustomerKind.ENTERPRISE:
            raise ValidationError({"customer": _("Only enterprise customers have SLA contracts.")})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The contract must end after it starts.")})


class SlaContractTerm(models.Model):
    """One priority's deadlines under a contract."""

    contract = models.ForeignKey(SlaContract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="terms")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("respond within (minutes)"), validators=[MinValueValidator(1)])
    onsite_minutes = models.PositiveIntegerField(_("on site within (minutes)"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("contract term")
        verbose_name_plural = _("contract terms")
        constraints = [models.UniqueConstraint(fields=["contract", "priority"], name="sla_contract_term_unique")]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.get_priority_display()}"



class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SIGNATURE = "signature", _("Signature")
    REPORT = "report", _("Service report")
    OTHER = "other", _("Other")


def attachment_path(instance: WorkOrderAttachment, filename: str) -> str:
    # A random name: never the uploader's file name, never guessable from the order.
    suffix = PurePath(filename).suffix.lower()[:8] or ".bin"
    return f"workorders/{instance.work_order_id}/{uuid.uuid4().hex}{suffix}"


class WorkOrderAttachmentQuerySet(OfOrderQuerySet):
    pass


class WorkOrderAttachment(models.Model):
    """A file on an order: the customer's photos at intake, later the technician's photos, signature and report.

    Stored under MEDIA_ROOT, never served from a public URL: only the attachment view, which fetches
    through ``visible_to``, hands the file out.
    """

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        **NO_INDEX,
    )
    customer_visible = models.BooleanField(_("visible to customer"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WorkOrderAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.get_kind_display()}"


class IntakePolicyQuerySet(ScopedQuerySet):
    brand_field = "brand_id"


class IntakePolicy(models.Model):
    """What a customer may change on a booked visit by themselves; workorders.intake applies it."""

    DEFAULT_CUTOFF_HOURS = 4
    DEFAULT_MAX_RESCHEDULES = 2
    DEFAULT_URGE_INTERVAL = 30
    DEFAULT_URGES_TO_COMPLAINT = 3

    brand = models.OneToOneField(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    change_cutoff_hours = models.PositiveSmallIntegerField(
        _("changes allowed until (hours before the slot)"), default=DEFAULT_CUTOFF_HOURS,
        validators=[MaxValueValidator(14 * 24)],
        help_text=_("A customer may cancel or reschedule up to this many hours before the booked slot starts."),
    )
    max_reschedules = models.PositiveSmallIntegerField(
        _("reschedules allowed"), default=DEFAULT_MAX_RESCHEDULES, validators=[MaxValueValidator(20)],
        help_text=_("How many times a customer may move the appointment of one order."),
    )
    # Urging a late order (workorders/urges.py): how long after one urge the next is taken, and which urge of
    # an order opens a "late or missed visit" complaint.
    urge_interval_minutes = models.PositiveSmallIntegerField(
        _("minutes between urges"), default=DEFAULT_URGE_INTERVAL, db_default=DEFAULT_URGE_INTERVAL,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text=_("After an urge, the order cannot be urged again for this many minutes."),
    )
    urges_to_complaint = models.PositiveSmallIntegerField(
        _("urges that open a complaint"), default=DEFAULT_URGES_TO_COMPLAINT, db_default=DEFAULT_URGES_TO_COMPLAINT,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The urge with this number opens a high-severity complaint about the late visit."),
    )

    objects = IntakePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake policy")
        verbose_name_plural = _("intake policies")

    def __str__(self) -> str:
        return str(self.brand)


class CallOutcome(models.TextChoices):
    ORDER_CREATED = "order_created", _("Order created")
    EXISTING_ORDER = "existing_order", _("Followed up an existing order")
    RESOLVED = "resolved", _("Resolved on the phone")
    CALLBACK = "callback", _("Callback promised")
    NO_ANSWER = "no_answer", _("No answer")


class CustomerCallQuerySet(ScopedQuerySet):
    brand_field = "brand_id"


class CustomerCall(models.Model):
    """One hotline call and how it ended, kept against the customer so the next agent sees it.

    A call about an order is also on that order's timeline (a ``call`` event, staff only).
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              **NO_INDEX)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="calls", **NO_INDEX)
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="calls")
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    note = models.CharField(_("note"), max_length=REASON_MAX, blank=True)
    agent = models.ForeignKey(User, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", **NO_INDEX)
    agent_role = models.CharField(_("agent role"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = CustomerCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="call_customer_created")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_outcome_display()}"
