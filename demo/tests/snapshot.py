"""The small demo, loaded once a test session and copied into each test that asks for it (the ``small_demo``
fixture of the root conftest.py).

A load takes half a minute or more; a copy a second or two. ``load("--now", NOW)`` leaves the test's database as
``manage.py demo --size small --now NOW`` leaves it and returns what the command printed. The first call with
those arguments runs the command in the test itself and then copies every table (and the sequences) into memory;
a later call empties the tables and writes the copy back, inside the test's transaction, so the test's rollback
(or a transactional test's flush) ends it as it ended a load. The copy is used only when the database starts
where the load started (the same rows in every table but the content types and permissions, which a flush
renumbers; the copy brings its own), inside a transaction as the load was or outside one as it was (what runs on
commit differs), with the same MEDIA_ROOT (the photos on disk). A load at the real time (no ``--now``) is copied
only the same day and for a while.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import closing
from dataclasses import dataclass
from io import StringIO

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

# Rows a flush renumbers (post_migrate writes them again) and rows no load writes: not compared before a copy.
NOT_COMPARED = {"django_content_type", "auth_permission", "django_migrations", "cache_entries", "sqlite_sequence"}
REAL_TIME_COPY_FOR = dt.timedelta(minutes=20)


@dataclass
class Snapshot:
    before: dict[str, int]
    output: str
    tables: list[tuple[str, object]]  # (table, rows) in insertion order
    sequences: list[tuple[str, int]]
    taken: float
    day: dt.date

    def fits(self, args: tuple[str, ...], before: dict[str, int]) -> bool:
        if before != self.before:
            return False
        if "--now" in args:
            return True
        return time.time() - self.taken < REAL_TIME_COPY_FOR.total_seconds() and timezone.localdate() == self.day


_SNAPSHOTS: dict[tuple, Snapshot] = {}


def load(*args: str, fresh: bool = False) -> str:
    """What ``manage.py demo --size small *args`` prints, with its data in the test's database (a copy of the
    session's first such load when that fits; ``fresh``: load anew, and keep that one to copy)."""
    key = (args, connection.in_atomic_block, str(settings.MEDIA_ROOT))
    before = row_counts()
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is not None and not fresh and snapshot.fits(args, before):
        restore(snapshot)
        return snapshot.output
    out = StringIO()
    call_command("demo", "--size", "small", *args, stdout=out)
    tables, sequences = dump()
    _SNAPSHOTS[key] = Snapshot(before=before, output=out.getvalue(), tables=tables, sequences=sequences,
                               taken=time.time(), day=timezone.localdate())
    return out.getvalue()


def table_names() -> list[str]:
    """Every table a load may write, parents before children (SQLite's search triggers read the parent row)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            names = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            rows = cursor.fetchall()
            virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
            names = {name for name, _sql in rows if not name.startswith("sqlite_")
                     and not any(name == v or name.startswith(f"{v}_") for v in virtual)}
    names.discard("django_migrations")
    parents: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        parents.setdefault(model._meta.db_table, set()).update(
            f.related_model._meta.db_table for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None and f.related_model is not model)
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered or name in path or name not in names:
            return
        for parent in sorted(parents.get(name, ())):
            visit(parent, (*path, name))
        ordered.append(name)

    for name in sorted(names):
        visit(name, ())
    return ordered


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for name in table_names():
            if name not in NOT_COMPARED:
                cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608 - our own table names
                counts[name] = cursor.fetchone()[0]
    return counts


def dump() -> tuple[list[tuple[str, object]], list[tuple[str, int]]]:
    connection.ensure_connection()
    raw = connection.connection
    tables: list[tuple[str, object]] = []
    with closing(raw.cursor()) as cursor:
        if connection.vendor == "postgresql":
            for name in table_names():
                with cursor.copy(f'COPY "{name}" TO STDOUT (FORMAT BINARY)') as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                tables.append((name, data))
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences "
                           "WHERE schemaname = current_schema() AND last_value IS NOT NULL")
            sequences = cursor.fetchall()
        else:
            for name in table_names():
                columns = [row[1] for row in cursor.execute(f'PRAGMA table_info("{name}")').fetchall()]
                # +column: an expression, which the connection's converters (by declared type) leave as stored.
                select = ", ".join(f'+"{column}"' for column in columns)
                tables.append((name, cursor.execute(f'SELECT {select} FROM "{name}"').fetchall()))  # noqa: S608
            sequences = cursor.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
    return tables, sequences


def restore(snapshot: Snapshot) -> None:
    """Every table as the snapshot holds it, in the test's transaction (or one of its own, committed)."""
    with transaction.atomic():
        raw = connection.connection
        with closing(raw.cursor()) as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE " + ", ".join(f'"{name}"' for name, _ in snapshot.tables))
                for name, data in snapshot.tables:
                    if len(data) > 21:  # more than the binary format's header and trailer: rows
                        with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT BINARY)') as copy:
                            copy.write(data)
                # Sequences only move on (setval is not undone by a rollback; rows outside the copy may use them).
                for name, value in snapshot.sequences:
                    cursor.execute(f'SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM "{name}")))',
                                   (name, value))
            else:
                for name, _rows in reversed(snapshot.tables):
                    cursor.execute(f'DELETE FROM "{name}"')  # noqa: S608
                for name, rows in snapshot.tables:
                    if rows:
                        marks = ", ".join("?" * len(rows[0]))
                        cursor.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)  # noqa: S608
                cursor.execute("DELETE FROM sqlite_sequence")
                cursor.executemany("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", snapshot.sequences)
    ContentType.objects.clear_cache()
