"""``manage.py settlement_check``: 0 when the statements equal the recomputation, 1 with the differences listed."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settlement import services
from settlement.models import SettlementLine, Statement
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_settlement(world)


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("settlement_check", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_equal_statements_exit_0_with_a_summary(w):
    completed(w)
    completed(w, outlet=w.outlet_b)
    services.generate(brand=w.brand, period=PERIOD)

    code, out = run("--period", "2026-11", "--brand", w.brand.code)

    assert code == 0
    assert "EQUAL" in out and "2 statements, 2 lines, total 190.00" in out and "0 missing" in out


def test_a_changed_line_or_total_exits_1_and_is_listed(w):
    order = completed(w)
    services.generate(brand=w.brand, period=PERIOD)
    SettlementLine.objects.filter(work_order=order).update(amount=Decimal("99.00"))

    code, out = run("--period", "2026-11")

    assert code == 1
    assert "DIFFERENT" in out and "1 missing, 1 unexpected, 1 totals off" in out
    assert f"{order.pk}, 'fee', Decimal('99.00')" in out


def test_an_order_never_generated_is_missing(w):
    completed(w)
    services.generate(brand=w.brand, period=PERIOD)
    completed(w, outlet=w.outlet_b)  # after the generation: its outlet has no statement yet

    code, out = run("--period", "2026-11")

    assert code == 1 and "1 missing" in out
    assert Statement.objects.count() == 1


def test_a_line_whose_key_points_nowhere_exits_1(w):
    """Lines carry no database constraint on their keys: the check is what finds one that lost its row."""
    order = completed(w)
    services.generate(brand=w.brand, period=PERIOD)
    line = SettlementLine.objects.get(work_order=order)
    assert run("--period", "2026-11")[0] == 0
    SettlementLine.objects.filter(pk=line.pk).update(tariff_id=10**9)

    code, out = run("--period", "2026-11")

    assert code == 1
    assert "1 lines with a key pointing nowhere" in out and f"[{line.pk}]" in out


def test_a_bad_period_or_brand_is_refused(w):
    with pytest.raises(CommandError):
        run("--period", "2026-13")
    with pytest.raises(CommandError):
        run("--period", "2026-11", "--brand", "nobody")
