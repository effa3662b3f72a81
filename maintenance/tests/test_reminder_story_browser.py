"""Issue 16's reminder story on a phone, in Chinese, against the live server: a customer gets a filter reminder
(the SMS the gateway stand-in took, with its one-tap link), taps the link, books the replacement with one tap on a
window, the technician's visit completes using the filter (the services, as the field app calls them), the
order.completed sink restarts the schedule, and the customer's product page shows the new due date and why.

Screenshots: test-artifacts/screenshots/reminder-*.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from catalog.models import Part
from conftest import build_world
from core.browser import PHONE, open_page, shot
from core.dates import add_months
from core.tasks import deliver_outbox
from maintenance.models import Reminder, Schedule
from maintenance.reminders import send_reminders
from maintenance.schedules import ensure_schedules, recompute
from maintenance.tests.factories import ConsumableRuleFactory
from notifications import customer_messages
from notifications.models import CustomerMessage
from notifications.tests.messaging import start_providers, stop_providers
from parts import services as parts
from parts.services import Line
from workorders import workflow
from workorders.tests.intake_setup import prepare_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(transactional_db, settings, live_server):
    cache.clear()
    world = prepare_intake(build_world())
    # The PP cotton filter the pricing seed made, five of it in tech_a's van (central → outlet A's store → van)
    world.filter = Part.objects.get(brand=world.brand, code="pp-cotton")
    clerk = principal_of(world.admin)
    central, store, van = (parts.ensure_central(world.brand), parts.ensure_store(world.outlet_a),
                           parts.ensure_van(world.tech_a))
    parts.receive_stock(warehouse=central, part=world.filter, quantity=20, actor=clerk, reason="factory")
    parts.transfer_stock(source=central, target=store, actor=clerk, lines=[Line(world.filter, 10)])
    parts.transfer_stock(source=store, target=van, actor=clerk, lines=[Line(world.filter, 5)])
    world.customer.name = "王芳"
    world.customer.save(update_fields=["name"])
    world.model.name = "RO-500 反渗透净水器"
    world.model.save(update_fields=["name"])
    settings.SITE_URL = live_server.url
    providers = start_providers(settings, world)
    world.rule = ConsumableRuleFactory(brand=world.brand, part=world.filter, category=world.category, months=6,
                                       litres=2000, lead_days=14)
    ensure_schedules(brand_id=world.brand.pk)
    today = timezone.localdate()
    Schedule.objects.filter(product=world.product).update(last_done_on=add_months(today + dt.timedelta(days=5), -6))
    recompute(Schedule.objects.filter(product=world.product))
    yield world, providers
    stop_providers(providers)


def test_a_filter_reminder_is_booked_in_one_tap_and_the_visit_restarts_the_schedule(story, browser, live_server):
    w, providers = story
    today = timezone.localdate()
    due = today + dt.timedelta(days=5)
    assert send_reminders().reminders == 1  # the customer's unit (the other one is months away)
    deliver_outbox.call()
    morning = customer_messages.quiet_until(timezone.now())
    if morning is not None:  # run at night, the SMS waits for 08:00
        customer_messages.send_due(now=morning + dt.timedelta(minutes=1))

    # The message on the phone: the SMS as the gateway stand-in took it, with the one-tap link
    sms = CustomerMessage.objects.get(customer=w.customer, channel="sms")
    assert sms.status == "sent" and sms.kind == "reminder.consumable"
    link = re.search(r"(http://\S+/r/\w+/)", sms.text).group(1)
    assert sms.text == (f"【Acme】您的RO-500 反渗透净水器的PP棉滤芯约在{due.month}月{due.day}日到期需要更换。"
                        f"一键预约上门：{link}")
    assert any(link in str(sent) for sent in providers.sms.sent), "the gateway took the SMS with its link"

    phone = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    phone.goto(link)
    assert phone.locator("h1").inner_text() == f"PP棉滤芯约{due.month}月{due.day}日到期"
    assert phone.locator("#reminder-why li").first.inner_text().startswith("每6个月一换，自")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "reminder-01-link")

    first = phone.locator("button.slot-book").first
    window = first.inner_text()
    first.click()
    phone.wait_for_selector("#reminder-booked")
    reminder = Reminder.objects.get(customer=w.customer)
    order = reminder.work_order
    assert (reminder.status, order.type, order.customer_id, order.product_id) == (
        "booked", "maintenance", w.customer.pk, w.product.pk)
    booked = phone.locator("#reminder-booked").inner_text()
    assert "已为您预约上门" in booked and order.number in booked and window in booked
    shot(phone, "reminder-02-booked")

    # The technician's visit: dispatched, on site, the PP filter from the van, completed
    dispatcher, tech = principal_of(w.dispatcher), principal_of(w.tech_a.user)
    if order.status == "new":  # the booked window may have placed it with an outlet already
        order = workflow.transition(order, "assign", actor=dispatcher, outlet=w.outlet_a)
    if order.status == "assigned":
        order = workflow.transition(order, "dispatch", actor=dispatcher, technician=w.tech_a)
    assert (order.status, order.technician_id) == ("dispatched", w.tech_a.pk)
    for step in ("accept", "depart", "arrive"):
        order = workflow.transition(order, step, actor=tech)
    parts.consume_on_job(order=order, actor=tech, lines=[Line(w.filter, 1)], idempotency_key="story-filter")
    workflow.transition(order, "complete", actor=tech)
    deliver_outbox.call()

    schedule = Schedule.objects.get(product=w.product, rule=w.rule)
    assert (schedule.last_done_on, schedule.last_done_via, schedule.due_on) == (today, "visit",
                                                                                 add_months(today, 6))
    reminder.refresh_from_db()
    assert reminder.status == "done"

    # The customer's product page: the next PP filter due, and why
    client = Client()
    client.force_login(w.customer.user)
    phone.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    phone.goto(f"{live_server.url}/portal/acme/products/{w.product.pk}/")
    line = phone.locator(f"#schedule [data-schedule='{schedule.pk}']").inner_text()
    nxt = add_months(today, 6)
    assert f"下次约{nxt.year}年{nxt.month}月{nxt.day}日到期" in line
    assert f"每6个月一换，自{today.month}月{today.day}日起算" in line
    shot(phone, "reminder-03-schedule")
