"""The complaints desk: filters, the ladder's clocks, the upheld counts, and the steps each seat may take."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.principal import principal_of
from complaints import services
from complaints.models import Complaint
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two(world):
    hotline = principal_of(world.hotline)
    order_a = make_order(world, status=Status.COMPLETED)
    order_b = make_order(world, status=Status.COMPLETED, customer=world.other_customer, product=world.other_product,
                         outlet=world.outlet_b, technician=world.tech_b)
    late = services.open_complaint(actor=hotline, customer=world.customer, order=order_a, category="no_show",
                                   severity="critical", description="等了一整天", opened_at=T0)
    fresh = services.open_complaint(actor=hotline, customer=world.other_customer, order=order_b,
                                    category="attitude", description="说话不客气")
    return late, fresh


def test_the_desk_lists_filters_and_shows_the_clocks(world, two):
    late, fresh = two
    desk = signed_in(world.dispatcher)
    html = desk.get("/console/complaints/").content.decode()
    assert late.number in html and fresh.number in html and "badge-danger" in html
    overdue = desk.get("/console/complaints/", {"overdue": "on"}).content.decode()
    assert late.number in overdue and fresh.number not in overdue
    assert fresh.number not in desk.get("/console/complaints/", {"severity": "critical"}).content.decode()
    assert late.number not in desk.get("/console/complaints/", {"outlet": world.outlet_b.pk}).content.decode()
    # An outlet sees only the complaints about its orders; a technician has no desk
    mine = signed_in(world.manager_a).get("/console/complaints/").content.decode()
    assert late.number in mine and fresh.number not in mine
    assert signed_in(world.manager_a).get(f"/console/complaints/{fresh.pk}/").status_code == 404
    assert signed_in(world.tech_a.user).get("/console/complaints/").status_code == 403


def test_steps_from_the_desk_and_the_upheld_counts(world, two):
    late, _fresh = two
    url = f"/console/complaints/{late.pk}/transition/"
    manager = signed_in(world.manager_a)
    page = manager.get(f"/console/complaints/{late.pk}/").content.decode()
    assert 'data-action="acknowledge"' in page and 'data-action="resolve"' not in page
    assert manager.post(url, {"action": "acknowledge", "note": "已回电"}).status_code == 302
    # A refused step is said on the page and changes nothing
    response = manager.post(url, {"action": "resolve", "note": "x", "outcome": "upheld"})
    assert response.status_code == 403
    desk = signed_in(world.dispatcher)
    response = desk.post(url, {"action": "resolve", "note": "属实", "outcome": "upheld", "remedies": ["apology"],
                               "responsible": ""})
    assert response.status_code == 422 and Complaint.objects.get(pk=late.pk).status == "acknowledged"
    assert desk.post(url, {"action": "resolve", "note": "属实", "outcome": "upheld", "remedies": ["apology"],
                           "responsible": "technician"}).status_code == 302
    page = desk.get("/console/complaints/").content.decode()
    kpis = page[page.index('id="upheld-by-outlet"'):]
    assert "Outlet A" in kpis and "tech_a" in kpis
    assert 'data-action="appeal"' in manager.get(f"/console/complaints/{late.pk}/").content.decode()


def test_the_remedies_read_as_a_list_in_each_language(world, two):
    late, _fresh = two
    desk = signed_in(world.dispatcher)
    assert desk.post(f"/console/complaints/{late.pk}/transition/", {
        "action": "resolve", "note": "属实", "outcome": "upheld", "remedies": ["apology", "compensation"],
        "compensation": "80.00", "responsible": "technician"}).status_code == 302

    def remedies(language: str) -> str:
        page = desk.get(f"/console/complaints/{late.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return page.split('id="complaint-remedies">', 1)[1].split("<", 1)[0]

    assert remedies("en") == "Apology, Compensation"
    assert remedies("zh-hans") == "道歉、赔偿"  # the enumeration comma, not an English one
