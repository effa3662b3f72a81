"""Datetimes on the wire (core.api.wire_datetime): one text per value, whoever renders it, and kept as is."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from core.api import ApiDateTime, WireRenderer, wire_datetime

moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                       timezones=st.just(dt.UTC))


class Body(BaseModel):
    at: ApiDateTime


@given(moments)
def test_read_back_it_reads_the_same(moment):
    # What a replayed response does (core.idempotency): the kept JSON is validated and rendered again.
    text = wire_datetime(moment)
    again = Body.model_validate({"at": text}).model_dump(mode="json")["at"]
    assert again == text


@given(moments)
def test_the_route_renderer_and_the_hot_path_write_alike(moment):
    rendered = json.loads(WireRenderer().render(None, {"at": moment}, response_status=200))["at"]
    assert rendered == Body(at=moment).model_dump(mode="json")["at"] == wire_datetime(moment)


def test_milliseconds_and_z():
    at = dt.datetime(2026, 12, 6, 19, 20, 26, 4500, tzinfo=dt.UTC)
    assert wire_datetime(at) == "2026-12-06T19:20:26.004Z"
    # Microseconds alone are below what the wire says: the value is written whole, as it reads back.
    assert wire_datetime(at.replace(microsecond=500)) == "2026-12-06T19:20:26Z"
    assert wire_datetime(at.replace(microsecond=0)) == "2026-12-06T19:20:26Z"
