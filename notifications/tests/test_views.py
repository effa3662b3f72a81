"""The console's notifications: an unread badge in the navigation, a page, marking read; one's own only."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.models import Notification, StaffPreference
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

    page = client.get("/console/notifications/").content.decode()
    assert page.count('class="notification is-unread"') == 2
    assert order.number in page and 'data-key="c"' not in page


def test_opening_one_marks_it_read_and_leads_to_its_order(world):
    order = make_order(world)
    mine = make_notification(world.dispatcher, brand=world.brand, work_order=order, key="a")
    other = make_notification(world.dispatcher, brand=world.brand, key="b")
    client = signed_in(world.dispatcher)

    resp = client.post(f"/console/notifications/{mine.pk}/read/")

    assert resp.status_code == 302 and resp["Location"] == f"/console/orders/{order.pk}/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert 'data-unread="1"' in client.get("/console/notifications/").content.decode()


def test_mark_all_read_touches_only_ones_own(world):
    for key in ("a", "b"):
        make_notification(world.dispatcher, brand=world.brand, key=key)
    theirs = make_notification(world.manager_a, brand=world.brand, key="c")
    client = signed_in(world.dispatcher)

    assert client.post("/console/notifications/read/").status_code == 302

    assert not Notification.objects.filter(recipient=world.dispatcher, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    html = client.get("/console/notifications/").content.decode()
    assert "data-unread" not in html


def test_someone_elses_notification_is_404_and_stays_unread(world):
    theirs = make_notification(world.manager_a, brand=world.brand, key="c")
    for user in (world.dispatcher, world.customer.user, world.rival_dispatcher):
        assert signed_in(user).post(f"/console/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_customers_have_no_inbox_in_the_console(world):
    assert signed_in(world.customer.user).get("/console/notifications/").status_code == 403
    assert Client().get("/console/notifications/").status_code == 302  # to the login page


# --- the inbox grouped, filtered and marked read in bulk ---------------------------------------------------------


def alert(world, order, clock: str, state: str, user=None):
    return make_notification(user or world.dispatcher, brand=world.brand, work_order=order,
                             key=f"sla:{order.pk}:{clock}:{state}",
                             data={"clock": clock, "state": state, "number": order.number,
                                   "due": order.onsite_due.isoformat()})


@pytest.fixture
def flood(world):
    """Three orders: the first with two alerts, the others with one each; one already read."""
    orders = [make_order(world, status=Status.ASSIGNED) for _ in range(3)]
    alert(world, orders[0], "response", "breached")
    alert(world, orders[0], "onsite", "breached")
    alert(world, orders[1], "onsite", "breached")
    read = alert(world, orders[2], "onsite", "at_risk")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    alert(world, orders[2], "onsite", "breached", user=world.manager_a)  # someone else's
    return orders


def test_the_inbox_groups_by_order_and_says_what_happened(world, flood):
    page = signed_in(world.dispatcher).get("/console/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('class="notification-group has-unread"') == 2  # the read one's order is not shown
    assert page.count('class="notification is-unread"') == 3
    assert "3 unread" in page and "3 shown, about 2 work orders" in page
    assert "No technician was on site by the deadline," in page
    assert "Nobody accepted it by the response deadline," in page
    assert world.customer.name in page and flood[0].number in page and flood[2].number not in page
    assert 'data-topic="onsite_breached"' in page and 'data-topic="response_breached"' in page


def test_filter_by_kind_and_number_and_show_read_ones(world, flood):
    client = signed_in(world.dispatcher)
    page = client.get("/console/notifications/?topic=response_breached").content.decode()
    assert page.count('class="notification is-unread"') == 1 and flood[1].number not in page
    page = client.get(f"/console/notifications/?q={flood[1].number}").content.decode()
    assert page.count("notification-group ") == 1 and f'data-order="{flood[1].number}"' in page
    page = client.get("/console/notifications/?show=all").content.decode()
    assert page.count('data-order="') == 3
    assert client.get("/console/notifications/?topic=nonsense&page=x").status_code == 200


def test_mark_the_ticked_orders_read(world, flood):
    client = signed_in(world.dispatcher)
    response = client.post("/console/notifications/read/", {"scope": "selected", "order": [flood[0].pk]},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    unread = Notification.objects.filter(read_at__isnull=True)
    assert set(unread.values_list("work_order_id", "recipient_id")) == {
        (flood[1].pk, world.dispatcher.pk), (flood[2].pk, world.manager_a.pk)}


def test_mark_everything_a_filter_shows_read_and_nothing_else(world, flood):
    client = signed_in(world.dispatcher)
    response = client.post("/console/notifications/read/", {"scope": "filtered", "topic": "onsite_breached"})
    assert response.status_code == 302 and response["Location"] == "/console/notifications/?topic=onsite_breached"
    mine = Notification.objects.filter(recipient=world.dispatcher, read_at__isnull=True)
    assert list(mine.values_list("data__clock", flat=True)) == ["response"]
    assert Notification.objects.get(recipient=world.manager_a).read_at is None


# --- one's own notification preferences (the API's GET/PUT /api/v1/me/notification-preferences, as a page) -------


def test_preferences_page_shows_the_defaults_and_is_reached_from_the_inbox_and_the_user_menu(world):
    client = signed_in(world.dispatcher)
    inbox = client.get("/console/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a href="/console/notifications/preferences/" id="preferences-link">' in inbox
    assert 'class="who-name" href="/console/notifications/preferences/"' in inbox

    page = client.get("/console/notifications/preferences/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial == {"in_app": True, "email": False, "language": "zh-hans"}


def test_preferences_page_changes_only_ones_own(world):
    StaffPreference.objects.create(user=world.manager_a, email=True, language="zh-hans")
    client = signed_in(world.dispatcher)

    resp = client.post("/console/notifications/preferences/", {"email": "on", "language": "en"})

    assert resp.status_code == 302 and resp["Location"] == "/console/notifications/preferences/"
    mine = StaffPreference.objects.get(user=world.dispatcher)
    assert (mine.in_app, mine.email, mine.language) == (False, True, "en")
    theirs = StaffPreference.objects.get(user=world.manager_a)
    assert (theirs.in_app, theirs.email, theirs.language) == (True, True, "zh-hans")
    assert StaffPreference.objects.count() == 2
    # The API reads what the page saved: one rule, one place
    assert client.get("/api/v1/me/notification-preferences").json() == {
        "party": "staff", "language": "en", "sms": None, "wechat": None, "email": True, "in_app": False,
        "reminders": None}


def test_preferences_page_with_htmx_swaps_the_form_and_says_it_saved(world):
    client = signed_in(world.dispatcher)
    resp = client.post("/console/notifications/preferences/", {"in_app": "on", "email": "on", "language": "en"},
                       HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in html
    assert 'id="preferences-saved"' in html and 'id="no-address"' in html  # the dispatcher has no address on file
    assert StaffPreference.objects.get(user=world.dispatcher).email is True


def test_a_bad_choice_is_shown_beside_its_field_and_changes_nothing(world):
    client = signed_in(world.dispatcher)
    resp = client.post("/console/notifications/preferences/", {"email": "on", "language": "fr"},
                       HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 422 and resp["X-Domain-Error"] == "422"
    assert resp.context["form"].errors["language"]
    assert 'class="field-error"' in resp.content.decode()
    assert not StaffPreference.objects.exists()


def test_customers_and_strangers_have_no_preferences_page_in_the_console(world):
    for method in ("get", "post"):
        assert getattr(signed_in(world.customer.user), method)("/console/notifications/preferences/").status_code == 403
        assert getattr(Client(), method)("/console/notifications/preferences/").status_code == 302
    assert not StaffPreference.objects.exists()


def test_the_admin_shows_preferences_read_only_and_only_ones_own_to_brand_people(world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    own = StaffPreference.objects.create(user=world.admin, email=True)
    other = StaffPreference.objects.create(user=world.dispatcher, email=True)
    client = signed_in(world.admin)

    listing = client.get("/admin/notifications/staffpreference/")
    assert listing.status_code == 200
    assert [p.pk for p in listing.context["cl"].result_list] == [own.pk]
    assert client.get(f"/admin/notifications/staffpreference/{other.pk}/change/").status_code == 302  # not found
    client.post(f"/admin/notifications/staffpreference/{own.pk}/change/", {"email": "", "language": "en"})
    assert StaffPreference.objects.get(pk=own.pk).email is True
