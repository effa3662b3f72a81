"""settlement.extras through the month's generation: warranty parts at the transfer price, a defective part not
returned, a complaint upheld after the order's statement was approved, and the technicians' statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.principal import principal_of
from catalog.tests.factories import PartFactory
from complaints.choices import ComplaintStatus, Outcome, ResponsibleParty
from complaints.tests.factories import ComplaintFactory
from core.dates import brand_tz
from field.models import JobTemplate, PhotoRequirement, Visit, VisitPhoto
from parts import services as parts_services
from parts.models import Consumption, DefectiveReturn
from revenue.models import Commission
from revenue.tests.factories import _probe_commission, _probe_lead
from settlement import services, workflow
from settlement.choices import LineKind
from settlement.choices import StatementState as S
from settlement.models import SettlementLine, SettlementRule, Statement, TariffPart
from settlement.tests.setup import PERIOD, completed, prepare_settlement
from workorders.models import WorkOrderAttachment

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def w(world):
    w = prepare_settlement(world)
    w.finance_p = principal_of(w.finance)
    w.pump = PartFactory(brand=w.brand, code="booster-pump", category=w.category)
    w.filter = PartFactory(brand=w.brand, code="pp-cotton", category=w.category)
    TariffPart.objects.create(tariff=w.tariff, part=w.pump, transfer_price=D("45.50"))
    return w


def outlet_statement(w, period=PERIOD, outlet=None) -> Statement:
    return Statement.objects.get(brand=w.brand, outlet=outlet or w.outlet_a, period=period, technician=None)


def lines(statement, kind) -> list[tuple]:
    return list(SettlementLine.objects.filter(statement=statement, kind=kind).order_by("pk")
                .values_list("work_order_id", "amount"))


def visit(w, order, parts) -> Visit:
    charge = {"lines": [{"kind": "part", "code": code, "quantity": quantity, "covered": covered}
                        for code, quantity, covered in parts]}
    return Visit.objects.create(work_order=order, technician=order.technician, completed_at=order.completed_at,
                                charge=charge)


def assert_totals_are_the_sums_of_lines(w):
    for statement in Statement.objects.filter(brand=w.brand):
        got = SettlementLine.objects.filter(statement=statement).aggregate(s=Sum("amount"))["s"] or D("0")
        assert (statement.total, statement.line_count) == (got, statement.lines.count()), statement


def test_warranty_parts_earn_the_transfer_price_and_parts_the_customer_paid_earn_nothing(w):
    covered = completed(w)
    visit(w, covered, [("booster-pump", 2, True), ("pp-cotton", 1, True)])
    paid = completed(w)
    visit(w, paid, [("booster-pump", 1, False)])

    services.generate(brand=w.brand, period=PERIOD)

    statement = outlet_statement(w)
    assert lines(statement, LineKind.PART) == [(covered.pk, D("91.00")), (covered.pk, D("0.00"))]
    no_price = SettlementLine.objects.get(statement=statement, kind=LineKind.PART, amount=0)
    assert no_price.basis["reason"] == "no_transfer_price" and no_price.basis["part"] == "pp-cotton"
    assert_totals_are_the_sums_of_lines(w)


def owed_part(w, order, *, days_ago_of_month_end: int) -> DefectiveReturn:
    van = parts_services.ensure_van(w.tech_a)
    at = dt.datetime(2026, 12, 1, tzinfo=brand_tz()) - dt.timedelta(days=days_ago_of_month_end)
    consumption = Consumption.objects.create(brand=w.brand, outlet=w.outlet_a, technician=w.tech_a, work_order=order,
                                             van=van, idempotency_key=f"k{order.pk}", request_hash="x", created_at=at)
    return DefectiveReturn.objects.create(brand=w.brand, outlet=w.outlet_a, technician=w.tech_a, work_order=order,
                                          consumption=consumption, part=w.pump, quantity=1, created_at=at)


def test_a_defective_part_owed_past_the_rules_days_is_charged_once(w):
    rule = SettlementRule.objects.create(brand=w.brand, kind="part_not_returned", amount=D("30.00"), days=15,
                                         valid_from=dt.date(2026, 1, 1))
    order = completed(w)
    late = owed_part(w, order, days_ago_of_month_end=20)
    owed_part(w, completed(w), days_ago_of_month_end=5)  # not yet due

    services.generate(brand=w.brand, period=PERIOD)
    statement = outlet_statement(w)
    charged = SettlementLine.objects.get(statement=statement, kind=LineKind.PART_NOT_RETURNED)
    assert (charged.work_order_id, charged.amount, charged.rule_id) == (order.pk, D("-45.50"), rule.pk)
    assert charged.basis["defective_return"] == late.pk

    workflow.act(statement, "send", actor=w.finance_p)
    completed(w, at=dt.datetime(2026, 12, 3, 10, tzinfo=brand_tz()))
    services.generate(brand=w.brand, period=DECEMBER)
    december = outlet_statement(w, DECEMBER)
    # The November part is charged in November only; the second part fell due in December.
    assert [line[0] for line in lines(december, LineKind.PART_NOT_RETURNED)] == [
        DefectiveReturn.objects.exclude(pk=late.pk).get().work_order_id]
    assert_totals_are_the_sums_of_lines(w)


def test_a_complaint_upheld_after_approval_is_an_adjustment_in_the_next_open_month(w):
    SettlementRule.objects.create(brand=w.brand, kind="complaint", amount=D("50.00"), valid_from=dt.date(2026, 1, 1))
    order = completed(w)
    services.generate(brand=w.brand, period=PERIOD)
    november = outlet_statement(w)
    for action in ("send", "confirm", "approve"):
        actor = principal_of(w.manager_a) if action == "confirm" else w.finance_p
        november = workflow.act(november, action, actor=actor)
    approved = (november.total, november.version, list(november.lines.values_list("pk", "amount")))

    ComplaintFactory(work_order=order, customer=order.customer, brand=w.brand, outcome=Outcome.UPHELD,
                     compensation=D("80.00"), responsible=ResponsibleParty.OUTLET, status=ComplaintStatus.RESOLVED,
                     resolved_at=timezone.now())
    services.generate(brand=w.brand, period=DECEMBER)
    services.generate(brand=w.brand, period=DECEMBER)  # idempotent

    november.refresh_from_db()
    assert (november.total, november.version, list(november.lines.values_list("pk", "amount"))) == approved
    december = outlet_statement(w, DECEMBER)
    [adjustment] = SettlementLine.objects.filter(statement=december, kind=LineKind.ADJUSTMENT)
    assert (adjustment.work_order_id, adjustment.amount) == (order.pk, D("-80.00"))
    assert adjustment.basis["reason"] == "late_change" and adjustment.basis["booked"] == "0.00"
    # Settled once: January's generation finds December's adjustment and makes none.
    services.generate(brand=w.brand, period=dt.date(2027, 1, 1))
    assert not SettlementLine.objects.filter(statement__period=dt.date(2027, 1, 1), kind=LineKind.ADJUSTMENT).exists()
    assert_totals_are_the_sums_of_lines(w)


def test_each_technician_gets_a_statement_of_piece_rate_and_lead_commissions(w):
    w.tariff.technician_share = D("30.00")
    w.tariff.save(update_fields=["technician_share"])
    order = completed(w)
    completed(w, outlet=w.outlet_b)
    lead = _probe_lead(order, kind="extended_warranty", queue="brand", technician=w.tech_a, outlet=w.outlet_a)
    commission = _probe_commission(lead)
    Commission.objects.filter(pk=commission.pk).update(earned_at=dt.datetime(2026, 11, 20, tzinfo=brand_tz()))

    services.generate(brand=w.brand, period=PERIOD)
    services.generate(brand=w.brand, period=PERIOD)  # idempotent

    mine = Statement.objects.get(brand=w.brand, period=PERIOD, technician=w.tech_a)
    fee = SettlementLine.objects.get(statement=outlet_statement(w), work_order=order, kind=LineKind.FEE).amount
    assert sorted(mine.lines.values_list("kind", "amount")) == sorted([
        (LineKind.PIECE_RATE, (fee * D("0.3")).quantize(D("0.01"))), (LineKind.LEAD_COMMISSION, D("10.00"))])
    assert Statement.objects.filter(period=PERIOD, technician=w.tech_b).count() == 1
    assert_totals_are_the_sums_of_lines(w)

    # The technicians' statements go out with their outlet's, and are then left alone by regeneration.
    workflow.act(outlet_statement(w), "send", actor=w.finance_p)
    mine.refresh_from_db()
    assert mine.state == S.SENT and mine.sent_at is not None
    Commission.objects.filter(pk=commission.pk).update(amount=D("99.00"))
    services.generate(brand=w.brand, period=PERIOD)
    assert mine.lines.get(kind=LineKind.LEAD_COMMISSION).amount == D("10.00")
    with pytest.raises(Exception):  # noqa: B017 - a technician's statement is never moved by hand
        workflow.act(mine, "approve", actor=w.finance_p)


def test_a_job_completed_without_a_required_photo_is_charged_once_by_the_rule(w):
    template = JobTemplate.objects.create(brand=w.brand, service_type="repair", name="维修")
    PhotoRequirement.objects.create(template=template, code="nameplate", label="铭牌")
    PhotoRequirement.objects.create(template=template, code="after", label="完工")
    PhotoRequirement.objects.create(template=template, code="extra", label="其他", required=False)
    rule = SettlementRule.objects.create(brand=w.brand, kind="missing_photo", share=D("10"),
                                         valid_from=dt.date(2026, 1, 1))
    complete = completed(w)
    done = visit(w, complete, [])
    for code in ("nameplate", "after"):
        attachment = WorkOrderAttachment.objects.create(work_order=complete, file="x.jpg", content_type="image/jpeg",
                                                        size=1)
        VisitPhoto.objects.create(visit=done, attachment=attachment, requirement=code, taken_at=complete.completed_at)
    lacking = completed(w)
    partial = visit(w, lacking, [])
    attachment = WorkOrderAttachment.objects.create(work_order=lacking, file="y.jpg", content_type="image/jpeg",
                                                    size=1)
    VisitPhoto.objects.create(visit=partial, attachment=attachment, requirement="nameplate",
                              taken_at=lacking.completed_at)
    at_the_desk = completed(w)  # completed with no visit at all

    services.generate(brand=w.brand, period=PERIOD)

    statement = outlet_statement(w)
    fee = SettlementLine.objects.get(statement=statement, work_order=lacking, kind=LineKind.FEE).amount
    charged = SettlementLine.objects.filter(statement=statement, kind="missing_photo").order_by("work_order_id")
    assert [(line.work_order_id, line.amount, line.rule_id, line.basis["photos"]) for line in charged] == [
        (lacking.pk, -(fee / 10).quantize(D("0.01")), rule.pk, ["after"]),
        (at_the_desk.pk, -(fee / 10).quantize(D("0.01")), rule.pk, ["nameplate", "after"])]
    assert_totals_are_the_sums_of_lines(w)


def test_the_technicians_statements_are_approved_and_paid_with_their_outlets(w):
    w.tariff.technician_share = D("30.00")
    w.tariff.save(update_fields=["technician_share"])
    completed(w)
    services.generate(brand=w.brand, period=PERIOD)
    statement = outlet_statement(w)
    mine = Statement.objects.get(brand=w.brand, period=PERIOD, technician=w.tech_a)
    for action, state in (("send", S.SENT), ("confirm", S.SENT), ("approve", S.APPROVED), ("pay", S.PAID)):
        actor = principal_of(w.manager_a) if action == "confirm" else w.finance_p
        statement = workflow.act(statement, action, actor=actor, payment_reference="CMB-1")
        mine.refresh_from_db()
        assert mine.state == state, action
    assert mine.paid_at == statement.paid_at
