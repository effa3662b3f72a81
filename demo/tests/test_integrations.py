"""The demo's integrations: seeded through the real services, and the published secret signs a request."""

from __future__ import annotations

import pytest

from catalog.models import FaultCodeMapping
from customers.models import InstalledProduct
from demo.integrations import DEMO_OPENID, DEMO_SECRET, WECHAT_TOKEN
from integrations.models import DeviceAlert, DeviceSecret, UsageReading, WeChatAccount, WeChatLink
from integrations.tests.factories import post_alert

NOW = "2026-11-20T10:00:00+00:00"


@pytest.mark.django_db
def test_the_demo_seeds_integrations_and_says_how_to_send_an_alert(small_demo):
    output = small_demo("--now", NOW)
    assert "manage.py send_test_alert" in output and DEMO_SECRET in output and "/wechat/aqualife/callback" in output
    assert DeviceSecret.objects.get(brand__code="aqualife").secret == DEMO_SECRET
    assert FaultCodeMapping.objects.filter(category__code="purifier", fault_code="E1").exists()
    assert FaultCodeMapping.objects.filter(product_model__code="RO-800P", fault_code="E2").exists()
    assert FaultCodeMapping.objects.filter(symptom__isnull=False).count() >= 10
    assert not DeviceAlert.objects.filter(work_order__isnull=False).exists()  # demo timelines stay demo/orders.py's
    assert DeviceAlert.objects.filter(outcome="readings_stored").count() >= 8
    assert DeviceAlert.objects.get(fault_code="E99").outcome == "unmapped_fault"
    mine = InstalledProduct.objects.filter(customer__user__username="customer",
                                           product_model__category__code="purifier").order_by("serial").first()
    litres = list(UsageReading.objects.filter(product=mine, metric="litres_filtered").order_by("read_at")
                  .values_list("value", flat=True))
    assert len(litres) == 4 and litres == sorted(litres)
    account = WeChatAccount.objects.get(brand__code="aqualife")
    assert account.token == WECHAT_TOKEN
    assert WeChatLink.objects.get(openid=DEMO_OPENID).customer.user.username == "customer"
    # The published demo secret signs a real request.
    resp = post_alert({"alert_id": "demo-check", "serial": mine.serial, "fault_code": "E1"}, secret=DEMO_SECRET,
                      brand="aqualife")
    # The demo's purifier already has an open order, so the alert joins its timeline (200, not 201 for a new one).
    assert resp.status_code == 200 and resp.json()["outcome"] == "added_to_order", resp.content
