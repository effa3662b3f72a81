"""The finance desk and the outlet manager's statement pages (console/views/settlement.py): who sees what (another
party's statement, line, dispute or flag is a 404; a seat that has no such page is refused), the forms' errors beside
their fields, and the happy paths: generate, send, dispute, resolve, approve, pay, export, decide a flag."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, UserFactory
from console.settlement_forms import last_month
from customers.tests.factories import InstalledProductFactory
from settlement import disputes, fraud, services, workflow
from settlement.choices import DisputeState, FlagCheck, FlagState, LineKind, StatementState
from settlement.models import FraudFlag, LineDispute, SettlementLine, Statement
from settlement.tests.setup import PERIOD, completed, prepare_settlement
from settlement.why import why
from workorders.models import AttachmentKind, WorkOrderAttachment

pytestmark = pytest.mark.django_db
MONTH = f"{PERIOD:%Y-%m}"


# ---- the world: signed orders of November at both outlets (each its own unit, so no flag but those wanted) ----

def photo_bytes(seed: int, size: int = 96) -> bytes:
    """A PNG with enough structure for a perceptual hash (random blocks, the same for the same seed)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size))
    block = size // 8
    for x in range(8):
        for y in range(8):
            colour = tuple(rng.randrange(256) for _ in range(3))
            image.paste(colour, (x * block, y * block, (x + 1) * block, (y + 1) * block))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def attach(order, kind: str, content: bytes, name: str) -> WorkOrderAttachment:
    attachment = WorkOrderAttachment(work_order=order, kind=kind, content_type="image/png", size=len(content))
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def signed_order(w, outlet=None, n: int = 0, **kw):
    product = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model,
                                      serial=f"SN-SETTLE-{outlet.pk if outlet else 0}-{n}-{random.random()}")
    order = completed(w, outlet=outlet, product=product, **kw)
    attach(order, AttachmentKind.SIGNATURE, photo_bytes(1000 + order.pk), f"sig-{order.pk}.png")
    return order


def settlement_world(world):
    w = prepare_settlement(world)
    w.orders_a = [signed_order(w, w.outlet_a, n) for n in range(2)]
    w.orders_b = [signed_order(w, w.outlet_b, 9)]
    w.rival_finance = UserFactory(username="rival_finance")
    MembershipFactory(user=w.rival_finance, organisation=w.other_brand, role=Role.FINANCE)
    return w


@pytest.fixture
def w(world):
    return settlement_world(world)


def generated(w) -> dict[int, Statement]:
    fraud.run_checks(w.brand.pk, PERIOD)
    services.generate(brand=w.brand, period=PERIOD)
    return {s.outlet_id: s for s in Statement.objects.filter(brand=w.brand, period=PERIOD, technician__isnull=True)}


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def sum_of_lines(statement) -> D:
    return SettlementLine.objects.filter(statement=statement).aggregate(s=Sum("amount"))["s"] or D("0.00")


def url(name: str, *args) -> str:
    return reverse(f"console:{name}", args=args)


# ---- the desk ----

def test_the_desk_opens_on_last_month_and_finance_generates_the_drafts_of_a_month(w):
    finance = client_of(w.finance)
    page = finance.get(url("settlement"))
    assert page.status_code == 200
    assert page.context["period"] == last_month()
    assert b'id="settlement-generate"' in page.content

    answer = finance.post(url("settlement-generate"), {"period": MONTH})

    assert answer.status_code == 302
    assert answer["Location"] == f"{url('settlement')}?period={MONTH}&generated=2"
    statements = Statement.objects.filter(brand=w.brand, period=PERIOD, technician__isnull=True)
    assert sorted(s.outlet_id for s in statements) == sorted([w.outlet_a.pk, w.outlet_b.pk])
    page = finance.get(answer["Location"])
    rows = page.context["rows"]
    assert [(r.outlet_id, r.state, r.line_count, r.total, r.held, r.open_disputes) for r in rows] == [
        (s.outlet_id, StatementState.DRAFT, s.line_count, s.total, 0, 0)
        for s in sorted(statements, key=lambda s: s.outlet.name)]
    draft = next(s for s in page.context["states"] if s["value"] == StatementState.DRAFT)
    assert (draft["n"], draft["total"]) == (2, sum(s.total for s in statements))
    assert page.context["notice"]


