"""Per-request cost of the benchmarked endpoints, in-process: CPU time, wall time and SQL statements.

``cpu_ms`` is this process (the Django side), ``db_cpu_ms_mean`` the PostgreSQL server process of
the connection (read from /proc, so only for a server on this host), ``statements`` the SQL
statements per request other than BEGIN/COMMIT/SAVEPOINT.

Runs the list, detail and create requests, and the bare-INSERT view the HTTP benchmark compares
creation against (``baseline``), through Django's test client (the whole middleware and Ninja stack,
no HTTP server) against the database named by DATABASE_URL / SQLITE_PATH, which must hold the demo
data (``manage.py demo``). Writes an API token, the orders the create requests open and the
bench-only ``bench_insert`` table. With both create and baseline it prints their in-process ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/profile_requests.py
    .venv/bin/python bench/profile_requests.py --profile list   # + the top of a cProfile listing
    .venv/bin/python bench/profile_requests.py --sql create     # + the statements of one request
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
# The product's URLs plus the bare-INSERT view the HTTP benchmark compares creation against.
os.environ.setdefault("ROOT_URLCONF_OVERRIDE", "bench.baseline_urls")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import ApiToken, User  # noqa: E402
from bench.baseline_urls import BASELINE_PATH, create_table  # noqa: E402
from bench.prepare import DISPATCHER, _random_rows  # noqa: E402
from customers.models import InstalledProduct  # noqa: E402
from workorders.models import WorkOrder  # noqa: E402

URL = "/api/v1/workorders"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")  # not counted as statements
LIST_PARAMS = [
    {"page": 1, "page_size": 25},
    {"page": 3, "page_size": 25, "status": "closed"},
    {"page": 2, "page_size": 25, "status": "assigned"},
    {"page": 1, "page_size": 25, "sla": "ok"},
    {"page": 2, "page_size": 25, "sla": "breached"},
]


def requests_for(user, rng: random.Random, n: int) -> dict[str, list]:
    products = _random_rows(InstalledProduct.objects.visible_to(user), n, rng, ("customer_id", "site_id"))
    orders = [r["pk"] for r in _random_rows(WorkOrder.objects.visible_to(user), n, rng, ())]
    creates = [
        {"customer_id": p["customer_id"], "product_id": p["pk"], "type": "repair", "priority": "normal",
         "symptom": "profile: unit does not start", **({"site_id": p["site_id"]} if p["site_id"] else {})}
        for p in products
    ]
    return {
        "list": [LIST_PARAMS[i % len(LIST_PARAMS)] for i in range(n)],
        "detail": orders,
        "create": creates,
        "baseline": [json.dumps(c) for c in creates],
    }


def call(client: Client, kind: str, arg):
    if kind == "list":
        resp = client.get(URL, arg)
    elif kind == "detail":
        resp = client.get(f"{URL}/{arg}")
    elif kind == "baseline":
        resp = client.post(f"/{BASELINE_PATH}", data=arg, content_type="application/json")
    else:
        resp = client.post(URL, data=json.dumps(arg), content_type="application/json")
    if resp.status_code >= 300:
        raise SystemExit(f"{kind}: HTTP {resp.status_code} {resp.content[:300]!r}")
    return resp


def backend_cpu_ms() -> float | None:
    """CPU time of this connection's database server process (PostgreSQL on this host only)."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure(client: Client, kind: str, args: list) -> dict:
    cpu, wall, queries = [], [], []
    db0 = backend_cpu_ms()
    for arg in args:
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.process_time(), time.perf_counter()
            call(client, kind, arg)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        queries.append(sum(1 for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(CONTROL)))
    db1 = backend_cpu_ms()
    return {
        "n": len(args),
        "db_cpu_ms_mean": round((db1 - db0) / len(args), 2) if db0 is not None and db1 is not None else None,
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "cpu_ms_mean": round(statistics.fmean(cpu), 2),
        "wall_ms_median": round(statistics.median(wall), 2),
        "statements": sorted(set(queries)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="requests per kind")
    parser.add_argument("--kinds", default="list,detail,create,baseline")
    parser.add_argument("--profile", default="", help="kind to run under cProfile afterwards")
    parser.add_argument("--sql", default="", help="kind whose statements to print for one request")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)

    user = User.objects.get(username=DISPATCHER)
    _, raw = ApiToken.issue(user=user, name="profile")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    inputs = requests_for(user, random.Random(7), args.n)
    kinds = [k for k in args.kinds.split(",") if k]
    if "baseline" in kinds:
        create_table()
    print(f"{connection.vendor}: {WorkOrder.objects.count():,} work orders")
    results = {}
    for kind in kinds:
        for arg in inputs[kind][:20]:  # warm-up: imports, caches, connection
            call(client, kind, arg)
        results[kind] = measure(client, kind, inputs[kind])
        print(f"{kind:<8}", json.dumps(results[kind]))
    if "create" in results and "baseline" in results:
        # What the HTTP benchmark's ratio would be if the machine's CPU were all Django's and the
        # database's (no HTTP server, no load generator): a guide while working, not the target.
        cost = {k: results[k]["cpu_ms_median"] + (results[k]["db_cpu_ms_mean"] or 0) for k in ("create", "baseline")}
        print(f"in-process CPU per request: create {cost['create']:.2f} ms, baseline {cost['baseline']:.2f} ms, "
              f"ratio {cost['baseline'] / cost['create']:.3f}")
    if args.sql:
        with CaptureQueriesContext(connection) as ctx:
            call(client, args.sql, inputs[args.sql][1])
        for q in ctx.captured_queries:
            print(f"  [{q['time']}s] {q['sql'][:400]}")
    if args.profile:
        prof = cProfile.Profile(time.process_time)  # CPU, not waits on the database
        prof.enable()
        for arg in inputs[args.profile]:
            call(client, args.profile, arg)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
