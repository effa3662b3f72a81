"""How amounts, distances and "done" are written: one rule each, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from core.money import yuan
from field.geo import distance_text
from portal.templatetags.portal_tags import yuan as portal_yuan
from portal.tracking import build
from workorders.choices import Status, WorkOrderType, done_label
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
