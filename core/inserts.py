"""One row's INSERT built from its model, for the write paths that run too often to pay the ORM.

``Model.objects.create`` compiles its INSERT afresh on every call (several hundred microseconds of
Python for a wide row). Here the statement's text is built once per model, database and shape, and
each call only asks the fields for their values as ``save()`` would (``pre_save`` fills the
timestamps, ``get_db_prep_save`` adapts each value). The caller may put SQL of its own in some
columns' places (a value another part of the statement makes).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.db import connections, models

from core.prepared import convert


@functools.cache
def insert_columns(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.local_concrete_fields if not f.primary_key)


@functools.cache
def insert_sql(model: type[models.Model], using: str, expressions: tuple[tuple[str, str], ...] = ()) -> str:
    """``INSERT INTO <table> (<columns>) VALUES (...)`` with ``%s`` for each column's value.

    ``expressions`` pairs an attname with the SQL that gives that column's value instead; its
    parameters, if any, go where ``insert_params`` is told to put them.
    """
    quote = connections[using].ops.quote_name
    given = dict(expressions)
    columns = insert_columns(model)
    names = ", ".join(quote(f.column) for f in columns)
    values = ", ".join(given.get(f.attname, "%s") for f in columns)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({values})"


def insert_params(obj: models.Model, connection, expressions: Mapping[str, list] | None = None) -> list:
    """The parameters of ``insert_sql`` for ``obj``: its columns' values, as ``save()`` would write them.

    ``expressions`` maps the attname of each column given as SQL to that SQL's parameters (``[]`` for
    none). ``connection`` is a connection itself (``connections[alias]``), not the
    ``django.db.connection`` proxy, which costs a lookup on every attribute read.
    """
    params = []
    for attname, field, computed, none_stays in _plan(type(obj), connection.alias):
        if expressions is not None and attname in expressions:
            params.extend(expressions[attname])
            continue
        value = field.pre_save(obj, True) if computed else getattr(obj, attname)
        params.append(None if value is None and none_stays else field.get_db_prep_save(value, connection))
    return params


@functools.cache
def _plan(model: type[models.Model], using: str) -> tuple[tuple[str, models.Field, bool, bool], ...]:
    """Per column: attname, field, whether its value comes from ``pre_save`` (a timestamp it fills), and
    whether None is written as None (true for most fields; asked of the field, not assumed)."""
    connection = connections[using]
    return tuple(
        (f.attname, f, type(f).pre_save is not models.Field.pre_save, f.get_db_prep_save(None, connection) is None)
        for f in insert_columns(model)
    )


def returned_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """What ``save()`` reads back from an INSERT: the pk and the fields with a database default."""
    return tuple(model._meta.db_returning_fields)


@functools.cache
def returning(fields: tuple[models.Field, ...], using: str) -> str:
    quote = connections[using].ops.quote_name
    return "RETURNING " + ", ".join(quote(f.column) for f in fields)


def set_returned(obj: models.Model, fields: tuple[models.Field, ...], row: tuple, connection) -> None:
    """Set what the INSERT returned on ``obj`` as ``save()`` does, through each field's converters.

    (PostgreSQL hands jsonb back with its own key order: the instance must hold what a later read gives.)
    """
    for field, value in zip(fields, row, strict=True):
        setattr(obj, field.attname, convert(field, value, connection))
    obj._state.adding = False
    obj._state.db = connection.alias
