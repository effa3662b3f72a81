"""A brand sets its own complaint clocks per severity in the admin; a severity without a row keeps the defaults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.principal import principal_of
from complaints import services, sla
from complaints.models import ComplaintClock
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def complain(world, severity: str):
    order = make_order(world, status=Status.COMPLETED)
    return services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order,
                                   category="no_show", severity=severity, description="等了一整天", opened_at=T0)


def test_the_brands_clock_sets_the_due_times_and_other_severities_keep_the_defaults(world):
    ComplaintClock.objects.create(brand=world.brand, severity="critical", acknowledge_minutes=15,
                                  resolve_minutes=120, rung_minutes=30)
    critical, normal = complain(world, "critical"), complain(world, "normal")
    calendar = sla.calendar_of(critical)
    assert critical.acknowledge_due == calendar.add_minutes(T0, 15)
    assert critical.resolve_due == calendar.add_minutes(T0, 120)
    assert sla.next_rung_at(critical, now=critical.resolve_due) == calendar.add_minutes(critical.resolve_due, 30)
    default = sla.CLOCKS["normal"]
    assert normal.acknowledge_due == sla.calendar_of(normal).add_minutes(T0, default.acknowledge_minutes)
    assert normal.resolve_due == sla.calendar_of(normal).add_minutes(T0, default.resolve_minutes)


def test_the_admin_edits_a_brands_clock_and_refuses_one_resolving_before_acknowledging(world, django_user_model):
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    url = "/admin/complaints/complaintclock/add/"
    assert admin.get(url).status_code == 200
    refused = admin.post(url, {"brand": world.brand.pk, "severity": "high", "acknowledge_minutes": 300,
                               "resolve_minutes": 60, "rung_minutes": 30})
    assert refused.status_code == 200 and not ComplaintClock.objects.exists()
    made = admin.post(url, {"brand": world.brand.pk, "severity": "high", "acknowledge_minutes": 30,
                            "resolve_minutes": 600, "rung_minutes": 60})
    assert made.status_code == 302
    assert sla.clock_for(world.brand.pk, "high") == sla.Clock(30, 600, 60)
    assert sla.clock_for(world.brand.pk, "low") == sla.CLOCKS["low"]
