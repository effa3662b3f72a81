"""Runs inside one bench database's environment (SQLITE_PATH or DATABASE_URL set by bench/run.py).

``prepare.py info``  prints what the database holds (for --reuse), or {"ready": false}.
``prepare.py analyze`` refreshes the planner statistics after the bulk load, and on PostgreSQL
also the visibility map (VACUUM), without which the capped COUNT cannot use an index-only scan and
reads the heap (measured: 55 ms instead of 5 ms at 1M rows). Autovacuum would get there on its
own some time after the load; doing it here keeps the figures independent of that timing.
``prepare.py setup`` creates the bench-only table, issues a token for the dispatcher and picks the
request inputs (visible customers/products, order ids, outlets, phones) up front, so the load
generator does no database work of its own. Prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402

from accounts.models import ApiToken, Organisation, User  # noqa: E402
from bench.baseline_urls import create_table  # noqa: E402
from customers.models import Customer, InstalledProduct  # noqa: E402
from workorders.choices import Channel, Priority, SlaState, Status, WorkOrderType  # noqa: E402
from workorders.models import WorkOrder  # noqa: E402

DISPATCHER = "dispatcher"
SAMPLE_TRIES = 20  # rounds of random-id probing before giving up on a sparse table


def info() -> dict:
    try:
        user = User.objects.filter(username=DISPATCHER).first()
        return {
            "ready": user is not None,
            "vendor": connection.vendor,
            "work_orders": WorkOrder.objects.count(),
            "products": InstalledProduct.objects.count(),
            "customers": Customer.objects.count(),
        }
    except Exception as exc:  # no tables yet: the caller rebuilds
        return {"ready": False, "error": str(exc)[:200]}


def _random_rows(qs, n: int, rng: random.Random, fields: tuple[str, ...]) -> list[dict]:
    """n rows of qs picked by probing random primary keys (ORDER BY random() scans the table)."""
    bounds = qs.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    found: dict[int, dict] = {}
    for _round in range(SAMPLE_TRIES):
        if len(found) >= n:
            break
        probe = {rng.randint(bounds["lo"], bounds["hi"]) for _ in range(min(2 * n, 5000))}
        for row in qs.filter(pk__in=probe).values("pk", *fields):
            found[row["pk"]] = row
    rows = list(found.values())
    rng.shuffle(rows)
    return rows[:n]


def setup(samples: int, seed: int) -> dict:
    rng = random.Random(seed)
    create_table()
    user = User.objects.get(username=DISPATCHER)
    _, raw = ApiToken.issue(user=user, name="bench")

    products = _random_rows(
        InstalledProduct.objects.visible_to(user), samples, rng, ("customer_id", "site_id")
    )
    types = list(WorkOrderType.values)
    creates = [
        {
            "customer_id": p["customer_id"],
            "type": rng.choice(types),
            "channel": rng.choice([Channel.HOTLINE, Channel.PORTAL, Channel.WECHAT]).value,
            "priority": rng.choice(list(Priority.values)),
            "symptom": f"bench: unit does not start ({i})",
            "product_id": p["pk"],
            **({"site_id": p["site_id"]} if p["site_id"] else {}),
        }
        for i, p in enumerate(products)
    ]
    order_ids = [r["pk"] for r in _random_rows(WorkOrder.objects.visible_to(user), samples, rng, ())]
    outlets = list(
        Organisation.objects.visible_to(user).exclude(brand=None).values_list("pk", flat=True)
    )
    customers = _random_rows(Customer.objects.visible_to(user), 200, rng, ("phone",))
    phones = [c["phone"] for c in customers if c["phone"]]

    # The list mix: one or two filters per request, pages 1..5, page_size 25.
    lists: list[dict] = []
    for _ in range(samples):
        kind = rng.choice(["status", "outlet", "outlet_status", "sla", "q_phone", "none"])
        params: dict = {"page": rng.randint(1, 5), "page_size": 25}
        if kind in ("status", "outlet_status"):
            params["status"] = rng.choice(list(Status.values))
        if kind in ("outlet", "outlet_status") and outlets:
            params["outlet"] = rng.choice(outlets)
        if kind == "sla":
            params["sla"] = rng.choice(list(SlaState.values))
        if kind == "q_phone" and phones:
            params["q"] = rng.choice(phones)
            params["page"] = 1  # a customer has a handful of orders: later pages are empty
        params["_kind"] = kind
        lists.append(params)

    return {
        "vendor": connection.vendor,
        "token": raw,
        "creates": creates,
        "order_ids": order_ids,
        "lists": lists,
        "counts": info(),
    }


def analyze() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"analyzed": connection.vendor}


def main(argv: list[str]) -> int:
    if argv[:1] == ["analyze"]:
        print(json.dumps(analyze()))
        return 0
    if argv[:1] == ["info"]:
        print(json.dumps(info()))
        return 0
    if argv[:1] == ["setup"]:
        samples = int(argv[1]) if len(argv) > 1 else 2000
        seed = int(argv[2]) if len(argv) > 2 else 42
        data = setup(samples, seed)
        if not data["creates"] or not data["order_ids"]:
            print("bench: the data set has no visible products or work orders", file=sys.stderr)
            return 2
        print(json.dumps(data))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
