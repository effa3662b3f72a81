"""settlement.arithmetic alone: plain data in, plain data out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement.arithmetic import (
    FEE,
    NIGHT,
    NO_TARIFF,
    TRAVEL,
    FeeRow,
    Job,
    Rule,
    TariffTerms,
    is_night,
    lines_for,
    match_fee,
    money,
    rule_lines,
    travel_allowance,
)

D = Decimal
JOB = Job(service_type="repair", category_id=1, model_id=11, outlet_type="agent", region_id=5,
          distance_km=D("12.0"))


def test_money_rounds_half_up_to_the_fen():
    assert money(D("1.005")) == D("1.01")
    assert money(D("1.004")) == D("1.00")
    assert money(D("-1.005")) == D("-1.01")
    assert money(7) == D("7.00")
    assert str(money("2.5")) == "2.50"


def test_money_refuses_a_float():
    with pytest.raises(TypeError):
        money(1.1)  # type: ignore[arg-type]


def test_the_model_row_beats_the_category_row_beats_any():
    rows = [FeeRow(id=1, service_type="repair", fee=D("80")),
            FeeRow(id=2, service_type="repair", category_id=1, fee=D("100")),
            FeeRow(id=3, service_type="repair", category_id=1, model_id=11, fee=D("120"))]
    assert match_fee(rows, JOB).id == 3
    assert match_fee(rows[:2], JOB).id == 2
    assert match_fee(rows[:1], JOB).id == 1


def test_the_product_counts_before_the_outlet_type_and_the_region():
    rows = [FeeRow(id=1, service_type="repair", outlet_type="agent", region_id=5, fee=D("80")),
            FeeRow(id=2, service_type="repair", category_id=1, fee=D("100"))]
    assert match_fee(rows, JOB).id == 2


def test_the_outlet_type_counts_before_the_region():
    rows = [FeeRow(id=1, service_type="repair", region_id=5, fee=D("80")),
            FeeRow(id=2, service_type="repair", outlet_type="agent", fee=D("100"))]
    assert match_fee(rows, JOB).id == 2


def test_among_equally_specific_rows_the_narrower_band_wins():
    rows = [FeeRow(id=1, service_type="repair", km_from=D("0"), km_to=None, fee=D("80")),
            FeeRow(id=2, service_type="repair", km_from=D("10"), km_to=D("20"), fee=D("90")),
            FeeRow(id=3, service_type="repair", km_from=D("0"), km_to=D("30"), fee=D("95"))]
    assert match_fee(rows, JOB).id == 2


def test_rows_for_another_type_model_outlet_type_region_or_band_do_not_match():
    rows = [FeeRow(id=1, service_type="install", fee=D("1")),
            FeeRow(id=2, service_type="repair", model_id=12, fee=D("1")),
            FeeRow(id=3, service_type="repair", outlet_type="own", fee=D("1")),
            FeeRow(id=4, service_type="repair", region_id=6, fee=D("1")),
            FeeRow(id=5, service_type="repair", km_from=D("0"), km_to=D("12.0"), fee=D("1"))]  # 12 is past the end
    assert match_fee(rows, JOB) is None


def test_travel_allowance_past_the_free_km_capped():
    assert travel_allowance(D("8"), D("10"), D("1.5"), None) == 0
    assert travel_allowance(D("12.3"), D("10"), D("1.5"), None) == D("3.45")
    assert travel_allowance(D("100"), D("10"), D("1.5"), D("60")) == D("60")
    assert travel_allowance(None, D("10"), D("1.5"), None) == 0


@pytest.mark.parametrize(("hour", "night"), [(21, False), (22, True), (23, True), (0, True), (5, True),
                                             (6, False), (12, False), (None, False)])
def test_night_passes_midnight(hour, night):
    assert is_night(hour, 22, 6) is night


TERMS = TariffTerms(id=7, fees=(FeeRow(id=1, service_type="repair", fee=D("80.00")),), free_km=D("10"),
                    per_km=D("1.333"), travel_cap=None, night_surcharge=D("30.00"))


def test_lines_for_an_order_give_the_fee_travel_and_surcharges_with_their_basis():
    job = Job(service_type="repair", distance_km=D("12.0"), started_hour=23, outlet_type="agent")

    lines = lines_for(job, TERMS)

    assert [(line.kind, line.amount) for line in lines] == [(FEE, D("80.00")), (TRAVEL, D("2.67")),
                                                            (NIGHT, D("30.00"))]
    assert lines[0].basis["fee_row_id"] == 1 and lines[0].basis["tariff_id"] == 7
    assert lines[1].basis["exact"] == "2.6660" and lines[1].basis["distance_km"] == "12.0"


def test_no_tariff_or_no_row_still_makes_a_zero_fee_line_with_the_reason():
    job = Job(service_type="install")
    for tariff in (None, TERMS):
        [line] = lines_for(job, tariff)
        assert (line.kind, line.amount, line.basis["reason"]) == (FEE, D("0.00"), NO_TARIFF)


def test_each_failed_visit_earns_the_fixed_fee_besides_the_service_fee():
    terms = TariffTerms(id=7, fees=TERMS.fees, failed_visit_fee=D("25.00"))
    lines = lines_for(Job(service_type="repair", failed_visits=2), terms)
    assert [(line.kind, line.amount) for line in lines] == [(FEE, D("80.00")), ("failed_visit", D("50.00"))]
    assert lines[1].basis["visits"] == 2 and lines[1].basis["per_visit"] == "25.00"


def test_an_order_cancelled_after_a_failed_visit_earns_that_fee_alone_and_no_rule():
    terms = TariffTerms(id=7, fees=TERMS.fees, failed_visit_fee=D("25.00"))
    job = Job(service_type="repair", failed_visits=1, cancelled=True, has_signature=False,
              completed_day=dt.date(2026, 11, 5))
    assert [(line.kind, line.amount) for line in lines_for(job, terms)] == [("failed_visit", D("25.00"))]
    assert rule_lines(job, [Rule(kind="missing_signature", amount=D("5.00"), valid_from=dt.date(2026, 1, 1))]) == []
    assert lines_for(Job(service_type="repair", cancelled=True), terms) == []


def test_the_high_floor_surcharge_needs_the_floor_reached_and_no_lift():
    terms = TariffTerms(id=7, fees=TERMS.fees, high_floor_surcharge=D("20.00"), high_floor_from=6)
    kinds = {(floor, lift): [line.kind for line in lines_for(Job(service_type="repair", floor=floor, has_lift=lift),
                                                             terms)]
             for floor in (None, 5, 6, 18) for lift in (None, True, False)}
    assert [key for key, found in kinds.items() if "high_floor" in found] == [(6, False), (18, False)]


# Properties ------------------------------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0"), max_value=D("9999"), places=3, allow_nan=False, allow_infinity=False)
kms = st.decimals(min_value=D("0"), max_value=D("200"), places=1, allow_nan=False, allow_infinity=False)


@st.composite
def fee_rows(draw):
    km_from = draw(kms)
    width = draw(st.none() | st.decimals(min_value=D("0.1"), max_value=D("100"), places=1))
    return FeeRow(id=draw(st.integers(1, 10_000)), service_type=draw(st.sampled_from(["repair", "install"])),
                  category_id=draw(st.sampled_from([None, 1, 2])), model_id=draw(st.sampled_from([None, 11, 12])),
                  outlet_type=draw(st.sampled_from(["", "agent", "own"])),
                  region_id=draw(st.sampled_from([None, 5, 6])), km_from=km_from,
                  km_to=None if width is None else km_from + width, fee=draw(amounts))


jobs = st.builds(Job, service_type=st.sampled_from(["repair", "install"]), category_id=st.sampled_from([1, 2]),
                 model_id=st.sampled_from([11, 12]), outlet_type=st.sampled_from(["agent", "own"]),
                 region_id=st.sampled_from([None, 5, 6]), distance_km=st.none() | kms,
                 started_hour=st.none() | st.integers(0, 23), is_holiday=st.booleans(), remote=st.booleans())


@given(st.lists(fee_rows(), max_size=12, unique_by=lambda row: row.id), jobs)
def test_the_chosen_row_is_never_less_specific_than_another_matching_row(rows, job):
    chosen = match_fee(rows, job)
    matching = [row for row in rows if row.matches(job)]
    if chosen is None:
        assert matching == []
    else:
        assert chosen in matching
        assert all(row.specificity() <= chosen.specificity() for row in matching)
        assert match_fee(list(reversed(rows)), job) == chosen  # the order of the rows does not matter


@given(st.lists(fee_rows(), max_size=8), jobs, amounts, amounts, st.none() | amounts)
def test_every_line_has_two_places_and_is_rounded_once(rows, job, free_km, per_km, cap):
    terms = TariffTerms(id=1, fees=tuple(rows), free_km=free_km, per_km=per_km, travel_cap=cap,
                        night_surcharge=D("30.005"), holiday_surcharge=D("19.994"), remote_surcharge=D("0.125"))

    lines = lines_for(job, terms)

    assert lines and lines[0].kind in (FEE, "failed_visit")
    assert all(line.amount.as_tuple().exponent == -2 for line in lines)
    # Each line is its exact amount rounded once; the sum is of the rounded lines and needs no rounding again.
    assert all(line.amount == money(D(line.basis.get("exact", "0"))) for line in lines)
    total = sum((line.amount for line in lines), D("0.00"))
    assert total == money(total) and total.as_tuple().exponent == -2
