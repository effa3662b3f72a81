"""The pure engine: warranty rules, call-out bands, adjustments and the breakdown, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import InvalidInput
from pricing.choices import CoverageCode
from pricing.coverage import BaseWarranty, CoverageVerdict
from pricing.engine import money, quote
from pricing.errors import BeyondCalloutBands, PriceNotListed
from pricing.facts import CalloutBandFacts, PartUse, SymptomFacts, WarrantyRuleFacts
from pricing.tests.snapshots import (
    AC,
    COMPRESSOR_60,
    FILTERS_NEVER,
    HANGZHOU,
    PREMIUM_LABOUR_10_OFF,
    PURIFIER,
    REMOTE_CALLOUT_20,
    RO_500,
    RO_800,
    UNIT_12_FROM_INSTALL,
    ZHENGZHOU,
    purifier,
    snapshot,
    vrf,
)

NEAR = Decimal("4.2")
MISUSE = SymptomFacts(code="frozen", name="冬季冻裂", name_en="Cracked by frost", exclusion="misuse")
NO_WATER = SymptomFacts(code="no-water", name="不出水", name_en="No water comes out")


def price(snap=None, *, product=None, service_type="repair", on=dt.date(2025, 1, 15), **kw):
    return quote(snap or snapshot(), product=product or purifier(), service_type=service_type, on=on, **kw)


def line(q, code):
    (found,) = [ln for ln in q.lines if ln.code == code]
    return found


def summary(q):
    return [(ln.kind, ln.code, ln.gross, ln.covered, ln.reason_code, ln.customer_pays) for ln in q.lines]


# --- warranty terms ------------------------------------------------------------------------------

def test_in_warranty_repair_costs_the_customer_nothing():
    q = price(distance_km=NEAR, parts=[PartUse("booster-pump")])
    assert summary(q) == [
        ("labour", "repair", Decimal("80.00"), True, "in_warranty", Decimal("0.00")),
        ("callout", "callout", Decimal("0.00"), True, "in_warranty", Decimal("0.00")),
        ("part", "booster-pump", Decimal("260.00"), True, "in_warranty", Decimal("0.00")),
    ]
    assert (q.gross_total, q.covered_total, q.total) == (Decimal("340.00"), Decimal("340.00"), Decimal("0.00"))
    assert q.warranty.covered and q.warranty.until == dt.date(2025, 3, 20)


@pytest.mark.parametrize(("on", "covered"), [(dt.date(2024, 3, 20), True), (dt.date(2025, 3, 20), True),
                                            (dt.date(2025, 3, 21), False)])
def test_counted_from_install_both_ends_inclusive(on, covered):
    """Installed 2024-03-20 with 12 months: covered from that day up to and including 2025-03-20."""
    q = price(on=on)
    assert q.warranty.covered is covered
    assert line(q, "repair").covered is covered
    if not covered:
        assert q.warranty.code == CoverageCode.EXPIRED and q.warranty.since == dt.date(2025, 3, 21)


@pytest.mark.parametrize(("on", "covered"), [(dt.date(2025, 3, 16), True), (dt.date(2025, 3, 17), False)])
def test_counted_from_purchase_plus_grace(on, covered):
    """Bought 2024-03-01, 15 days' grace: the 12 months run from 2024-03-16, whatever the install date."""
    rule = WarrantyRuleFacts(id=1, months=12, counted_from="purchase", grace_days=15)
    q = price(snapshot(rules=[rule]), on=on)
    assert q.warranty.covered is covered
    assert q.warranty.until == dt.date(2025, 3, 16)


def test_grace_counts_only_from_the_purchase_date():
    rule = WarrantyRuleFacts(id=1, months=12, counted_from="install", grace_days=15)
    assert price(snapshot(rules=[rule])).warranty.until == dt.date(2025, 3, 20)  # installed 2024-03-20


def test_without_an_install_date_the_purchase_date_plus_grace_stands_in():
    rule = WarrantyRuleFacts(id=1, months=12, counted_from="install", grace_days=15)
    q = price(snapshot(rules=[rule]), product=purifier(install=None))
    assert q.warranty.until == dt.date(2025, 3, 16)


