"""Extended warranty (issue 16): the offers a unit gets, the sale and its refusals, and the engine honouring it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.principal import principal_of, system_principal
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from conftest import build_world, race
from core.errors import InvalidInput, NotFound, PermissionDenied
from network.tests.factories import RegionFactory
from pricing import warranty
from pricing.errors import ExtendedWarrantyOverlap, PriceNotListed, ReferenceReused, TermDoesNotFit
from pricing.extended import offers_for, sell_extended_warranty
from pricing.models import ExtendedWarranty
from pricing.services import estimate
from pricing.tests.factories import ExtensionTermFactory, PriceListFactory, TermPriceFactory
from pricing.tests.test_estimate import priced  # noqa: F401 - the fixture
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
# RO-500 installed 2025-03-10: its base warranty (the catalogue's 12 months) covers until 2026-03-10.
BASE_UNTIL = dt.date(2026, 3, 10)
IN_BASE = dt.date(2026, 1, 15)
LAPSED = dt.date(2026, 6, 1)


@pytest.fixture
def terms(world, priced):  # noqa: F811
    """Three purifier terms: +12 months of everything (prices by segment and region), +24 months of labour and
    call-out, and a late +12 months of pump parts that may be bought up to 6 months after the warranty ended."""
    full = ExtensionTermFactory(brand=world.brand, category=world.category, name="净水器延保一年", months=12,
                                max_unit_age_months=36)
    labour = ExtensionTermFactory(brand=world.brand, category=world.category, name="净水器人工延保两年", months=24,
                                  covers_parts=False)
    late = ExtensionTermFactory(brand=world.brand, product_model=world.model, category=None, name="增压泵延保",
                                months=12, covers_labour=False, part_families=["pump"], months_after_expiry=6)
    elsewhere = RegionFactory(brand=world.brand, code="ningbo", name="宁波")
    for term, segment, region, amount in (
            (full, "", None, "199.00"), (full, "premium", None, "259.00"), (full, "", world.region, "189.00"),
            (full, "premium", world.region, "279.00"), (full, "", elsewhere, "149.00"),
            (labour, "", None, "299.00"), (late, "", None, "99.00")):
        TermPriceFactory(term=term, price_list=priced, segment=segment, region=region, amount=amount)
    return {"full": full, "labour": labour, "late": late}


def offered(product, on):
    return [(o.term.name, o.price, o.starts_on, o.ends_on) for o in offers_for(product=product, on=on)]


def sell(world, term, *, on=IN_BASE, user=None, **kw):
    actor = principal_of(user or world.hotline)
    return sell_extended_warranty(product=world.product, term=term, actor_or_channel=actor,
                                  sold_via=kw.pop("sold_via", "hotline"), on=on, **kw)


def test_offers_follow_on_from_the_base_warranty_priced_for_the_segment_and_region(world, terms):
    assert offered(world.product, IN_BASE) == [
        ("增压泵延保", Decimal("99.00"), dt.date(2026, 3, 11), dt.date(2027, 3, 10)),
        ("净水器延保一年", Decimal("189.00"), dt.date(2026, 3, 11), dt.date(2027, 3, 10)),
        ("净水器人工延保两年", Decimal("299.00"), dt.date(2026, 3, 11), dt.date(2028, 3, 10)),
    ]
    world.customer.segment = "premium"
    world.customer.save()
    assert offered(world.product, IN_BASE)[1][1] == Decimal("279.00")  # premium in Hangzhou
    world.product.site.region = None
    world.product.site.save()
    assert offered(world.product, IN_BASE)[1][1] == Decimal("259.00")  # premium, no region


def test_after_the_warranty_ended_only_a_late_term_fits_and_runs_from_the_day_bought(world, terms):
    assert offered(world.product, LAPSED) == [("增压泵延保", Decimal("99.00"), LAPSED, dt.date(2027, 5, 31))]
    assert offered(world.product, dt.date(2026, 9, 11)) == [], "more than six months after the end is too late"
    assert offered(world.product, dt.date(2026, 9, 10))[0][2:] == (dt.date(2026, 9, 10), dt.date(2027, 9, 9))


def test_a_unit_whose_warranty_ended_long_ago_or_of_another_category_gets_no_offer(world, terms):
    world.product.purchase_date, world.product.install_date = dt.date(2023, 1, 1), dt.date(2023, 1, 5)
    world.product.save()
    assert offered(world.product, dt.date(2025, 1, 2)) == [], "the base warranty ended 2024-01-05"
    world.product.purchase_date, world.product.install_date = dt.date(2025, 3, 1), dt.date(2025, 3, 10)
    world.product.product_model = ProductModelFactory(category=CategoryFactory(brand=world.brand, code="ac"),
                                                      code="AC-1")
    world.product.save()
    assert offered(world.product, IN_BASE) == []


def test_the_hotline_sells_a_term_at_the_offers_price(world, terms):
    sold = sell(world, terms["full"], reference="HL-1")
    assert (sold.starts_on, sold.ends_on, sold.price, sold.sold_via, sold.sold_by, sold.status) == (
        dt.date(2026, 3, 11), dt.date(2027, 3, 10), Decimal("189.00"), "hotline", world.hotline, "active")
    assert (sold.covers_labour, sold.covers_parts, sold.part_families, sold.lead_id) == (True, True, [], None)
    assert ExtendedWarranty.objects.visible_to(world.customer.user).get() == sold
    # Now it is bought, nothing overlapping is offered.
    assert offered(world.product, IN_BASE) == []


def test_the_same_reference_sells_once(world, terms):
    first = sell(world, terms["full"], reference="SHOP-42", user=world.customer.user, sold_via="shop",
                 price="150.00")
    again = sell(world, terms["full"], reference="SHOP-42", user=world.customer.user, sold_via="shop",
                 price="150.00")
    assert again.pk == first.pk and ExtendedWarranty.objects.count() == 1
    with pytest.raises(ReferenceReused):
        sell(world, terms["labour"], reference="SHOP-42")
    assert ExtendedWarranty.objects.count() == 1 and first.price == Decimal("150.00")


def test_a_lead_sells_once(world, terms):
    first = sell(world, terms["full"], lead=77, sold_via="lead")
    assert sell(world, terms["full"], lead=77, sold_via="lead").pk == first.pk
    assert ExtendedWarranty.objects.get().lead_id == 77


def test_a_second_overlapping_warranty_is_refused_and_changes_nothing(world, terms):
    first = sell(world, terms["full"])
    with pytest.raises(ExtendedWarrantyOverlap) as refused:
        sell(world, terms["labour"])
    assert (refused.value.status, refused.value.detail) == (409, {"extended_warranty_id": first.pk})
    assert list(ExtendedWarranty.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize("case, reason", [
    ("too_late", "warranty_ended"), ("too_old", "unit_too_old"), ("other_model", "other_product"),
    ("inactive", "inactive"), ("no_dates", "no_start_date"),
])
def test_a_term_that_does_not_fit_is_refused_with_its_reason(world, terms, case, reason):
    term, on = terms["full"], LAPSED
    if case == "too_old":
        term.max_unit_age_months = 6
        term.save()
        on = IN_BASE
    elif case == "other_model":
        term = ExtensionTermFactory(brand=world.brand, category=None,
                                    product_model=ProductModelFactory(category=world.category, code="RO-900"))
        on = IN_BASE
    elif case == "inactive":
        term.is_active = False
        term.save()
        on = IN_BASE
    elif case == "no_dates":
        world.product.purchase_date = world.product.install_date = None
        world.product.save()
    with pytest.raises(TermDoesNotFit) as refused:
        sell(world, term, on=on)
    assert (refused.value.status, refused.value.code, refused.value.detail["reason"]) == (
        422, "term_does_not_fit", reason)
    assert ExtendedWarranty.objects.count() == 0


def test_who_may_sell(world, terms):
    with pytest.raises(NotFound):  # another customer's unit
        sell(world, terms["full"], user=world.other_customer.user)
    with pytest.raises(NotFound):  # a technician who never had an order of this unit
        sell(world, terms["full"], user=world.tech_a.user)
    with pytest.raises(NotFound):
        sell(world, terms["full"], user=world.rival_dispatcher)
    with pytest.raises(PermissionDenied):  # sees the unit, does not sell
        sell(world, terms["full"], user=world.analyst)
    with pytest.raises(NotFound):  # the rival brand's automation
        sell_extended_warranty(product=world.product, term=terms["full"], sold_via="import", on=IN_BASE,
                               actor_or_channel=system_principal(world.other_brand.pk))
    with pytest.raises(InvalidInput):
        sell(world, terms["full"], sold_via="door-to-door")
    with pytest.raises(InvalidInput):
        sell(world, terms["full"], price="-1")
    assert ExtendedWarranty.objects.count() == 0
    imported = sell_extended_warranty(product=world.product, term=terms["full"], sold_via="import", on=IN_BASE,
                                      actor_or_channel=system_principal(world.brand.pk), reference="XLS-1")
    assert (imported.sold_by, imported.price) == (None, Decimal("189.00"))


def test_without_a_listed_price_the_seller_names_one(world, terms):
    unpriced = ExtensionTermFactory(brand=world.brand, category=world.category, months=6)
    with pytest.raises(PriceNotListed):
        sell(world, unpriced)
    assert ExtendedWarranty.objects.count() == 0
    assert sell(world, unpriced, price="88").price == Decimal("88.00")


def test_the_estimate_after_the_base_warranty_says_covered_by_the_extension(world, terms):
    sell(world, terms["full"])
    q = estimate(product=world.product, service_type="repair", symptom_code="no-water",
                 parts=["booster-pump", "pp-cotton"], at=LAPSED)
    assert [(ln.code, ln.covered, ln.reason_code) for ln in q.lines] == [
        ("repair", True, "extended_warranty"), ("callout", True, "extended_warranty"),
        ("booster-pump", True, "extended_warranty"), ("pp-cotton", True, "extended_warranty")]
    assert q.total == Decimal("0.00")
    with translation.override("en"):
        assert str(q.warranty.reason) == "Covered by extended warranty until 2027-03-10"
    with translation.override("zh-hans"):
        assert str(q.warranty.reason) == "延保期内，保修至 2027-03-10"
    # Within the base warranty, the base warranty still speaks; after the extension, it has lapsed.
    assert estimate(product=world.product, service_type="repair", at=IN_BASE).warranty.code == "in_warranty"
    after = estimate(product=world.product, service_type="repair", at=dt.date(2027, 3, 11))
    assert (after.warranty.code, after.total) == ("warranty_expired", Decimal("80.00"))


def test_a_parts_only_extension_covers_its_families_and_not_labour_nor_misuse(world, terms):
    sell(world, terms["late"], on=LAPSED)
    q = estimate(product=world.product, service_type="repair", parts=["booster-pump", "pp-cotton"], at=LAPSED)
    assert [(ln.code, ln.covered, ln.reason_code) for ln in q.lines] == [
        ("repair", False, "warranty_expired"), ("callout", False, "warranty_expired"),
        ("booster-pump", True, "extended_warranty"), ("pp-cotton", False, "never_covered")]
    assert q.warranty.code == "warranty_expired"
    misuse = estimate(product=world.product, service_type="repair", symptom_code="frozen", parts=["booster-pump"],
                      at=LAPSED)
    assert not any(ln.covered for ln in misuse.lines)


def test_the_verdict_on_every_surface_reads_the_extension(world, terms):
    sell(world, terms["labour"])
    world.other_product.purchase_date, world.other_product.install_date = dt.date(2025, 3, 1), dt.date(2025, 3, 10)
    world.other_product.save()
    assert warranty.verdict(product=world.product, on=LAPSED).code == "extended_warranty"
    both = warranty.verdicts([world.product, world.other_product], on=LAPSED)
    assert (both[world.product.pk].until, both[world.other_product.pk].code) == (
        dt.date(2028, 3, 10), "warranty_expired")
    assert warranty.verdict(product=world.product, on=LAPSED, service_type="install").code == "service_not_covered"


def test_a_cancelled_extension_covers_nothing(world, terms):
    sold = sell(world, terms["full"])
    ExtendedWarranty.objects.filter(pk=sold.pk).update(status="cancelled")
    assert warranty.verdict(product=world.product, on=LAPSED).code == "warranty_expired"
    assert offered(world.product, IN_BASE)[0][0] == "增压泵延保"


def test_who_sees_a_units_extended_warranty(world, terms):
    sold = sell(world, terms["full"])
    make_order(world, status=Status.DISPATCHED)  # outlet A and its technician tech_a now see the unit

    def seen(user):
        return list(ExtendedWarranty.objects.visible_to(user).values_list("pk", flat=True))

    for user in (world.dispatcher, world.analyst, world.customer.user, world.manager_a, world.tech_a.user):
        assert seen(user) == [sold.pk], user
    for user in (world.other_customer.user, world.manager_b, world.tech_b.user, world.rival_dispatcher):
        assert seen(user) == [], user


@pytest.mark.django_db(transaction=True)
def test_concurrent_sales_to_one_unit_sell_once():
    """Six agents sell the same unit at the same moment (two with one reference), each on its own connection."""
    world = build_world()
    price_list = PriceListFactory(brand=world.brand, valid_from=dt.date(2025, 1, 1))
    world.product.purchase_date = world.product.install_date = dt.date(2025, 3, 10)
    world.product.save()
    term = ExtensionTermFactory(brand=world.brand, category=world.category, months=12)
    TermPriceFactory(term=term, price_list=price_list, amount="199.00")
    actor = principal_of(world.hotline)
    results = race(lambda i: sell_extended_warranty(product=world.product, term=term, actor_or_channel=actor,
                                                    sold_via="hotline", on=IN_BASE, reference=f"R-{i % 5}"),
                   6, timeout=120)
    sold = [r for r in results if isinstance(r, ExtendedWarranty)]
    refused = [r for r in results if isinstance(r, ExtendedWarrantyOverlap)]
    assert ExtendedWarranty.objects.count() == 1
    assert len(sold) + len(refused) == 6, results
    assert {s.pk for s in sold} == {ExtendedWarranty.objects.get().pk}
