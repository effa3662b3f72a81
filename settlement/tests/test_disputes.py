"""An outlet disputes single lines; finance resolves each; approval waits for nothing to be open (settlement.disputes,
settlement.workflow.act)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db.models import Sum

from accounts.principal import principal_of
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from settlement import disputes, services, workflow
from settlement.choices import DisputeState, LineKind
from settlement.choices import StatementState as S
from settlement.models import LineDispute, SettlementLine, Statement, StatementEvent
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    w = prepare_settlement(world)
    w.order = completed(w)
    completed(w)
    [w.statement] = [s for s in services.generate(brand=w.brand, period=PERIOD) if s.technician_id is None]
    w.finance_p = principal_of(w.finance)
    w.manager = principal_of(w.manager_a)
    w.line = SettlementLine.objects.filter(statement=w.statement, kind=LineKind.FEE).order_by("pk").first()
    return w


def sent(w) -> Statement:
    return workflow.act(w.statement, "send", actor=w.finance_p)


def sum_of_lines(statement) -> D:
    return SettlementLine.objects.filter(statement=statement).aggregate(s=Sum("amount"))["s"]


def test_a_dispute_moves_the_statement_to_disputed_and_keeps_the_reason(w):
    sent(w)
    dispute = disputes.raise_dispute(w.line, actor=w.manager, reason="  客户家在 12 楼，无电梯  ",
                                     claimed_amount="120.5")

    statement = Statement.objects.get(pk=w.statement.pk)
    assert statement.state == S.DISPUTED
    assert (dispute.state, dispute.reason, dispute.claimed_amount) == (DisputeState.OPEN, "客户家在 12 楼，无电梯",
                                                                       D("120.50"))
    assert StatementEvent.objects.filter(statement=statement, state=S.DISPUTED, actor_role="outlet_manager").exists()


def test_a_second_line_may_be_disputed_while_the_statement_is_disputed_but_not_the_same_line_twice(w):
    sent(w)
    disputes.raise_dispute(w.line, actor=w.manager, reason="wrong band")
    other = SettlementLine.objects.filter(statement=w.statement).exclude(pk=w.line.pk).first()
    disputes.raise_dispute(other, actor=w.manager, reason="wrong too")

    with pytest.raises(disputes.AlreadyDisputed) as refused:
        disputes.raise_dispute(w.line, actor=w.manager, reason="again")
    assert refused.value.status == 409
    assert LineDispute.objects.filter(statement=w.statement).count() == 2


@pytest.mark.parametrize(("who", "error"), [("finance", PermissionDenied), ("manager_b", PermissionDenied),
                                            ("dispatcher", PermissionDenied)])
def test_only_the_outlets_manager_disputes(w, who, error):
    sent(w)
    actor = w.finance_p if who == "finance" else principal_of(getattr(w, who))
    with pytest.raises(error):
        disputes.raise_dispute(w.line, actor=actor, reason="no")
    assert not LineDispute.objects.exists()
    assert Statement.objects.get(pk=w.statement.pk).state == S.SENT


@pytest.mark.parametrize(("reason", "amount", "field"), [
    ("  ", None, "reason"), ("x", "abc", "claimed_amount"), ("x", "1e20", "claimed_amount"),
    ("x", "NaN", "claimed_amount")])
def test_bad_input_is_refused_beside_its_field(w, reason, amount, field):
    sent(w)
    with pytest.raises(InvalidInput) as refused:
        disputes.raise_dispute(w.line, actor=w.manager, reason=reason, claimed_amount=amount)
    assert refused.value.field == field
    assert not LineDispute.objects.exists()


def test_a_draft_cannot_be_disputed(w):
    with pytest.raises(IllegalTransition):
        disputes.raise_dispute(w.line, actor=w.manager, reason="too early")


def test_upholding_adds_an_adjustment_line_and_the_total_stays_the_sum_of_the_lines(w):
    sent(w)
    dispute = disputes.raise_dispute(w.line, actor=w.manager, reason="wrong band", claimed_amount="130")
    before = Statement.objects.get(pk=w.statement.pk).total

    resolved = disputes.resolve(dispute, actor=w.finance_p, upheld=True, resolution="yes, 12 km",
                                decided_amount="125.00")

    statement = Statement.objects.get(pk=w.statement.pk)
    adjustment = resolved.adjustment
    assert resolved.state == DisputeState.UPHELD and resolved.decided_amount == D("125.00")
    assert (adjustment.kind, adjustment.amount, adjustment.adjustment_of_id) == (
        LineKind.ADJUSTMENT, D("125.00") - w.line.amount, w.line.pk)
    assert SettlementLine.objects.get(pk=w.line.pk).amount == w.line.amount  # the line itself never changes
    assert statement.total == before + adjustment.amount == sum_of_lines(statement)
    assert statement.line_count == SettlementLine.objects.filter(statement=statement).count()


def test_upholding_without_an_amount_takes_the_claim_and_without_a_claim_asks_for_one(w):
    sent(w)
    claimed = disputes.raise_dispute(w.line, actor=w.manager, reason="a", claimed_amount="90")
    other = SettlementLine.objects.filter(statement=w.statement).exclude(pk=w.line.pk).first()
    bare = disputes.raise_dispute(other, actor=w.manager, reason="b")

    assert disputes.resolve(claimed, actor=w.finance_p, upheld=True).decided_amount == D("90.00")
    with pytest.raises(InvalidInput) as refused:
        disputes.resolve(bare, actor=w.finance_p, upheld=True)
    assert refused.value.field == "decided_amount"


def test_rejecting_needs_a_reason_and_leaves_the_lines_as_they_are(w):
    sent(w)
    dispute = disputes.raise_dispute(w.line, actor=w.manager, reason="a", claimed_amount="999")
    with pytest.raises(InvalidInput) as refused:
        disputes.resolve(dispute, actor=w.finance_p, upheld=False)
    assert refused.value.field == "resolution"

    resolved = disputes.resolve(dispute, actor=w.finance_p, upheld=False, resolution="the band is right")
    assert resolved.state == DisputeState.REJECTED and resolved.adjustment is None
    assert Statement.objects.get(pk=w.statement.pk).total == w.statement.total


def test_a_dispute_is_resolved_once(w):
    sent(w)
    dispute = disputes.raise_dispute(w.line, actor=w.manager, reason="a", claimed_amount="1")
    stale = LineDispute.objects.get(pk=dispute.pk)
    disputes.resolve(dispute, actor=w.finance_p, upheld=True)

    with pytest.raises(StaleVersion):
        disputes.resolve(stale, actor=w.finance_p, upheld=True)
    assert SettlementLine.objects.filter(statement=w.statement, kind=LineKind.ADJUSTMENT).count() == 1


def test_only_finance_resolves(w):
    sent(w)
    dispute = disputes.raise_dispute(w.line, actor=w.manager, reason="a", claimed_amount="1")
    with pytest.raises(PermissionDenied):
        disputes.resolve(dispute, actor=w.manager, upheld=True)


def test_approval_waits_for_every_dispute_then_goes_straight_from_disputed(w):
    sent(w)
    dispute = disputes.raise_dispute(w.line, actor=w.manager, reason="a", claimed_amount="1")
    statement = Statement.objects.get(pk=w.statement.pk)
    with pytest.raises(workflow.Unresolved) as refused:
        workflow.act(statement, "approve", actor=w.finance_p)
    assert refused.value.code == "unresolved_lines"

    disputes.resolve(dispute, actor=w.finance_p, upheld=False, resolution="stands")
    approved = workflow.act(Statement.objects.get(pk=w.statement.pk), "approve", actor=w.finance_p)
    assert approved.state == S.APPROVED


def test_a_held_line_blocks_approval(w):
    sent(w)
    statement = workflow.act(Statement.objects.get(pk=w.statement.pk), "confirm", actor=w.manager)
    SettlementLine.objects.filter(pk=w.line.pk).update(held=True)
    with pytest.raises(workflow.Unresolved):
        workflow.act(statement, "approve", actor=w.finance_p)


@pytest.mark.parametrize(("action", "who"), [("send", "manager"), ("approve", "manager"), ("pay", "manager"),
                                             ("confirm", "finance"), ("send", "manager_b"),
                                             ("send", "dispatcher")])
def test_act_lets_each_party_make_only_its_own_moves(w, action, who):
    if action != "send":
        sent(w)
    actor = {"manager": w.manager, "finance": w.finance_p}.get(who) or principal_of(getattr(w, who))
    statement = Statement.objects.get(pk=w.statement.pk)
    with pytest.raises(PermissionDenied):
        workflow.act(statement, action, actor=actor, payment_reference="X")
    assert Statement.objects.get(pk=w.statement.pk).state == statement.state


def test_an_unknown_action_is_refused(w):
    with pytest.raises(InvalidInput) as refused:
        workflow.act(w.statement, "delete", actor=w.finance_p)
    assert refused.value.field == "action"
