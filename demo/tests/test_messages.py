"""The demo holds the messages of one whole repair of the demo customer, in Chinese, delivered."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from notifications.models import CustomerMessage

from .test_integrations import NOW


@pytest.mark.django_db
def test_the_demo_customer_has_the_messages_of_a_whole_repair():
    call_command("demo", "--size", "small", "--now", NOW, stdout=open("/dev/null", "w"))  # noqa: SIM115
    messages = CustomerMessage.objects.filter(customer__user__username="customer").order_by("created_at", "pk")
    orders = set(messages.values_list("work_order_id", flat=True))
    assert len(orders) == 1
    kinds = list(dict.fromkeys(messages.values_list("kind", flat=True)))
    assert kinds == ["order.created", "order.booked", "order.assigned", "order.en_route", "order.arrived",
                     "order.completed", "survey.sent"]
    assert set(messages.values_list("channel", flat=True)) == {"sms", "wechat"}
    assert set(messages.values_list("status", flat=True)) == {"delivered"}
    en_route = messages.get(kind="order.en_route", channel="sms")
    assert en_route.text.startswith("【") and "已出发，预计" in en_route.text
