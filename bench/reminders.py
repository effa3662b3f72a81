"""The reminder job against the bare query that selects the due items (issue 16: within twice its time).

    python bench/reminders.py [--n 1000000] [--db sqlite|postgresql|both]

For each database it builds a dedicated one (SQLite: var/bench-reminders.sqlite3; PostgreSQL: the database
aftersales_bench_reminders on DATABASE_URL's server, when DATABASE_URL is set), migrates it and loads N
installed products of N/10 customers, each with a PP-cotton schedule whose due date is spread over the year
around today (so about a fifth falls in the reminder window: due within 14 days or overdue up to 90), with the
bulk writer of demo/scale.py. Then it times, on the same data:

1. the bare query (maintenance.reminders.select_due: the SELECT of the due items, fetched), best of 3;
2. the job's first run (maintenance.reminders.send_reminders: the reminders inserted, one outbox event and
   its delivery per reminder), on a fresh copy of the reminder and outbox tables each time, best of 3;
3. the job run again at once (nothing new to send: it inserts nothing);
4. the next day's run, as the periodic job meets it every day after the first: the bare query and the job one
   day later, when only what entered the window since (about 1/360 of the units) is new, best of 3 (each on a
   fresh copy of that day's reminders).

and prints the times and the ratio job / bare query for both. The target (at most 2) is the periodic job's: the
next day's run, which is what the job meets every day over the whole base. The first run, which sends the whole
backlog of a base never reminded before (a one-off after an import), is printed beside it with its ratio and no
verdict; its second run at once must send nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench-reminders.sqlite3"
PG_DB = "aftersales_bench_reminders"
TARGET = 2.0
CHUNK = 100_000


def child(n: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organisation
    from catalog.models import Part, ProductCategory, ProductModel
    from core.models import Delivery, OutboxEvent
    from customers.models import Customer, InstalledProduct
    from demo.common import RowWriter
    from maintenance.models import ConsumableRule, Reminder, Schedule
    from maintenance.reminders import select_due, send_reminders

    call_command("migrate", verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    brand = Organisation.objects.create(kind="brand", code="bench", name="Bench")
    category = ProductCategory.objects.create(brand=brand, code="purifier", name="净水器")
    model = ProductModel.objects.create(category=category, code="RO-B", name="净水器 RO-B")
    part = Part.objects.create(brand=brand, code="pp", name="PP棉滤芯", name_en="PP cotton filter")
    rule = ConsumableRule.objects.create(brand=brand, part=part, category=category, months=6, litres=2000,
                                         lead_days=14, repeat_after_days=7, max_reminders=3)
    started = time.perf_counter()
    customers = RowWriter(Customer, ["id", "created_at", "updated_at", "brand_id", "kind", "name", "phone", "email",
                                     "segment", "tags", "duplicate_reason"])
    products = RowWriter(InstalledProduct, ["id", "created_at", "updated_at", "brand_id", "serial",
                                            "product_model_id", "customer_id", "purchase_date", "install_date",
                                            "warranty_end", "status"])
    schedules = RowWriter(Schedule, ["id", "brand_id", "customer_id", "product_id", "kind", "rule_id",
                                     "last_done_via", "due_on", "due_by", "is_active", "updated_at", "version"])
    n_customers = max(1, n // 10)
    for first in range(0, n_customers, CHUNK):
        with transaction.atomic():
            customers.write([(i + 1, now, now, brand.pk, "household", f"客户{i}", f"+86139{i:08d}", "", "value",
                              [], "") for i in range(first, min(n_customers, first + CHUNK))])
    for first in range(0, n, CHUNK):
        rows_p, rows_s = [], []
        for i in range(first, min(n, first + CHUNK)):
            installed = today - dt.timedelta(days=30 + i % 700)
            # due dates spread over [today - 150, today + 210): about 29 % due or overdue within the window
            due = today + dt.timedelta(days=(i * 7919) % 360 - 150)
            rows_p.append((i + 1, now, now, brand.pk, f"B{i:09d}", model.pk, i % n_customers + 1, installed,
                           installed, installed + dt.timedelta(days=365), "active"))
            rows_s.append((i + 1, brand.pk, i % n_customers + 1, i + 1, "consumable", rule.pk, "", due, "time",
                           True, now, 1))
        with transaction.atomic():
            products.write(rows_p)
            schedules.write(rows_s)
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")

    def clear() -> None:
        # Straight SQL: the ORM's collector would list every id (too many variables for SQLite at 1,000,000); on
        # PostgreSQL a TRUNCATE, so each run meets tables as fresh as the first (a DELETE leaves them bloated).
        tables = [connection.ops.quote_name(m._meta.db_table) for m in (Delivery, OutboxEvent, Reminder)]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")

    bare, job, sent = [], [], 0
    for _ in range(3):
        t = time.perf_counter()
        due = select_due(now=now)
        bare.append(time.perf_counter() - t)
    for _ in range(3):
        clear()
        t = time.perf_counter()
        run = send_reminders(now=now)
        job.append(time.perf_counter() - t)
        sent = run.reminders
    t = time.perf_counter()
    again = send_reminders(now=now)
    second = time.perf_counter() - t
    tomorrow = now + dt.timedelta(days=1)

    def clear_day() -> None:
        with transaction.atomic():
            fresh = Reminder.objects.filter(sent_at__gt=now)  # the next day's: the first run's were sent at now
            Delivery.objects.filter(event__subject_type="reminder", event__subject_id__in=fresh.values("pk")).delete()
            OutboxEvent.objects.filter(subject_type="reminder", subject_id__in=fresh.values("pk")).delete()
            fresh.delete()

    day_bare, day_job, day_sent = [], [], 0
    for _ in range(3):
        t = time.perf_counter()
        day_due = select_due(now=tomorrow)
        day_bare.append(time.perf_counter() - t)
    for _ in range(3):
        clear_day()
        t = time.perf_counter()
        day_sent = send_reminders(now=tomorrow).reminders
        day_job.append(time.perf_counter() - t)
    return {"daily_due_items": len(day_due), "daily_reminders": day_sent,
            "daily_bare_s": round(min(day_bare), 3), "daily_job_s": round(min(day_job), 3),
            "daily_ratio": round(min(day_job) / min(day_bare), 2),
            "db": connection.vendor, "products": n, "due_items": len(due), "reminders": sent,
            "events": OutboxEvent.objects.filter(subject_type="reminder").count(), "second_run_reminders":
            again.reminders, "load_s": round(loaded, 1), "bare_query_s": round(min(bare), 3),
            "job_s": round(min(job), 3), "second_run_s": round(second, 3),
            "ratio": round(min(job) / min(bare), 2)}


def run_one(db: str, n: int) -> dict:
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
    out = subprocess.run([sys.executable, __file__, "--child", "--n", str(n)], env=env, capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"the {db} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n)))
        return
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in dbs and not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is not set: PostgreSQL skipped")
        dbs.remove("postgresql")
    print(f"{'db':<11}{'products':>10}{'due':>9}{'sent':>9}{'bare s':>9}{'job s':>9}{'again s':>9}"
          f"{'ratio':>7}  verdict")
    for db in dbs:
        r = run_one(db, args.n)
        verdict = "sent once" if r["second_run_reminders"] == 0 else "FAIL: the second run sent again"
        print(f"{r['db']:<11}{r['products']:>10}{r['due_items']:>9}{r['reminders']:>9}{r['bare_query_s']:>9}"
              f"{r['job_s']:>9}{r['second_run_s']:>9}{r['ratio']:>7}  {verdict}; first run, the whole backlog, "
              f"one-off (load {r['load_s']} s)")
        verdict = "PASS" if r["daily_ratio"] <= TARGET else "FAIL"
        print(f"{r['db']:<11}{r['products']:>10}{r['daily_due_items']:>9}{r['daily_reminders']:>9}"
              f"{r['daily_bare_s']:>9}{r['daily_job_s']:>9}{'':>9}{r['daily_ratio']:>7}  {verdict} the next day's run")


if __name__ == "__main__":
    main()
