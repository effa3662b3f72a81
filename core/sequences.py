from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from core.models import Counter


def next_value(key: str) -> int:
    """Advance the named counter and return the new value.

    Must run inside the caller's transaction: the UPDATE holds the row (PostgreSQL) or the
    database write lock (SQLite, IMMEDIATE) until commit, so no two callers get one value.
    UPDATE ... RETURNING (SQLite 3.35+, PostgreSQL) does it in one statement.
    """
    assert transaction.get_connection().in_atomic_block, "next_value needs a transaction"
    table = connection.ops.quote_name(Counter._meta.db_table)
    sql = f"UPDATE {table} SET value = value + 1 WHERE key = %s RETURNING value"
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        if row:
            return row[0]
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, value=1)
                return 1
        except IntegrityError:
            cursor.execute(sql, [key])
            return cursor.fetchone()[0]
