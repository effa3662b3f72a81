"""The technician's own settlement statements on the earnings page (field/views/earnings.py): theirs once sent,
by month with the total and each line (order, kind, amount, why); never a draft, never another technician's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from settlement.choices import LineKind, StatementState
from settlement.models import SettlementLine, Statement
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def statement(world, technician, period, state, lines) -> Statement:
    """A technician's statement with its lines (kind, amount, basis), as settlement.extras writes them."""
    made = Statement.objects.create(brand=world.brand, outlet=technician.outlet, technician=technician, period=period,
                                    state=state, total=sum((a for _k, a, _b in lines), Decimal("0.00")),
                                    line_count=len(lines))
    for kind, amount, basis in lines:
        order = make_order(world, status=Status.COMPLETED, outlet=technician.outlet, technician=technician)
        SettlementLine.objects.create(brand=world.brand, statement=made, outlet=technician.outlet,
                                      technician=technician, work_order=order, kind=kind, amount=amount,
                                      basis={"order": order.number, **basis})
    return made


def test_a_technician_sees_their_own_sent_statements_by_month_with_each_line(world):
    sent = statement(world, world.tech_a, OCTOBER, StatementState.SENT, [
        (LineKind.PIECE_RATE, Decimal("24.00"), {"fee": "80.00", "share": "30.00", "exact": "24.0000"}),
        (LineKind.LEAD_COMMISSION, Decimal("122.40"), {"commission": 1, "lead": 1, "value": "1280.00"}),
    ])
    paid = statement(world, world.tech_a, dt.date(2026, 9, 1), StatementState.PAID, [
        (LineKind.PIECE_RATE, Decimal("36.00"), {"fee": "120.00", "share": "30.00"}),
    ])
    draft = statement(world, world.tech_a, NOVEMBER, StatementState.DRAFT, [
        (LineKind.PIECE_RATE, Decimal("99.90"), {"fee": "333.00", "share": "30.00"}),
    ])
    response = signed_in(world.tech_a.user).get("/field/earnings/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="earn-statements"' in page
    assert f'id="statement-{sent.pk}"' in page and f'id="statement-{paid.pk}"' in page
    assert page.index(f'id="statement-{sent.pk}"') < page.index(f'id="statement-{paid.pk}"')  # newest first
    assert "Statement for 2026-10" in page and "¥146.40" in page and "Sent to the outlet" in page
    numbers = list(SettlementLine.objects.filter(statement=sent).values_list("work_order__number", flat=True))
    assert all(number in page for number in numbers)
    # Each line says why (settlement.why): the piece rate's share of the fee, the lead's sale.
    assert "Piece rate" in page and "% of the fee ¥80.00" in page
    assert "Lead commission" in page and "¥1280.00" in page and "¥122.40" in page
    # A draft is still being made: neither it nor its lines are shown.
    assert f'id="statement-{draft.pk}"' not in page and "¥99.90" not in page and "Statement for 2026-11" not in page


def test_another_technicians_statement_is_never_shown(world):
    theirs = statement(world, world.tech_b, OCTOBER, StatementState.SENT, [
        (LineKind.PIECE_RATE, Decimal("27.00"), {"fee": "90.00", "share": "30.00"}),
    ])
    colleague = statement(world, world.tech_a2, OCTOBER, StatementState.APPROVED, [
        (LineKind.PIECE_RATE, Decimal("19.50"), {"fee": "65.00", "share": "30.00"}),
    ])
    page = signed_in(world.tech_a.user).get("/field/earnings/").content.decode()
    assert f'id="statement-{theirs.pk}"' not in page and f'id="statement-{colleague.pk}"' not in page
    assert "¥27.00" not in page and "¥19.50" not in page
    assert 'id="earn-no-statement"' in page
    # Theirs to each of them.
    own = signed_in(world.tech_b.user).get("/field/earnings/").content.decode()
    assert f'id="statement-{theirs.pk}"' in own and f'id="statement-{colleague.pk}"' not in own


def test_an_outlets_own_statement_is_not_a_technicians_and_deductions_show_negative(world):
    outlet = Statement.objects.create(brand=world.brand, outlet=world.outlet_a, period=OCTOBER,
                                      state=StatementState.SENT, total=Decimal("500.00"))
    mine = statement(world, world.tech_a, OCTOBER, StatementState.CONFIRMED, [
        (LineKind.PIECE_RATE, Decimal("24.00"), {"fee": "80.00", "share": "30.00"}),
        (LineKind.REVERSAL, Decimal("-24.00"), {"check": "reused_photo"}),
    ])
    page = signed_in(world.tech_a.user, "zh-hans").get("/field/earnings/").content.decode()
    assert f'id="statement-{outlet.pk}"' not in page and "¥500.00" not in page
    assert f'id="statement-{mine.pk}"' in page and "−¥24.00" in page
