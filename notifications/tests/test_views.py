"""The console's notifications: an unread badge in the navigation, a page, marking read; one's own only."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.models import Notification
from notifications.tests.factories import make_notification
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_badge_counts_unread_and_the_page_lists_them(world):
    order = make_order(world, status=Status.ASSIGNED)
    make_notification(world.dispatcher, brand=world.brand, work_order=order, key="a",
                      data={"clock": "onsite", "state": "breached", "due": order.onsite_due.isoformat()})
    make_notification(world.dispatcher, brand=world.brand, work_order=order, key="b",
                      data={"clock": "response", "state": "at_risk"})
    make_notification(world.manager_a, brand=world.brand, key="c")  # someone else's
    client = signed_in(world.dispatcher)

    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-nav="notifications"' in html and 'data-unread="2"' in html

    page = client.get("/notifications/").content.decode()
    assert page.count('class="notification is-unread"') == 2
    assert order.number in page and 'data-key="c"' not in page


def test_opening_one_marks_it_read_and_leads_to_its_order(world):
    order = make_order(world)
    mine = make_notification(world.dispatcher, brand=world.brand, work_order=order, key="a")
    other = make_notification(world.dispatcher, brand=world.brand, key="b")
    client = signed_in(world.dispatcher)

    resp = client.post(f"/notifications/{mine.pk}/read/")

    assert resp.status_code == 302 and resp["Location"] == f"/console/orders/{order.pk}/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert 'data-unread="1"' in client.get("/notifications/").content.decode()


def test_mark_all_read_touches_only_ones_own(world):
    for key in ("a", "b"):
        make_notification(world.dispatcher, brand=world.brand, key=key)
    theirs = make_notification(world.manager_a, brand=world.brand, key="c")
    client = signed_in(world.dispatcher)

    assert client.post("/notifications/read/").status_code == 302

    assert not Notification.objects.filter(recipient=world.dispatcher, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    html = client.get("/notifications/").content.decode()
    assert "data-unread" not in html


def test_someone_elses_notification_is_404_and_stays_unread(world):
    theirs = make_notification(world.manager_a, brand=world.brand, key="c")
    for user in (world.dispatcher, world.customer.user, world.rival_dispatcher):
        assert signed_in(user).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_customers_have_no_inbox_in_the_console(world):
    assert signed_in(world.customer.user).get("/notifications/").status_code == 403
    assert Client().get("/notifications/").status_code == 302  # to the login page
