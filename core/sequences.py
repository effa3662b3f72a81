from __future__ import annotations

import functools

from django.db import connections, transaction

from core.models import Counter


@functools.cache
def upsert_sql(using: str) -> str:
    """Create the named counter at 1 or advance it by one, returning the new value: one statement,
    quoted for the database ``using``.

    INSERT ... ON CONFLICT DO UPDATE ... RETURNING: PostgreSQL 9.5+, SQLite 3.35+.
    """
    q = connections[using].ops.quote_name
    table, key, value = q(Counter._meta.db_table), q("key"), q("value")
    return (f"INSERT INTO {table} ({key}, {value}) VALUES (%s, 1) "
            f"ON CONFLICT ({key}) DO UPDATE SET {value} = {table}.{value} + 1 RETURNING {value}")


def next_value(key: str) -> int:
    """Advance the named counter and return the new value.

    Must run inside the caller's transaction: the write holds the row (PostgreSQL) or the
    database write lock (SQLite, IMMEDIATE) until commit, so no two callers get one value and
    a rolled-back caller's value is given again.
    """
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "next_value needs a transaction"
    with connection.cursor() as cursor:
        cursor.execute(upsert_sql(connection.alias), [key])
        return cursor.fetchone()[0]
