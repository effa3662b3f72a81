"""The brand's deductions and bonuses (docs/settlement.md, "Rules"): settlement.arithmetic.rule_lines over plain
data, and settlement.services.generate applying the rules valid on each order's completion day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from complaints.choices import ComplaintStatus, Outcome, ResponsibleParty
from complaints.tests.factories import ComplaintFactory
from core.dates import brand_tz
from feedback.models import Rating
from settlement import services
from settlement.arithmetic import Job, Rule, money, rule_lines, rules_on
from settlement.models import SettlementLine, SettlementRule, Statement
from settlement.tests.setup import PERIOD, completed, prepare_settlement
from workorders.choices import SlaAlert
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

D = Decimal
DAY = dt.date(2026, 11, 10)


# --- the arithmetic, plain data ---------------------------------------------------------------------------------

def rule(kind, **kw) -> Rule:
    return Rule(kind=kind, valid_from=kw.pop("valid_from", dt.date(2026, 1, 1)), id=kw.pop("id", 1), **kw)


def test_a_share_rounds_once_per_line():
    job = Job(service_type="repair", completed_day=DAY, sla_breaches=1)
    [line] = rule_lines(job, [rule("sla_breach", share=D("33.333"))], D("100.00"))
    assert (line.kind, line.amount, line.rule_id) == ("sla_breach", D("-33.33"), 1)
    # 3 breaches of 12.345 % of 10.00: 3.7035 → 3.70 (rounding each breach would give 3.69)
    job = Job(service_type="repair", completed_day=DAY, sla_breaches=3)
    [line] = rule_lines(job, [rule("sla_breach", share=D("12.345"))], D("10.00"))
    assert (line.amount, line.basis["exact"]) == (D("-3.70"), "-3.70350")


def test_of_several_valid_rules_of_a_kind_the_latest_applies_and_inactive_or_expired_ones_never():
    rules = [rule("missing_signature", amount=D("5"), id=1),
             rule("missing_signature", amount=D("8"), valid_from=dt.date(2026, 11, 1), id=2),
             rule("missing_signature", amount=D("9"), valid_from=dt.date(2026, 11, 5), is_active=False, id=3),
             rule("missing_signature", amount=D("7"), valid_from=dt.date(2026, 11, 11), id=4)]
    assert rules_on(rules, DAY)["missing_signature"].id == 2
    [line] = rule_lines(Job(service_type="repair", completed_day=DAY, has_signature=False), rules)
    assert (line.amount, line.rule_id) == (D("-8.00"), 2)
    expired = rule("missing_signature", amount=D("5"), valid_to=dt.date(2026, 11, 9))
    assert rule_lines(Job(service_type="repair", completed_day=DAY, has_signature=False), [expired]) == []


def test_a_rework_after_the_rules_days_is_not_deducted():
    rework = rule("rework", share=D("50"), days=30)
    job = Job(service_type="repair", completed_day=DAY, rework_after_days=30, rework_first_fee=D("90.00"))
    assert [line.amount for line in rule_lines(job, [rework])] == [D("-45.00")]
    late = Job(service_type="repair", completed_day=DAY, rework_after_days=31, rework_first_fee=D("90.00"))
    assert rule_lines(late, [rework]) == []


@given(share=st.decimals(min_value=0, max_value=100, places=3),
       fee=st.decimals(min_value=0, max_value=100000, places=2), breaches=st.integers(0, 2))
def test_a_line_is_its_exact_amount_rounded_once(share, fee, breaches):
    job = Job(service_type="repair", completed_day=DAY, sla_breaches=breaches)
    lines = rule_lines(job, [rule("sla_breach", share=share)], fee)
    exact = fee * share / 100 * breaches
    assert sum(line.amount for line in lines) == (money(-exact) if exact else 0)


# --- generate --------------------------------------------------------------------------------------------------

@pytest.fixture
def w(world):
    return prepare_settlement(world)


def make_rule(w, kind, **kw) -> SettlementRule:
    return SettlementRule.objects.create(brand=w.brand, kind=kind, valid_from=kw.pop("valid_from", dt.date(2026, 1, 1)),
                                         **kw)


def rule_rows(statement: Statement) -> list[tuple]:
    return list(statement.lines.exclude(rule=None).order_by("work_order_id", "kind")
                .values_list("work_order_id", "kind", "amount", "rule_id"))


def generate_one(w) -> Statement:
    return next(s for s in services.generate(brand=w.brand, period=PERIOD) if s.outlet_id == w.outlet_a.pk)


@pytest.mark.django_db
def test_a_rework_of_the_outlets_own_order_within_the_days_deducts_a_share_of_the_first_fee(w):
    first = completed(w, at=dt.datetime(2026, 10, 20, 10, 0, tzinfo=brand_tz()))
    again = completed(w)
    WorkOrder.objects.filter(pk=again.pk).update(is_rework=True, rework_of=first,
                                                 created_at=dt.datetime(2026, 11, 5, 9, 0, tzinfo=brand_tz()))
    rework = make_rule(w, "rework", share=D("33.33"), days=30)
    make_rule(w, "rework", amount=D("1.00"), days=30, is_active=False)

    statement = generate_one(w)

    assert rule_rows(statement) == [(again.pk, "rework", D("-33.33"), rework.pk)]  # 33.33 % of the first's 100.00
    line = statement.lines.get(kind="rework")
    assert (line.basis["rework_of"], line.basis["after_days"], line.tariff_id) == (first.pk, 16, None)


@pytest.mark.django_db
def test_a_rework_of_another_outlets_order_or_past_the_days_is_not_deducted(w):
    theirs = completed(w, outlet=w.outlet_b, at=dt.datetime(2026, 10, 20, 10, 0, tzinfo=brand_tz()))
    old = completed(w, at=dt.datetime(2026, 8, 1, 10, 0, tzinfo=brand_tz()))
    for first in (theirs, old):
        again = completed(w)
        WorkOrder.objects.filter(pk=again.pk).update(is_rework=True, rework_of=first)
    make_rule(w, "rework", amount=D("20.00"), days=30)

    assert rule_rows(generate_one(w)) == []


@pytest.mark.django_db
def test_an_upheld_complaint_deducts_what_its_verdict_sets(w):
    order = completed(w)
    other = completed(w)
    resolved = {"status": ComplaintStatus.RESOLVED, "resolved_at": order.completed_at, "customer": order.customer,
                "brand": w.brand}
    ComplaintFactory(work_order=order, outcome=Outcome.UPHELD, compensation=D("50.00"),
                     responsible=ResponsibleParty.OUTLET, **resolved)
    ComplaintFactory(work_order=other, outcome=Outcome.NOT_UPHELD, compensation=D("50.00"), **resolved)
    ComplaintFactory(work_order=other, outcome=Outcome.UPHELD, compensation=D("30.00"),
                     responsible=ResponsibleParty.PRODUCT, **resolved)
    rule_ = make_rule(w, "complaint", amount=D("10.00"))

    assert rule_rows(generate_one(w)) == [(order.pk, "complaint", D("-50.00"), rule_.pk)]


@pytest.mark.django_db
def test_each_breached_clock_is_deducted(w):
    order = completed(w)
    WorkOrder.objects.filter(pk=order.pk).update(response_alert=SlaAlert.BREACHED, onsite_alert=SlaAlert.BREACHED)
    at_risk = completed(w)
    WorkOrder.objects.filter(pk=at_risk.pk).update(response_alert=SlaAlert.AT_RISK)
    rule_ = make_rule(w, "sla_breach", amount=D("12.50"))

    assert rule_rows(generate_one(w)) == [(order.pk, "sla_breach", D("-25.00"), rule_.pk)]


@pytest.mark.django_db
def test_a_completion_without_the_customers_signature_is_deducted(w):
    signed = completed(w)
    unsigned = completed(w)
    WorkOrderAttachment.objects.create(work_order=signed, kind=AttachmentKind.SIGNATURE, content_type="image/png",
                                       size=3, file=ContentFile(b"png", name="sig.png"))
    rule_ = make_rule(w, "missing_signature", amount=D("15.00"))
    make_rule(w, "missing_signature", amount=D("99.00"), valid_from=dt.date(2026, 11, 11))  # not yet valid

    assert rule_rows(generate_one(w)) == [(unsigned.pk, "missing_signature", D("-15.00"), rule_.pk)]


@pytest.mark.django_db
def test_a_well_rated_month_earns_each_order_the_bonus(w):
    orders = [completed(w) for _ in range(3)]
    for order, score in zip(orders, (5, 5, 4), strict=True):
        Rating.objects.create(work_order=order, customer=order.customer, score=score, created_at=order.completed_at)
    bonus = make_rule(w, "satisfaction_bonus", share=D("10"), threshold=D("4.5"), min_ratings=3)

    statement = generate_one(w)

    assert rule_rows(statement) == [(order.pk, "satisfaction_bonus", D("10.00"), bonus.pk) for order in orders]
    bonus.min_ratings = 4  # too few ratings
    bonus.save(update_fields=["min_ratings"])
    assert rule_rows(generate_one(w)) == []


@pytest.mark.django_db
def test_rules_out_of_date_or_inactive_make_nothing(w):
    order = completed(w)
    WorkOrder.objects.filter(pk=order.pk).update(response_alert=SlaAlert.BREACHED)
    make_rule(w, "sla_breach", amount=D("5.00"), valid_to=dt.date(2026, 11, 9))
    make_rule(w, "sla_breach", amount=D("5.00"), valid_from=dt.date(2026, 11, 11))
    make_rule(w, "sla_breach", amount=D("5.00"), is_active=False)

    assert rule_rows(generate_one(w)) == []


@pytest.mark.django_db
def test_regenerating_gives_the_same_rule_lines_and_the_total_is_their_sum(w):
    order = completed(w)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_alert=SlaAlert.BREACHED)
    completed(w, outlet=w.outlet_b)
    make_rule(w, "sla_breach", share=D("33.33"))
    make_rule(w, "missing_signature", amount=D("15.00"))

    def snapshot():
        return sorted(SettlementLine.objects.values_list("work_order_id", "kind", "amount", "rule_id", "basis"),
                      key=repr)

    services.generate(brand=w.brand, period=PERIOD)
    first = snapshot()
    services.generate(brand=w.brand, period=PERIOD)

    assert snapshot() == first
    for statement in Statement.objects.all():
        assert statement.total == statement.lines.aggregate(total=Sum("amount"))["total"]
    statement = Statement.objects.get(outlet=w.outlet_a)
    assert statement.total == D("100.00") - D("33.33") - D("15.00")


@pytest.mark.django_db
def test_a_mail_in_repair_is_never_charged_for_a_missing_signature(w):
    order = completed(w)
    WorkOrder.objects.filter(pk=order.pk).update(type="mail_in")  # a unit sent in: nobody signs on site
    make_rule(w, "missing_signature", amount=D("15.00"))

    assert rule_rows(generate_one(w)) == []