def test_the_desk_filters_by_state(w):
    statements = generated(w)
    workflow.act(statements[w.outlet_a.pk], "send", actor=principal_of(w.finance))
    page = client_of(w.finance).get(url("settlement"), {"period": MONTH, "state": StatementState.SENT})
    assert [r.outlet_id for r in page.context["rows"]] == [w.outlet_a.pk]
    partial = client_of(w.finance).get(url("settlement"), {"period": MONTH, "state": StatementState.DRAFT},
                                       HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "console/settlement/_partials/desk_results.html"
    assert [r.outlet_id for r in partial.context["rows"]] == [w.outlet_b.pk]


def test_a_month_that_is_no_month_is_said_beside_the_field(w):
    page = client_of(w.finance).get(url("settlement"), {"period": "2026-13"})
    assert page.status_code == 200
    assert page.context["filters_invalid"] and page.context["form"].errors["period"]
    answer = client_of(w.finance).post(url("settlement-generate"), {"period": "soon"})
    assert answer.status_code == 422
    assert answer.context["generate_form"].errors["period"]
    assert not Statement.objects.exists()


def test_the_outlet_manager_sees_only_the_outlets_statements_and_no_generate_button(w):
    generated(w)
    page = client_of(w.manager_a).get(url("settlement"), {"period": MONTH})
    assert page.status_code == 200
    assert [r.outlet_id for r in page.context["rows"]] == [w.outlet_a.pk]
    assert b'id="settlement-generate"' not in page.content
    assert b'data-nav="settlement"' in page.content and "Statements" in page.content.decode()


@pytest.mark.parametrize("persona", ["manager_a", "dispatcher", "hotline", "analyst"])
def test_only_finance_and_the_admin_generate_and_open_the_queues(w, persona):
    client = client_of(getattr(w, persona))
    assert client.post(url("settlement-generate"), {"period": MONTH}).status_code == 403
    assert client.get(url("settlement-disputes")).status_code == 403
    assert client.get(url("settlement-flags")).status_code == 403
    assert client.get(url("settlement-lines-xlsx"), {"period": MONTH}).status_code == 403
    assert not Statement.objects.exists()


@pytest.mark.parametrize("persona", ["dispatcher", "hotline", "analyst", "manager_b"])
def test_seats_without_statements_pages_are_told_so(w, persona):
    if persona == "manager_b":
        assert client_of(w.manager_b).get(url("settlement")).status_code == 200
        return
    page = client_of(getattr(w, persona)).get(url("settlement"))
    assert page.status_code == 403
    assert b'id="no-settlement-desk"' in page.content
    assert b'data-nav="settlement"' not in page.content


def test_the_admin_has_the_desk_in_the_navigation(w):
    page = client_of(w.admin).get(url("settlement"))
    assert page.status_code == 200
    assert b'data-nav="settlement"' in page.content and b'id="settlement-generate"' in page.content


# ---- one statement ----

def test_the_statement_shows_its_lines_by_order_with_why_and_a_total_that_is_their_sum(w):
    statement = generated(w)[w.outlet_a.pk]
    page = client_of(w.finance).get(url("settlement-statement", statement.pk))
    assert page.status_code == 200
    groups = page.context["groups"]
    assert [g["order"].pk for g in groups] == sorted(o.pk for o in w.orders_a)
    assert page.context["total"] == sum_of_lines(statement) == statement.total
    fee = next(r for g in groups for r in g["rows"] if r["line"].kind == LineKind.FEE)
    assert any("fee row" in reason for reason in fee["why"])
    assert [m["name"] for m in page.context["moves"]] == ["send"]
    html = page.content.decode()
    assert url("order", w.orders_a[0].pk) in html
    assert url("settlement-statement-xlsx", statement.pk) in html
    assert url("settlement-statement-pdf", statement.pk) in html


@pytest.mark.parametrize("persona", ["manager_b", "rival_finance", "rival_dispatcher", "dispatcher", "tech_a"])
def test_another_partys_statement_is_a_404_on_every_page_of_it(w, persona):
    statement = generated(w)[w.outlet_a.pk]
    line = statement.lines.first()
    user = getattr(w, persona)
    client = client_of(getattr(user, "user", user))
    version = statement.version
    for address in (url("settlement-statement", statement.pk), url("settlement-statement-xlsx", statement.pk),
                    url("settlement-statement-pdf", statement.pk)):
        assert client.get(address).status_code == 404
    assert client.post(url("settlement-statement-move", statement.pk),
                       {"action": "send", "version": version}).status_code == 404
    assert client.post(url("settlement-line-dispute", line.pk), {"reason": "x"}).status_code == 404
    statement.refresh_from_db()
    assert (statement.state, statement.version) == (StatementState.DRAFT, version)


def test_finance_sends_and_a_stale_version_is_refused_with_a_clear_message(w):
    statement = generated(w)[w.outlet_a.pk]
    finance = client_of(w.finance)
    stale = statement.version
    answer = finance.post(url("settlement-statement-move", statement.pk), {"action": "send", "version": stale})
    assert answer.status_code == 302
    statement.refresh_from_db()
    assert statement.state == StatementState.SENT

    # A second tab still showing the draft asks again: nothing changes, and the page says why.
    again = finance.post(url("settlement-statement-move", statement.pk), {"action": "send", "version": stale})
    assert again.status_code == 409
    assert "changed this statement after you opened it" in again.context["error"]
    version = statement.version
    statement.refresh_from_db()
    assert (statement.state, statement.version) == (StatementState.SENT, version)


def test_a_draft_regenerated_since_the_page_was_opened_is_not_sent(w):
    statement = generated(w)[w.outlet_a.pk]
    shown = statement.version
    services.generate(brand=w.brand, period=PERIOD)
    answer = client_of(w.finance).post(url("settlement-statement-move", statement.pk),
                                       {"action": "send", "version": shown}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 409 and answer["X-Domain-Error"] == "409"
    assert "changed this statement after you opened it" in answer.context["error"]
    assert Statement.objects.get(pk=statement.pk).state == StatementState.DRAFT


def test_the_outlet_manager_may_not_send_and_paying_needs_the_reference_beside_its_field(w):
    statement = generated(w)[w.outlet_a.pk]
    refused = client_of(w.manager_a).post(url("settlement-statement-move", statement.pk),
                                          {"action": "send", "version": statement.version})
    assert refused.status_code == 403
    statement.refresh_from_db()
    assert statement.state == StatementState.DRAFT

    finance = principal_of(w.finance)
    statement = workflow.act(statement, "send", actor=finance)
    statement = workflow.act(statement, "confirm", actor=principal_of(w.manager_a))
    statement = workflow.act(statement, "approve", actor=finance)
    client = client_of(w.finance)
    page = client.get(url("settlement-statement", statement.pk))
    assert [m["name"] for m in page.context["moves"]] == ["pay"]
    answer = client.post(url("settlement-statement-move", statement.pk),
                         {"action": "pay", "version": statement.version, "payment_reference": "  "},
                         HTTP_HX_REQUEST="true")
    assert answer.status_code == 422
    pay = next(m for m in answer.context["moves"] if m["name"] == "pay")
    assert pay["form"].errors["payment_reference"]
    assert answer["X-Domain-Error"] == "422"
    answer = client.post(url("settlement-statement-move", statement.pk),
                         {"action": "pay", "version": statement.version, "payment_reference": "ICBC-2026-12-001"},
                         HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    statement.refresh_from_db()
    assert (statement.state, statement.payment_reference) == (StatementState.PAID, "ICBC-2026-12-001")


def test_the_outlet_manager_confirms_or_disputes_a_line_with_errors_beside_the_fields(w):
    statement = generated(w)[w.outlet_a.pk]
    workflow.act(statement, "send", actor=principal_of(w.finance))
    manager = client_of(w.manager_a)
    page = manager.get(url("settlement-statement", statement.pk))
    assert [m["name"] for m in page.context["moves"]] == ["confirm"]
    line = statement.lines.filter(kind=LineKind.FEE).order_by("pk").first()
    assert all(r["form"] is not None for g in page.context["groups"] for r in g["rows"])

    empty = manager.post(url("settlement-line-dispute", line.pk), {"reason": "", "claimed_amount": "abc"})
    assert empty.status_code == 422
    form = next(r["form"] for g in empty.context["groups"] for r in g["rows"] if r["line"].pk == line.pk)
    assert set(form.errors) == {"reason", "claimed_amount"}
    assert not LineDispute.objects.exists()

    answer = manager.post(url("settlement-line-dispute", line.pk), {"reason": "12 楼无电梯", "claimed_amount": "120"})
    assert answer.status_code == 302
    dispute = LineDispute.objects.get()
    assert (dispute.line_id, dispute.reason, dispute.claimed_amount) == (line.pk, "12 楼无电梯", D("120.00"))
    statement.refresh_from_db()
    assert statement.state == StatementState.DISPUTED
    page = manager.get(answer["Location"])
    row = next(r for g in page.context["groups"] for r in g["rows"] if r["line"].pk == line.pk)
    assert row["open_dispute"] == dispute and row["form"] is None


def test_finance_may_not_dispute_a_line(w):
    statement = generated(w)[w.outlet_a.pk]
    workflow.act(statement, "send", actor=principal_of(w.finance))
    line = statement.lines.first()
    answer = client_of(w.finance).post(url("settlement-line-dispute", line.pk), {"reason": "x"})
    assert answer.status_code == 403
    assert not LineDispute.objects.exists()


# ---- the disputes queue ----

def disputed(w) -> tuple[Statement, LineDispute]:
    statement = generated(w)[w.outlet_a.pk]
    workflow.act(statement, "send", actor=principal_of(w.finance))
    line = statement.lines.filter(kind=LineKind.FEE).order_by("pk").first()
    dispute = disputes.raise_dispute(line, actor=principal_of(w.manager_a), reason="wrong band", claimed_amount="130")
    return statement, dispute


def test_finance_upholds_a_dispute_and_the_total_changes_by_the_difference(w):
    statement, dispute = disputed(w)
    before = Statement.objects.get(pk=statement.pk).total
    queue = client_of(w.finance).get(url("settlement-disputes"))
    assert [r["dispute"].pk for r in queue.context["rows"]] == [dispute.pk]
    assert queue.context["rows"][0]["form"]["decided_amount"].value() == D("130.00")

    answer = client_of(w.finance).post(url("settlement-dispute-resolve", dispute.pk),
                                       {"decision": "uphold", "decided_amount": "125.50", "resolution": "ok"})
    assert answer.status_code == 302
    dispute.refresh_from_db()
    statement.refresh_from_db()
    assert dispute.state == DisputeState.UPHELD
    assert statement.total == before + (D("125.50") - dispute.line.amount) == sum_of_lines(statement)
    done = client_of(w.finance).get(answer["Location"])
    assert done.context["done"] == dispute and done.context["rows"] == []


def test_rejecting_needs_a_resolution_beside_its_field_and_changes_nothing(w):
    statement, dispute = disputed(w)
    version = Statement.objects.get(pk=statement.pk).version
    answer = client_of(w.finance).post(url("settlement-dispute-resolve", dispute.pk),
                                       {"decision": "reject", "decided_amount": "", "resolution": " "})
    assert answer.status_code == 422
    form = answer.context["rows"][0]["form"]
    assert list(form.errors) == ["resolution"]
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.OPEN
    assert Statement.objects.get(pk=statement.pk).version == version


@pytest.mark.parametrize("persona", ["rival_finance", "manager_b", "dispatcher"])
def test_another_partys_dispute_is_a_404_and_the_outlets_manager_may_not_resolve_it(w, persona):
    _statement, dispute = disputed(w)
    answer = client_of(getattr(w, persona)).post(url("settlement-dispute-resolve", dispute.pk),
                                                 {"decision": "uphold", "decided_amount": "1"})
    # Of the brand's staff only finance and the admin see disputes at all: to a dispatcher it does not exist.
    assert answer.status_code == 404
    assert client_of(w.manager_a).post(url("settlement-dispute-resolve", dispute.pk),
                                       {"decision": "uphold", "decided_amount": "1"}).status_code == 403
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.OPEN


def test_approving_is_refused_while_a_dispute_is_open_then_allowed(w):
    statement, dispute = disputed(w)
    finance = client_of(w.finance)
    statement.refresh_from_db()
    refused = finance.post(url("settlement-statement-move", statement.pk),
                           {"action": "approve", "version": statement.version})
    assert refused.status_code == 409
    assert refused.context["error"]
    disputes.resolve(dispute, actor=principal_of(w.finance), upheld=False, resolution="the band is right")
    statement.refresh_from_db()
    answer = finance.post(url("settlement-statement-move", statement.pk),
                          {"action": "approve", "version": statement.version})
    assert answer.status_code == 302
    statement.refresh_from_db()
    assert statement.state == StatementState.APPROVED


# ---- the fraud review queue ----

def reused_photo(w):
    """Two orders of outlet A with the same photo: both flagged, their lines held."""
    same = photo_bytes(7)
    attach(w.orders_a[0], AttachmentKind.PHOTO, same, "a.png")
    attach(w.orders_a[1], AttachmentKind.PHOTO, same, "b.png")
    statements = generated(w)
    return statements, list(FraudFlag.objects.filter(kind=FlagCheck.REUSED_PHOTO).order_by("work_order_id"))


def test_the_fraud_queue_shows_both_photos_through_the_authorised_address_and_decides(w):
    _statements, flags = reused_photo(w)
    assert len(flags) == 2
    page = client_of(w.finance).get(url("settlement-flags"))
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["flag"].pk == flags[0].pk)
    photos = row["evidence"]["photos"]
    assert {p["number"] for p in photos} == {o.number for o in w.orders_a}
    assert all(p["url"] and p["url"].startswith("/api/v1/") for p in photos)
    for photo in photos:
        assert client_of(w.finance).get(photo["url"]).status_code == 200

    missing = client_of(w.finance).post(url("settlement-flag-decide", flags[0].pk), {"decision": "uphold", "note": ""})
    assert missing.status_code == 422
    form = next(r["form"] for r in missing.context["rows"] if r["flag"].pk == flags[0].pk)
    assert list(form.errors) == ["note"]
    assert FraudFlag.objects.get(pk=flags[0].pk).state == FlagState.OPEN

    cleared = client_of(w.finance).post(url("settlement-flag-decide", flags[0].pk), {"decision": "clear", "note": ""})
    assert cleared.status_code == 302
    assert FraudFlag.objects.get(pk=flags[0].pk).state == FlagState.CLEARED
    assert client_of(w.finance).get(cleared["Location"]).context["done"].pk == flags[0].pk


@pytest.mark.parametrize("persona", ["rival_finance", "manager_b", "dispatcher", "manager_a"])
def test_another_partys_flag_is_a_404_and_an_outlet_may_not_decide(w, persona):
    _statements, flags = reused_photo(w)
    answer = client_of(getattr(w, persona)).post(url("settlement-flag-decide", flags[0].pk),
                                                 {"decision": "clear"})
    assert answer.status_code == (403 if persona == "manager_a" else 404)
    assert FraudFlag.objects.get(pk=flags[0].pk).state == FlagState.OPEN


def test_held_lines_show_on_the_statement_and_hold_the_approval(w):
    statements, flags = reused_photo(w)
    statement = statements[w.outlet_a.pk]
    page = client_of(w.finance).get(url("settlement-statement", statement.pk))
    held = [r["line"].pk for g in page.context["groups"] for r in g["rows"] if r["line"].held]
    assert held and page.context["held"] == len(held)
    assert b"held-badge" in page.content


# ---- exports ----

def test_exports_download_as_files_for_finance_and_the_outlets_manager(w):
    statement = generated(w)[w.outlet_a.pk]
    for user in (w.finance, w.manager_a):
        client = client_of(user)
        xlsx = client.get(url("settlement-statement-xlsx", statement.pk))
        pdf = client.get(url("settlement-statement-pdf", statement.pk))
        assert xlsx.status_code == pdf.status_code == 200
        assert xlsx.content[:2] == b"PK" and pdf.content[:5] == b"%PDF-"
        assert "attachment" in xlsx["Content-Disposition"] and xlsx["Content-Disposition"].endswith('.xlsx"')
    lines = client_of(w.finance).get(url("settlement-lines-xlsx"), {"period": MONTH})
    assert lines.status_code == 200 and lines.content[:2] == b"PK"
    assert client_of(w.finance).get(url("settlement-lines-xlsx"), {"period": "x"}).status_code == 400


def test_the_fraud_queue_says_each_checks_evidence_in_words_open_flags_first(w):
    generated(w)
    decided = FraudFlag.objects.create(brand=w.brand, outlet=w.outlet_a, work_order=w.orders_a[1],
                                       kind=FlagCheck.SHORT_LABOUR, state=FlagState.CLEARED,
                                       evidence={"minutes": 5, "standard_minutes": 60}, raised_at=timezone.now())
    waiting = FraudFlag.objects.create(brand=w.brand, outlet=w.outlet_a, work_order=w.orders_a[0],
                                       kind=FlagCheck.NO_SIGNATURE, evidence={"type": "repair"},
                                       raised_at=timezone.now() - dt.timedelta(days=1))
    page = client_of(w.finance).get(url("settlement-flags"))
    assert [r["flag"].pk for r in page.context["rows"]] == [waiting.pk, decided.pk]
    html = page.content.decode()
    assert "no signature of the customer attached" in html
    assert "5 minutes of labour against a standard of 60 minutes" in html
    assert [r["form"] is not None for r in page.context["rows"]] == [True, False]


def test_why_reads_the_basis_of_tariff_rule_and_adjustment_lines(w):
    fee = SettlementLine(kind=LineKind.FEE, amount=D("100.00"),
                         basis={"fee_row_id": 7, "band": ["0.0", "10.0"], "distance_km": "4.2", "exact": "100.00"})
    complaint = SettlementLine(kind=LineKind.COMPLAINT, amount=D("-50.00"), rule_id=None,
                               basis={"complaints": [[3, "50.00"], [4, "0"]], "rule_id": 2, "exact": "-50.00"})
    breach = SettlementLine(kind=LineKind.SLA_BREACH, amount=D("-3.33"),
                            basis={"share": "3.33", "fee": "100.00", "breaches": 1, "exact": "-3.3333"})
    adjustment = SettlementLine(kind=LineKind.ADJUSTMENT, amount=D("25.50"),
                                basis={"dispute": 9, "from": "100.00", "to": "125.50", "reason": "12 楼"})
    with translation.override("en"):
        assert why(fee) == ["Tariff —, fee row #7, band 0.0–10.0 km", "Distance from the outlet: 4.2 km"]
        assert why(complaint) == ["Rule: Upheld complaint", "Upheld complaints: #3 (¥50.00), #4"]
        assert why(breach) == ["Rule: SLA breach", "Clocks breached: 1", "3.33% of the fee ¥100.00",
                               "Exact -3.3333, rounded once to the fen"]
        assert why(adjustment) == ["Dispute #9 upheld: ¥100.00 → ¥125.50", "12 楼"]