def test_without_a_purchase_date_the_install_date_stands_in():
    rule = WarrantyRuleFacts(id=1, months=12, counted_from="purchase", grace_days=15)
    q = price(snapshot(rules=[rule]), product=purifier(purchase=None))
    assert q.warranty.until == dt.date(2025, 3, 20)


def test_cover_starts_on_purchase_even_when_the_term_counts_from_install():
    q = price(product=purifier(purchase=dt.date(2024, 3, 1), install=dt.date(2024, 3, 20)), on=dt.date(2024, 3, 5))
    assert q.warranty.covered
    q = price(on=dt.date(2024, 2, 28))
    assert (q.warranty.covered, q.warranty.code, q.warranty.start) == (False, "warranty_not_started",
                                                                       dt.date(2024, 3, 1))


def test_no_dates_at_all_means_no_cover():
    q = price(product=purifier(purchase=None, install=None))
    assert (q.warranty.covered, q.warranty.code) == (False, CoverageCode.NO_START_DATE)
    assert q.total == Decimal("80.00")


def test_without_rules_the_catalogue_term_runs_from_install():
    q = price(snapshot(rules=[]), product=purifier(months=24), on=dt.date(2026, 3, 20))
    assert (q.warranty.covered, q.warranty.until) == (True, dt.date(2026, 3, 20))


def test_a_rule_without_months_takes_the_catalogue_term_with_its_own_counting():
    rule = WarrantyRuleFacts(id=1, months=None, counted_from="purchase", grace_days=10)
    assert price(snapshot(rules=[rule]), product=purifier(months=24)).warranty.until == dt.date(2026, 3, 11)


def test_part_rule_overrides_the_unit_rule():
    """A 36-month unit, 4 years on: labour and the pump are out of warranty, the compressor (5 years) is not."""
    on = dt.date(2025, 6, 1)
    q = price(product=vrf(), on=on, parts=[PartUse("compressor")], distance_km=NEAR,
              snap=snapshot(rules=[WarrantyRuleFacts(id=1, months=36), COMPRESSOR_60]))
    assert summary(q) == [
        ("labour", "repair", Decimal("200.00"), False, "warranty_expired", Decimal("200.00")),
        ("callout", "callout", Decimal("0.00"), False, "warranty_expired", Decimal("0.00")),
        ("part", "compressor", Decimal("1200.00"), True, "in_warranty", Decimal("0.00")),
    ]
    assert line(q, "compressor").coverage.until == dt.date(2026, 5, 10)
    assert q.warranty.covered is False and q.total == Decimal("200.00")


def test_most_specific_rule_wins():
    rules = [
        WarrantyRuleFacts(id=1, months=12),  # brand, unit
        WarrantyRuleFacts(id=2, months=18, category_id=PURIFIER),  # category, unit
        WarrantyRuleFacts(id=3, months=24, model_id=RO_800),  # model, unit
        WarrantyRuleFacts(id=4, months=6, part_family="filter", model_id=RO_800),  # model, family
        WarrantyRuleFacts(id=5, months=3, part_code="ro-membrane"),  # brand, one part
        WarrantyRuleFacts(id=6, months=99, category_id=AC),  # another category: never applies here
    ]
    on = dt.date(2024, 4, 1)
    ro500 = price(snapshot(rules=rules), product=purifier(model_id=RO_500), on=on,
                  parts=[PartUse("pp-cotton"), PartUse("ro-membrane")])
    ro800 = price(snapshot(rules=rules), product=purifier(model_id=RO_800), on=on,
                  parts=[PartUse("pp-cotton"), PartUse("ro-membrane")])
    assert [ln.coverage.until for ln in ro500.lines if ln.kind != "callout"] == [
        dt.date(2025, 9, 20), dt.date(2025, 9, 20), dt.date(2024, 6, 20)]
    assert [ln.coverage.until for ln in ro800.lines if ln.kind != "callout"] == [
        dt.date(2026, 3, 20), dt.date(2024, 9, 20), dt.date(2024, 6, 20)]


def test_filters_are_never_covered():
    q = price(parts=[PartUse("pp-cotton", 2), PartUse("booster-pump")])
    assert [(ln.code, ln.covered, ln.reason_code, ln.customer_pays) for ln in q.lines if ln.kind == "part"] == [
        ("pp-cotton", False, "never_covered", Decimal("78.00")),
        ("booster-pump", True, "in_warranty", Decimal("0.00")),
    ]
    assert q.warranty.covered and q.total == Decimal("78.00")


