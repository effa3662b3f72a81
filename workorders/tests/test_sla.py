"""SLA deadlines: the most specific policy wins, and an edited policy applies to the next order at once."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.principal import principal_of
from customers.tests.factories import SiteFactory
from workorders import services
from workorders.models import SlaPolicy
from workorders.sla import DEFAULT_SLA_MINUTES, PolicyRow, best_policy, sla_minutes

pytestmark = pytest.mark.django_db


def deadlines(order) -> tuple[int, int]:
    # created_at is stamped a moment after the deadlines are computed; whole minutes are what matters
    return (round((order.response_due - order.created_at) / dt.timedelta(minutes=1)),
            round((order.onsite_due - order.created_at) / dt.timedelta(minutes=1)))


def open_order(world, **kw):
    return services.create_work_order(actor=principal_of(world.dispatcher), customer=world.customer,
                                      type="repair", channel="hotline", **kw)


def test_without_a_policy_the_defaults_apply(world):
    assert deadlines(open_order(world, priority="urgent")) == DEFAULT_SLA_MINUTES["urgent"]


def test_the_most_specific_policy_wins(world):
    site = SiteFactory(customer=world.customer, region=world.region)
    world.customer.segment = "premium"
    world.customer.save()
    SlaPolicy.objects.create(brand=world.brand, priority="high", response_minutes=50, onsite_minutes=500)
    SlaPolicy.objects.create(brand=world.brand, priority="high", segment="premium", response_minutes=40,
                             onsite_minutes=400)
    SlaPolicy.objects.create(brand=world.brand, priority="high", region=world.region, response_minutes=30,
                             onsite_minutes=300)
    SlaPolicy.objects.create(brand=world.brand, priority="high", region=world.region, segment="premium",
                             response_minutes=20, onsite_minutes=200)

    assert deadlines(open_order(world, priority="high", site=site)) == (20, 200)
    assert deadlines(open_order(world, priority="high")) == (40, 400)  # no site: no region


def test_an_edited_policy_applies_to_the_next_order_at_once(world):
    policy = SlaPolicy.objects.create(brand=world.brand, priority="normal", response_minutes=90,
                                      onsite_minutes=900)
    assert deadlines(open_order(world)) == (90, 900)

    policy.response_minutes, policy.onsite_minutes = 45, 450
    policy.save()
    assert deadlines(open_order(world)) == (45, 450)

    policy.delete()
    assert deadlines(open_order(world)) == DEFAULT_SLA_MINUTES["normal"]


def test_policies_of_another_brand_do_not_apply(world):
    SlaPolicy.objects.create(brand=world.other_brand, priority="normal", response_minutes=1, onsite_minutes=2)
    assert sla_minutes(brand_id=world.brand.pk, region_id=None, segment="value", priority="normal") == (
        DEFAULT_SLA_MINUTES["normal"])


def test_best_policy_ignores_other_priorities_regions_and_segments():
    rows = (PolicyRow(None, "", "low", 1, 2), PolicyRow(7, "", "normal", 3, 4), PolicyRow(None, "premium",
            "normal", 5, 6))
    assert best_policy(rows, region_id=8, segment="value", priority="normal") is None
    assert best_policy(rows, region_id=7, segment="value", priority="normal") == rows[1]
    # region beats segment when only one of them matches each
    assert best_policy(rows, region_id=7, segment="premium", priority="normal") == rows[1]
