"""Every input of every API operation is bounded (core/schema.py): ids, days, times, amounts, text.

A structural walk of the mounted API, so a route added later without the bounded types fails here
before a caller finds the 500 (an id past 64 bits, the year 1, a NUL in a name, "1e3" as an amount).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from enum import Enum

from annotated_types import Ge, Gt, Le, Lt
from ninja.files import UploadedFile
from ninja.params.models import HeaderModel
from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

from aftersales.api import api
from core import bounds
from core.schema import Input, _money, check_day, check_moment, check_past_day, check_text

DAY_CHECKS = {check_day, check_past_day}


def _metadata(items) -> list:
    found = []
    for item in items:
        found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return found


def _problems(annotation, metadata: list, where: str, in_input: bool, seen: set) -> list[str]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _problems(base, metadata + _metadata(extra), where, in_input, seen)
    if origin in (typing.Union, types.UnionType):
        return [p for arg in typing.get_args(annotation) if arg is not type(None)
                for p in _problems(arg, metadata, where, in_input, seen)]
    if origin is typing.Literal or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return []
    if origin in (list, tuple, set, frozenset, dict):
        return [p for arg in typing.get_args(annotation) if arg is not Ellipsis
                for p in _problems(arg, [], f"{where}[]", in_input, seen)]
    validators = {m.func for m in metadata if isinstance(m, AfterValidator | BeforeValidator)}
    if annotation is bool or annotation is UploadedFile or annotation in (dict, list):
        return []
    if annotation in (int, float):
        le = min([m.le for m in metadata if isinstance(m, Le)] + [m.lt for m in metadata if isinstance(m, Lt)],
                 default=None)
        ge = max([m.ge for m in metadata if isinstance(m, Ge)] + [m.gt for m in metadata if isinstance(m, Gt)],
                 default=None)
        ok = le is not None and ge is not None and le <= bounds.MAX_ID and ge >= -bounds.MAX_ID - 1
        return [] if ok else [f"{where}: a number without bounds (use core.schema.Id, or ge/le)"]
    if annotation is dt.datetime:
        return [] if check_moment in validators else [f"{where}: a datetime that is not core.schema.Moment"]
    if annotation is dt.date:
        return [] if validators & DAY_CHECKS else [f"{where}: a date that is not core.schema.Day"]
    if annotation is str:
        return [] if in_input or check_text in validators else [f"{where}: text outside an Input schema (use Text)"]
    if annotation is Decimal:
        bounded = _money in validators or any(getattr(m, "allow_inf_nan", None) is False for m in metadata)
        return [] if bounded else [f"{where}: a Decimal that is not core.schema.Money"]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not issubclass(annotation, Input):
            return [f"{where}: {annotation.__name__} is not a core.schema.Input"]
        if annotation in seen:
            return []
        seen.add(annotation)
        return [p for name, field in annotation.model_fields.items()
                for p in _problems(field.annotation, list(field.metadata), f"{annotation.__name__}.{name}", True,
                                   seen)]
    return [f"{where}: an input of type {annotation!r} this test does not know"]


def test_every_input_of_every_operation_is_bounded():
    api.get_openapi_schema(path_prefix="")  # binds every router's operations
    problems: list[str] = []
    operations = 0
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                operations += 1
                for model in operation.models:
                    # A header cannot carry a NUL through an HTTP server; its ints and dates still count.
                    in_header = issubclass(model, HeaderModel)
                    for name, field in model.model_fields.items():
                        where = f"{'/'.join(operation.methods)} {path} {name}"
                        problems += _problems(field.annotation, list(field.metadata), where, in_header, set())
    assert operations > 60
    assert problems == [], "\n".join(problems)
