"""The customer profile a technician sees before a visit: field.profile.customer_profile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.principal import principal_of
from catalog.tests.factories import ProductModelFactory
from complaints import services as complaints
from customers.tests.factories import InstalledProductFactory
from field.profile import customer_profile
from workorders import rework
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):
    w = world
    w.model.list_price = Decimal("2999.00")
    w.model.save()
    premium = ProductModelFactory(category=w.category, code="RO-800P", list_price=Decimal("4599.50"))
    InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=premium, serial="SN-A-0002")
    InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=premium, serial="SN-A-0003",
                            status="retired")
    w.customer.segment, w.customer.tags = "premium", ["别墅", "VIP"]
    w.customer.save()
    first = make_order(w, status=Status.CLOSED, estimate_total=Decimal("180.00"))
    # Done (nothing to pay), then done again as a new order (返修): one rework, open, not spent yet.
    reworked = make_order(w, status=Status.CLOSED)
    rework.create_rework_order(original=reworked, actor=principal_of(w.hotline), outlet=w.outlet_a, reason="又坏了")
    second = make_order(w, status=Status.COMPLETED, estimate_total=Decimal("59.50"))
    make_order(w, status=Status.ON_SITE, estimate_total=Decimal("999.00"))  # not done: not spent yet
    make_order(w, status=Status.COMPLETED)  # no estimate (covered, or none given): adds nothing
    # The other customer's history must not leak in.
    make_order(w, status=Status.COMPLETED, customer=w.other_customer, product=w.other_product,
               estimate_total=Decimal("5000.00"))
    hotline = principal_of(w.hotline)
    complaints.open_complaint(actor=hotline, customer=w.customer, order=first, category="no_show",
                              description="迟到")
    settled = complaints.open_complaint(actor=hotline, customer=w.customer, category="overcharge", description="贵")
    complaints.resolve_complaint(actor=hotline, complaint=settled, resolution="已解释")
    complaints.open_complaint(actor=hotline, customer=w.other_customer, category="other", description="x")
    return first, second


def test_the_profile_adds_up_the_customers_history(world, history, django_assert_num_queries):
    _first, second = history
    with django_assert_num_queries(1):
        profile = customer_profile(world.customer)
    assert profile.segment == "premium"
    with translation.override("en"):
        assert profile.segment_label == "Premium"
    assert profile.tags == ["别墅", "VIP"]
    assert profile.lifetime_spend == Decimal("239.50") and profile.spend_basis == "estimates"
    assert profile.products_owned == 2
    assert profile.products_value == Decimal("7598.50")
    assert profile.open_complaints == 1
    assert profile.reworks == 1
    second.refresh_from_db()
    assert profile.last_visit == timezone.localdate(second.completed_at)
    assert isinstance(profile.lifetime_spend, Decimal) and isinstance(profile.products_value, Decimal)


def test_now_bounds_what_counts_so_far(world, history):
    first, second = history
    WorkOrder.objects.filter(pk=second.pk).update(completed_at=timezone.now() + dt.timedelta(days=2))
    first.refresh_from_db()
    profile = customer_profile(world.customer, now=timezone.now() + dt.timedelta(hours=1))
    assert profile.lifetime_spend == Decimal("180.00")
    assert profile.last_visit == timezone.localdate(first.completed_at)


def test_a_new_customer_has_an_empty_profile(world):
    world.other_customer.products.all().delete()
    profile = customer_profile(world.other_customer)
    assert profile.lifetime_spend == Decimal("0.00") and profile.products_value == Decimal("0.00")
    assert (profile.products_owned, profile.open_complaints, profile.reworks, profile.last_visit) == (0, 0, 0, None)
    assert profile.segment == "value" and profile.tags == []


def test_query_count_does_not_grow_with_products(world, history, django_assert_num_queries):
    for n in range(30):
        InstalledProductFactory(customer=world.customer, brand=world.brand, product_model=world.model,
                                serial=f"SN-MANY-{n:03d}")
    with django_assert_num_queries(1):
        profile = customer_profile(world.customer)
    assert profile.products_owned == 32
    assert profile.products_value == Decimal("7598.50") + 30 * Decimal("2999.00")


def test_payments_recorded_on_site_count_instead_of_the_estimate(world, settings, tmp_path,
                                                                 django_capture_on_commit_callbacks,
                                                                 django_assert_num_queries):
    from reports.tests.helpers import completed_repair

    settings.MEDIA_ROOT = tmp_path / "media"
    make_order(world, status=Status.CLOSED, estimate_total=Decimal("120.00"))  # before the app
    order, _ = completed_repair(world, django_capture_on_commit_callbacks)  # paid ¥340 by WeChat on site
    WorkOrder.objects.filter(pk=order.pk).update(estimate_total=Decimal("80.00"))  # the intake estimate
    with django_assert_num_queries(1):
        profile = customer_profile(world.customer)
    assert (profile.paid, profile.estimated) == (Decimal("340.00"), Decimal("120.00"))
    assert profile.lifetime_spend == Decimal("460.00") and profile.spend_basis == "mixed"
