# PostgreSQL: vacuum the work-order table after every few thousand new or changed orders, not after a
# fifth of the table. The list's capped counts are index-only scans only over pages the visibility map
# marks all-visible; rows newer than the last vacuum are checked in the table one by one. With the
# defaults (20 % of the table) a 1M-order table kept 200,000 such rows, and at 50,000 of them the list
# p99 at 100 req/s was 782 ms against 65 ms right after a VACUUM (docs/benchmarks.md). Such a vacuum
# reads only the pages changed since the last one. SQLite: nothing to do.
from django.db import migrations

SETTINGS = {
    "autovacuum_vacuum_insert_threshold": 2000,
    "autovacuum_vacuum_insert_scale_factor": 0,
    "autovacuum_vacuum_threshold": 2000,
    "autovacuum_vacuum_scale_factor": 0.01,
}


def _alter(apps, schema_editor, change: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("workorders", "WorkOrder")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} {change}")


def tune(apps, schema_editor):
    _alter(apps, schema_editor, f"SET ({', '.join(f'{name} = {value}' for name, value in SETTINGS.items())})")


def untune(apps, schema_editor):
    _alter(apps, schema_editor, f"RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0009_covering_list_indexes"),
    ]

    operations = [migrations.RunPython(tune, untune, elidable=False)]
