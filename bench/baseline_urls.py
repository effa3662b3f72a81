"""The product's URLs plus one bench-only route: the bare-INSERT baseline.

Selected only when gunicorn runs with ROOT_URLCONF_OVERRIDE=bench.baseline_urls, so the
product never serves it. The view goes through the same middleware stack and the same
database settings as the API; it does a single INSERT and nothing else, which is the floor
the API's creation throughput is compared against.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_insert"
BASELINE_PATH = "bench/baseline-insert"


def create_table() -> None:
    """Create the bench-only table (called by bench/prepare.py, never by a migration)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
                "created_at timestamptz NOT NULL, payload varchar(200) NOT NULL)"
            )
        else:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, "
                "created_at datetime NOT NULL, payload varchar(200) NOT NULL)"
            )
        cursor.execute(f"DELETE FROM {TABLE}")


@csrf_exempt
def baseline_insert(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with connection.cursor() as cursor:
        # Autocommit: one INSERT is one transaction, as the API's create is one transaction.
        cursor.execute(
            f"INSERT INTO {TABLE} (created_at, payload) VALUES (%s, %s)",
            [timezone.now(), request.body[:200].decode("utf-8", "replace")],
        )
    return HttpResponse(status=201)


urlpatterns = [
    path(BASELINE_PATH, baseline_insert),
    path("", include("aftersales.urls")),
]
