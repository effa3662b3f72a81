"""Opening an order writes its number, row and first event by hand-built SQL (services._insert_numbered):
what it writes and hands back must be what the ORM would have, and a failure must write nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import User
from accounts.principal import principal_of
from conftest import build_world
from core.models import Counter
from workorders import services
from workorders.choices import Channel, EventKind, Priority, Status, WorkOrderType
from workorders.models import WorkOrder, WorkOrderEvent


def open_order(world, actor=None, **over):
    return services.create_work_order(
        actor=actor or principal_of(world.hotline), customer=world.customer, product=world.product,
        type=WorkOrderType.REPAIR, channel=Channel.HOTLINE, **over,
    )


@pytest.mark.django_db
def test_the_order_handed_back_is_the_row_a_read_gives(world):
    start = timezone.now() + dt.timedelta(days=1)
    order = open_order(world, priority=Priority.URGENT, symptom="  漏水  ", slot_start=start,
                       slot_end=start + dt.timedelta(hours=2), estimate={"z": 1, "a": [2, {"y": "三", "b": None}]},
                       estimate_total=Decimal("80.50"))

    fresh = WorkOrder.objects.get(pk=order.pk)
    for field in WorkOrder._meta.concrete_fields:
        assert getattr(order, field.attname) == getattr(fresh, field.attname), field.name
    # jsonb keeps its own key order: what the instance holds must render as a later read does
    assert list(order.estimate) == list(fresh.estimate)
    assert (order.symptom, order.status, order.version, order.estimate_total) == (
        "漏水", Status.NEW, 1, Decimal("80.50"))
    assert not order._state.adding and order.created_by_id == world.hotline.pk
    event = WorkOrderEvent.objects.get(work_order=order)
    assert (event.kind, event.to_status, event.actor_id, event.actor_role, event.customer_visible, event.data) == (
        EventKind.CREATED, Status.NEW, world.hotline.pk, "hotline_agent", True, {"channel": "hotline"})
    assert abs(event.created_at - order.created_at) < dt.timedelta(seconds=1)


@pytest.mark.django_db
def test_numbers_start_at_one_each_month_and_grow_past_six_digits(world):
    month = f"{timezone.localtime():%Y%m}"
    first = open_order(world)
    assert first.number == f"WO-{month}-000001"

    Counter.objects.filter(key=f"wo:{world.brand.pk}:{month}").update(value=999_998)
    assert open_order(world).number == f"WO-{month}-999999"
    assert open_order(world).number == f"WO-{month}-1000000"
    assert list(WorkOrder.objects.order_by("pk").values_list("number", flat=True)) == [
        f"WO-{month}-000001", f"WO-{month}-999999", f"WO-{month}-1000000"]


@pytest.mark.django_db(transaction=True)
def test_a_refused_write_leaves_no_order_no_event_and_no_number_used():
    # Given a brand whose month has a counter, and an actor whose user row is gone (a foreign key the
    # database checks at commit, after the number, the order and the event were written)
    world = build_world()
    open_order(world)
    counter = Counter.objects.get()
    actor = dataclasses.replace(principal_of(world.hotline), user=User(pk=10**9, username="nobody"))

    with pytest.raises(IntegrityError):
        open_order(world, actor=actor)

    assert WorkOrder.objects.count() == 1 and WorkOrderEvent.objects.count() == 1
    assert Counter.objects.get().value == counter.value
    # and the next order takes the number the refused one would have had
    assert open_order(world).number.endswith(f"{counter.value + 1:06d}")
