"""rate_order: only the order's customer, only when done, once; the rating event on the timeline."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from core.errors import InvalidInput, NotFound
from feedback.models import Rating
from feedback.services import AlreadyRated, NotRateable, rate_order
from workorders.choices import EventKind, Status
from workorders.models import WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_rating_writes_the_row_and_a_customer_visible_event(world):
    order = make_order(world, status=Status.CLOSED)
    rating = rate_order(order=order, actor=principal_of(world.customer.user), score=4, comment="  准时  ")
    assert (rating.score, rating.comment) == (4, "准时")
    event = WorkOrderEvent.objects.get(kind=EventKind.RATING)
    assert event.work_order_id == order.pk and event.actor == world.customer.user and event.customer_visible


@pytest.mark.parametrize("who", ["other_customer", "dispatcher", "tech_a"])
def test_only_the_orders_customer_may_rate(world, who):
    order = make_order(world, status=Status.COMPLETED)
    user = getattr(world, who)
    user = getattr(user, "user", user)
    with pytest.raises(NotFound):
        rate_order(order=order, actor=principal_of(user), score=5)
    assert not Rating.objects.exists() and not WorkOrderEvent.objects.filter(kind=EventKind.RATING).exists()


@pytest.mark.parametrize("status", [Status.NEW, Status.ON_SITE, Status.CANCELLED])
def test_only_finished_work_is_rated(world, status):
    order = make_order(world, status=status)
    with pytest.raises(NotRateable):
        rate_order(order=order, actor=principal_of(world.customer.user), score=5)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", [0, 6, True, "5", None])
def test_score_is_one_to_five(world, score):
    order = make_order(world, status=Status.COMPLETED)
    with pytest.raises(InvalidInput):
        rate_order(order=order, actor=principal_of(world.customer.user), score=score)
    with pytest.raises(InvalidInput):
        rate_order(order=order, actor=principal_of(world.customer.user), score=3, comment="长" * 501)
    assert not Rating.objects.exists()


def test_a_second_rating_is_refused_and_writes_nothing(world):
    order = make_order(world, status=Status.COMPLETED)
    actor = principal_of(world.customer.user)
    rate_order(order=order, actor=actor, score=2)
    with pytest.raises(AlreadyRated):
        rate_order(order=order, actor=actor, score=5)
    assert Rating.objects.get().score == 2
    assert WorkOrderEvent.objects.filter(kind=EventKind.RATING).count() == 1
