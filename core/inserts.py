"""One row's INSERT built from its model, for the write paths that run too often to pay the ORM.

``Model.objects.create`` compiles its INSERT afresh on every call (several hundred microseconds of
Python for a wide row); this asks the same fields for the same values (``pre_save`` fills the
timestamps, ``get_db_prep_save`` adapts each value) and leaves the statement's shape to the caller,
who may put SQL of its own in some columns' places (a value another part of the statement makes).
"""

from __future__ import annotations

import functools

from django.db import connections, models

from core.prepared import convert


@functools.cache
def insert_columns(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.local_concrete_fields if not f.primary_key)


def insert_values(
    obj: models.Model, connection, expressions: dict[str, tuple[str, list]] | None = None,
) -> tuple[str, list]:
    """``(columns) VALUES (...)`` for ``obj`` and its parameters.

    ``expressions`` maps an attname to the SQL (and its parameters) that gives the column's value.
    ``connection`` is a connection itself (``connections[alias]``), not the ``django.db.connection``
    proxy, which costs a lookup on every attribute read.
    """
    expressions = expressions or {}
    values, params = [], []
    for field in insert_columns(type(obj)):
        expression = expressions.get(field.attname)
        if expression is not None:
            values.append(expression[0])
            params.extend(expression[1])
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    return f"{_column_list(type(obj), connection.alias)} VALUES ({', '.join(values)})", params


@functools.cache
def _column_list(model: type[models.Model], using: str) -> str:
    quote = connections[using].ops.quote_name
    return f"({', '.join(quote(f.column) for f in insert_columns(model))})"


def returned_fields(model: type[models.Model]) -> list[models.Field]:
    """What ``save()`` reads back from an INSERT: the pk and the fields with a database default."""
    return list(model._meta.db_returning_fields)


def returning(fields: list[models.Field], connection) -> str:
    return "RETURNING " + ", ".join(connection.ops.quote_name(f.column) for f in fields)


def set_returned(obj: models.Model, fields: list[models.Field], row: tuple, connection) -> None:
    """Set what the INSERT returned on ``obj`` as ``save()`` does, through each field's converters.

    (PostgreSQL hands jsonb back with its own key order: the instance must hold what a later read gives.)
    """
    for field, value in zip(fields, row, strict=True):
        setattr(obj, field.attname, convert(field, value, connection))
    obj._state.adding = False
    obj._state.db = connection.alias
