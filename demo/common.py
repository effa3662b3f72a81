"""Helpers shared by the demo loaders: random people, places and times, numbering, fast inserts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models

from core import outbox
from core.models import Counter, OutboxEvent
from demo import data
from workorders.models import WorkOrder, WorkOrderEvent


@contextmanager
def sinks_held() -> Iterator[list[outbox.Sink]]:
    """Events recorded in the block get no deliveries: the demo delivers its history itself, each event as of its own
    time (demo/messages.py), rather than the outbox at the hour the demo happens to load. The sinks are back
    afterwards."""
    held = list(outbox.sinks)
    for sink in held:
        outbox.sinks.unregister(sink.name)
    try:
        yield held
    finally:
        for sink in held:
            outbox.sinks.register(sink)


def align_outbox(order_ids: Iterable[int]) -> None:
    """Give the orders' outbox events the times of the timeline steps they record, and the orders' numbers: a phase
    that moved a timeline to the demo's clock (the services stamped the real one, and numbered the order in the
    real month) moves these too, so the customer's messages made of them (demo/messages.py) tell what the
    timeline tells."""
    ids = list(order_ids)
    numbers = dict(WorkOrder.objects.filter(pk__in=ids).values_list("pk", "number"))
    steps: dict[tuple[int, str], dt.datetime] = {}
    for order_id, action, kind, at in (WorkOrderEvent.objects.filter(work_order_id__in=ids)
                                       .order_by("created_at", "pk")
                                       .values_list("work_order_id", "action", "kind", "created_at")):
        steps.setdefault((order_id, action or kind), at)
    moved = []
    for event in OutboxEvent.objects.filter(work_order_id__in=ids, kind__startswith="order."):
        data = event.data or {}
        action = data.get("action") or ("created" if event.kind == "order.created" else "")
        at = steps.get((event.work_order_id, action), event.created_at)
        number = numbers[event.work_order_id]
        if at != event.created_at or data.get("number", number) != number:
            event.created_at = at
            event.data = {**data, "number": number} if "number" in data else data
            moved.append(event)
    OutboxEvent.objects.bulk_update(moved, ["created_at", "data"], batch_size=500)


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(data.GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(data.SURNAMES) + given


def mobile(rng: random.Random, taken: set[str]) -> str:
    """A valid, unused Chinese mobile number in E.164 form."""
    while True:
        number = f"+86{rng.choice(data.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def near(rng: random.Random, lat: str | Decimal, lon: str | Decimal, spread: float) -> tuple[Decimal, Decimal]:
    """A point within about ``spread`` degrees of (lat, lon), six decimals like the columns."""
    q = Decimal("0.000001")
    return (
        (Decimal(lat) + Decimal(rng.gauss(0, spread / 2)).quantize(q)).quantize(q),
        (Decimal(lon) + Decimal(rng.gauss(0, spread / 2)).quantize(q)).quantize(q),
    )


def street_address(rng: random.Random, districts: tuple[str, ...]) -> str:
    return (f"{rng.choice(districts)}{rng.choice(data.ROADS)}{rng.randint(1, 999)}号"
            f"{rng.choice(data.ROADS)[:2]}{rng.choice(data.ESTATES)}{rng.randint(1, 30)}幢{rng.randint(101, 2804)}室")


_CUMULATIVE: dict[int, tuple[list[str], list[int]]] = {}


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    """rng.choices(keys, weights)[0], with the cumulative weights worked out once per (constant) table."""
    cached = _CUMULATIVE.get(id(table))
    if cached is None:
        cached = _CUMULATIVE[id(table)] = (list(table), list(itertools.accumulate(table.values())))
    return rng.choices(cached[0], cum_weights=cached[1])[0]


@contextmanager
def historical_timestamps() -> Iterator[None]:
    """Let bulk inserts keep the created_at/updated_at we give them (auto_now would stamp 'now')."""
    touched = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                touched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in touched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def allocate_numbers(brand_id: int, created: list[dt.datetime], tz: dt.tzinfo) -> list[str]:
    """Work-order numbers for orders created at these times, as services.create_work_order would give them.

    Numbers run per brand and local month in creation order, continuing the month's Counter,
    and the Counter is advanced to the last number used so later orders do not collide.
    Must run inside the caller's transaction.
    """
    months = [when.astimezone(tz).strftime("%Y%m") for when in created]
    keys = {m: f"wo:{brand_id}:{m}" for m in set(months)}
    current = dict(Counter.objects.filter(key__in=keys.values()).values_list("key", "value"))
    used = {m: current.get(k, 0) for m, k in keys.items()}
    numbers = [""] * len(created)
    for i in sorted(range(len(created)), key=created.__getitem__):
        month = months[i]
        used[month] += 1
        numbers[i] = f"WO-{month}-{used[month]:06d}"
    for month, key in keys.items():
        advance_counter(key, used[month], current.get(key))
    return numbers


def advance_counter(key: str, value: int, current: int | None = None) -> None:
    if current is None and not Counter.objects.filter(key=key).exists():
        Counter.objects.create(key=key, value=value)
    else:
        Counter.objects.filter(key=key, value__lt=value).update(value=value)


def counter_value(key: str) -> int:
    return Counter.objects.filter(key=key).values_list("value", flat=True).first() or 0


class RowWriter:
    """Inserts plain tuples into one model's table with executemany (SQLite) or COPY (PostgreSQL).

    The ORM's bulk_create spends most of its time building model instances and, on SQLite,
    splits rows into batches of 999 parameters; a million rows need the database driver's own
    loop. Values are adapted per column type the way the ORM would (aware datetimes → UTC).
    """

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.fields = [model._meta.get_field(name) for name in columns]
        self.table = model._meta.db_table
        qn = connection.ops.quote_name
        self.column_sql = ", ".join(qn(f.column) for f in self.fields)
        self.adapters = [self._adapter(f) for f in self.fields]
        self.rows = 0

    @staticmethod
    def _adapter(f: models.Field) -> Any:
        if isinstance(f, models.JSONField):
            # Timelines repeat a handful of small payloads: encode each once.
            memo: dict[tuple, str] = {}

            def adapt_json(v: dict | list) -> str:
                key = (type(v), tuple(v.items()) if isinstance(v, dict) else tuple(v))
                if key not in memo:
                    memo[key] = json.dumps(v, ensure_ascii=False)
                return memo[key]

            return adapt_json
        if connection.vendor == "postgresql":
            return None  # psycopg adapts dates, aware datetimes and Decimals itself
        if isinstance(f, models.DateTimeField):
            return _sqlite_datetime
        if isinstance(f, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        if isinstance(f, models.DecimalField):
            return lambda v: None if v is None else str(v)
        return None

    def adapt(self, rows: Iterable[tuple]) -> list[tuple]:
        """The rows as the driver takes them; needs no database, so a producer thread may call it."""
        adapters = [(i, a) for i, a in enumerate(self.adapters) if a is not None]
        if not adapters:
            return list(rows)
        out = []
        for row in rows:
            values = list(row)
            for i, adapt in adapters:
                values[i] = adapt(values[i])
            out.append(tuple(values))
        return out

    def write(self, rows: list[tuple], adapted: bool = False) -> None:
        if not rows:
            return
        rows = rows if adapted else self.adapt(rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.column_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {self.table} ({self.column_sql}) VALUES ({marks})", rows)
        self.rows += len(rows)


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """What the ORM stores on SQLite: the UTC time, naive, as text."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(" ")
