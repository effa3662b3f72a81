"""How the work-order table is kept on PostgreSQL (migration 0010)."""

import importlib

import pytest
from django.db import connection

from workorders.models import WorkOrder

SETTINGS = importlib.import_module("workorders.migrations.0010_workorder_autovacuum").SETTINGS


@pytest.mark.django_db
def test_the_work_order_table_is_vacuumed_after_a_few_thousand_changes_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum settings are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [WorkOrder._meta.db_table])
        options = dict(option.split("=", 1) for option in cursor.fetchone()[0] or [])
    assert options == {name: str(value) for name, value in SETTINGS.items()}
