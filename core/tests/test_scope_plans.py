"""Scopes built from another model's scope look their parent up per row on SQLite.

SQLite runs a non-correlated ``IN (subquery)`` whole before the outer query ("LIST SUBQUERY" in its
plan): a brand dispatcher's timeline of one order read every order id of the brand first (385 ms at
1M orders). ``ScopedQuerySet.through`` writes the same filter as a correlated EXISTS. This holds every
scoped model to that, for each kind of party, so a new scope written as ``parent__in=...`` fails here.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connection

from core.scoping import ScopedQuerySet

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL plans IN and EXISTS alike"),
]

# Customers, their sites and products reach an outlet or a technician through the orders they were
# given: parents through a column of their children, where the IN is the better plan (core/scoping.py).
THROUGH_ORDERS = {"customers.Customer", "customers.Site", "customers.InstalledProduct"}


def scoped_models():
    return [m for m in apps.get_models() if isinstance(m._default_manager.all(), ScopedQuerySet)]


def plan_of(queryset) -> list[str] | None:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # the scope is none() for this party: nothing is read
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[3] for row in cursor.fetchall()]


@pytest.mark.parametrize("persona", ["dispatcher", "manager_a", "tech_a", "customer"])
def test_no_scope_reads_its_parents_whole_to_fetch_one_row(world, persona):
    # Given a party of each kind
    found = getattr(world, persona)
    user = getattr(found, "user", found)
    allowed = THROUGH_ORDERS if persona in ("manager_a", "tech_a") else set()
    models = scoped_models()
    assert len(models) > 30  # the walk reaches the tenant-owned models, not an empty list

    # When each scoped model is asked for one row by primary key
    listed = {}
    for model in models:
        plan = plan_of(model._default_manager.visible_to(user).filter(pk=1))
        if plan and any("LIST SUBQUERY" in step for step in plan) and model._meta.label not in allowed:
            listed[model._meta.label] = plan

    # Then no plan builds a parent's whole list first
    assert listed == {}
