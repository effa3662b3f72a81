"""Server-side time of the staff console's pages on the database in DATABASE_URL (or the default SQLite).

    DATABASE_URL=sqlite:////abs/path.sqlite3 .venv/bin/python bench/console.py [--repeat 20]

Runs the real views through Django's test client as the demo dispatcher (and an outlet manager),
over a fixed set of searches, filters and pages, and prints p50/p95/max per page in milliseconds.
Build the data first with `manage.py demo --seed 42 --scale N`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from customers.models import InstalledProduct  # noqa: E402
from workorders.models import WorkOrder  # noqa: E402


def measure(client: Client, url: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    orders = WorkOrder.objects.count()
    sample = WorkOrder.objects.order_by("-pk").select_related("customer").first()
    product = InstalledProduct.objects.order_by("pk").first()
    outlet_id = WorkOrder.objects.exclude(outlet=None).values_list("outlet_id", flat=True).first()
    cases = {
        "list, no filter": "/console/",
        "list, page 40": "/console/?page=40",
        "list, status=new": "/console/?status=new",
        "list, outlet + status": f"/console/?outlet={outlet_id}&status=closed",
        "list, sla=breached": "/console/?sla=breached",
        "list, date range": "/console/?created_from=2026-09-01&created_to=2026-09-30",
        "search, order number": f"/console/?q={sample.number}",
        "search, phone": f"/console/?q={sample.customer.phone}",
        "search, serial": f"/console/?q={product.serial}",
        "detail": f"/console/orders/{sample.pk}/",
    }
    print(f"{orders:,} work orders on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
          f"{args.repeat} requests per case, server-side time in ms")
    for username in ("dispatcher", "outlet_manager"):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.get(username=username))
        print(f"\n{username}")
        print(f"  {'case':<24}{'p50':>8}{'p95':>8}{'max':>8}")
        for name, url in cases.items():
            if username != "dispatcher" and name == "detail":
                continue
            times = sorted(measure(client, url, args.repeat))
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"  {name:<24}{statistics.median(times):>8.1f}{p95:>8.1f}{times[-1]:>8.1f}")


if __name__ == "__main__":
    main()
