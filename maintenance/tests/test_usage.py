"""Usage rates from the readings: a heavy user is due sooner; the job is safe to run twice or at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import PartFactory
from conftest import race
from integrations.choices import Metric
from integrations.models import UsageReading
from maintenance.models import Schedule
from maintenance.schedules import ensure_schedules
from maintenance.tests.factories import ConsumableRuleFactory
from maintenance.usage import refresh_usage

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
TZ = timezone.get_default_timezone()


@pytest.fixture
def metered(world):
    rule = ConsumableRuleFactory(brand=world.brand, part=PartFactory(brand=world.brand), category=world.category,
                                 months=6, litres=2000)
    ensure_schedules(brand_id=world.brand.pk)
    Schedule.objects.update(last_done_on=dt.date(2026, 11, 1))
    # the world's product: 35 L a day for the last 4 weeks, 1,000 L on the meter at the replacement
    for days_ago in range(0, 29, 7):
        read_at = NOW - dt.timedelta(days=days_ago)
        UsageReading.objects.create(brand=world.brand, product=world.product, metric=Metric.LITRES_FILTERED,
                                    value=Decimal(3000 - 35 * days_ago), read_at=read_at)
    UsageReading.objects.create(brand=world.brand, product=world.product, metric=Metric.LITRES_FILTERED,
                                value=Decimal(1000), read_at=dt.datetime(2026, 10, 31, 20, tzinfo=TZ))
    return rule


def test_the_rate_and_the_meters_bring_the_due_date_forward(world, metered):
    assert refresh_usage(now=NOW) == 1
    s = Schedule.objects.get(product=world.product)
    # 2,000 L since 1,000 on the meter: 3,000 by 7 December → due that day (used up)
    assert (s.litres_per_day, s.litres_now, s.read_on, s.litres_at_last, s.due_on, s.due_by) == (
        Decimal("35.000"), Decimal("3000.000"), dt.date(2026, 12, 7), Decimal("1000.000"), dt.date(2026, 12, 7),
        "litres")
    other = Schedule.objects.get(product=world.other_product)
    assert (other.litres_per_day, other.due_by) == (None, "time")  # no readings: as it was
    assert refresh_usage(now=NOW) == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_agree(world, metered):
    race(lambda i: refresh_usage(now=NOW), 2)
    s = Schedule.objects.get(product=world.product)
    assert (s.litres_per_day, s.due_on, s.due_by) == (Decimal("35.000"), dt.date(2026, 12, 7), "litres")
