"""Properties of the pure engine over random lists, rules, products and adjustments.

Whatever the inputs: the total is the sum of the lines; a covered line costs the customer
nothing; no price is negative and no discount takes a kind of charge below zero; every amount
is in whole cents.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.choices import ExclusionReason, ServiceType
from customers.choices import Segment
from pricing.choices import TARGET_KINDS, AdjustmentTarget, CountedFrom, LineKind
from pricing.coverage import WARRANTY_SERVICE_TYPES
from pricing.engine import quote
from pricing.facts import (
    AdjustmentFacts,
    CalloutBandFacts,
    PartUse,
    ProductFacts,
    SymptomFacts,
    WarrantyRuleFacts,
)
from pricing.tests.snapshots import AC, ALL_LABOUR, PARTS, PURIFIER, RO_500, RO_800, VRF_5, snapshot

CENT = Decimal("0.01")
amounts = st.decimals(min_value=0, max_value=100_000, places=2)
days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
PURIFIER_PARTS = [code for code, p in PARTS.items() if p.category_id in (None, PURIFIER)]


@st.composite
def products(draw):
    purchase = draw(st.none() | days)
    install = draw(st.none() | st.integers(0, 60).map(lambda n: (purchase or dt.date(2020, 1, 1)) +
                                                        dt.timedelta(days=n)))
    return ProductFacts(model_id=draw(st.sampled_from([RO_500, RO_800])), category_id=PURIFIER,
                        purchase_date=purchase, install_date=install, catalogue_months=draw(st.integers(0, 120)))


@st.composite
def rules(draw):
    found = []
    for i, _ in enumerate(draw(st.lists(st.none(), max_size=6)), start=1):
        scope = draw(st.sampled_from(["brand", "category", "model", "other_model", "other_category"]))
        target = draw(st.sampled_from(["unit", "filter", "pump", "ro-membrane", "screw-kit"]))
        found.append(WarrantyRuleFacts(
            id=i, months=draw(st.none() | st.integers(0, 120)),
            counted_from=draw(st.sampled_from(CountedFrom.values)), grace_days=draw(st.integers(0, 30)),
            model_id={"model": RO_500, "other_model": VRF_5}.get(scope),
            category_id={"category": PURIFIER, "other_category": AC}.get(scope),
            part_code=target if "-" in target else "", part_family=target if target in ("filter", "pump") else "",
        ))
    return found


adjustments = st.lists(
    st.builds(
        lambda i, target, kind, percent, amount, segment, region: AdjustmentFacts(
            id=i, target=target, percent=percent if kind == "percent" else None,
            amount=amount if kind == "amount" else None, segment=segment, region_id=region),
        st.integers(1, 10_000), st.sampled_from(AdjustmentTarget.values), st.sampled_from(["percent", "amount"]),
        st.decimals(min_value=-300, max_value=300, places=2),
        st.decimals(min_value=-20_000, max_value=20_000, places=2),
        st.sampled_from(["", *Segment.values]), st.sampled_from([None, 1, 2]),
    ),
    max_size=6, unique_by=lambda a: a.id,
)
bands = st.lists(st.tuples(st.decimals(min_value="0.1", max_value=500, places=1), amounts), max_size=4,
                 unique_by=lambda b: b[0])


@st.composite
def cases(draw):
    snap = snapshot(
        rules=draw(rules()),
        labour={key: draw(amounts) for key in ALL_LABOUR},
        labour_by_model={},
        part_prices={code: draw(amounts) for code in PARTS},
        bands=[CalloutBandFacts(km, a) for km, a in draw(bands)] + [CalloutBandFacts(None, draw(amounts))],
        adjustments=draw(adjustments),
    )
    exclusion = draw(st.sampled_from(["", *ExclusionReason.values]))
    product = draw(products())
    # Mostly days in the unit's life, where cover is decided; sometimes any day at all.
    bought = product.purchase_date or product.install_date or dt.date(2020, 1, 1)
    on = draw(st.integers(-60, 8 * 365).map(lambda n: bought + dt.timedelta(days=n)) | days)
    return snap, dict(
        product=product,
        service_type=draw(st.just(ServiceType.REPAIR) | st.sampled_from(ServiceType.values)),
        on=on,
        symptom=draw(st.sampled_from([None, SymptomFacts(code="s"), SymptomFacts(code="x", exclusion=exclusion)])),
        parts=[PartUse(code, qty) for code, qty in draw(st.lists(
            st.tuples(st.sampled_from(PURIFIER_PARTS), st.integers(1, 20)), max_size=5))],
        distance_km=draw(st.none() | st.decimals(min_value=0, max_value=2000, places=1)),
        segment=draw(st.sampled_from(["", *Segment.values])),
        region_id=draw(st.sampled_from([None, 1, 2])),
    )


def cents(value: Decimal) -> bool:
    return value == value.quantize(CENT) and value.as_tuple().exponent == -2


@settings(max_examples=400, deadline=None)
@given(cases())
def test_breakdown_invariants(case):
    snap, kw = case
    q = quote(snap, **kw)

    assert q.total == sum((ln.customer_pays for ln in q.lines), Decimal("0"))
    assert q.gross_total == sum((ln.gross for ln in q.lines), Decimal("0"))
    assert q.covered_total == sum((ln.gross for ln in q.lines if ln.covered), Decimal("0"))
    assert q.total == q.gross_total - q.covered_total
    assert q.total >= 0
    for amount in (q.total, q.gross_total, q.covered_total):
        assert cents(amount)

    targets = {f"adj-{a.id}": TARGET_KINDS[a.target] for a in snap.adjustments}
    net = {kind: Decimal("0") for kind in TARGET_KINDS.values()}
    for ln in q.lines:
        assert all(cents(x) for x in (ln.unit_price, ln.gross, ln.customer_pays))
        if ln.kind == LineKind.ADJUSTMENT:
            assert not ln.covered and ln.gross == ln.customer_pays != 0
            net[targets[ln.code]] += ln.customer_pays
            continue
        net[ln.kind] += ln.customer_pays
        assert ln.unit_price >= 0 and ln.gross == ln.unit_price * ln.quantity >= 0
        assert ln.covered == ln.coverage.covered
        assert ln.customer_pays == (0 if ln.covered else ln.gross)
    assert all(value >= 0 for value in net.values()), net

    if kw["service_type"] not in WARRANTY_SERVICE_TYPES or (kw["symptom"] and kw["symptom"].exclusion):
        assert not any(ln.covered for ln in q.lines)
    if not q.warranty.covered:
        assert not any(ln.covered for ln in q.lines if ln.kind in (LineKind.LABOUR, LineKind.CALLOUT))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_the_same_inputs_give_the_same_quote(case):
    snap, kw = case
    assert quote(snap, **kw).as_dict() == quote(snap, **kw).as_dict()


@settings(max_examples=200, deadline=None)
@given(products(), rules(), days, days)
def test_cover_is_one_unbroken_span(product, warranty_rules, a, b):
    """Covered on two days means covered on every day between them (no gaps in a term)."""
    snap = snapshot(rules=warranty_rules, labour=ALL_LABOUR, bands=[])
    first, last = sorted((a, b))
    covered = [quote(snap, product=product, service_type="repair", on=d).warranty.covered
               for d in (first, first + (last - first) / 2, last)]
    assert covered != [True, False, True]
