"""The set-based settlement generator against the bare SQL aggregation (issue 18: within a few times it).

    python bench/settlement.py [--orders 1000000] [--outlets 3000] [--db sqlite|postgresql|both] [--no-check]

For each database it builds a dedicated one (SQLite: var/bench-settlement.sqlite3; PostgreSQL: the database
bench_settlement on DATABASE_URL's server, when DATABASE_URL is set), migrates it and loads, with bulk inserts
(demo.common.RowWriter: executemany on SQLite, COPY on PostgreSQL), one brand with OUTLETS outlets spread around
Hangzhou and ORDERS completed (or closed) orders in November 2026, each at one of ten sites near its outlet (0 to
about 45 km: every distance band and the travel allowance are met), 2 % of them reworks, 3 % with a breached
clock, 0.5 % with an upheld complaint, 30 % rated, 40 % signed; a published tariff of eight fee rows (any
product, a category, a model, a partner row, three distance bands, an install row), travel, night, holiday and
remote-area terms; five rules (rework, complaint, SLA breach, missing signature, satisfaction bonus). Then it
times, on the same data:

1. two bare SQL aggregations, best of 3 each:
   (1) per outlet, the count of its month's orders and the sum of the fee of the tariff's catch-all row of each
       order's service type (one join, GROUP BY outlet), fetched: what a first guess at the month would query;
   (2) per outlet, the sum of every line's amount, computed as generation computes it (the fee row matched, the
       distance, travel, surcharges, rules) but written nowhere (settlement.setbased.month_totals): the same
       month's totals by one SELECT … GROUP BY, which the statements' totals must equal;
2. ``settlement.services.generate`` the first time (the drafts created) and again (regenerated: the same lines);
3. ``manage.py settlement_check``'s comparison (settlement.recompute.check: the Python recomputation), unless
   --no-check;

and prints the times and the ratios generate / each aggregation. Generation writes some 3.5 lines per order; (1)
computes none of them, so it is the floor of reading the month, and (2) the floor of computing it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from catalog.models import ProductCategory, ProductModel  # noqa: E402
from complaints.choices import ComplaintCategory, ComplaintStatus, Outcome, ResponsibleParty  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from core.dates import brand_tz  # noqa: E402
from customers.models import Customer, InstalledProduct, Site  # noqa: E402
from demo.common import RowWriter  # noqa: E402
from feedback.models import Rating  # noqa: E402
from network.models import Region  # noqa: E402
from settlement import recompute, services, setbased  # noqa: E402
from settlement.models import SettlementLine, SettlementRule, Statement, Tariff, TariffFee  # noqa: E402
from workorders.models import WorkOrder, WorkOrderAttachment  # noqa: E402

SQLITE_FILE = ROOT / "var" / "bench-settlement.sqlite3"
PG_DB = "bench_settlement"
PERIOD = dt.date(2026, 11, 1)
CHUNK = 100_000
SITES_PER_OUTLET = 10
ORDER_COLUMNS = ["id", "number", "brand_id", "type", "channel", "priority", "status", "customer_id", "site_id",
                 "product_id", "region_id", "symptom", "outlet_id", "held_from", "hold_reason", "is_rework",
                 "rework_of_id", "cancel_reason", "arrived_at", "completed_at", "closed_at", "version",
                 "response_alert", "onsite_alert", "created_at", "updated_at"]
D = Decimal


def _world(outlets: int, rng: random.Random) -> dict:
    brand = Organisation.objects.create(kind="brand", code="bench", name="Bench")
    regions = [Region.objects.create(brand=brand, code=f"r{i}", name=f"Region {i}", latitude=D("30.25"),
                                     longitude=D("120.15")) for i in range(4)]
    category = ProductCategory.objects.create(brand=brand, code="purifier", name="净水器")
    other = ProductCategory.objects.create(brand=brand, code="heater", name="热水器")
    models_ = [ProductModel.objects.create(category=category, code="RO-1", name="RO-1"),
               ProductModel.objects.create(category=category, code="RO-2", name="RO-2"),
               ProductModel.objects.create(category=other, code="H-1", name="H-1")]
    types = ["own", "agent", "franchise", "partner"]
    Organisation.objects.bulk_create([
        Organisation(kind="outlet", brand=brand, code=f"o{i}", name=f"Outlet {i}", outlet_type=rng.choice(types),
                     latitude=D(f"{30 + rng.uniform(-0.8, 0.8):.6f}"),
                     longitude=D(f"{120 + rng.uniform(-0.8, 0.8):.6f}"))
        for i in range(outlets)], batch_size=1000)
    outlet_rows = list(Organisation.objects.filter(kind="outlet", brand=brand).values_list("pk", "latitude",
                                                                                           "longitude"))
    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    Customer.objects.bulk_create([Customer(brand=brand, name=f"C{i}", phone=f"138{i:08d}")
                                  for i in range(1000)], batch_size=1000)
    customers = list(Customer.objects.filter(brand=brand).values_list("pk", flat=True))
    sites = RowWriter(Site, ["id", "customer_id", "name", "address", "region_id", "latitude", "longitude",
                             "contact_name", "contact_phone", "created_at", "updated_at"])
    site_rows, by_outlet, site_id = [], {}, 0
    for outlet_id, lat, lon in outlet_rows:
        by_outlet[outlet_id] = []
        for _ in range(SITES_PER_OUTLET):
            site_id += 1
            spread = rng.choice((0.02, 0.1, 0.25, 0.4))
            site_rows.append((site_id, rng.choice(customers), "home", "bench street", None,
                              D(f"{float(lat) + rng.uniform(-spread, spread):.6f}"),
                              D(f"{float(lon) + rng.uniform(-spread, spread):.6f}"), "", "", now, now))
            by_outlet[outlet_id].append(site_id)
    sites.write(site_rows)
    products = RowWriter(InstalledProduct, ["id", "brand_id", "serial", "product_model_id", "customer_id",
                                            "status", "created_at", "updated_at"])
    products.write([(i, brand.pk, f"SN{i:08d}", models_[i % 3].pk, rng.choice(customers), "active", now, now)
                    for i in range(1, 5001)])
    tariff = Tariff.objects.create(brand=brand, name="2026", valid_from=dt.date(2026, 1, 1),
                                   valid_to=dt.date(2026, 12, 31), is_published=True, free_km=D("10.0"),
                                   per_km=D("1.50"), travel_cap=D("60.00"), night_surcharge=D("30.00"),
                                   holiday_surcharge=D("20.00"), remote_surcharge=D("15.00"),
                                   failed_visit_fee=D("25.00"), holidays=["2026-11-11"])
    tariff.remote_regions.add(regions[3])
    rows = [dict(service_type="repair", km_to=D("10.0"), fee=D("80.00")),
            dict(service_type="repair", km_from=D("10.0"), km_to=D("30.0"), fee=D("95.50")),
            dict(service_type="repair", km_from=D("30.0"), fee=D("120.00")),
            dict(service_type="repair", category=category, fee=D("100.00")),
            dict(service_type="repair", category=category, outlet_type="partner", fee=D("90.00")),
            dict(service_type="repair", product_model=models_[1], fee=D("110.33")),
            dict(service_type="repair", region=regions[2], fee=D("85.00")),
            dict(service_type="install", fee=D("60.00"))]
    for row in rows:
        TariffFee.objects.create(tariff=tariff, **row)
    for kind, terms in (("rework", {"share": D("50"), "days": 30}), ("complaint", {"amount": D("50.00")}),
                        ("sla_breach", {"amount": D("12.50")}), ("missing_signature", {"share": D("3.33")}),
                        ("satisfaction_bonus", {"share": D("2.5"), "threshold": D("3.9"), "min_ratings": 5})):
        SettlementRule.objects.create(brand=brand, kind=kind, valid_from=dt.date(2026, 1, 1), **terms)
    return {"brand": brand, "tariff": tariff, "by_outlet": by_outlet, "customers": customers,
            "regions": [r.pk for r in regions]}


def _orders(n: int, world: dict, rng: random.Random) -> None:
    tz = brand_tz()
    start = dt.datetime(2026, 11, 1, tzinfo=tz)
    span = 30 * 86400
    brand_id = world["brand"].pk
    outlets = sorted(world["by_outlet"])
    writer = RowWriter(WorkOrder, ORDER_COLUMNS)
    ratings = RowWriter(Rating, ["work_order_id", "customer_id", "score", "comment", "created_at"])
    signatures = RowWriter(WorkOrderAttachment, ["work_order_id", "kind", "file", "content_type", "size",
                                                 "customer_visible", "created_at"])
    last_of: dict[int, int] = {}
    for first in range(1, n + 1, CHUNK):
        rows, crows, rrows, srows = [], [], [], []
        for pk in range(first, min(first + CHUNK, n + 1)):
            outlet = rng.choice(outlets)
            completed = start + dt.timedelta(seconds=rng.randrange(span))
            customer = rng.choice(world["customers"])
            rework_of = last_of.get(outlet) if rng.random() < 0.02 else None
            breach = "breached" if rng.random() < 0.03 else "ok"
            rows.append((pk, f"B{pk:09d}", brand_id, "install" if rng.random() < 0.2 else "repair", "hotline",
                         "normal", "completed" if rng.random() < 0.7 else "closed", customer,
                         rng.choice(world["by_outlet"][outlet]), rng.randint(1, 5000),
                         rng.choice(world["regions"]) if rng.random() < 0.5 else None, "", outlet, "", "",
                         rework_of is not None, rework_of, "", completed - dt.timedelta(minutes=rng.randrange(300)),
                         completed, None, 1, breach, "ok", completed - dt.timedelta(days=1), completed))
            last_of[outlet] = pk
            if rng.random() < 0.005:
                crows.append(Complaint(work_order_id=pk, brand_id=brand_id, customer_id=customer, outlet_id=outlet,
                                       category=ComplaintCategory.values[0], description="bench",
                                       status=ComplaintStatus.RESOLVED, outcome=Outcome.UPHELD,
                                       compensation=rng.choice((D("0.00"), D("35.50"))),
                                       responsible=ResponsibleParty.OUTLET, opened_at=completed,
                                       resolved_at=completed))
            if rng.random() < 0.3:
                rrows.append((pk, customer, rng.choice((3, 4, 4, 5, 5)), "", completed))
            if rng.random() < 0.4:
                srows.append((pk, "signature", f"sig/{pk}.png", "image/png", 100, False, completed))
        with transaction.atomic():
            writer.write(rows)
            Complaint.objects.bulk_create(crows, batch_size=500)
            ratings.write(rrows)
            signatures.write(srows)
    statements = connection.ops.sequence_reset_sql(no_style(), [WorkOrder, Site, InstalledProduct])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def bare(world: dict) -> list[tuple]:
    """Per outlet: its month's settled orders and the sum of the catch-all fee row of each order's type."""
    start, end = services.month_bounds(PERIOD)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.outlet_id, COUNT(*), SUM(f.fee) FROM workorders_workorder o "
            "JOIN settlement_tarifffee f ON f.tariff_id = %s AND f.service_type = o.type "
            "AND f.category_id IS NULL AND f.product_model_id IS NULL AND f.outlet_type = '' AND f.region_id IS NULL "
            "AND f.km_from = 0 WHERE o.brand_id = %s AND o.status IN ('completed', 'closed') "
            "AND o.completed_at >= %s AND o.completed_at < %s AND o.outlet_id IS NOT NULL GROUP BY o.outlet_id",
            [world["tariff"].pk, world["brand"].pk, adapt(start), adapt(end)])
        return cursor.fetchall()


def child(orders: int, outlets: int, check: bool) -> dict:
    call_command("migrate", verbosity=0)
    rng = random.Random(18)
    t = time.perf_counter()
    world = _world(outlets, rng)
    _orders(orders, world, rng)
    loaded = time.perf_counter() - t
    bare_s = []
    for _ in range(3):
        t = time.perf_counter()
        rows = bare(world)
        bare_s.append(time.perf_counter() - t)
    computed_s = []
    for _ in range(3):
        t = time.perf_counter()
        with transaction.atomic():
            totals = setbased.month_totals(world["brand"].pk, PERIOD, world["by_outlet"])
        computed_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    services.generate(brand=world["brand"], period=PERIOD)
    first = time.perf_counter() - t
    snapshot = _snapshot()
    t = time.perf_counter()
    statements = services.generate(brand=world["brand"], period=PERIOD)
    again = time.perf_counter() - t
    same = _snapshot() == snapshot
    result = {"db": connection.vendor, "orders": orders, "outlets": outlets, "load_s": round(loaded, 1),
              "bare_rows": len(rows), "bare_s": round(min(bare_s), 3), "computed_s": round(min(computed_s), 3),
              "generate_s": round(first, 3), "regenerate_s": round(again, 3),
              "ratio": round(first / min(bare_s), 2), "ratio_again": round(again / min(bare_s), 2),
              "ratio_computed": round(first / min(computed_s), 2),
              "ratio_computed_again": round(again / min(computed_s), 2), "statements": len(statements),
              "same_totals": totals == {s.outlet_id: s.total for s in statements},
              "lines": SettlementLine.objects.count(), "idempotent": same,
              "total": str(sum((s.total for s in Statement.objects.all()), D("0.00")))}
    if check:
        t = time.perf_counter()
        report = recompute.check(world["brand"], PERIOD)
        result.update(check_s=round(time.perf_counter() - t, 1), check_ok=report.ok,
                      check_differences=len(report.missing) + len(report.unexpected) + len(report.totals))
    return result


def _snapshot() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), SUM(CAST(ROUND(amount * 100) AS BIGINT)), SUM(work_order_id * 7 + "
                       "CAST(ROUND(amount * 100) AS BIGINT)) FROM settlement_settlementline")
        lines = cursor.fetchone()
    return lines, tuple(Statement.objects.order_by("pk").values_list("pk", "total", "line_count"))


def run_one(db: str, orders: int, outlets: int, check: bool) -> dict:
    env = dict(os.environ)
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    else:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        admin = f"{base}/postgres"
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(["psql", admin, "-qc", sql], check=True)
        env["DATABASE_URL"] = f"{base}/{PG_DB}"
    args = [sys.executable, __file__, "--child", "--orders", str(orders), "--outlets", str(outlets)]
    out = subprocess.run(args + ([] if check else ["--no-check"]), env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"the {db} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--outlets", type=int, default=3_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--no-check", action="store_true", help="skip the Python recomputation")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.orders, args.outlets, not args.no_check)))
        return
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in dbs and not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is not set: PostgreSQL skipped")
        dbs.remove("postgresql")
    for db in dbs:
        r = run_one(db, args.orders, args.outlets, not args.no_check)
        print(json.dumps(r))
        check = (f"check {'EQUAL' if r['check_ok'] else 'DIFFERENT'} ({r['check_differences']} differences, "
                 f"{r['check_s']} s)") if "check_ok" in r else "check skipped"
        print(f"{r['db']}: {r['orders']} orders, {r['outlets']} outlets, {r['lines']} lines written\n"
              f"  bare aggregation: (1) count and catch-all fee per outlet {r['bare_s']} s; (2) every line's amount "
              f"summed per outlet, nothing written {r['computed_s']} s (the same totals: {r['same_totals']})\n"
              f"  generate {r['generate_s']} s: {r['ratio_computed']} × (2), {r['ratio']} × (1); regenerate "
              f"{r['regenerate_s']} s: {r['ratio_computed_again']} × (2), {r['ratio_again']} × (1); idempotent "
              f"{r['idempotent']}\n  {check}; load {r['load_s']} s")


if __name__ == "__main__":
    main()
