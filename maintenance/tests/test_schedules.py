"""Schedules: one per product and applicable rule, plan schedules, resets and recomputation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import PartFactory, ProductModelFactory
from core.errors import InvalidInput
from customers.choices import ProductStatus
from customers.tests.factories import InstalledProductFactory
from integrations.choices import Metric
from integrations.models import UsageReading
from maintenance.choices import ReminderStatus, ReplacedVia, ScheduleKind
from maintenance.models import PlanPart, Reminder, Schedule
from maintenance.schedules import ensure_schedules, recompute, record_replacement, schedule_plan
from maintenance.tests.factories import ConsumableRuleFactory, PlanFactory

D = dt.date


@pytest.fixture
def rules(world):
    pp, carbon = PartFactory(brand=world.brand, code="pp"), PartFactory(brand=world.brand, code="carbon")
    return {
        "pp_category": ConsumableRuleFactory(brand=world.brand, part=pp, category=world.category, months=6,
                                             litres=2000),
        "carbon_category": ConsumableRuleFactory(brand=world.brand, part=carbon, category=world.category,
                                                 months=12),
        "pp_model": ConsumableRuleFactory(brand=world.brand, part=pp, product_model=world.model, months=3),
    }


def by_rule(product):
    return {s.rule_id: (s.is_active, s.due_on, s.due_by) for s in Schedule.objects.filter(product=product)}


def test_one_schedule_per_product_and_part_the_models_rule_over_the_categorys(world, rules):
    world.product.purchase_date, world.product.install_date = D(2026, 6, 1), D(2026, 6, 20)
    world.product.save()
    other_model = ProductModelFactory(category=world.category)
    plain = InstalledProductFactory(customer=world.customer, product_model=other_model, install_date=D(2026, 1, 31),
                                    purchase_date=D(2026, 1, 1))
    InstalledProductFactory(customer=world.rival_customer)  # another brand's unit gets nothing

    assert ensure_schedules(brand_id=world.brand.pk) == 6  # three products × (pp, carbon)

    assert by_rule(world.product) == {rules["pp_model"].pk: (True, D(2026, 9, 20), "time"),
                                      rules["carbon_category"].pk: (True, D(2027, 6, 20), "time")}
    assert by_rule(plain) == {rules["pp_category"].pk: (True, D(2026, 7, 31), "time"),
                              rules["carbon_category"].pk: (True, D(2027, 1, 31), "time")}
    assert Schedule.objects.filter(brand=world.other_brand).count() == 0
    assert set(Schedule.objects.filter(product=plain).values_list("customer_id", "kind")) == {
        (world.customer.pk, ScheduleKind.CONSUMABLE)}


def test_running_again_changes_nothing_and_a_retired_rule_deactivates(world, rules):
    ensure_schedules(brand_id=world.brand.pk)
    before = list(Schedule.objects.values_list("pk", "rule_id", "is_active", "due_on").order_by("pk"))
    assert ensure_schedules(brand_id=world.brand.pk) == 0
    assert list(Schedule.objects.values_list("pk", "rule_id", "is_active", "due_on").order_by("pk")) == before

    rules["pp_model"].is_active = False
    rules["pp_model"].save()
    assert ensure_schedules(products=type(world.product).objects.filter(pk=world.product.pk),
                            brand_id=world.brand.pk) == 1  # the category's PP rule now applies
    assert {rule: active for rule, (active, _, _) in by_rule(world.product).items()} == {
        rules["pp_model"].pk: False, rules["pp_category"].pk: True, rules["carbon_category"].pk: True}
    # the other product was not asked about: its schedules are as they were
    assert {rule: active for rule, (active, _, _) in by_rule(world.other_product).items()} == {
        rules["pp_model"].pk: True, rules["carbon_category"].pk: True}


def test_a_retired_unit_gets_no_schedule(world, rules):
    world.other_product.status = ProductStatus.RETIRED
    world.other_product.save()
    ensure_schedules(brand_id=world.brand.pk)
    assert Schedule.objects.filter(product=world.other_product).count() == 0


def test_a_replacement_restarts_the_schedule_with_the_meter_then(world, rules):
    rules["pp_model"].litres = 2000
    rules["pp_model"].save()
    ensure_schedules(brand_id=world.brand.pk)
    schedule = Schedule.objects.get(product=world.product, rule=rules["pp_model"])
    reminder = Reminder.objects.create(brand=world.brand, customer=world.customer, schedule=schedule,
                                       due_on=schedule.due_on, sent_at=timezone.now())
    tz = timezone.get_default_timezone()
    for day, value in ((1, "900"), (3, "1000"), (5, "1200")):
        UsageReading.objects.create(brand=world.brand, product=world.product, metric=Metric.LITRES_FILTERED,
                                    value=Decimal(value), read_at=dt.datetime(2026, 7, day, 22, tzinfo=tz))

    restarted = record_replacement(product=world.product, part=rules["pp_model"].part, on=D(2026, 7, 3),
                                   via=ReplacedVia.VISIT)

    assert [s.pk for s in restarted] == [schedule.pk]
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.last_done_via, schedule.litres_at_last, schedule.due_on,
            schedule.due_by, schedule.version) == (D(2026, 7, 3), "visit", Decimal("1000.000"), D(2026, 10, 3),
                                                   "time", 2)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
    # the carbon filter was not replaced
    assert Schedule.objects.get(product=world.product, rule=rules["carbon_category"]).last_done_on is None

    # an older replacement reported late changes nothing
    assert record_replacement(product=world.product, part=rules["pp_model"].part, on=D(2026, 7, 1),
                              via=ReplacedVia.DEVICE) == []
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.version) == (D(2026, 7, 3), 2)


def test_a_replacement_must_say_what(world, rules):
    with pytest.raises(InvalidInput):
        record_replacement(product=world.product, on=D(2026, 7, 3), via=ReplacedVia.VISIT)


def test_usage_rate_brings_the_due_date_forward(world, rules):
    ensure_schedules(brand_id=world.brand.pk)
    schedule = Schedule.objects.get(product=world.product, rule=rules["pp_model"])
    Schedule.objects.filter(pk=schedule.pk).update(last_done_on=D(2026, 6, 20))
    rules["pp_model"].litres = 2000
    rules["pp_model"].save()
    Schedule.objects.filter(pk=schedule.pk).update(litres_per_day=Decimal("35"))
    assert recompute(Schedule.objects.filter(product=world.product)) == 1  # the carbon filter is as it was
    schedule.refresh_from_db()
    assert (schedule.due_on, schedule.due_by) == (D(2026, 8, 17), "litres")
    assert recompute(Schedule.objects.filter(product=world.product)) == 0


def test_a_plan_schedule_runs_from_the_start_and_its_visit_replaces_its_parts(world, rules):
    ensure_schedules(brand_id=world.brand.pk)
    plan = PlanFactory(category=world.category, interval_months=12)
    PlanPart.objects.create(plan=plan, part=rules["carbon_category"].part)
    schedule = schedule_plan(product=world.product, plan=plan, contract=None, starts_on=D(2026, 3, 1),
                             ends_on=D(2028, 2, 29))
    assert (schedule.kind, schedule.due_on, schedule.ends_on) == ("maintenance", D(2027, 3, 1), D(2028, 2, 29))
    again = schedule_plan(product=world.product, plan=plan, contract=None, starts_on=D(2026, 3, 1),
                          ends_on=D(2029, 2, 28))
    assert (again.pk, again.ends_on, Schedule.objects.filter(plan=plan).count()) == (schedule.pk, D(2029, 2, 28), 1)

    restarted = record_replacement(product=world.product, plan=plan, on=D(2026, 9, 1), via=ReplacedVia.VISIT)
    assert sorted(s.pk for s in restarted) == sorted(
        [schedule.pk, Schedule.objects.get(product=world.product, rule=rules["carbon_category"]).pk])
    assert Schedule.objects.get(pk=schedule.pk).due_on == D(2027, 9, 1)


def test_a_plan_of_another_brand_is_refused(world):
    plan = PlanFactory(brand=world.other_brand,
                      product_model=ProductModelFactory(category__brand=world.other_brand))
    with pytest.raises(InvalidInput):
        schedule_plan(product=world.product, plan=plan, contract=None, starts_on=D(2026, 3, 1), ends_on=None)
    assert Schedule.objects.count() == 0
