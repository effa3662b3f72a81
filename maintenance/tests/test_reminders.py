"""The reminder job: one reminder per due item and sequence, told once, never to whom it must not go."""

import datetime as dt

import pytest
from django.db import connection

from catalog.tests.factories import PartFactory
from conftest import race
from core import outbox
from core.models import Delivery, OutboxEvent
from customers.choices import ProductStatus
from maintenance.choices import ReminderStatus
from maintenance.models import Reminder, Schedule
from maintenance.reminders import select_due, send_reminders
from maintenance.schedules import ensure_schedules
from maintenance.tests.factories import ConsumableRuleFactory
from notifications.models import CustomerMessage, CustomerPreference

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def due(world):
    """The world's two products: PP cotton due in 10 days (inside the 14 days' lead), carbon in 40 (outside)."""
    pp = PartFactory(brand=world.brand, code="pp", name="PP棉滤芯", name_en="PP cotton filter")
    carbon = PartFactory(brand=world.brand, code="carbon", name="活性炭滤芯", name_en="carbon filter")
    rule = ConsumableRuleFactory(brand=world.brand, part=pp, category=world.category, months=6, lead_days=14,
                                 repeat_after_days=7, max_reminders=2)
    ConsumableRuleFactory(brand=world.brand, part=carbon, category=world.category, months=12, lead_days=14)
    ensure_schedules(brand_id=world.brand.pk)
    Schedule.objects.filter(rule=rule).update(due_on=TODAY + dt.timedelta(days=10))
    Schedule.objects.exclude(rule=rule).update(due_on=TODAY + dt.timedelta(days=40))
    return rule


def sent(world):
    return sorted(Reminder.objects.values_list("schedule__product_id", "due_on", "sequence", "status"))


def test_the_due_items_get_one_reminder_each_and_one_event_each(world, due, settings):
    run = send_reminders(now=NOW)

    assert (run.reminders, run.events) == (2, 2)
    in_ten = TODAY + dt.timedelta(days=10)
    assert sent(world) == sorted([(world.product.pk, in_ten, 1, "sent"), (world.other_product.pk, in_ten, 1, "sent")])
    reminder = Reminder.objects.get(schedule__product=world.product)
    assert (reminder.customer_id, reminder.brand_id, reminder.segment, len(reminder.token)) == (
        world.customer.pk, world.brand.pk, world.customer.segment, 20)
    event = OutboxEvent.objects.get(subject_type="reminder", subject_id=reminder.pk)
    assert event.kind == "reminder.consumable"
    assert event.data == {
        "customer_id": world.customer.pk, "reminder_id": reminder.pk, "schedule_id": reminder.schedule_id,
        "product_id": world.product.pk, "serial": "SN-A-0001", "unit": world.model.name, "part": "PP棉滤芯",
        "part_en": "PP cotton filter", "plan": None, "due_on": in_ten.isoformat(), "sequence": 1,
        "link": f"{settings.SITE_URL.rstrip('/')}/portal/acme/r/{reminder.token}/",
    }
    assert list(Delivery.objects.filter(event=event).values_list("sink", "status")) == [
        (name, "pending") for name in outbox.sink_names("reminder.consumable")]
    assert "customer_messages" in outbox.sink_names("reminder.consumable")


def test_running_again_sends_nothing_and_an_ignored_reminder_is_repeated_up_to_the_limit(world, due):
    send_reminders(now=NOW)
    assert send_reminders(now=NOW + dt.timedelta(hours=1)).reminders == 0
    assert send_reminders(now=NOW + dt.timedelta(days=6)).reminders == 0  # not 7 days yet
    assert send_reminders(now=NOW + dt.timedelta(days=7)).reminders == 2
    assert send_reminders(now=NOW + dt.timedelta(days=14)).reminders == 0  # at most two
    assert sorted(seq for _p, _d, seq, _s in sent(world)) == [1, 1, 2, 2]
    assert OutboxEvent.objects.filter(subject_type="reminder").count() == 4


def test_a_reminder_acted_on_is_not_repeated(world, due):
    send_reminders(now=NOW)
    Reminder.objects.filter(schedule__product=world.product).update(status=ReminderStatus.BOOKED)
    assert send_reminders(now=NOW + dt.timedelta(days=7)).reminders == 1  # only the other customer's
    assert Reminder.objects.filter(schedule__product=world.product).count() == 1


def test_never_to_whom_it_must_not_go(world, due):
    CustomerPreference.objects.create(customer=world.customer, reminders=False)
    CustomerPreference.objects.create(customer=world.other_customer, sms=False, wechat=False, email=False)
    assert send_reminders(now=NOW).reminders == 0
    CustomerPreference.objects.all().update(reminders=True, sms=True)
    world.product.status = ProductStatus.RETIRED
    world.product.save()
    Schedule.objects.filter(product=world.other_product).update(ends_on=TODAY - dt.timedelta(days=1))
    assert send_reminders(now=NOW).reminders == 0
    assert (Reminder.objects.count(), OutboxEvent.objects.filter(subject_type="reminder").count()) == (0, 0)


def test_outside_the_lead_or_long_overdue_is_not_reminded(world, due):
    Schedule.objects.filter(rule=due).update(due_on=TODAY + dt.timedelta(days=15))
    assert select_due(now=NOW) == []
    Schedule.objects.filter(rule=due).update(due_on=TODAY - dt.timedelta(days=91))
    assert select_due(now=NOW) == []
    Schedule.objects.filter(rule=due).update(due_on=TODAY - dt.timedelta(days=30))
    assert len(select_due(now=NOW)) == 2


def test_the_customer_is_told_with_the_link(world, due, settings):
    settings.SITE_URL = "https://service.example.com"
    CustomerPreference.objects.create(customer=world.customer, language="zh-hans")
    send_reminders(now=NOW)
    outbox.deliver_due(now=NOW + dt.timedelta(seconds=1), limit=100)
    reminder = Reminder.objects.get(schedule__product=world.product)
    message = CustomerMessage.objects.get(customer=world.customer, channel="sms")
    assert message.kind == "reminder.consumable"
    assert message.text == (f"【Acme】您的{world.model.name}的PP棉滤芯约在12月17日到期需要更换。"
                            f"一键预约上门：https://service.example.com/portal/acme/r/{reminder.token}/")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(world, due):
    results = race(lambda i: send_reminders(now=NOW), 2)
    assert sorted(r.reminders for r in results) == [0, 2] or sum(r.reminders for r in results) == 2, results
    assert Reminder.objects.count() == 2
    assert OutboxEvent.objects.filter(subject_type="reminder").count() == 2
    assert connection.vendor in ("sqlite", "postgresql")