def test_misuse_excludes_every_line():
    q = price(symptom=MISUSE, parts=[PartUse("booster-pump")], distance_km=Decimal("12"))
    assert [(ln.covered, ln.reason_code) for ln in q.lines] == [(False, "excluded")] * 3
    assert (q.warranty.covered, q.warranty.code, q.warranty.exclusion) == (False, "excluded", "misuse")
    assert q.total == Decimal("370.00")  # 80 labour + 30 call-out + 260 pump
    assert price(symptom=NO_WATER).warranty.covered


@pytest.mark.parametrize("service_type", ["install", "maintenance"])
def test_installation_and_maintenance_are_not_warranty_work(service_type):
    q = price(service_type=service_type, on=dt.date(2024, 6, 1))
    assert (q.warranty.covered, q.warranty.code) == (False, "service_not_covered")
    assert q.total == q.gross_total > 0


def test_another_coverage_provider_extends_cover_without_changing_the_call():
    @dataclass(frozen=True)
    class ExtendedWarranty:
        until: dt.date
        name: str = "extended_warranty"

        def verdict(self, item, context):
            if item.part is not None and item.part.family == "filter":
                return None
            if context.on > self.until:
                return CoverageVerdict(covered=False, code=CoverageCode.EXPIRED, provider=self.name, until=self.until)
            return CoverageVerdict(covered=True, code=CoverageCode.IN_WARRANTY, provider=self.name, until=self.until)

    base = BaseWarranty(rules=(UNIT_12_FROM_INSTALL, FILTERS_NEVER))
    snap = snapshot(coverages=[base, ExtendedWarranty(until=dt.date(2027, 3, 20))])
    q = price(snap, on=dt.date(2026, 1, 5), parts=[PartUse("booster-pump"), PartUse("pp-cotton")])
    assert [(ln.code, ln.covered, ln.coverage.provider) for ln in q.lines if ln.kind != "callout"] == [
        ("repair", True, "extended_warranty"), ("booster-pump", True, "extended_warranty"),
        ("pp-cotton", False, "warranty")]
    assert q.total == Decimal("39.00")


# --- labour, parts, call-out ---------------------------------------------------------------------

def test_a_model_price_overrides_its_category():
    assert line(price(product=vrf(), service_type="install"), "install").unit_price == Decimal("500.00")


def test_missing_labour_price_is_a_clear_error():
    with pytest.raises(PriceNotListed) as err:
        price(service_type="site_survey")
    assert err.value.as_dict()["code"] == "price_not_listed"
    assert err.value.detail == {"item": "labour", "service_type": "site_survey", "category_id": PURIFIER}


def test_parts_must_be_known_priced_and_fit_the_product():
    with pytest.raises(InvalidInput) as err:
        price(parts=[PartUse("no-such-part")])
    assert (err.value.field, err.value.detail) == ("parts", {"part": "no-such-part"})
    with pytest.raises(InvalidInput):
        price(parts=[PartUse("compressor")])  # an air-conditioner part on a purifier
    with pytest.raises(InvalidInput):
        price(parts=[PartUse("booster-pump", 0)])
    with pytest.raises(PriceNotListed):
        price(snapshot(part_prices={}), parts=[PartUse("booster-pump")])
    assert line(price(parts=[PartUse("screw-kit", 3)]), "screw-kit").gross == Decimal("16.50")


def test_unknown_service_type_or_segment_is_refused():
    with pytest.raises(InvalidInput):
        price(service_type="teleport")
    with pytest.raises(InvalidInput):
        price(segment="gold")


@pytest.mark.parametrize(("km", "fee"), [("0", "0.00"), ("10", "0.00"), ("10.1", "30.00"), ("30", "30.00"),
                                         ("30.1", "60.00"), ("480", "60.00")])
def test_callout_band_upper_bounds_are_inclusive(km, fee):
    on = dt.date(2026, 1, 1)  # out of warranty, so the fee is paid
    assert line(price(on=on, distance_km=Decimal(km)), "callout").customer_pays == Decimal(fee)


