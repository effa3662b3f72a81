"""Loading the demo keeps the SLA watch's notification log out of the terminal; the inboxes still get them."""

from __future__ import annotations

import logging

import pytest

from notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)  # the notifications go out on commit


def test_the_demo_load_logs_no_notification_lines_but_fills_the_inboxes(caplog, small_demo):
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        small_demo("--now", "2026-11-20T10:00:00+00:00", fresh=True)  # a load of its own, kept for the next test
        assert logging.getLogger("aftersales.notifications").level == logging.INFO  # given back afterwards
    lines = [r for r in caplog.records if r.name == "aftersales.notifications" and r.levelno < logging.WARNING]
    assert lines == []
    assert Notification.objects.filter(kind="sla").count() > 10


def test_past_orders_carry_their_estimate_so_customers_have_spent_something(small_demo):
    from customers.models import Customer
    from field.profile import customer_profile

    small_demo("--now", "2026-11-20T10:00:00+00:00")
    spends = [customer_profile(c).lifetime_spend for c in Customer.objects.order_by("pk")[:60]]
    assert sum(1 for s in spends if s > 0) >= 10
