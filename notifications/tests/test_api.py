"""GET /api/v1/workorders/{id}/messages and GET/PUT /api/v1/me/notification-preferences."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from notifications import customer_messages
from notifications.models import CustomerMessage, CustomerPreference, StaffPreference
from notifications.tests.messaging import Event
from workorders.choices import Status
from workorders.tests.factories import make_order

from .test_customer_messages import DAY


@pytest.fixture
def order(world):
    return make_order(world, status=Status.DISPATCHED)


def put(client, body):
    return client.put("/api/v1/me/notification-preferences", json.dumps(body), content_type="application/json")


def test_the_orders_messages_with_their_delivery_status(world, providers, order, api_as):
    providers.sms.fail_with = "isv.BUSINESS_LIMIT_CONTROL"
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)

    for persona in ("dispatcher", "manager_a", "customer"):
        answer = api_as(persona).get(f"/api/v1/workorders/{order.pk}/messages")
        assert answer.status_code == 200
        by_channel = {m["channel"]: m for m in answer.json()}
        assert {c: m["status"] for c, m in by_channel.items()} == {"sms": "failed", "wechat": "sent",
                                                                  "email": "sent"}
        assert by_channel["sms"]["error_code"] == "isv.BUSINESS_LIMIT_CONTROL"
        assert by_channel["sms"]["next_attempt_at"] is not None
        assert by_channel["wechat"]["event_kind"] == "order.assigned"


@pytest.mark.parametrize("persona", ["manager_b", "other_customer", "rival_dispatcher", "tech_b"])
def test_another_partys_order_messages_are_not_found(world, providers, order, api_as, persona):
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)
    answer = api_as(persona).get(f"/api/v1/workorders/{order.pk}/messages")
    assert answer.status_code == 404
    assert CustomerMessage.objects.count() == 3


def test_a_customer_reads_and_changes_their_channels_and_language(world, api_as):
    client = api_as("customer")
    assert client.get("/api/v1/me/notification-preferences").json() == {
        "party": "customer", "language": "zh-hans", "sms": True, "wechat": True, "email": True, "in_app": None,
        "reminders": True}

    answer = put(client, {"sms": False, "language": "en"})

    assert answer.status_code == 200
    assert answer.json()["sms"] is False and answer.json()["language"] == "en" and answer.json()["wechat"] is True
    saved = CustomerPreference.objects.get(customer=world.customer)
    assert (saved.sms, saved.wechat, saved.email, saved.language) == (False, True, True, "en")


def test_a_customer_may_not_set_a_staff_choice_and_nothing_changes(world, api_as):
    answer = put(api_as("customer"), {"in_app": False, "sms": False})
    assert answer.status_code == 403 and answer.json()["code"] == "field_not_allowed"
    assert not CustomerPreference.objects.exists()


def test_staff_choose_in_app_and_email(world, api_as):
    client = api_as("dispatcher")
    assert client.get("/api/v1/me/notification-preferences").json()["party"] == "staff"
    answer = put(client, {"email": True, "language": "en"})
    assert answer.json() == {"party": "staff", "language": "en", "sms": None, "wechat": None, "email": True,
                             "in_app": True, "reminders": None}
    saved = StaffPreference.objects.get(user=world.dispatcher)
    assert (saved.email, saved.in_app, saved.language) == (True, True, "en")
    refused = put(client, {"sms": False})
    assert refused.status_code == 403
    assert StaffPreference.objects.get(user=world.dispatcher).updated_at == saved.updated_at


def test_an_opted_out_customer_is_sent_nothing_on_that_channel_after_the_change(world, providers, order, api_as):
    put(api_as("customer"), {"wechat": False, "email": False})
    customer_messages.deliver(Event("order.arrived", world.brand.pk, order.pk), now=DAY + dt.timedelta(hours=1))
    assert providers.wechat.sent == [] and providers.smtp.messages == []
    assert len(providers.sms.sent) == 1
