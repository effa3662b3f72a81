"""A brand edits its consumable rules in the admin, and the change reaches every unit's schedule."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from catalog.tests.factories import PartFactory
from maintenance.models import ConsumableRule, DeviceRule, Schedule
from maintenance.schedules import ensure_schedules
from maintenance.tests.factories import ConsumableRuleFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def root(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    return client


def test_a_rule_added_in_the_admin_covers_the_units_already_installed(world, root,
                                                                      django_capture_on_commit_callbacks):
    world.product.purchase_date, world.product.install_date = D(2026, 6, 1), D(2026, 6, 20)
    world.product.save()
    pp = PartFactory(brand=world.brand, code="pp")
    assert Schedule.objects.filter(product=world.product).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        answer = root.post(reverse("admin:maintenance_consumablerule_add"), {
            "brand": world.brand.pk, "part": pp.pk, "category": world.category.pk, "months": 6,
            "lead_days": 14, "repeat_after_days": 7, "max_reminders": 3, "self_replaceable": "on", "is_active": "on"})

    assert answer.status_code == 302, answer.content.decode()[:2000]
    rule = ConsumableRule.objects.get(part=pp)
    assert list(Schedule.objects.filter(product=world.product).values_list("rule_id", "due_on", "is_active")) == [
        (rule.pk, D(2026, 12, 20), True)]


def test_a_rule_changed_in_the_admin_moves_every_due_date_and_twice_changes_nothing(
        world, root, django_capture_on_commit_callbacks):
    world.product.purchase_date, world.product.install_date = D(2026, 6, 1), D(2026, 6, 20)
    world.product.save()
    rule = ConsumableRuleFactory(brand=world.brand, category=world.category, months=6)
    ensure_schedules(brand_id=world.brand.pk)
    form = {"brand": world.brand.pk, "part": rule.part_id, "category": world.category.pk, "months": 3,
            "lead_days": 14, "repeat_after_days": 7, "max_reminders": 3, "is_active": "on"}

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            answer = root.post(reverse("admin:maintenance_consumablerule_change", args=[rule.pk]), form)
        assert answer.status_code == 302
        assert list(Schedule.objects.filter(product=world.product).values_list("due_on", "is_active")) == [
            (D(2026, 9, 20), True)]

    form.pop("is_active")  # the brand retires the rule: its schedules stop
    with django_capture_on_commit_callbacks(execute=True):
        root.post(reverse("admin:maintenance_consumablerule_change", args=[rule.pk]), form)
    assert list(Schedule.objects.filter(product=world.product).values_list("is_active", flat=True)) == [False]


def test_the_admin_lists_and_adds_device_rules(world, root):
    assert root.get(reverse("admin:maintenance_devicerule_changelist")).status_code == 200
    assert root.get(reverse("admin:maintenance_devicerule_add")).status_code == 200
    assert root.get(reverse("admin:maintenance_consumablerule_changelist")).status_code == 200
    assert DeviceRule.objects.count() == 0