def test_unknown_distance_is_to_be_confirmed_never_the_lowest_band():
    q = price(on=dt.date(2026, 1, 1), snap=snapshot(bands=[CalloutBandFacts(None, Decimal("60")),
                                                           CalloutBandFacts(Decimal("15"), Decimal("25"))]))
    callout = line(q, "callout")
    assert (callout.state, callout.to_confirm, q.distance_km, q.complete) == ("to_confirm", True, None, False)
    assert callout.customer_pays == Decimal("0.00") and q.total == line(q, "repair").customer_pays
    as_dict = q.as_dict()
    assert {k: as_dict["lines"][1][k] for k in ("state", "unit_price", "gross", "customer_pays")} == {
        "state": "to_confirm", "unit_price": None, "gross": None, "customer_pays": None}
    assert as_dict["total_complete"] is False
    with translation.override("en"):
        assert str(callout.description) == "Call-out fee: to be confirmed (the address has not been located yet)"


def test_a_covered_call_out_to_be_confirmed_costs_the_customer_nothing_and_the_total_is_complete():
    q = price()  # in warranty: the call-out is covered
    callout = line(q, "callout")
    assert (callout.covered, callout.state, q.complete) == (True, "to_confirm", True)
    assert q.as_dict()["lines"][1]["customer_pays"] == "0.00"


def test_an_approximate_distance_is_priced_by_its_band_and_says_it_is_approximate():
    q = price(on=dt.date(2026, 1, 1), distance_km=Decimal("12.4"), distance_approximate=True)
    callout = line(q, "callout")
    assert (callout.state, callout.customer_pays, q.distance_approximate, q.complete) == (
        "approximate", Decimal("30.00"), True, True)
    assert q.as_dict()["lines"][1]["customer_pays"] == "30.00"
    with translation.override("en"):
        assert str(callout.description) == "Call-out fee, about 12.4 km (the address is located only roughly)"


def test_beyond_the_last_band_without_an_open_band_is_refused():
    snap = snapshot(bands=[CalloutBandFacts(Decimal("30"), Decimal("30"))])
    with pytest.raises(BeyondCalloutBands):
        price(snap, distance_km=Decimal("30.1"))


def test_no_callout_for_mail_in_or_without_bands():
    assert [ln.kind for ln in price(product=vrf(), service_type="mail_in", distance_km=NEAR).lines] == ["labour"]
    assert [ln.kind for ln in price(snapshot(bands=[]), distance_km=NEAR).lines] == ["labour"]


# --- adjustments ---------------------------------------------------------------------------------

def test_premium_segment_pays_ten_percent_less_labour():
    snap = snapshot(adjustments=[PREMIUM_LABOUR_10_OFF])
    on = dt.date(2026, 1, 1)
    premium = price(snap, on=on, segment="premium", distance_km=Decimal("20"))
    assert [(ln.kind, ln.customer_pays) for ln in premium.lines] == [
        ("labour", Decimal("80.00")), ("callout", Decimal("30.00")), ("adjustment", Decimal("-8.00"))]
    assert premium.total == Decimal("102.00")
    assert price(snap, on=on, segment="value", distance_km=Decimal("20")).total == Decimal("110.00")


def test_remote_region_surcharge_applies_to_a_paid_callout_even_a_free_band():
    snap = snapshot(adjustments=[REMOTE_CALLOUT_20])
    on = dt.date(2026, 1, 1)
    remote = price(snap, on=on, region_id=ZHENGZHOU, distance_km=NEAR)
    assert [(ln.kind, ln.customer_pays) for ln in remote.lines] == [
        ("labour", Decimal("80.00")), ("callout", Decimal("0.00")), ("adjustment", Decimal("20.00"))]
    assert price(snap, on=on, region_id=HANGZHOU, distance_km=NEAR).total == Decimal("80.00")
    # In warranty the call-out is covered, and so is its surcharge.
    assert price(snap, region_id=ZHENGZHOU, distance_km=NEAR).total == Decimal("0.00")


