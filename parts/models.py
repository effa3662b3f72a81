"""Warehouses, the stock ledger and its balances, part requests, consumption on jobs, defective returns.

The ledger (``StockMove``) is the record; ``StockBalance`` is its running sum per (warehouse, part),
updated in the same transaction as each move by compare-and-set (parts.ledger). Nothing else writes
either table: services call parts.ledger, and the admin shows both read-only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import EventRow, TimeStampedModel
from core.scoping import ScopedQuerySet
from parts.choices import DefectiveStatus, MoveKind, RequestStatus, WarehouseKind

REASON_MAX = 500
K = MoveKind


class WarehouseQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    outlet_field = "organisation_id"  # the outlet's store and its technicians' vans

    def _scope(self, principal):
        if principal.is_technician:
            # Their own van, and the store of their outlet, which they request parts from.
            return self.filter(Q(technician_id=principal.technician_id)
                               | Q(kind=WarehouseKind.STORE, organisation_id=principal.outlet_id))
        return super()._scope(principal)


class Warehouse(TimeStampedModel):
    """Where parts are kept: the brand's central warehouse, an outlet's store, a technician's van."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=WarehouseKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="warehouses",
        help_text=_("The brand for its central warehouse; the outlet for its store and its technicians' vans."),
    )
    technician = models.OneToOneField(
        "network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="van", help_text=_("Only for a van: whose van it is."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120, blank=True,
                            help_text=_("Leave empty to call it by its kind and owner, in the reader's language."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "code"], name="warehouse_code_unique"),
            models.UniqueConstraint(fields=["brand"], condition=Q(kind=WarehouseKind.CENTRAL),
                                    name="warehouse_one_central"),
            models.UniqueConstraint(fields=["organisation"], condition=Q(kind=WarehouseKind.STORE),
                                    name="warehouse_one_store"),
            models.CheckConstraint(
                condition=(Q(kind=WarehouseKind.CENTRAL, organisation=F("brand"), technician__isnull=True)
                           | Q(kind=WarehouseKind.STORE, technician__isnull=True) & ~Q(organisation=F("brand"))
                           | Q(kind=WarehouseKind.VAN, technician__isnull=False) & ~Q(organisation=F("brand"))),
                name="warehouse_kind_consistent",
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        owner = self.technician.name if self.technician_id else self.organisation.name
        return f"{self.get_kind_display()} · {owner}"

    def clean(self) -> None:
        org = self.organisation if self.organisation_id else None
        if org is None or not self.brand_id:
            return
        if self.kind == WarehouseKind.CENTRAL and org.pk != self.brand_id:
            raise ValidationError({"organisation": _("A central warehouse belongs to the brand itself.")})
        if self.kind in (WarehouseKind.STORE, WarehouseKind.VAN) and org.brand_id != self.brand_id:
            raise ValidationError({"organisation": _("Choose an outlet of this brand.")})
        if self.kind == WarehouseKind.VAN:
            if not self.technician_id:
                raise ValidationError({"technician": _("A van belongs to a technician.")})
            if self.technician.outlet_id != org.pk:
                raise ValidationError({"technician": _("The technician works for another outlet.")})
        elif self.technician_id:
            raise ValidationError({"technician": _("Only a van belongs to a technician.")})


class StockBalanceQuerySet(ScopedQuerySet):
    parent_field = "warehouse"


class StockBalance(models.Model):
    """On hand, reserved and defective units of one part in one warehouse: the sums of its ledger."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="balances", db_index=False)
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    defective = models.IntegerField(_("defective"), default=0,
                                    help_text=_("Replaced parts returned by technicians, kept apart from good stock."))
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StockBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["warehouse", "part__code"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part"], name="stock_balance_unique"),
            # The last line of defence; parts.ledger refuses such a move before the database must.
            models.CheckConstraint(condition=Q(on_hand__gte=0) & Q(reserved__gte=0) & Q(defective__gte=0)
                                   & Q(reserved__lte=F("on_hand")), name="stock_balance_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.part}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMoveQuerySet(ScopedQuerySet):
    parent_field = "warehouse"

    def _scope(self, principal):
        if principal.is_technician:
            # The store's ledger holds the other technicians' transfers: a technician reads their van's only.
            return self.filter(warehouse__technician_id=principal.technician_id)
        return super()._scope(principal)


def _move_shape(kind: str, **deltas: object) -> Q:
    return Q(kind=kind, **{f"{name}_delta": value for name, value in deltas.items()})


QTY = F("quantity")
MOVE_SHAPES = (
    _move_shape(K.RECEIVE, on_hand=QTY, reserved=0, defective=0)
    | _move_shape(K.TRANSFER_IN, on_hand=QTY, reserved=0, defective=0)
    | _move_shape(K.TRANSFER_OUT, on_hand=-QTY, reserved=0, defective=0)
    | _move_shape(K.TRANSFER_OUT, on_hand=-QTY, reserved=-QTY, defective=0)  # the reservation goes with it
    | _move_shape(K.RESERVE, on_hand=0, reserved=QTY, defective=0)
    | _move_shape(K.RELEASE, on_hand=0, reserved=-QTY, defective=0)
    | _move_shape(K.CONSUME, on_hand=-QTY, reserved=0, defective=0)
    | _move_shape(K.RETURN_DEFECTIVE, on_hand=0, reserved=0, defective=QTY)
    | _move_shape(K.ADJUST, on_hand=QTY, reserved=0, defective=0)
    | _move_shape(K.ADJUST, on_hand=-QTY, reserved=0, defective=0)
    | _move_shape(K.ADJUST, on_hand=0, reserved=0, defective=QTY)
    | _move_shape(K.ADJUST, on_hand=0, reserved=0, defective=-QTY)
)


class StockMove(models.Model):
    """One line of the ledger: what changed in one warehouse for one part, why, and who did it.

    ``quantity`` is always positive; the deltas say what it did to the balance. A transfer is two
    moves sharing a ``batch`` (out of one warehouse, into the other), each naming the other side.
    """

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="moves", db_index=False)
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    on_hand_delta = models.IntegerField(_("on hand change"))
    reserved_delta = models.IntegerField(_("reserved change"))
    defective_delta = models.IntegerField(_("defective change"))
    counterpart = models.ForeignKey(Warehouse, verbose_name=_("from / to"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", db_index=False)
    batch = models.UUIDField(_("batch"), db_index=True)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="stock_moves")
    request = models.ForeignKey("PartRequest", verbose_name=_("part request"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="moves")
    consumption = models.ForeignKey("Consumption", verbose_name=_("consumption"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="moves")
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    actor = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", db_index=False)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("time"))

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["warehouse", "part", "created_at"], name="stock_move_wh_part_time"),
                   models.Index(fields=["warehouse", "-created_at"], name="stock_move_wh_time")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_move_quantity_positive"),
            models.CheckConstraint(condition=MOVE_SHAPES, name="stock_move_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.part} × {self.quantity} @ {self.warehouse}"


class _OfOutlet(ScopedQuerySet):
    """Records of a technician's work: brand staff see their brand's, the outlet its own, a technician theirs."""

    brand_field = "brand_id"
    outlet_field = "outlet_id"
    technician_field = "technician_id"


class PartRequest(TimeStampedModel):
    """A technician asks their outlet's store for parts for an order; the lines are reserved at the store."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="part_requests", db_index=False)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="part_requests")
    store = models.ForeignKey(Warehouse, verbose_name=_("from store"), on_delete=models.PROTECT, related_name="+")
    van = models.ForeignKey(Warehouse, verbose_name=_("to van"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    note = models.CharField(_("note"), max_length=REASON_MAX, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True,
                                     related_name="+", db_index=False)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", db_index=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = _OfOutlet.as_manager()

    class Meta:
        verbose_name = _("part request")
        verbose_name_plural = _("part requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["outlet", "status", "-created_at"], name="part_request_outlet_status"),
                   models.Index(fields=["technician", "-created_at"], name="part_request_tech"),
                   models.Index(fields=["brand", "status", "-created_at"], name="part_request_brand_status")]

    def __str__(self) -> str:
        return f"PR-{self.pk}"

    @property
    def number(self) -> str:
        return f"PR-{self.pk:06d}"


class PartRequestLine(models.Model):
    request = models.ForeignKey(PartRequest, verbose_name=_("part request"), on_delete=models.CASCADE,
                                related_name="lines", db_index=False)
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("requested part")
        verbose_name_plural = _("requested parts")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["request", "part"], name="part_request_line_unique"),
                       models.CheckConstraint(condition=Q(quantity__gt=0), name="part_request_line_positive")]

    def __str__(self) -> str:
        return f"{self.part} × {self.quantity}"


class Consumption(models.Model):
    """Parts a technician used on a job, taken from their van; its moves are the lines.

    ``idempotency_key`` is unique per technician: the field app queues actions offline and retries them,
    and a retry with the same key returns this record instead of using the parts twice.
    """

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="consumptions", db_index=False)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="consumptions")
    van = models.ForeignKey(Warehouse, verbose_name=_("van"), on_delete=models.PROTECT, related_name="+",
                            db_index=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128)
    request_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
                                   related_name="+", db_index=False)
    created_at = models.DateTimeField(_("time"))

    objects = _OfOutlet.as_manager()

    class Meta:
        verbose_name = _("parts used on a job")
        verbose_name_plural = _("parts used on jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["technician", "idempotency_key"],
                                               name="consumption_idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.work_order} · {self.technician}"


class DefectiveReturn(models.Model):
    """A replaced part the technician owes the outlet; receiving it moves it into the store's defective stock."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="defective_returns", db_index=False)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   related_name="+")
    consumption = models.ForeignKey(Consumption, verbose_name=_("consumption"), on_delete=models.PROTECT,
                                    related_name="defective_returns")
    part = models.ForeignKey("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=DefectiveStatus.choices,
                              default=DefectiveStatus.OWED)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(User, verbose_name=_("received by"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", db_index=False)
    received_move = models.OneToOneField(StockMove, verbose_name=_("stock move"), on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="defective_return")
    created_at = models.DateTimeField(_("replaced at"))

    objects = _OfOutlet.as_manager()

    class Meta:
        verbose_name = _("defective part owed")
        verbose_name_plural = _("defective parts owed")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["outlet", "status", "technician"], name="defective_outlet_status"),
                   models.Index(fields=["technician", "status"], name="defective_tech_status"),
                   models.Index(fields=["brand", "status"], name="defective_brand_status")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="defective_quantity_positive"),
            models.CheckConstraint(
                condition=Q(status=DefectiveStatus.OWED, received_at__isnull=True, received_move__isnull=True)
                | Q(status=DefectiveStatus.RECEIVED, received_at__isnull=False, received_move__isnull=False),
                name="defective_received_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} × {self.quantity} ({self.technician})"


class PartEvent(EventRow):
    """One step of a part request (transferred, refused, cancelled) or of a replaced part owed (received):
    who moved it, in which role, from what to what, and why (parts.workflow writes them, parts.events builds
    them). It carries the brand, outlet and technician of its subject, and is scoped as they are."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="+", db_index=False)
    request = models.ForeignKey(PartRequest, verbose_name=_("part request"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="events")
    defective = models.ForeignKey(DefectiveReturn, verbose_name=_("defective part owed"), on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)

    objects = _OfOutlet.as_manager()

    class Meta(EventRow.Meta):
        verbose_name = _("parts event")
        verbose_name_plural = _("parts events")
        constraints = [
            models.CheckConstraint(condition=Q(request__isnull=False, defective__isnull=True)
                                   | Q(request__isnull=True, defective__isnull=False), name="part_event_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
