"""ORM queries compiled once per process and re-run with new values.

Building and compiling a queryset costs Django a few hundred microseconds of Python, several times
what the statement itself costs the database, and a hot request (opening a work order) pays it on
every call. A ``PreparedQuery`` asks the ORM for the SQL once per shape, with stand-in values whose
places among the parameters it records, and then runs that SQL with the real values. The query is
still the ORM's, scoping included (``visible_to``'s ``_scope`` builds it), so nothing is restated
by hand; ``core/tests/test_prepared.py`` holds the rows to the ORM's for every persona.

Only for ``values_list`` queries of columns that need no conversion from the database (ids, texts):
the rows come back as the driver gives them.

``hot_cursor`` is the other half: on PostgreSQL its statements are prepared on the connection, so the
server plans each of them once per connection instead of on every request (for the token lookup,
0.24 ms of server CPU per run before, 0.04 after). Django leaves preparing off so that old poolers
keep working; settings.py enables it for these statements unless DB_PREPARE_HOT_STATEMENTS is off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet

# Integers no real id or constant of ours takes, each standing for one named value while compiling.
_STAND_IN_BASE = -7_302_915_000_000


@dataclasses.dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: the ORM found the query empty (a .none() scope)
    slots: tuple[tuple[int, str], ...]  # (parameter index, value name)
    constants: tuple[Any, ...]


class PreparedQuery:
    """``build(**values)`` returns a values_list queryset; ``rows(shape, **values)`` runs it.

    ``shape`` must tell apart every build whose SQL can differ for reasons other than the values
    themselves: a branch on a role, or a value that is None (the ORM writes ``IS NULL`` for it, not
    a parameter). A value may be an int (an id) or an object with int attributes listed in
    ``attributes`` (a principal), each attribute then a value of its own.
    """

    def __init__(self, build: Callable[..., QuerySet], *, attributes: dict[str, tuple[str, ...]] | None = None):
        self._build = build
        self._attributes = attributes or {}
        self._compiled: dict[tuple[str, Hashable], _Compiled] = {}

    def rows(self, shape: Hashable, using: str = "default", **values: Any) -> list[tuple]:
        compiled = self._compiled.get((using, shape))
        if compiled is None:
            compiled = self._compiled[(using, shape)] = self._compile(using, values)
        if compiled.sql is None:
            return []
        flat = self._flatten(values)
        params = list(compiled.constants)
        for index, name in compiled.slots:
            params[index] = flat[name]
        with hot_cursor(using) as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchall()

    def _flatten(self, values: dict[str, Any]) -> dict[str, Any]:
        flat = {}
        for name, value in values.items():
            attributes = self._attributes.get(name)
            if attributes is None:
                flat[name] = value
            else:
                flat.update((f"{name}.{attr}", getattr(value, attr)) for attr in attributes)
        return flat

    def _compile(self, using: str, values: dict[str, Any]) -> _Compiled:
        counter = itertools.count()
        stand_ins: dict[int, str] = {}

        def stand_in(name: str) -> int:
            value = _STAND_IN_BASE - next(counter)
            stand_ins[value] = name
            return value

        build_values = {}
        for name, value in values.items():
            attributes = self._attributes.get(name)
            if attributes is None:
                build_values[name] = None if value is None else stand_in(name)
            else:
                changes = {a: None if getattr(value, a) is None else stand_in(f"{name}.{a}") for a in attributes}
                build_values[name] = dataclasses.replace(value, **changes)
        try:
            sql, params = self._build(**build_values).query.get_compiler(using).as_sql()
        except EmptyResultSet:
            return _Compiled(sql=None, slots=(), constants=())
        # A value the query does not use (a scope that ignores the brand) has no slot; a stand-in the ORM
        # wrote into the SQL text would run with the stand-in's value, so that shape is refused.
        if any(str(value) in sql for value in stand_ins):
            raise ValueError("a value was written into the SQL, not bound as a parameter")
        slots = tuple((i, stand_ins[p]) for i, p in enumerate(params) if isinstance(p, int) and p in stand_ins)
        return _Compiled(sql=sql, slots=slots, constants=tuple(params))


@contextlib.contextmanager
def hot_cursor(using: str = "default") -> Iterator[Any]:
    """A cursor for the statements run on (nearly) every request; on PostgreSQL they are prepared.

    Its parameters are bound by the server, not written into the SQL, so a literal ``%`` in the SQL
    must be doubled, as with any cursor. Statements still pass Django's wrapper: errors are Django's,
    and ``CaptureQueriesContext`` sees them.
    """
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor != "postgresql" or connection.connection.prepare_threshold is None:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.validate_thread_sharing()
    preparing, debug_wrapper = _preparing_classes()
    raw = preparing(connection.connection)
    cursor = debug_wrapper(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


@functools.cache
def _preparing_classes():
    # Django's PostgreSQL backend imports psycopg, which a SQLite installation need not have: loaded only
    # once a PostgreSQL connection asks for a prepared statement.
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Logs the statement with its values, as Django logs its own (it cannot read them back from a
        prepared statement's cursor)."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, PreparedDebugWrapper


def convert(field, value: Any, connection) -> Any:
    """A column's value as the ORM would hand it over (SQLite's texts to datetimes, ints to bools...)."""
    converters, col = _converters(field, connection.alias)
    for converter in converters:
        value = converter(value, col, connection)
    return value


@functools.cache
def _converters(field, using: str) -> tuple[tuple, Any]:
    connection = connections[using]
    col = field.get_col(field.model._meta.db_table)
    return (*connection.ops.get_db_converters(col), *field.get_db_converters(connection)), col


def instance_from_row(model, values, using: str = "default"):
    """A model instance from a row of all its concrete columns in field order, converted as the ORM does."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    return model.from_db(using, None, [convert(f, v, connection) for f, v in zip(fields, values, strict=True)])
