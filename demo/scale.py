"""``demo --scale N``: N more installed products and N more work orders, for benchmarks.

Rows go in through RowWriter (executemany on SQLite, COPY on PostgreSQL) with ids we choose,
in chunks of CHUNK orders, one transaction per chunk, so a million rows stay in minutes and a
stopped run leaves whole chunks behind. Every order gets its full, workflow-consistent
timeline (same planner as the base data), not only a "created" event: the order pages and the
API's detail endpoint then behave as on real data. A pool of N/10 new customers (one home each)
owns the new products.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation
from catalog.models import ProductModel
from customers.choices import CustomerKind, ProductStatus
from customers.models import Customer, InstalledProduct, Site
from demo import data
from demo.common import (
    RowWriter,
    advance_counter,
    allocate_numbers,
    counter_value,
    mobile,
    near,
    person_name,
    street_address,
    weighted,
)
from demo.orders import load_context, make_order
from demo.population import make_serial, serial_key, warranty_end
from network.models import Region
from workorders.choices import Priority, Status
from workorders.models import WorkOrder, WorkOrderEvent

S = Status
CHUNK = 50_000
SPAN_DAYS = 365
RECENT_DAYS = 4
# Orders of the last few days are still moving; older ones are mostly done.
RECENT_WEIGHTS = {S.NEW: 10, S.ASSIGNED: 10, S.DISPATCHED: 10, S.ACCEPTED: 8, S.EN_ROUTE: 5, S.ON_SITE: 5,
                  S.ON_HOLD: 7, S.COMPLETED: 15, S.CLOSED: 20, S.CANCELLED: 10}
OLD_WEIGHTS = {S.CLOSED: 86, S.CANCELLED: 10, S.COMPLETED: 2, S.ON_HOLD: 2}
ORDER_COLUMNS = [
    "id", "number", "brand_id", "type", "channel", "priority", "status", "customer_id", "site_id", "product_id",
    "region_id", "symptom", "slot_start", "slot_end", "outlet_id", "technician_id", "response_due", "onsite_due",
    "held_from", "hold_reason", "is_rework", "cancel_reason", "accepted_at", "arrived_at", "completed_at",
    "closed_at", "created_by_id", "version", "created_at", "updated_at",
]
EVENT_COLUMNS = ["work_order_id", "kind", "action", "from_status", "to_status", "actor_id", "actor_role", "reason",
                 "customer_visible", "data", "created_at"]
PRODUCT_COLUMNS = ["id", "brand_id", "serial", "product_model_id", "customer_id", "site_id", "purchase_date",
                   "install_date", "warranty_end", "status", "created_at", "updated_at"]
CUSTOMER_COLUMNS = ["id", "brand_id", "kind", "name", "phone", "email", "segment", "tags", "user_id", "created_at",
                    "updated_at"]
SITE_COLUMNS = ["id", "customer_id", "name", "address", "region_id", "latitude", "longitude", "geo_precision",
                "geo_source", "contact_name", "contact_phone", "created_at", "updated_at"]


@contextmanager
def bulk_mode() -> Iterator[None]:
    """On SQLite, skip the fsync per commit, the per-row foreign-key lookups and widen the page cache.

    The loader makes every id it refers to itself (the tests load the same rows with foreign keys
    on); a crash mid-load can lose the last chunks, never leave a half chunk.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA cache_size=-512000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA cache_size=-64000")


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def add_scale(brand: Organisation, n: int, *, seed: int, now: dt.datetime | None = None,
              log: Callable[[str], None] = print) -> dict[str, int]:
    started = time.perf_counter()
    now = now or timezone.now().replace(minute=0, second=0, microsecond=0)  # as Builder: same hour, same rows
    tz = timezone.get_default_timezone()
    existing = WorkOrder.objects.filter(brand=brand).count()
    rng = random.Random(f"{seed}:scale:{existing}")
    ctx = load_context(brand, tz)
    with bulk_mode():
        with transaction.atomic():
            pool = _customers(rng, brand, max(1, n // 10), now)
        log(f"  {len(pool):,} customers and homes: {time.perf_counter() - started:.1f}s")
        # Creation times first, oldest first, so numbers run in time order within each month.
        ages = sorted((rng.random() ** 1.3 * SPAN_DAYS for _ in range(n)), reverse=True)
        created = [now - dt.timedelta(days=a) for a in ages]
        with transaction.atomic():
            numbers = allocate_numbers(brand.pk, created, tz)
        del ages
        models = list(ProductModel.objects.filter(category__brand=brand).values_list(
            "pk", "code", "warranty_months", "category__code"))
        by_category: dict[str, list[tuple[int, str, int]]] = {}
        for pk, code, months, category in models:
            by_category.setdefault(category, []).append((pk, code, months))
        writers = {"products": RowWriter(InstalledProduct, PRODUCT_COLUMNS),
                   "orders": RowWriter(WorkOrder, ORDER_COLUMNS), "events": RowWriter(WorkOrderEvent, EVENT_COLUMNS)}
        for region_id in {p[3] for p in pool}:
            for segment in data.SEGMENT_WEIGHTS:
                for priority in Priority.values:
                    ctx.sla_for(region_id, segment, priority)  # one query each, up front
        plan = _Plan(rng, ctx, brand.pk, pool, created, numbers, by_category, tz, now,
                     serial=counter_value(serial_key(brand.pk)), product_id=next_id(InstalledProduct),
                     order_id=next_id(WorkOrder), writers=writers)
        for done, serial, products, orders, events in plan.chunks(n):
            with transaction.atomic():
                writers["products"].write(products, adapted=True)
                writers["orders"].write(orders, adapted=True)
                writers["events"].write(events, adapted=True)
                advance_counter(serial_key(brand.pk), serial)
            log(f"  {done:,}/{n:,} products and orders, {writers['events'].rows:,} events: "
                f"{time.perf_counter() - started:.1f}s")
        _reset_sequences()
    return {"scale_customers": len(pool), "scale_products": writers["products"].rows,
            "scale_work_orders": writers["orders"].rows, "scale_events": writers["events"].rows}


class _Plan:
    """Makes the rows of each chunk, already adapted for the driver."""

    def __init__(self, rng, ctx, brand_id, pool, created, numbers, by_category, tz, now, *, serial, product_id,
                 order_id, writers) -> None:
        self.rng, self.ctx, self.brand_id, self.pool = rng, ctx, brand_id, pool
        self.created, self.numbers, self.by_category, self.tz, self.now = created, numbers, by_category, tz, now
        self.serial, self.product_id, self.order_id, self.writers = serial, product_id, order_id, writers

    def chunks(self, n: int) -> Iterator[tuple]:
        rng, ctx, pool, now = self.rng, self.ctx, self.pool, self.now
        latest = now - dt.timedelta(minutes=1)
        recent = now - dt.timedelta(days=RECENT_DAYS)
        for start in range(0, n, CHUNK):
            products, orders, events = [], [], []
            for i in range(start, min(n, start + CHUNK)):
                customer_id, segment, site_id, region_id = pool[rng.randrange(len(pool))]
                when = self.created[i]
                model_id, code, months = rng.choice(self.by_category[weighted(rng, data.CATEGORY_WEIGHTS)])
                self.serial += 1
                status = weighted(rng, RECENT_WEIGHTS if when > recent else OLD_WEIGHTS)
                # No reworks here: one is two orders (demo/orders.py), and the scale adds exactly n.
                row, timeline, _first = make_order(
                    rng, ctx, customer=(customer_id, segment, None), site=(site_id, region_id),
                    product=(self.product_id, model_id), status=status, created_at=when, latest=latest,
                )
                products.append(_product(rng, self.brand_id, (self.product_id, self.serial), row,
                                         (model_id, code, months), (customer_id, site_id), self.tz))
                row.update(id=self.order_id, number=self.numbers[i])
                orders.append(tuple(row[c] for c in ORDER_COLUMNS))
                oid = self.order_id
                events.extend((oid, e["kind"], e["action"], e["from_status"], e["to_status"], e["actor_id"],
                               e["actor_role"], e["reason"], e["customer_visible"], e["data"], e["created_at"])
                              for e in timeline)
                self.product_id += 1
                self.order_id += 1
            w = self.writers
            yield (min(n, start + CHUNK), self.serial, w["products"].adapt(products), w["orders"].adapt(orders),
                   w["events"].adapt(events))


def _product(rng: random.Random, brand_id: int, ids: tuple[int, int], order: dict, model: tuple[int, str, int],
             owner: tuple[int, int], tz: dt.tzinfo) -> tuple:
    """The order's product: bought before the order, or, for an install, installed when it completed."""
    (pk, serial), (model_id, code, months), (customer_id, site_id) = ids, model, owner
    ordered = order["created_at"].astimezone(tz).date()
    if order["type"] == "install":
        purchased = ordered - dt.timedelta(days=rng.randint(0, 5))
        done = order["completed_at"] or order["closed_at"]
        installed = done.astimezone(tz).date() if done else None
    else:
        purchased = ordered - dt.timedelta(days=rng.randint(20, 5 * 365))
        installed = purchased + dt.timedelta(days=rng.randint(0, 14))
    status = ProductStatus.ACTIVE if installed else ProductStatus.SOLD
    stamp = order["created_at"] - dt.timedelta(days=(ordered - purchased).days)
    return (pk, brand_id, make_serial(code, purchased, serial), model_id, customer_id, site_id, purchased,
            installed, warranty_end(installed or purchased, months), status, stamp, stamp)


def _customers(rng: random.Random, brand: Organisation, count: int, now: dt.datetime) -> list[tuple]:
    """count households with one home each; returns (customer id, segment, site id, region id) rows."""
    regions = {r.code: r for r in Region.objects.filter(brand=brand)}
    codes = [c for c, *_x in data.REGIONS if c in regions]
    weights = [w for (c, *_x), w in zip(data.REGIONS, data.REGION_WEIGHTS, strict=True) if c in regions]
    districts = {c: d for c, *_x, d in data.REGIONS}
    # One customer per phone per brand (customers.Customer's constraint): never a phone the brand already has,
    # from the demo or an earlier scale run with the same seed.
    taken: set[str] = set(Customer.objects.filter(brand=brand).values_list("phone", flat=True).iterator())
    customer_id, site_id = next_id(Customer), next_id(Site)
    customers, sites, pool = [], [], []
    for _ in range(count):
        region = regions[rng.choices(codes, weights=weights)[0]]
        name, phone = person_name(rng), mobile(rng, taken)
        segment = weighted(rng, data.SEGMENT_WEIGHTS)
        since = now - dt.timedelta(days=rng.uniform(SPAN_DAYS + 10, 2000))
        customers.append((customer_id, brand.pk, CustomerKind.HOUSEHOLD, name, phone, "", segment, [], None, since,
                          since))
        lat, lon = near(rng, region.latitude, region.longitude, 0.12)
        sites.append((site_id, customer_id, "家", f"{region.name}市{street_address(rng, districts[region.code])}",
                      region.pk, lat, lon, "exact", "demo", name, phone, since, since))
        pool.append((customer_id, segment, site_id, region.pk))
        customer_id += 1
        site_id += 1
    RowWriter(Customer, CUSTOMER_COLUMNS).write(customers)
    RowWriter(Site, SITE_COLUMNS).write(sites)
    return pool


def _reset_sequences() -> None:
    """PostgreSQL: move the id sequences past the ids we chose (SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Customer, Site, InstalledProduct, WorkOrder])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
