"""settlement.services.generate: a month's draft statements from the orders completed in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.principal import principal_of
from catalog.choices import ServiceType
from core.dates import brand_tz
from core.errors import InvalidInput
from settlement import services, workflow
from settlement.choices import StatementState
from settlement.models import SettlementLine, Statement
from settlement.tests.setup import PERIOD, completed, prepare_settlement
from workorders.choices import Status

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def w(world):
    return prepare_settlement(world)


def snapshot(statement: Statement) -> list[tuple]:
    return list(SettlementLine.objects.filter(statement=statement).order_by("work_order_id", "kind")
                .values_list("work_order_id", "kind", "amount", "tariff_id", "basis", "held"))


def test_each_outlet_gets_a_draft_with_its_orders_lines_and_their_total(w):
    a1 = completed(w)
    a2 = completed(w, status=Status.CLOSED)
    b1 = completed(w, outlet=w.outlet_b)

    statements = services.generate(brand=w.brand, period=PERIOD)

    assert [(s.outlet_id, s.state, s.total, s.line_count) for s in statements] == [
        (w.outlet_a.pk, StatementState.DRAFT, D("200.00"), 2),  # the category's row: 100 each
        (w.outlet_b.pk, StatementState.DRAFT, D("90.00"), 1),  # a partner: the partner row
    ]
    lines = SettlementLine.objects.filter(statement=statements[0]).order_by("work_order_id")
    assert [(line.work_order_id, line.kind, line.amount, line.tariff_id) for line in lines] == [
        (a1.pk, "fee", D("100.00"), w.tariff.pk), (a2.pk, "fee", D("100.00"), w.tariff.pk)]
    assert lines[0].basis["fee_row_id"] == w.fee_category.pk and lines[0].basis["order"] == a1.number
    assert SettlementLine.objects.get(statement=statements[1]).work_order_id == b1.pk


def test_only_orders_completed_within_the_local_month_count(w):
    tz = brand_tz()
    inside = completed(w, at=dt.datetime(2026, 11, 1, 0, 0, tzinfo=tz))  # 31 Oct 16:00 UTC
    completed(w, at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=tz))
    completed(w, at=dt.datetime(2026, 12, 1, 0, 0, tzinfo=tz))
    completed(w, status=Status.ON_SITE)

    [statement] = services.generate(brand=w.brand, period=PERIOD)

    assert set(statement.lines.values_list("work_order_id", flat=True)) == {inside.pk}


def test_travel_and_night_surcharge_are_lines_of_their_own(w):
    order = completed(w, at=dt.datetime(2026, 11, 10, 23, 30, tzinfo=brand_tz()))  # arrived 22:30
    w.outlet_a.latitude, w.outlet_a.longitude = D("30.000000"), D("120.000000")
    w.outlet_a.save(update_fields=["latitude", "longitude"])
    order.site.latitude, order.site.longitude = D("30.180000"), D("120.000000")  # 20.0 km north
    order.site.save(update_fields=["latitude", "longitude"])

    [statement] = services.generate(brand=w.brand, period=PERIOD)

    assert snapshot(statement)[0][1:3] == ("fee", D("100.00"))
    kinds = dict(statement.lines.values_list("kind", "amount"))
    assert kinds == {"fee": D("100.00"), "travel": D("15.00"), "night": D("30.00")}  # (20.0 − 10) × 1.50
    assert statement.total == D("145.00")


def test_regenerating_gives_the_same_lines_and_total(w):
    completed(w)
    completed(w, outlet=w.outlet_b)
    first = {s.pk: (s.total, s.line_count, snapshot(s)) for s in services.generate(brand=w.brand, period=PERIOD)}

    second = {s.pk: (s.total, s.line_count, snapshot(s)) for s in services.generate(brand=w.brand, period=PERIOD)}

    assert second == first
    assert Statement.objects.count() == 2


def test_a_statement_past_draft_is_never_touched(w):
    completed(w)
    [statement] = services.generate(brand=w.brand, period=PERIOD)
    finance = principal_of(w.finance)
    for to in (StatementState.SENT, StatementState.CONFIRMED, StatementState.APPROVED):
        statement = workflow.transition(statement, to, actor=finance)
    before = (statement.version, statement.total, statement.line_count, snapshot(statement),
              list(statement.lines.values_list("pk", flat=True)))
    completed(w)  # a late order of the same month

    assert services.generate(brand=w.brand, period=PERIOD) == []

    statement.refresh_from_db()
    assert (statement.version, statement.total, statement.line_count, snapshot(statement),
            list(statement.lines.values_list("pk", flat=True))) == before
    assert statement.state == StatementState.APPROVED


def test_the_total_is_the_sum_of_the_lines(w):
    for _ in range(3):
        completed(w)
    completed(w, outlet=w.outlet_b, type=ServiceType.INSTALL)

    services.generate(brand=w.brand, period=PERIOD)

    for statement in Statement.objects.all():
        lines = statement.lines.aggregate(total=Sum("amount"))["total"]
        assert statement.total == lines and statement.line_count == statement.lines.count()


def test_an_order_no_row_prices_gets_a_zero_line_with_the_reason(w):
    order = completed(w, type=ServiceType.INSTALL)

    [statement] = services.generate(brand=w.brand, period=PERIOD)

    [line] = statement.lines.all()
    assert (line.work_order_id, line.kind, line.amount, line.basis["reason"]) == (
        order.pk, "fee", D("0.00"), "no_tariff")
    assert statement.total == D("0.00")


def test_an_order_on_a_day_without_a_published_tariff_gets_a_zero_line(w):
    w.tariff.valid_to = dt.date(2026, 11, 15)
    w.tariff.save(update_fields=["valid_to"])
    completed(w, at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=brand_tz()))

    [statement] = services.generate(brand=w.brand, period=PERIOD)

    [line] = statement.lines.all()
    assert (line.amount, line.tariff_id, line.basis["reason"]) == (D("0.00"), None, "no_tariff")


def test_a_draft_whose_orders_left_the_month_is_emptied(w):
    order = completed(w)
    services.generate(brand=w.brand, period=PERIOD)
    type(order).objects.filter(pk=order.pk).update(completed_at=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))

    [statement] = services.generate(brand=w.brand, period=PERIOD)

    assert (statement.total, statement.line_count, statement.lines.count()) == (D("0.00"), 0, 0)


def test_a_period_that_is_not_a_month_start_is_refused(w):
    with pytest.raises(InvalidInput):
        services.generate(brand=w.brand, period=dt.date(2026, 11, 2))
    assert Statement.objects.count() == 0
