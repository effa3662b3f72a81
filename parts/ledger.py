"""The only writer of the stock ledger and its balances.

``post(entries, ...)`` applies each entry to its (warehouse, part) balance by compare-and-set and
writes the ledger rows, inside the caller's transaction. The UPDATE carries the condition that keeps
the balance sound (``on_hand - reserved >= n`` to take n units, ``reserved >= n`` to release n ...),
so two concurrent takers can never both succeed on the last unit: on PostgreSQL the second UPDATE
waits for the first's row lock and re-checks its WHERE on the committed row; on SQLite writers are
serialised by the IMMEDIATE transaction. An UPDATE that matches no row is a refusal
(``InsufficientStock``) and the caller's transaction rolls back whatever it had written. An addition
(receipt, transfer in, returned defective part) cannot fail and is one INSERT ... ON CONFLICT DO UPDATE,
which also makes the balance row on first use.

Entries are applied in (warehouse, part) order, so two multi-line operations lock rows in the same
order and cannot deadlock each other on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from catalog.models import Part
from core.text import render_lazy
from parts.choices import Condition, MoveKind
from parts.errors import InsufficientStock
from parts.models import StockBalance, StockMove, Warehouse

K = MoveKind


@dataclass(frozen=True)
class Entry:
    """One change to one balance; ``on_hand``, ``reserved`` and ``defective`` are signed deltas."""

    kind: str
    warehouse: Warehouse
    part: Part
    quantity: int
    on_hand: int = 0
    reserved: int = 0
    defective: int = 0
    counterpart: Warehouse | None = None

    @property
    def lock_key(self) -> tuple[int, int]:
        return self.warehouse.pk, self.part.pk


def receive(warehouse: Warehouse, part: Part, n: int) -> Entry:
    return Entry(K.RECEIVE, warehouse, part, n, on_hand=n)


def reserve(warehouse: Warehouse, part: Part, n: int) -> Entry:
    return Entry(K.RESERVE, warehouse, part, n, reserved=n)


def release(warehouse: Warehouse, part: Part, n: int) -> Entry:
    return Entry(K.RELEASE, warehouse, part, n, reserved=-n)


def consume(warehouse: Warehouse, part: Part, n: int) -> Entry:
    return Entry(K.CONSUME, warehouse, part, n, on_hand=-n)


def return_defective(warehouse: Warehouse, part: Part, n: int) -> Entry:
    return Entry(K.RETURN_DEFECTIVE, warehouse, part, n, defective=n)


def adjust(warehouse: Warehouse, part: Part, delta: int, condition: str = Condition.GOOD) -> Entry:
    column = "defective" if condition == Condition.DEFECTIVE else "on_hand"
    return Entry(K.ADJUST, warehouse, part, abs(delta), **{column: delta})


def transfer(source: Warehouse, target: Warehouse, part: Part, n: int, *, reserved: bool = False) -> list[Entry]:
    """Out of ``source`` (with its reservation, when ``reserved``) and into ``target``."""
    return [Entry(K.TRANSFER_OUT, source, part, n, on_hand=-n, reserved=-n if reserved else 0, counterpart=target),
            Entry(K.TRANSFER_IN, target, part, n, on_hand=n, counterpart=source)]


def post(
    entries: Sequence[Entry], *, actor: Principal, reason: str = "", work_order=None, request=None,
    consumption=None,
) -> list[StockMove]:
    """Apply the entries and write their moves (in the given order); refuse them all if one does not fit."""
    assert transaction.get_connection().in_atomic_block, "parts.ledger.post needs the caller's transaction"
    now = timezone.now()
    for entry in sorted(entries, key=lambda e: e.lock_key):
        _apply(entry, now)
    batch = uuid.uuid4()
    return StockMove.objects.bulk_create([
        StockMove(
            warehouse=e.warehouse, part=e.part, kind=e.kind, quantity=e.quantity, on_hand_delta=e.on_hand,
            reserved_delta=e.reserved, defective_delta=e.defective, counterpart=e.counterpart, batch=batch,
            work_order=work_order, request=request, consumption=consumption, reason=reason,
            actor=actor.user, actor_role=actor.role, created_at=now,
        )
        for e in entries
    ])


def _guards(e: Entry) -> list[Q]:
    """What the row must satisfy for the entry to leave it sound (each one only where it could fail)."""
    guards = []
    if e.on_hand < 0:
        guards.append(Q(on_hand__gte=-e.on_hand))
    if e.reserved < 0:
        guards.append(Q(reserved__gte=-e.reserved))
    if e.reserved - e.on_hand > 0:  # the free units (on hand - reserved) shrink by this much
        guards.append(Q(on_hand__gte=F("reserved") + (e.reserved - e.on_hand)))
    if e.defective < 0:
        guards.append(Q(defective__gte=-e.defective))
    return guards


def _apply(e: Entry, now) -> None:
    changes = {name: F(name) + delta for name, delta in
               (("on_hand", e.on_hand), ("reserved", e.reserved), ("defective", e.defective)) if delta}
    guards = _guards(e)
    if not guards:  # only adding: nothing can go wrong, and the row may not exist yet
        _upsert(e, now)
        return
    rows = StockBalance.objects.filter(*guards, warehouse_id=e.warehouse.pk, part_id=e.part.pk)
    if not rows.update(**changes, version=F("version") + 1, updated_at=now):
        raise _shortage(e)


def _upsert(e: Entry, now) -> None:
    """Add to the balance, making the row if need be, in one statement that holds under concurrent makers:
    INSERT ... ON CONFLICT DO UPDATE (SQLite 3.24+ and PostgreSQL alike)."""
    q = connection.ops.quote_name
    table = q(StockBalance._meta.db_table)
    add = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in ("on_hand", "reserved", "defective"))
    sql = (f"INSERT INTO {table} ({q('warehouse_id')}, {q('part_id')}, {q('on_hand')}, {q('reserved')}, "
           f"{q('defective')}, {q('version')}, {q('updated_at')}) VALUES (%s, %s, %s, %s, %s, 1, %s) "
           f"ON CONFLICT ({q('warehouse_id')}, {q('part_id')}) DO UPDATE SET {add}, "
           f"{q('version')} = {table}.{q('version')} + 1, {q('updated_at')} = excluded.{q('updated_at')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [e.warehouse.pk, e.part.pk, e.on_hand, e.reserved, e.defective,
                             connection.ops.adapt_datetimefield_value(now)])


def _shortage(e: Entry) -> InsufficientStock:
    row = StockBalance.objects.filter(warehouse_id=e.warehouse.pk, part_id=e.part.pk).values(
        "on_hand", "reserved", "defective").first() or {"on_hand": 0, "reserved": 0, "defective": 0}
    # The warehouse's name is its kind and owner in the reader's language: rendered when the message is.
    params = {"part": e.part.code, "warehouse": lazy(str, str)(e.warehouse), "requested": e.quantity}
    if e.defective < 0:
        have = row["defective"]
        message = _("Only %(have)s defective %(part)s in %(warehouse)s; %(requested)s asked for.")
    elif e.reserved < 0 and e.on_hand == 0:
        have = row["reserved"]
        message = _("Only %(have)s of %(part)s reserved in %(warehouse)s; %(requested)s asked for.")
    else:
        have = row["on_hand"] - row["reserved"]
        if e.reserved < 0:  # a transfer of reserved units: what is reserved is what may leave
            have = row["reserved"]
        message = _("Only %(have)s of %(part)s available in %(warehouse)s; %(requested)s asked for.")
    return InsufficientStock(render_lazy(message, {**params, "have": have}), field="quantity",
                             part_id=e.part.pk, warehouse_id=e.warehouse.pk, requested=e.quantity, available=have)
