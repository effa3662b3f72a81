"""settlement.workflow: a statement moves only along the table, by compare-and-set, with a history row."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from core.errors import IllegalTransition, InvalidInput, StaleVersion
from settlement import services, workflow
from settlement.choices import StatementState as S
from settlement.models import Statement, StatementEvent
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    w = prepare_settlement(world)
    completed(w)
    [w.statement] = services.generate(brand=w.brand, period=PERIOD)
    w.finance_p = principal_of(w.finance)
    return w


def state_of(statement: Statement) -> tuple:
    row = Statement.objects.get(pk=statement.pk)
    return (row.state, row.version, row.total, row.payment_reference, row.sent_at, row.approved_at, row.paid_at,
            StatementEvent.objects.filter(statement=statement).count())


def test_the_whole_path_to_paid_writes_one_event_per_move(w):
    manager = principal_of(w.manager_a)
    start = w.statement.version
    s = workflow.transition(w.statement, S.SENT, actor=w.finance_p)
    s = workflow.transition(s, S.DISPUTED, actor=manager, reason="line 1 is wrong")
    s = workflow.transition(s, S.SENT, actor=w.finance_p, reason="resolved")
    s = workflow.transition(s, S.CONFIRMED, actor=manager)
    s = workflow.transition(s, S.APPROVED, actor=w.finance_p)
    s = workflow.transition(s, S.PAID, actor=w.finance_p, payment_reference=" BANK-0001 ")

    assert (s.state, s.payment_reference, s.version) == (S.PAID, "BANK-0001", start + 6)
    assert s.sent_at and s.approved_at and s.paid_at
    events = list(StatementEvent.objects.filter(statement=s).values_list("from_state", "state", "actor_role",
                                                                          "reason"))
    assert events == [(S.DRAFT, S.SENT, "finance", ""), (S.SENT, S.DISPUTED, "outlet_manager", "line 1 is wrong"),
                      (S.DISPUTED, S.SENT, "finance", "resolved"), (S.SENT, S.CONFIRMED, "outlet_manager", ""),
                      (S.CONFIRMED, S.APPROVED, "finance", ""), (S.APPROVED, S.PAID, "finance", "")]


@pytest.mark.parametrize(("path", "to"), [
    ([], S.APPROVED), ([], S.PAID), ([S.SENT], S.APPROVED), ([S.SENT], S.DRAFT),
    ([S.SENT, S.CONFIRMED], S.DISPUTED), ([S.SENT, S.CONFIRMED, S.APPROVED], S.DRAFT),
])
def test_an_edge_not_in_the_table_is_a_409_and_changes_nothing(w, path, to):
    s = w.statement
    for step in path:
        s = workflow.transition(s, step, actor=w.finance_p)
    before = state_of(s)

    with pytest.raises(IllegalTransition) as refused:
        workflow.transition(s, to, actor=w.finance_p)

    assert refused.value.status == 409
    assert state_of(s) == before


def test_a_stale_copy_is_a_409_and_changes_nothing(w):
    stale = Statement.objects.get(pk=w.statement.pk)
    workflow.transition(w.statement, S.SENT, actor=w.finance_p)
    before = state_of(stale)

    with pytest.raises(StaleVersion) as refused:
        workflow.transition(stale, S.SENT, actor=w.finance_p)

    assert refused.value.status == 409
    assert state_of(stale) == before


def test_paying_needs_the_reference(w):
    s = w.statement
    for step in (S.SENT, S.CONFIRMED, S.APPROVED):
        s = workflow.transition(s, step, actor=w.finance_p)
    before = state_of(s)

    with pytest.raises(InvalidInput):
        workflow.transition(s, S.PAID, actor=w.finance_p, payment_reference="  ")

    assert state_of(s) == before


def test_every_state_is_in_the_table():
    assert set(workflow.ALLOWED) == set(S.values)
    assert all(to in S.values for targets in workflow.ALLOWED.values() for to in targets)
