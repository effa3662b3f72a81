"""Trigram indexes for searching customers by name and sites by address (customers/search.py).

PostgreSQL: pg_trgm GIN indexes (no column of a PostgreSQL-only type: the tables stay portable).
SQLite: FTS5 tables with the trigram tokenizer, filled from the tables and kept in step by triggers, so
every writer (the services, the admin, bulk loaders) is indexed. Names are indexed as ``^name$`` so a
two-character given name is one trigram at the name's start or end. Each migration runs only on its vendor.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON customers_customer USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS site_address_trgm ON customers_site USING gin (address gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS customer_name_trgm", "DROP INDEX IF EXISTS site_address_trgm"]

NAME = "'^' || {row}.name || '$'"
SITE_BRAND = "(SELECT brand_id FROM customers_customer WHERE id = {row}.customer_id)"
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE customers_name_fts USING fts5(name, brand_id UNINDEXED, tokenize='trigram')",
    "INSERT INTO customers_name_fts(rowid, name, brand_id) SELECT id, '^' || name || '$', brand_id"
    " FROM customers_customer",
    "CREATE TRIGGER customers_name_fts_insert AFTER INSERT ON customers_customer BEGIN"
    f" INSERT INTO customers_name_fts(rowid, name, brand_id) VALUES (new.id, {NAME.format(row='new')}, new.brand_id);"
    " END",
    "CREATE TRIGGER customers_name_fts_update AFTER UPDATE OF name, brand_id ON customers_customer BEGIN"
    f" UPDATE customers_name_fts SET name = {NAME.format(row='new')}, brand_id = new.brand_id WHERE rowid = new.id;"
    " END",
    "CREATE TRIGGER customers_name_fts_delete AFTER DELETE ON customers_customer BEGIN"
    " DELETE FROM customers_name_fts WHERE rowid = old.id; END",
    "CREATE VIRTUAL TABLE customers_site_fts USING fts5(address, brand_id UNINDEXED, tokenize='trigram')",
    "INSERT INTO customers_site_fts(rowid, address, brand_id) SELECT s.id, s.address, c.brand_id"
    " FROM customers_site s JOIN customers_customer c ON c.id = s.customer_id",
    "CREATE TRIGGER customers_site_fts_insert AFTER INSERT ON customers_site BEGIN"
    f" INSERT INTO customers_site_fts(rowid, address, brand_id) VALUES (new.id, new.address,"
    f" {SITE_BRAND.format(row='new')}); END",
    "CREATE TRIGGER customers_site_fts_update AFTER UPDATE OF address, customer_id ON customers_site BEGIN"
    f" UPDATE customers_site_fts SET address = new.address, brand_id = {SITE_BRAND.format(row='new')}"
    " WHERE rowid = new.id; END",
    "CREATE TRIGGER customers_site_fts_delete AFTER DELETE ON customers_site BEGIN"
    " DELETE FROM customers_site_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS customers_{t}_fts_{op}" for t in ("name", "site") for op in ("insert", "update",
                                                                                           "delete")),
    "DROP TABLE IF EXISTS customers_name_fts", "DROP TABLE IF EXISTS customers_site_fts",
]


def _fts5_trigram(cursor) -> bool:
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
        cursor.execute("DROP TABLE temp.fts5_probe")
        return True
    except Exception:  # SQLite built without FTS5, or older than 3.34: search falls back to a bounded scan
        return False


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            statements = PG_FORWARD
        elif vendor == "sqlite" and _fts5_trigram(cursor):
            statements = SQLITE_FORWARD
        else:
            return
        for sql in statements:
            cursor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_site_location")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
