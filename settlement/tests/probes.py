"""For core/tests/test_access.py: the statements, lines, disputes and fraud flags of each party that the others must
not reach (docs/settlement.md, "Who sees what"), and a snapshot proving a refused probe changed nothing."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import OutletFactory
from settlement.choices import FlagCheck, LineKind, StatementState
from settlement.models import FraudFlag, LineDispute, SettlementLine, Statement, StatementEvent
from settlement.tests.setup import PERIOD


def _statement(brand, outlet, order, *, technician=None, state=StatementState.SENT, dispute: bool = False):
    statement = Statement.objects.create(brand=brand, outlet=outlet, technician=technician, period=PERIOD,
                                         state=state, total=Decimal("80.00"), line_count=1)
    line = SettlementLine.objects.create(brand=brand, statement=statement, outlet=outlet, technician=technician,
                                         work_order=order, kind=LineKind.PIECE_RATE if technician else LineKind.FEE,
                                         amount=Decimal("80.00"), basis={"order": order.number})
    found = None
    if dispute:
        found = LineDispute.objects.create(statement=statement, line=line, reason="probe", raised_at=timezone.now())
    return statement, line, found


def _flag(brand, outlet, order) -> FraudFlag:
    return FraudFlag.objects.create(brand=brand, outlet=outlet, work_order=order, kind=FlagCheck.NO_SIGNATURE,
                                    evidence={"probe": True}, raised_at=timezone.now())


def access_probes(w, order_a, order_b, rival_order) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, set]]]:
    """Per persona, (the foreign ids it must not reach, its own ids each settlement list must show).

    Outlet A's and outlet B's statements (disputed, each with an open dispute on its line), tech_a's and tech_b's own
    statements (sent), the rival brand's statement, and a flag on each of order_a, order_b and the rival's order.
    The brand's desk (dispatcher, hotline, analyst) sees no statement at all, so it is probed with outlet A's.
    """
    rival_outlet = OutletFactory(brand=w.other_brand, code="rival-settlement")
    a, a_line, a_dispute = _statement(w.brand, w.outlet_a, order_a, state=StatementState.DISPUTED, dispute=True)
    b, b_line, b_dispute = _statement(w.brand, w.outlet_b, order_b, state=StatementState.DISPUTED, dispute=True)
    ta, ta_line, _ = _statement(w.brand, w.outlet_a, order_a, technician=w.tech_a)
    tb, _tb_line, _ = _statement(w.brand, w.outlet_b, order_b, technician=w.tech_b)
    _statement(w.other_brand, rival_outlet, rival_order, state=StatementState.DISPUTED, dispute=True)
    flag_a, flag_b = _flag(w.brand, w.outlet_a, order_a), _flag(w.brand, w.outlet_b, order_b)
    _flag(w.other_brand, rival_outlet, rival_order)

    of_a = {"statement_id": a.pk, "line_id": a_line.pk, "dispute_id": a_dispute.pk, "flag_id": flag_a.pk}
    of_b = {"statement_id": b.pk, "line_id": b_line.pk, "dispute_id": b_dispute.pk, "flag_id": flag_b.pk}
    of_tech_a = dict(of_a, statement_id=ta.pk, line_id=ta_line.pk)
    foreign = {
        "dispatcher": of_a, "hotline": of_a, "analyst": of_a,
        "manager_a": of_b, "manager_b": of_a,
        "tech_a": of_a,  # his outlet's statement is not his
        "tech_a2": of_tech_a, "tech_b": of_tech_a,  # a colleague's, another outlet's technician's
        "customer": of_a, "other_customer": of_a, "rival_dispatcher": of_a,
    }
    none = {"statements": set(), "disputes": set(), "flags": set()}
    own = {persona: dict(none) for persona in foreign}
    own["manager_a"] = {"statements": {a.pk}, "disputes": {a_dispute.pk}, "flags": {flag_a.pk}}
    own["manager_b"] = {"statements": {b.pk}, "disputes": {b_dispute.pk}, "flags": {flag_b.pk}}
    own["tech_a"] = dict(none, statements={ta.pk})
    own["tech_b"] = dict(none, statements={tb.pk})
    return {persona: dict(ids) for persona, ids in foreign.items()}, own


def snapshot():
    return (list(Statement.objects.order_by("pk").values_list("pk", "state", "version", "total", "line_count",
                                                              "payment_reference")),
            list(SettlementLine.objects.order_by("pk").values_list("pk", "amount", "held", "statement_id")),
            list(LineDispute.objects.order_by("pk").values_list("pk", "state", "resolution")),
            list(FraudFlag.objects.order_by("pk").values_list("pk", "state", "version", "note")),
            StatementEvent.objects.count())