def test_discounts_stop_at_zero():
    from pricing.facts import AdjustmentFacts

    snap = snapshot(adjustments=[AdjustmentFacts(id=1, target="labour", percent=Decimal("-100")),
                                 AdjustmentFacts(id=2, target="labour", amount=Decimal("-50")),
                                 AdjustmentFacts(id=3, target="parts", amount=Decimal("-1000"))])
    q = price(snap, on=dt.date(2026, 1, 1), parts=[PartUse("booster-pump")], distance_km=NEAR)
    assert [(ln.code, ln.customer_pays) for ln in q.lines] == [
        ("repair", Decimal("80.00")), ("callout", Decimal("0.00")), ("booster-pump", Decimal("260.00")),
        ("adj-1", Decimal("-80.00")), ("adj-3", Decimal("-260.00"))]
    assert q.total == Decimal("0.00")


def test_adjustments_round_half_up_to_the_cent():
    from pricing.facts import AdjustmentFacts

    snap = snapshot(adjustments=[AdjustmentFacts(id=1, target="parts", percent=Decimal("-12.5"))],
                    part_prices={"screw-kit": Decimal("0.20")})
    q = price(snap, on=dt.date(2026, 1, 1), parts=[PartUse("screw-kit")])  # 12.5% of 0.20 is 0.025
    assert line(q, "adj-1").customer_pays == Decimal("-0.03")


# --- texts and helpers ---------------------------------------------------------------------------

def test_texts_are_translated_when_shown():
    snap = snapshot(adjustments=[PREMIUM_LABOUR_10_OFF, REMOTE_CALLOUT_20])
    q = price(snap, on=dt.date(2026, 1, 1), segment="premium", region_id=ZHENGZHOU, distance_km=Decimal("12.3"),
              parts=[PartUse("pp-cotton")])
    with translation.override("en"):
        assert [str(ln.description) for ln in q.lines] == [
            "Labour: Repair", "Call-out fee, 12.3 km", "PP sediment filter", "Premium: -10% on labour",
            "郑州: +¥20.00 on call-out fee"]
        assert [str(ln.reason) for ln in q.lines] == [
            "Out of warranty since 2025-03-21", "Out of warranty since 2025-03-21", "Never covered by warranty",
            "", ""]
        assert str(price(symptom=MISUSE).warranty.reason) == "Excluded from warranty: misuse"
        assert q.as_dict()["lines"][2]["description"] == "PP sediment filter"
    with translation.override("zh-hans"):
        assert str(q.lines[2].description) == "PP棉滤芯"


def test_as_dict_is_plain_json():
    import json

    q = price(distance_km=NEAR, parts=[PartUse("pp-cotton")])
    with translation.override("en"):
        body = json.loads(json.dumps(q.as_dict()))
    assert body["total"] == "39.00" and body["warranty"]["code"] == "in_warranty"
    assert body["lines"][0] == {"kind": "labour", "code": "repair", "description": "Labour: Repair",
                                "unit_price": "80.00", "quantity": 1, "gross": "80.00", "covered": True,
                                "reason_code": "in_warranty", "reason": "In warranty until 2025-03-20",
                                "customer_pays": "0.00", "state": "priced"}


def test_money_refuses_floats_and_rounds_half_up():
    assert money("2.345") == Decimal("2.35") and money(-Decimal("2.345")) == Decimal("-2.35")
    with pytest.raises(TypeError):
        money(0.1)


def test_category_ids_are_distinct():
    assert PURIFIER != AC  # the fixtures rely on it


def test_the_engine_modules_never_import_the_orm():
    """The engine stays plain (STYLE.md: pure algorithms in plain modules); the loader lives in selectors."""
    import ast
    from pathlib import Path

    import core
    import pricing

    modules = [Path(pricing.__file__).with_name(f"{name}.py") for name in ("engine", "coverage", "facts")]
    for path in [*modules, Path(core.__file__).with_name("text.py")]:  # its lazy texts moved to core
        name = path.stem
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not {m for m in imported if m.startswith("django.db") or m.endswith((".models", ".selectors",
                                                                                    ".services"))}, name


def test_without_any_coverage_provider_nothing_is_covered():
    q = price(snapshot(coverages=[]))
    assert (q.warranty.covered, q.warranty.code, q.total) == (False, "no_coverage", Decimal("80.00"))
    with translation.override("en"):
        assert str(q.warranty.reason) == "Not covered"
