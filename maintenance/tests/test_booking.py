"""One-tap booking from a reminder: the portal's link page and the API, by token or signed in."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from conftest import token_client
from maintenance import booking
from maintenance.choices import ReminderStatus
from maintenance.models import Reminder
from maintenance.tests.factories import reminder_for
from portal.slotpicker import slot_value
from workorders.models import WorkOrder
from workorders.tests.intake_setup import prepare_intake


@pytest.fixture
def reminder(world):
    prepare_intake(world)
    return reminder_for(world.product)


def first_slot(reminder):
    slot = booking.offered_slots(reminder)[0]
    return slot.start, slot.end


def test_the_link_shows_what_is_due_and_why_and_a_tap_books_the_visit(world, reminder):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    url = f"/portal/acme/r/{reminder.token}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    name = reminder.schedule.rule.part.name
    due = reminder.schedule.due_on
    assert f"{name}约{due.month}月{due.day}日到期" in html
    assert "每6个月一换，自" in html and "起算" in html  # why: six months since the install
    start, end = first_slot(reminder)
    assert f'value="{slot_value(start, end)}"' in html
    assert "/portal/acme/shop/?reminder=" in html  # a part the customer may replace: the shop's link

    answer = client.post(url, {"slot": slot_value(start, end)})

    assert (answer.status_code, answer["Location"]) == (302, url)
    reminder.refresh_from_db()
    order = WorkOrder.objects.get()
    assert (reminder.status, reminder.work_order_id, reminder.acted_at is not None) == ("booked", order.pk, True)
    assert (order.customer_id, order.product_id, order.type, order.channel, order.slot_start,
            order.slot_end) == (world.customer.pk, world.product.pk, "maintenance", "portal", start, end)
    booked = client.get(url).content.decode()
    assert "已为您预约上门" in booked and order.number in booked and 'name="slot"' not in booked

    # a second tap (another window) books nothing more
    again = client.post(url, {"slot": slot_value(*first_slot_after(reminder, start))})
    assert again.status_code == 409
    assert WorkOrder.objects.count() == 1


def first_slot_after(reminder, start):
    later = [s for s in booking.offered_slots(reminder) if s.start > start]
    return later[0].start, later[0].end


def test_an_unknown_token_or_another_brands_address_is_a_404(world, reminder):
    client = Client()
    assert client.get("/portal/acme/r/not-a-token/").status_code == 404
    assert client.get(f"/portal/rival/r/{reminder.token}/").status_code == 404
    assert client.post(f"/portal/rival/r/{reminder.token}/", {"slot": "x"}).status_code == 404
    assert (Reminder.objects.get().status, WorkOrder.objects.count()) == ("sent", 0)


def test_a_window_not_offered_is_refused_and_books_nothing(world, reminder):
    page = Client().post(f"/portal/acme/r/{reminder.token}/", {"slot": "tomorrow"})
    assert page.status_code == 422
    assert (Reminder.objects.get().status, WorkOrder.objects.count()) == ("sent", 0)


def _body(start, end, **more):
    return json.dumps({"slot_start": start.isoformat(), "slot_end": end.isoformat(), **more})


def test_the_api_books_with_the_token_without_signing_in(world, reminder):
    start, end = first_slot(reminder)
    wrong = Client().post(f"/api/v1/reminders/{reminder.pk}/book", _body(start, end, token="x" * 20),
                          content_type="application/json")
    assert wrong.status_code == 404
    none = Client().post(f"/api/v1/reminders/{reminder.pk}/book", _body(start, end),
                         content_type="application/json")
    assert none.status_code in (401, 404)
    assert WorkOrder.objects.count() == 0

    answer = Client().post(f"/api/v1/reminders/{reminder.pk}/book", _body(start, end, token=reminder.token),
                           content_type="application/json")

    assert answer.status_code == 201, answer.content
    order = WorkOrder.objects.get()
    assert answer.json() == {"reminder_id": reminder.pk, "status": "booked", "work_order_id": order.pk,
                             "work_order_number": order.number,
                             "slot_start": start.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                             "slot_end": end.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")}
    again = Client().post(f"/api/v1/reminders/{reminder.pk}/book", _body(start, end, token=reminder.token),
                          content_type="application/json")
    assert (again.status_code, again.json()["code"], WorkOrder.objects.count()) == (409, "reminder_closed", 1)


def test_the_signed_in_customer_books_their_own(world, reminder):
    start, end = first_slot(reminder)
    answer = token_client(world.customer.user).post(f"/api/v1/reminders/{reminder.pk}/book", _body(start, end),
                                                    content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert Reminder.objects.get().status == ReminderStatus.BOOKED


def test_the_schedule_and_the_reminders_over_the_api(world, reminder):
    client = token_client(world.customer.user)
    schedule = client.get(f"/api/v1/products/{world.product.pk}/schedule").json()
    s = reminder.schedule
    install = world.product.install_date
    assert schedule == {"product_id": world.product.pk, "serial": "SN-A-0001", "items": [{
        "schedule_id": s.pk, "kind": "consumable", "name": s.rule.part.name, "part_id": s.rule.part_id,
        "plan_id": None, "contract_id": None, "due_on": s.due_on.isoformat(), "due_by": "",
        "why": [f"每6个月一换，自{_day(install)}起算"], "last_done_on": None, "last_done_via": "",
        "litres_per_day": None, "hours_per_day": None, "ends_on": None, "self_replaceable": True}]}
    listed = client.get("/api/v1/reminders").json()
    assert [r["id"] for r in listed["items"]] == [reminder.pk]
    assert listed["items"][0]["status"] == "sent"
    staff = token_client(world.dispatcher).get("/api/v1/reminders", {"status": "booked"}).json()
    assert staff["count"] == 0


def _day(day):
    from django.utils import translation
    from django.utils.formats import date_format

    fmt = "MONTH_DAY_FORMAT" if day.year == timezone.localdate().year else "DATE_FORMAT"
    with translation.override("zh-hans"):
        return date_format(day, fmt)
