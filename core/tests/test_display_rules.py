"""How amounts, distances and "done" are written: one rule each, in both languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import translation

from core.dates import hours, window
from core.money import yuan
from core.text import sentences
from field.geo import distance_text
from notifications.texts import words
from portal import slotpicker
from portal.templatetags.portal_tags import yuan as portal_yuan
from portal.tracking import build, event_text
from workorders.choices import EventKind, Status, WorkOrderType, done_label, is_first_booking, is_first_window
from workorders.models import WorkOrderEvent
from workorders.tests.factories import make_order


def test_a_deduction_is_written_minus_before_the_currency_sign():
    assert yuan(Decimal("-5")) == "\u2212¥5.00"
    assert yuan(Decimal("1234.5")) == "¥1,234.50"
    assert yuan(Decimal("0")) == "¥0.00" and yuan(None) == ""
    assert portal_yuan(Decimal("-10.00")) == "\u2212¥10.00"


def test_a_distance_is_in_metres_below_a_kilometre_and_in_kilometres_above():
    with translation.override("zh-hans"):
        assert distance_text(17995) == "18.0 公里"
        assert distance_text(850) == "850 米"
        assert distance_text(1000) == "1.0 公里"
    with translation.override("en"):
        assert distance_text(17995) == "18.0 km" and distance_text(0) == "0 m"
    assert distance_text(None) == ""


NINE = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
ELEVEN = NINE + dt.timedelta(hours=2)


def test_a_time_window_is_written_one_way_an_en_dash_between_its_ends():
    assert hours(NINE, ELEVEN) == "09:00\u201311:00" and hours(NINE) == "09:00"
    with translation.override("zh-hans"):
        assert window(NINE, ELEVEN) == "12月8日 09:00–11:00"
        assert window(NINE, ELEVEN, day="明天") == "明天 09:00–11:00"
    with translation.override("en"):
        assert window(NINE, ELEVEN) == "December 8, 09:00–11:00"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_portal_and_the_messages_write_a_booked_window_the_same_way(language):
    booked = WorkOrderEvent(kind=EventKind.RESCHEDULED, data={"from": None,
                                                                "to": [NINE.isoformat(), ELEVEN.isoformat()]})
    order = SimpleNamespace(number="WO-1", pk=1, brand=SimpleNamespace(name="Acme", code="acme"), technician=None,
                            slot_start=NINE, slot_end=ELEVEN)
    with translation.override(language):
        said = window(NINE, ELEVEN)
        on_the_timeline = str(event_text(booked, "repair"))
        picked = slotpicker.by_day([(NINE, ELEVEN)], now=NINE)[0].choices[0].label
        described = slotpicker.describe(NINE, ELEVEN, now=NINE - dt.timedelta(days=3))
    message = words("order.booked", language=language, order=order, data={}).text
    assert said in on_the_timeline and said in message
    assert picked == "09:00–11:00" and described.endswith(" 09:00–11:00")  # the picker names the day its own way
    assert "09:00-11:00" not in on_the_timeline + message + described


def test_a_window_that_replaced_none_is_a_booking_for_the_message_and_every_timeline():
    for previous in (None, [], [None, None]):
        assert is_first_window(previous)
        assert is_first_booking(EventKind.RESCHEDULED, {"from": previous, "to": [NINE.isoformat(), ELEVEN.isoformat()]})
    assert not is_first_window([NINE.isoformat(), ELEVEN.isoformat()])
    assert not is_first_booking(EventKind.NOTE, {})


def test_sentences_follow_one_another_as_each_language_writes_them():
    assert sentences(["Callback done.", "", "Rework order WO-2 is with Outlet B."]) == (
        "Callback done. Rework order WO-2 is with Outlet B.")
    assert sentences(["回访已完成。", "返修工单 WO-2 已交给滨江网点。"]) == "回访已完成。返修工单 WO-2 已交给滨江网点。"
    assert sentences(["请选择原因！", "Choose a van."]) == "请选择原因！Choose a van."


def test_done_is_said_by_the_type_of_order():
    with translation.override("zh-hans"):
        assert [str(done_label(t)) for t in (WorkOrderType.INSTALL, WorkOrderType.REPAIR,
                                              WorkOrderType.MAINTENANCE, WorkOrderType.INSPECTION)] == [
            "安装完成", "维修完成", "保养完成", "检测完成"]


@pytest.mark.django_db
def test_the_customer_timeline_of_an_installation_says_installed(world):
    order = make_order(world, status=Status.COMPLETED, type=WorkOrderType.INSTALL)
    events = list(order.events.filter(customer_visible=True).order_by("created_at", "pk"))
    with translation.override("zh-hans"):
        track = build(order, events)
        texts = [str(text) for _at, text in track.events]
        labels = [str(stage.label) for stage in track.stages]
    assert "安装完成" in texts and "维修完成" not in texts
    assert "安装完成" in labels and "维修完成" not in labels


@pytest.mark.django_db
def test_the_admin_is_titled_for_the_product_and_says_change_as_modify(world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    client.force_login(world.admin)
    client.cookies["django_language"] = "zh-hans"
    body = client.get("/admin/").content.decode()
    assert "售后服务平台管理后台" in body and "Django 管理" not in body
    assert "修改" in body and "更换" not in body
