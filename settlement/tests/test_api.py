"""/api/v1/settlement: statements, their moves, disputes, the fraud review queue, generation and the exports, seen
by each party (docs/settlement.md, "API" and "Who sees what")."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.principal import principal_of
from conftest import token_client
from settlement import services, workflow
from settlement.choices import DisputeState, FlagCheck, FlagState, LineKind, StatementState
from settlement.models import FraudFlag, LineDispute, SettlementLine, Statement, StatementEvent
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db
API = "/api/v1/settlement"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def w(world):
    w = prepare_settlement(world)
    w.order_a = completed(w)
    w.order_b = completed(w, outlet=w.outlet_b)
    services.generate(brand=w.brand, period=PERIOD)
    w.statement_a = Statement.objects.get(outlet=w.outlet_a, technician=None, period=PERIOD)
    w.statement_b = Statement.objects.get(outlet=w.outlet_b, technician=None, period=PERIOD)
    w.fin = token_client(w.finance)
    w.mgr_a, w.mgr_b = token_client(w.manager_a), token_client(w.manager_b)
    return w


def state_of(statement: Statement) -> tuple:
    row = Statement.objects.get(pk=statement.pk)
    return (row.state, row.version, row.total, row.line_count, row.payment_reference,
            StatementEvent.objects.filter(statement=row).count(),
            list(SettlementLine.objects.filter(statement=row).order_by("pk").values_list("pk", "amount", "held")),
            list(LineDispute.objects.filter(statement=row).order_by("pk").values_list("pk", "state")))


def send(w, statement: Statement) -> Statement:
    return workflow.act(statement, "send", actor=principal_of(w.finance))


def tech_statement(w, technician, *, state=StatementState.DRAFT) -> Statement:
    s = Statement.objects.create(brand=w.brand, outlet=technician.outlet, technician=technician, period=PERIOD,
                                 state=state, total=Decimal("8.00"), line_count=1)
    SettlementLine.objects.create(brand=w.brand, statement=s, outlet=technician.outlet, technician=technician,
                                  work_order=w.order_a, kind=LineKind.PIECE_RATE, amount=Decimal("8.00"))
    return s


# --- lists and details -----------------------------------------------------------------------------------------


def test_finance_lists_the_brands_statements_with_money_as_text(w):
    body = w.fin.get(f"{API}/statements", {"period": "2026-11"}).json()
    assert body["count"] == 2 and not body["count_capped"]
    by_id = {s["id"]: s for s in body["items"]}
    assert set(by_id) == {w.statement_a.pk, w.statement_b.pk}
    a = by_id[w.statement_a.pk]
    assert (a["period"], a["outlet"], a["technician"], a["state"], a["version"], a["line_count"]) == (
        "2026-11", {"id": w.outlet_a.pk, "code": "outlet-a", "name": "Outlet A"}, None, "draft",
        w.statement_a.version, w.statement_a.line_count)
    assert a["total"] == f"{w.statement_a.total:.2f}" and isinstance(a["total"], str)
    assert a["sent_at"] is None and a["generated_at"]
    # Filters and paging
    only_b = w.fin.get(f"{API}/statements", {"outlet": w.outlet_b.pk}).json()
    assert [s["id"] for s in only_b["items"]] == [w.statement_b.pk]
    assert w.fin.get(f"{API}/statements", {"period": "2026-10"}).json()["count"] == 0
    assert w.fin.get(f"{API}/statements", {"state": "sent"}).json()["count"] == 0
    page = w.fin.get(f"{API}/statements", {"page_size": 1, "page": 2}).json()
    assert (page["count"], len(page["items"]), page["page"]) == (2, 1, 2)
    # The brand admin sees the same
    assert token_client(w.admin).get(f"{API}/statements").json()["count"] == 2


@pytest.mark.parametrize(("query", "field"), [({"period": "2026-13"}, "period"), ({"period": "11-2026"}, "period")])
def test_a_malformed_period_is_a_422_on_its_field(w, query, field):
    response = w.fin.get(f"{API}/statements", query)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (422, "invalid", field)


def test_an_outlets_manager_sees_only_their_outlets_statement(w):
    listed = w.mgr_a.get(f"{API}/statements").json()
    assert [s["id"] for s in listed["items"]] == [w.statement_a.pk]
    assert w.mgr_a.get(f"{API}/statements", {"outlet": w.outlet_b.pk}).json()["count"] == 0
    response = w.mgr_a.get(f"{API}/statements/{w.statement_b.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert w.mgr_a.get(f"{API}/statements/{w.statement_a.pk}").status_code == 200


@pytest.mark.parametrize("persona", ["dispatcher", "hotline", "analyst", "customer", "rival_dispatcher", "tech_b"])
def test_others_see_no_statement(w, persona):
    user = getattr(w, persona)
    client = token_client(getattr(user, "user", user))
    for path in ("statements", "disputes", "flags"):
        body = client.get(f"{API}/{path}").json()
        assert (body["count"], body["items"]) == (0, []), path
    assert client.get(f"{API}/statements/{w.statement_a.pk}").status_code == 404


def test_a_technician_sees_his_own_statement_only_once_it_is_sent(w):
    mine = tech_statement(w, w.tech_a)
    client = token_client(w.tech_a.user)
    assert client.get(f"{API}/statements").json()["count"] == 0
    assert client.get(f"{API}/statements/{mine.pk}").status_code == 404
    assert client.get(f"{API}/statements/{mine.pk}/export.xlsx").status_code == 404

    send(w, w.statement_a)  # the technicians' statements of the outlet's month go out with it

    listed = client.get(f"{API}/statements").json()["items"]
    assert [(s["id"], s["technician"], s["state"]) for s in listed] == [
        (mine.pk, {"id": w.tech_a.pk, "name": "tech_a"}, "sent")]
    detail = client.get(f"{API}/statements/{mine.pk}").json()
    assert [(line["kind"], line["amount"]) for line in detail["lines"]] == [("piece_rate", "8.00")]
    assert detail["actions"] == []  # nothing for him to do: it follows the outlet's
    assert client.get(f"{API}/statements/{w.statement_a.pk}").status_code == 404
    assert token_client(w.tech_a2.user).get(f"{API}/statements/{mine.pk}").status_code == 404


def test_the_detail_has_the_lines_events_disputes_and_the_callers_actions(w):
    w.statement_a = send(w, w.statement_a)
    detail = w.mgr_a.get(f"{API}/statements/{w.statement_a.pk}").json()
    lines = SettlementLine.objects.filter(statement=w.statement_a).order_by("pk")
    assert len(detail["lines"]) == lines.count() == w.statement_a.line_count > 0
    fee = next(line for line in detail["lines"] if line["kind"] == "fee")
    row = lines.get(pk=fee["id"])
    assert fee["order"] == {"id": w.order_a.pk, "number": w.order_a.number}
    assert (fee["amount"], fee["tariff_id"], fee["rule_id"], fee["held"], fee["adjustment_of"], fee["open_dispute"]) \
        == (f"{row.amount:.2f}", w.tariff.pk, None, False, None, None)
    assert fee["kind_label"] == str(LineKind.FEE.label) and fee["basis"]["fee_row_id"] == w.fee_category.pk
    assert str(w.fee_category.pk) in fee["why"]
    assert [(e["from_state"], e["state"], e["actor_role"]) for e in detail["events"]] == [
        ("draft", "sent", "finance")]
    assert detail["disputes"] == []
    assert detail["actions"] == ["confirm"]
    assert w.fin.get(f"{API}/statements/{w.statement_a.pk}").json()["actions"] == []
    assert w.fin.get(f"{API}/statements/{w.statement_b.pk}").json()["actions"] == ["send"]


# --- moves -----------------------------------------------------------------------------------------------------


def test_the_whole_path_over_the_api(w):
    s = w.statement_a
    sent = post(w.fin, f"{API}/statements/{s.pk}/transitions", {"action": "send", "version": s.version})
    assert (sent.status_code, sent.json()["state"]) == (200, "sent"), sent.json()
    line = SettlementLine.objects.filter(statement=s, kind=LineKind.FEE).get()

    disputed = post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "路远，应加补贴",
                                                                 "claimed_amount": "120.00"})
    assert disputed.status_code == 201, disputed.json()
    dispute = disputed.json()
    assert (dispute["state"], dispute["claimed_amount"], dispute["line_id"], dispute["order"]["number"],
            dispute["line_amount"]) == ("open", "120.00", line.pk, w.order_a.number, f"{line.amount:.2f}")
    detail = w.mgr_a.get(f"{API}/statements/{s.pk}").json()
    assert detail["state"] == "disputed"
    assert next(x for x in detail["lines"] if x["id"] == line.pk)["open_dispute"]["id"] == dispute["id"]
    assert [d["id"] for d in w.fin.get(f"{API}/disputes", {"state": "open"}).json()["items"]] == [dispute["id"]]
    assert [d["id"] for d in w.mgr_a.get(f"{API}/disputes").json()["items"]] == [dispute["id"]]
    assert w.mgr_b.get(f"{API}/disputes").json()["count"] == 0

    refused = post(w.fin, f"{API}/statements/{s.pk}/transitions", {"action": "approve"})
    assert (refused.status_code, refused.json()["code"]) == (409, "unresolved_lines")

    before_total = Statement.objects.get(pk=s.pk).total
    resolved = post(w.fin, f"{API}/disputes/{dispute['id']}/resolution", {"upheld": True, "resolution": "ok"})
    assert resolved.status_code == 200, resolved.json()
    assert (resolved.json()["state"], resolved.json()["decided_amount"]) == ("upheld", "120.00")
    adjustment = SettlementLine.objects.get(pk=resolved.json()["adjustment_id"])
    assert (adjustment.kind, adjustment.amount, adjustment.adjustment_of_id) == (
        LineKind.ADJUSTMENT, Decimal("120.00") - line.amount, line.pk)
    assert Statement.objects.get(pk=s.pk).total == before_total + adjustment.amount
    assert w.fin.get(f"{API}/disputes", {"state": "open"}).json()["count"] == 0

    approved = post(w.fin, f"{API}/statements/{s.pk}/transitions", {"action": "approve"})
    assert (approved.status_code, approved.json()["state"]) == (200, "approved"), approved.json()
    unpaid = post(w.fin, f"{API}/statements/{s.pk}/transitions", {"action": "pay"})
    assert (unpaid.status_code, unpaid.json()["code"], unpaid.json()["field"]) == (422, "invalid",
                                                                                 "payment_reference")
    paid = post(w.fin, f"{API}/statements/{s.pk}/transitions", {"action": "pay", "payment_reference": "BANK-1"})
    assert (paid.json()["state"], paid.json()["payment_reference"]) == ("paid", "BANK-1")
    assert paid.json()["paid_at"] and paid.json()["approved_at"]
    assert [e["state"] for e in paid.json()["events"]] == ["sent", "disputed", "approved", "paid"]


def test_the_outlet_confirms(w):
    s = send(w, w.statement_a)
    confirmed = post(w.mgr_a, f"{API}/statements/{s.pk}/transitions", {"action": "confirm", "reason": "对账无误"})
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "confirmed")
    assert confirmed.json()["events"][-1]["reason"] == "对账无误"


@pytest.mark.parametrize(("who", "action", "status", "code"), [
    ("mgr_a", "send", 403, "forbidden"),  # the brand sends
    ("fin", "confirm", 403, "forbidden"),  # the outlet confirms
    ("fin", "approve", 409, "illegal_transition"),  # a draft is not approved
    ("fin", "pay", 409, "illegal_transition"),
])
def test_refused_moves_change_nothing(w, who, action, status, code):
    before = state_of(w.statement_a)
    response = post(getattr(w, who), f"{API}/statements/{w.statement_a.pk}/transitions",
                    {"action": action, "payment_reference": "X"})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state_of(w.statement_a) == before


def test_a_stale_version_is_a_409_and_changes_nothing(w):
    before = state_of(w.statement_a)
    response = post(w.fin, f"{API}/statements/{w.statement_a.pk}/transitions",
                    {"action": "send", "version": w.statement_a.version - 1})
    assert (response.status_code, response.json()["code"]) == (409, "stale_version")
    assert response.json()["detail"]["current_version"] == w.statement_a.version
    assert state_of(w.statement_a) == before


def test_an_unknown_action_is_a_422(w):
    response = post(w.fin, f"{API}/statements/{w.statement_a.pk}/transitions", {"action": "dispute"})
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_another_outlets_statement_cannot_be_moved(w):
    s = send(w, w.statement_b)
    before = state_of(s)
    response = post(w.mgr_a, f"{API}/statements/{s.pk}/transitions", {"action": "confirm"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    line = SettlementLine.objects.filter(statement=s).first()
    assert post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "x"}).status_code == 404
    assert state_of(s) == before


# --- disputes --------------------------------------------------------------------------------------------------


def test_dispute_refusals(w):
    line = SettlementLine.objects.filter(statement=w.statement_a).first()
    before = state_of(w.statement_a)
    draft = post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "x"})
    assert (draft.status_code, draft.json()["code"]) == (409, "illegal_transition")
    s = send(w, w.statement_a)
    before = state_of(s)
    by_finance = post(w.fin, f"{API}/lines/{line.pk}/disputes", {"reason": "x"})
    assert (by_finance.status_code, by_finance.json()["code"]) == (403, "forbidden")
    blank = post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "  "})
    assert (blank.status_code, blank.json()["code"], blank.json()["field"]) == (422, "invalid", "reason")
    bad = post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "x", "claimed_amount": "abc"})
    assert (bad.status_code, bad.json()["field"]) == (422, "claimed_amount")
    assert state_of(s) == before

    first = post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "x", "claimed_amount": "-1.50"})
    assert (first.status_code, first.json()["claimed_amount"]) == (201, "-1.50")
    again = post(w.mgr_a, f"{API}/lines/{line.pk}/disputes", {"reason": "y"})
    assert (again.status_code, again.json()["code"]) == (409, "already_disputed")

    dispute_id = first.json()["id"]
    by_manager = post(w.mgr_a, f"{API}/disputes/{dispute_id}/resolution", {"upheld": False, "resolution": "x"})
    assert (by_manager.status_code, by_manager.json()["code"]) == (403, "forbidden")
    unexplained = post(w.fin, f"{API}/disputes/{dispute_id}/resolution", {"upheld": False})
    assert (unexplained.status_code, unexplained.json()["field"]) == (422, "resolution")
    assert post(w.mgr_b, f"{API}/disputes/{dispute_id}/resolution",
                {"upheld": False, "resolution": "x"}).status_code == 404
    rejected = post(w.fin, f"{API}/disputes/{dispute_id}/resolution", {"upheld": False, "resolution": "按标准结算"})
    assert (rejected.json()["state"], rejected.json()["adjustment_id"], rejected.json()["decided_amount"]) == (
        "rejected", None, None)
    assert LineDispute.objects.get(pk=dispute_id).state == DisputeState.REJECTED
    assert w.fin.get(f"{API}/disputes", {"state": "rejected"}).json()["count"] == 1
    twice = post(w.fin, f"{API}/disputes/{dispute_id}/resolution", {"upheld": False, "resolution": "x"})
    assert twice.status_code == 409


# --- generation and the fraud review ---------------------------------------------------------------------------


def test_finance_generates_the_month_after_the_fraud_checks(w):
    response = post(w.fin, f"{API}/generate", {"period": "2026-11"})
    assert response.status_code == 200, response.json()
    body = response.json()
    outlets = {s["outlet"]["id"]: s for s in body["statements"] if s["technician"] is None}
    assert body["period"] == "2026-11" and set(outlets) == {w.outlet_a.pk, w.outlet_b.pk}
    a = Statement.objects.get(pk=outlets[w.outlet_a.pk]["id"])
    assert (outlets[w.outlet_a.pk]["total"], outlets[w.outlet_a.pk]["line_count"]) == (f"{a.total:.2f}",
                                                                                     a.line_count)
    # The orders have no signature: the checks flagged them, and their lines wait for a reviewer.
    flags = FraudFlag.objects.filter(kind=FlagCheck.NO_SIGNATURE)
    assert set(flags.values_list("work_order_id", flat=True)) == {w.order_a.pk, w.order_b.pk}
    assert SettlementLine.objects.filter(statement=a, held=False).count() == 0
    raised = sorted(FraudFlag.objects.values_list("pk", "work_order_id", "kind"))
    again = post(w.fin, f"{API}/generate", {"period": "2026-11"}).json()
    assert [(s["id"], s["total"], s["line_count"]) for s in again["statements"]] == [
        (s["id"], s["total"], s["line_count"]) for s in body["statements"]]
    assert sorted(FraudFlag.objects.values_list("pk", "work_order_id", "kind")) == raised  # raised once


@pytest.mark.parametrize("persona", ["manager_a", "dispatcher", "analyst"])
def test_only_finance_generates(w, persona):
    before = state_of(w.statement_a)
    response = post(token_client(getattr(w, persona)), f"{API}/generate", {"period": "2026-11"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert state_of(w.statement_a) == before and FraudFlag.objects.count() == 0


def test_generate_refuses_a_malformed_period(w):
    response = post(w.fin, f"{API}/generate", {"period": "2026-1"})
    assert (response.status_code, response.json()["field"]) == (422, "period")


@pytest.fixture
def flagged(w):
    post(w.fin, f"{API}/generate", {"period": "2026-11"})
    w.flag_a = FraudFlag.objects.get(work_order=w.order_a, kind=FlagCheck.NO_SIGNATURE)
    w.flag_b = FraudFlag.objects.get(work_order=w.order_b, kind=FlagCheck.NO_SIGNATURE)
    return w


def test_the_review_queue_is_the_brands_for_finance_and_the_outlets_for_its_manager(flagged):
    w = flagged
    queue = w.fin.get(f"{API}/flags", {"state": "open", "period": "2026-11"}).json()
    assert {f["id"] for f in queue["items"]} >= {w.flag_a.pk, w.flag_b.pk}
    item = next(f for f in queue["items"] if f["id"] == w.flag_a.pk)
    assert (item["order"], item["outlet"]["id"], item["kind"], item["state"], item["evidence"]["check"]) == (
        {"id": w.order_a.pk, "number": w.order_a.number}, w.outlet_a.pk, "no_signature", "open", "no_signature")
    assert w.fin.get(f"{API}/flags", {"period": "2026-10"}).json()["count"] == 0
    mine = {f["id"] for f in w.mgr_a.get(f"{API}/flags").json()["items"]}
    assert w.flag_a.pk in mine and w.flag_b.pk not in mine
    assert set(FraudFlag.objects.filter(pk__in=mine).values_list("outlet_id", flat=True)) == {w.outlet_a.pk}


def test_finance_clears_and_upholds_flags(flagged):
    w = flagged
    by_manager = post(w.mgr_a, f"{API}/flags/{w.flag_a.pk}/decision", {"upheld": False, "note": "x"})
    assert (by_manager.status_code, by_manager.json()["code"]) == (403, "forbidden")
    assert post(w.mgr_b, f"{API}/flags/{w.flag_a.pk}/decision", {"upheld": False}).status_code == 404
    stale = post(w.fin, f"{API}/flags/{w.flag_a.pk}/decision", {"upheld": False, "version": w.flag_a.version + 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    no_note = post(w.fin, f"{API}/flags/{w.flag_a.pk}/decision", {"upheld": True})
    assert (no_note.status_code, no_note.json()["field"]) == (422, "note")
    assert FraudFlag.objects.get(pk=w.flag_a.pk).state == FlagState.OPEN

    cleared = post(w.fin, f"{API}/flags/{w.flag_a.pk}/decision", {"upheld": False, "note": "客户签字在纸质单上"})
    assert (cleared.status_code, cleared.json()["state"], cleared.json()["note"]) == (200, "cleared",
                                                                                    "客户签字在纸质单上")
    assert cleared.json()["decided_at"]
    held = SettlementLine.objects.filter(work_order=w.order_a, held=True)
    if not FraudFlag.objects.filter(work_order=w.order_a, state=FlagState.OPEN).exists():
        assert held.count() == 0
    twice = post(w.fin, f"{API}/flags/{w.flag_a.pk}/decision", {"upheld": True, "note": "x"})
    assert (twice.status_code, twice.json()["code"]) == (409, "illegal_transition")

    b = Statement.objects.get(outlet=w.outlet_b, technician=None, period=PERIOD)
    before = b.total
    upheld = post(w.fin, f"{API}/flags/{w.flag_b.pk}/decision", {"upheld": True, "note": "重复照片"})
    assert upheld.json()["state"] == "upheld"
    reversals = SettlementLine.objects.filter(work_order=w.order_b, kind=LineKind.REVERSAL)
    assert reversals.exists()
    assert Statement.objects.get(pk=b.pk).total == before + sum(r.amount for r in reversals)


# --- exports over the api --------------------------------------------------------------------------------------


def test_statement_exports_download_for_whoever_sees_the_statement(w):
    for client in (w.fin, w.mgr_a):
        xlsx = client.get(f"{API}/statements/{w.statement_a.pk}/export.xlsx")
        assert xlsx.status_code == 200
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        assert xlsx["Content-Disposition"].startswith('attachment; filename="statement-outlet-a-2026-11')
        assert xlsx.content[:2] == b"PK"
    pdf = w.mgr_a.get(f"{API}/statements/{w.statement_a.pk}/export.pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    for fmt in ("xlsx", "pdf"):
        response = w.mgr_b.get(f"{API}/statements/{w.statement_a.pk}/export.{fmt}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_lines_export_holds_the_lines_the_caller_may_see(w):
    def ids(client, fmt="xlsx", period="2026-11"):
        response = client.get(f"{API}/lines/export.{fmt}", {"period": period})
        assert response.status_code == 200, response.content[:200]
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
        return {int(r[0]) for r in rows[1:]}

    all_lines = set(SettlementLine.objects.values_list("pk", flat=True))
    a_lines = set(SettlementLine.objects.filter(outlet=w.outlet_a).values_list("pk", flat=True))
    assert ids(w.fin) == ids(w.fin, "csv") == all_lines
    assert ids(w.mgr_a) == ids(w.mgr_a, "csv") == a_lines
    assert ids(w.fin, period="2026-10") == set()
    for persona in ("dispatcher", "customer", "rival_dispatcher"):
        user = getattr(w, persona)
        assert ids(token_client(getattr(user, "user", user))) == set(), persona
    mine = tech_statement(w, w.tech_a)
    assert ids(token_client(w.tech_a.user)) == set()  # a draft is not his to see yet
    send(w, w.statement_a)
    assert ids(token_client(w.tech_a.user)) == set(mine.lines.values_list("pk", flat=True))
    bad = w.fin.get(f"{API}/lines/export.xlsx", {"period": "2026"})
    assert (bad.status_code, bad.json()["field"]) == (422, "period")
    assert w.fin.get(f"{API}/lines/export.pdf", {"period": "2026-11"}).status_code == 422
