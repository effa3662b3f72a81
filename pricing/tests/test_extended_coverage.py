"""The extended warranty's coverage provider, pure: it covers exactly on its days, only what it pays for, and
it is one more provider of the snapshot (the engine and its callers have no special case for it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.choices import ServiceType
from pricing.coverage import (
    BaseWarranty,
    CoverageContext,
    CoverageItem,
    ExtendedWarrantyProvider,
    extension_window,
    resolve,
)
from pricing.engine import quote
from pricing.facts import ExtensionFacts, PartFacts, PartUse, ProductFacts, SymptomFacts
from pricing.tests.snapshots import PURIFIER, RO_500, snapshot

UNIT = 7
PUMP = PartFacts(code="pump", name="增压泵", family="pump")
FILTER = PartFacts(code="pp", name="PP棉", family="filter")
ITEMS = {"labour": CoverageItem(kind="labour"), "callout": CoverageItem(kind="callout"),
         "pump": CoverageItem(kind="part", part=PUMP), "filter": CoverageItem(kind="part", part=FILTER)}
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 12, 31))


def product(product_id: int | None = UNIT) -> ProductFacts:
    return ProductFacts(model_id=RO_500, category_id=PURIFIER, purchase_date=dt.date(2020, 1, 1),
                        install_date=dt.date(2020, 1, 1), catalogue_months=12, product_id=product_id)


def context(on: dt.date, *, service_type: str = ServiceType.REPAIR, symptom: SymptomFacts | None = None,
            product_id: int | None = UNIT) -> CoverageContext:
    return CoverageContext(product=product(product_id), service_type=service_type, symptom=symptom, on=on)


@st.composite
def extensions(draw):
    starts = draw(days)
    ends = starts + dt.timedelta(days=draw(st.integers(0, 1500)))
    labour, parts = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    families = tuple(draw(st.lists(st.sampled_from(["pump", "filter", "motor"]), max_size=2, unique=True))) if parts \
        else ()
    return ExtensionFacts(id=1, starts_on=starts, ends_on=ends, covers_labour=labour, covers_parts=parts,
                          part_families=families)


def pays_for(ext: ExtensionFacts, item: str) -> bool:
    if item in ("labour", "callout"):
        return ext.covers_labour
    return ext.covers_parts and (not ext.part_families or ITEMS[item].part.family in ext.part_families)


@settings(max_examples=300, deadline=None)
@given(ext=extensions(), on=days, item=st.sampled_from(sorted(ITEMS)))
def test_covers_exactly_on_its_days_and_only_what_it_pays_for(ext, on, item):
    provider = ExtendedWarrantyProvider(by_product={UNIT: (ext,)})
    verdict = provider.verdict(ITEMS[item], context(on))
    if ext.starts_on <= on <= ext.ends_on and pays_for(ext, item):
        assert (verdict.covered, verdict.code, verdict.start, verdict.until) == (
            True, "extended_warranty", ext.starts_on, ext.ends_on)
    else:
        assert verdict is None  # it says nothing: the base warranty's refusal explains why not
    # Another unit's extension never covers this one.
    assert ExtendedWarrantyProvider(by_product={UNIT + 1: (ext,)}).verdict(ITEMS[item], context(on)) is None
    assert provider.verdict(ITEMS[item], context(on, product_id=None)) is None


@pytest.mark.parametrize("service_type", [ServiceType.INSTALL, ServiceType.MAINTENANCE])
def test_it_pays_for_repairs_as_the_base_warranty_does_not_installs_or_servicing(service_type):
    ext = ExtensionFacts(id=1, starts_on=dt.date(2021, 1, 2), ends_on=dt.date(2022, 1, 1))
    provider = ExtendedWarrantyProvider(by_product={UNIT: (ext,)})
    assert provider.verdict(ITEMS["labour"], context(dt.date(2021, 6, 1), service_type=service_type)) is None
    misuse = SymptomFacts(code="frozen", exclusion="misuse")
    assert provider.verdict(ITEMS["labour"], context(dt.date(2021, 6, 1), symptom=misuse)) is None


def test_after_the_base_warranty_the_first_provider_that_covers_wins():
    ext = ExtensionFacts(id=1, starts_on=dt.date(2021, 1, 2), ends_on=dt.date(2022, 1, 1), covers_parts=False)
    providers = (BaseWarranty(), ExtendedWarrantyProvider(by_product={UNIT: (ext,)}))
    in_base = resolve(providers, ITEMS["labour"], context(dt.date(2020, 6, 1)))
    extended = resolve(providers, ITEMS["labour"], context(dt.date(2021, 6, 1)))
    part = resolve(providers, ITEMS["pump"], context(dt.date(2021, 6, 1)))
    assert (in_base.code, in_base.provider) == ("in_warranty", "warranty")
    assert (extended.code, extended.provider, extended.until) == ("extended_warranty", "extended_warranty",
                                                                  dt.date(2022, 1, 1))
    assert (part.code, part.since) == ("warranty_expired", dt.date(2021, 1, 2))


def test_the_engine_prices_with_it_as_one_more_provider():
    ext = ExtensionFacts(id=1, starts_on=dt.date(2021, 1, 2), ends_on=dt.date(2022, 1, 1))
    base = snapshot()
    extended = type(base)(**{**base.__dict__, "coverages": base.coverages + (
        ExtendedWarrantyProvider(by_product={UNIT: (ext,)}),)})
    args = {"product": product(), "service_type": ServiceType.REPAIR, "on": dt.date(2021, 6, 1),
            "parts": [PartUse(code=next(iter(base.part_prices)))], "distance_km": Decimal("3")}
    assert quote(base, **args).warranty.code == "warranty_expired"
    q = quote(extended, **args)
    assert (q.warranty.code, q.total, all(ln.covered for ln in q.lines)) == ("extended_warranty", Decimal("0.00"),
                                                                             True)


@settings(max_examples=200, deadline=None)
@given(base_until=st.none() | days, on=days, months=st.integers(1, 60), after=st.integers(0, 24))
def test_a_window_follows_on_from_the_base_warranty_or_starts_the_day_bought(base_until, on, months, after):
    code = "never_covered" if base_until is None else ("in_warranty" if on <= base_until else "warranty_expired")
    try:
        starts, ends = extension_window(months=months, max_unit_age_months=None, months_after_expiry=after,
                                        unit_start=dt.date(2019, 1, 1), base_until=base_until, base_code=code,
                                        on=on)
    except ValueError as refused:
        assert str(refused) == "warranty_ended"
        assert base_until is not None and on > base_until or after == 0
        return
    assert starts == (base_until + dt.timedelta(days=1) if base_until is not None and on <= base_until else on)
    assert starts <= ends and ends < starts.replace(day=1) + dt.timedelta(days=31 * (months + 1))
