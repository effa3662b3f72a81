"""How the work-order table is kept on PostgreSQL (migration 0010)."""

import pytest
from django.db import connection

from workorders.models import WorkOrder

# After 2,000 new orders, or 2,000 + 1 % changed ones, rather than PostgreSQL's 20 % of the table.
EXPECTED = {
    "autovacuum_vacuum_insert_threshold": "2000",
    "autovacuum_vacuum_insert_scale_factor": "0",
    "autovacuum_vacuum_threshold": "2000",
    "autovacuum_vacuum_scale_factor": "0.01",
}


@pytest.mark.django_db
def test_the_work_order_table_is_vacuumed_after_a_few_thousand_changes_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum settings are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [WorkOrder._meta.db_table])
        options = dict(option.split("=", 1) for option in cursor.fetchone()[0] or [])
    assert options == EXPECTED
