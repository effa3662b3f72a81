"""Priority and channel come from the brand's rules and the caller's role, never from a customer's body.

A customer can mint an API token from the portal; with it they must not shorten their own SLA deadlines by
asking for "urgent", nor have their order recorded as taken by the hotline.
"""

from __future__ import annotations

import json

import pytest

from accounts.principal import principal_of
from core.errors import FieldNotAllowed
from workorders import services
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def counts():
    return WorkOrder.objects.count(), WorkOrderEvent.objects.count()


@pytest.mark.parametrize("extra", [{"priority": "urgent"}, {"priority": "low"}, {"channel": "hotline"},
                                   {"channel": "portal"}, {"priority": "urgent", "channel": "iot"}])
def test_a_customer_may_not_set_priority_or_channel_when_opening_an_order(world, api_as, extra):
    before = counts()
    response = post(api_as("customer"), "/api/v1/workorders", {
        "customer_id": world.customer.pk, "type": "repair", "product_id": world.product.pk, **extra})
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["field"]) == ("field_not_allowed", next(iter(extra)))
    assert counts() == before


def test_a_customers_order_through_the_api_is_their_self_service_channel_at_the_brands_priority(world, api_as):
    response = post(api_as("customer"), "/api/v1/workorders", {
        "customer_id": world.customer.pk, "type": "repair", "product_id": world.product.pk})
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(pk=response.json()["id"])
    assert (order.channel, order.priority) == ("portal", "normal")
    assert order.events.get().data == {"channel": "portal"}


def test_staff_still_choose_the_priority_and_the_channel(world, api_as):
    response = post(api_as("hotline"), "/api/v1/workorders", {
        "customer_id": world.customer.pk, "type": "repair", "product_id": world.product.pk, "priority": "urgent"})
    assert response.status_code == 201, response.content
    assert (response.json()["priority"], response.json()["channel"]) == ("urgent", "hotline")


def test_a_customer_may_not_raise_the_priority_of_an_order_afterwards(world, api_as):
    order = make_order(world)
    before = (order.priority, order.version, order.onsite_due, WorkOrderEvent.objects.count())
    response = post(api_as("customer"), f"/api/v1/workorders/{order.pk}", {"priority": "urgent"}, method="patch")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    order.refresh_from_db()
    assert (order.priority, order.version, order.onsite_due, WorkOrderEvent.objects.count()) == before


@pytest.mark.parametrize(("kwargs", "field"), [({"priority": "urgent", "channel": "portal"}, "priority"),
                                               ({"priority": "normal", "channel": "hotline"}, "channel")])
def test_the_service_itself_refuses_a_customers_priority_or_channel(world, kwargs, field):
    before = counts()
    with pytest.raises(FieldNotAllowed) as refused:
        services.create_work_order(actor=principal_of(world.customer.user), customer=world.customer, type="repair",
                                   **kwargs)
    assert refused.value.field == field and refused.value.status == 403
    assert counts() == before
