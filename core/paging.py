"""Counting a list's matches without counting a million of them (the console's and the API's lists)."""

from __future__ import annotations

from django.db.models import QuerySet

# Counting every match of a broad filter on a million rows costs more than the page itself;
# past this many the list says "10,000+".
COUNT_CAP = 10_000


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """(count, capped): the exact count up to COUNT_CAP."""
    n = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP
