"""The order list's search at scale: by name and address (trigram indexes) beside the exact-key searches.

Builds (or reuses) a data set of its own with ``manage.py demo --scale N`` (N orders, N/10 customers with
one home each; ``--customers M`` then adds households, without orders, up to M customers in all), then
times what the console list does for a search (workorders.selectors.list_work_orders + page_of: the
capped count and the first page of 25) as the brand's dispatcher, in this process:

- baseline, in the same run: the order number and the customer's phone (exact keys on their own indexes),
  and the same name search done as a plain ``LIKE '%…%'`` scan of the brand's customers (what the index saves);
- name: a customer's full name (张晓雯), their two-character given name (晓雯);
- address: a road and house number (文三路 90号), a road alone (文三路: many sites, capped).

    .venv/bin/python bench/search.py --db sqlite --scale 100000 --customers 100000   # var/bench_geo.sqlite3
    .venv/bin/python bench/search.py --db postgres --scale 100000 --customers 100000 # database bench_geo
    ... --reuse   # keep the data set when it already holds N orders
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench_geo.sqlite3"
PG_DB = "bench_geo"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SAMPLES = 40


def env_for(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(DEBUG="0", LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="aftersales.settings")
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env


def build(db: str, scale: int, customers: int) -> float:
    env = env_for(db)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_FILE) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    for args in (["migrate", "--noinput", "-v0"], ["demo", "--seed", "42", "--scale", str(scale)]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    if customers:
        subprocess.run([sys.executable, __file__, "--add-customers", str(customers)], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "prepare.py"), "analyze"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def add_customers(total: int) -> None:
    """Households with one home each and no orders, up to ``total`` customers (demo/scale.py's own loader)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from customers.models import Customer
    from demo.builder import find_brand
    from demo.scale import _customers, bulk_mode

    missing = total - Customer.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    with bulk_mode(), transaction.atomic():
        _customers(random.Random(f"42:search:{total}"), find_brand(), missing, timezone.now())
    print(f"  {missing:,} more customers and homes: {time.perf_counter() - started:.1f}s", flush=True)


def measure() -> dict:
    """Runs inside the bench database's environment (``--measure``)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from accounts.models import User
    from customers.models import Customer, Site
    from workorders.models import WorkOrder
    from workorders.selectors import OrderFilters, list_work_orders, page_of

    user = User.objects.get(username="dispatcher")
    brand_id = Customer.objects.filter(name="张晓雯").values_list("brand_id", flat=True).first()
    rng = random.Random(7)

    # Searches for what the orders hold: their customers' names, phones and addresses, and their numbers.
    top_order = WorkOrder.objects.aggregate(m=Max("pk"))["m"]
    rows, tries = [], 0
    while len(rows) < SAMPLES and tries < SAMPLES * 50:
        tries += 1
        row = (WorkOrder.objects.filter(pk=rng.randint(1, top_order), site__isnull=False)
               .values_list("number", "customer__phone", "customer__name", "site__address").first())
        if row:
            rows.append(row)
    numbers, phones, names, addresses = (list(column) for column in zip(*rows, strict=True))
    queries = {
        "order number (baseline)": numbers,
        "phone (baseline)": phones,
        "full name, e.g. 张晓雯": names,
        "given name (2 chars), e.g. 晓雯": [n[-2:] for n in names],
        "road + number, e.g. 文三路 90号": [a.split("区", 1)[-1].split("号")[0] + "号" for a in addresses],
        "road alone, e.g. 文三路": [a.split("区", 1)[-1][:3] for a in addresses],
    }

    def timed(fn) -> tuple[float, object]:
        started = time.perf_counter()
        result = fn()
        return (time.perf_counter() - started) * 1000, result

    results = {}
    for label, texts in queries.items():
        page_of(list_work_orders(user, OrderFilters(q=texts[0])), 1, 25)  # warm the caches
        times, hits = [], []
        for text in texts:
            ms, (rows, total, capped) = timed(lambda t=text: page_of(list_work_orders(user, OrderFilters(q=t)), 1, 25))
            times.append(ms)
            hits.append(total)
        results[label] = {"p50_ms": round(statistics.median(times), 1),
                          "p95_ms": round(sorted(times)[int(len(times) * 0.95) - 1], 1),
                          "max_ms": round(max(times), 1), "median_orders_found": statistics.median(hits),
                          "zero_found": sum(1 for h in hits if h == 0), "samples": len(times)}
    # What the index saves: the same full-name match as a scan of the brand's customers.
    scan = []
    for text in names:
        ms, _found = timed(lambda t=text: list(Customer.objects.filter(brand_id=brand_id, name__contains=t)
                                               .values_list("pk", flat=True)[:500]))
        scan.append(ms)
    results["full name as LIKE scan (no index, baseline)"] = {
        "p50_ms": round(statistics.median(scan), 1), "p95_ms": round(sorted(scan)[int(len(scan) * 0.95) - 1], 1),
        "max_ms": round(max(scan), 1), "samples": len(scan)}
    return {"vendor": connection.vendor, "customers": Customer.objects.count(), "sites": Site.objects.count(),
            "orders": WorkOrder.objects.count(), "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=0, help="add households up to this many customers")
    parser.add_argument("--add-customers", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(), ensure_ascii=False))
        return
    if args.add_customers:
        add_customers(args.add_customers)
        return
    built = None
    exists = SQLITE_FILE.exists() if args.db == "sqlite" else True
    if not (args.reuse and exists):
        built = build(args.db, args.scale, args.customers)
    out = subprocess.run([sys.executable, __file__, "--measure"], cwd=ROOT, env=env_for(args.db), check=True,
                         stdout=subprocess.PIPE, text=True)
    report = json.loads(out.stdout)
    report["build_seconds"] = round(built, 1) if built else None
    print(f"{report['vendor']}: {report['orders']:,} orders, {report['customers']:,} customers, "
          f"{report['sites']:,} sites" + (f" (built in {built:.0f} s)" if built else ""))
    print(f"{'search':48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'found':>8} {'zero':>5}")
    for label, r in report["results"].items():
        print(f"{label:48} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} "
              f"{r.get('median_orders_found', ''):>8} {r.get('zero_found', ''):>5}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"search-{args.db}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
