"""pricing.services.estimate: an installed product, a service and a symptom, priced from the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.tests.factories import PartFactory, SymptomFactory
from core.errors import InvalidInput
from customers.tests.factories import SiteFactory
from network.tests.factories import RegionFactory
from pricing.errors import NoPriceList
from pricing.services import estimate
from pricing.tests.factories import (
    AdjustmentFactory,
    CalloutBandFactory,
    LabourPriceFactory,
    PartPriceFactory,
    PriceListFactory,
    WarrantyRuleFactory,
)

pytestmark = pytest.mark.django_db
INSTALLED = dt.date(2025, 3, 10)
IN_WARRANTY = dt.date(2025, 9, 1)
EXPIRED = dt.date(2026, 6, 1)
SHANGHAI = {"latitude": Decimal("31.230416"), "longitude": Decimal("121.473701")}


@pytest.fixture
def priced(world):
    """Acme's 2025 list for purifiers; RO-500 (12 months) installed 2025-03-10 at a site in Hangzhou, 2.5 km
    from both outlets' base; filters never covered; 'frozen' is misuse."""
    price_list = PriceListFactory(brand=world.brand, valid_from=dt.date(2025, 1, 1))
    for service_type, amount in (("repair", "80.00"), ("install", "100.00"), ("maintenance", "50.00")):
        LabourPriceFactory(price_list=price_list, category=world.category, service_type=service_type, amount=amount)
    for km, amount in (("10", "0.00"), ("30", "30.00"), (None, "60.00")):
        CalloutBandFactory(price_list=price_list, up_to_km=km, amount=amount)
    pump = PartFactory(brand=world.brand, code="booster-pump", name="增压泵", family="pump", category=world.category)
    pp = PartFactory(brand=world.brand, code="pp-cotton", name="PP棉滤芯", family="filter", category=world.category)
    PartPriceFactory(price_list=price_list, part=pump, amount="260.00")
    PartPriceFactory(price_list=price_list, part=pp, amount="39.00")
    WarrantyRuleFactory(brand=world.brand, months=None, grace_days=15)
    WarrantyRuleFactory(brand=world.brand, months=0, part_family="filter")
    SymptomFactory(category=world.category, code="no-water", name="不出水")
    SymptomFactory(category=world.category, code="frozen", name="冬季冻裂", excludes_warranty="misuse")
    product = world.product
    product.purchase_date, product.install_date = dt.date(2025, 3, 1), INSTALLED
    product.save()
    product.site.region = world.region
    product.site.save()
    return price_list


def costs(q):
    return [(ln.kind, ln.code, ln.covered, ln.customer_pays) for ln in q.lines]


def test_in_warranty_repair_is_free_except_the_filter(world, priced):
    q = estimate(product=world.product, service_type="repair", symptom_code="no-water",
                 parts=["booster-pump", ("pp-cotton", 2)], at=IN_WARRANTY)
    assert costs(q) == [("labour", "repair", True, Decimal("0.00")), ("callout", "callout", True, Decimal("0.00")),
                        ("part", "booster-pump", True, Decimal("0.00")),
                        ("part", "pp-cotton", False, Decimal("78.00"))]
    assert q.total == Decimal("78.00") and q.price_list.id == priced.pk
    assert q.warranty.covered and q.warranty.until == dt.date(2026, 3, 10)
    assert q.distance_km == Decimal("2.5")


def test_out_of_warranty_the_customer_pays_every_line(world, priced):
    q = estimate(product=world.product, service_type="repair", symptom_code="no-water", parts=["booster-pump"],
                 at=EXPIRED)
    assert q.total == Decimal("340.00") and not any(ln.covered for ln in q.lines)
    assert (q.warranty.code, q.warranty.since) == ("warranty_expired", dt.date(2026, 3, 11))


def test_misuse_voids_the_warranty(world, priced):
    q = estimate(product=world.product, service_type="repair", symptom_code="frozen", parts=["booster-pump"],
                 at=IN_WARRANTY)
    assert q.total == Decimal("340.00")
    assert {ln.reason_code for ln in q.lines} == {"excluded"}
    with translation.override("en"):
        assert str(q.warranty.reason) == "Excluded from warranty: misuse"


def test_premium_customers_and_remote_regions_are_adjusted(world, priced):
    AdjustmentFactory(price_list=priced, segment="premium", applies_to="labour", percent="-10.00")
    AdjustmentFactory(price_list=priced, region=world.region, applies_to="callout", percent=None, amount="20.00")
    elsewhere = RegionFactory(brand=world.brand)
    AdjustmentFactory(price_list=priced, region=elsewhere, applies_to="callout", percent=None, amount="99.00")
    world.customer.segment = "premium"
    world.customer.save()
    q = estimate(product=world.product, service_type="repair", at=EXPIRED)
    assert costs(q) == [("labour", "repair", False, Decimal("80.00")),
                        ("callout", "callout", False, Decimal("0.00")),
                        ("adjustment", f"adj-{priced.adjustments.order_by('pk')[0].pk}", False, Decimal("-8.00")),
                        ("adjustment", f"adj-{priced.adjustments.order_by('pk')[1].pk}", False, Decimal("20.00"))]
    assert q.total == Decimal("92.00")


def test_callout_follows_the_distance_from_the_serving_outlet(world, priced):
    world.product.site.latitude, world.product.site.longitude = SHANGHAI["latitude"], SHANGHAI["longitude"]
    world.product.site.save()
    far = estimate(product=world.product, service_type="repair", at=EXPIRED)
    assert far.distance_km == Decimal("164.9") and far.lines[1].customer_pays == Decimal("60.00")
    world.outlet_b.latitude, world.outlet_b.longitude = Decimal("31.100000"), Decimal("121.400000")
    near = estimate(product=world.product, service_type="repair", at=EXPIRED, outlet=world.outlet_b)
    assert near.distance_km == Decimal("16.1") and near.lines[1].customer_pays == Decimal("30.00")
    # Without an outlet named, the nearest outlet serving the region is assumed.
    world.outlet_b.save()
    assert estimate(product=world.product, service_type="repair", at=EXPIRED).distance_km == Decimal("16.1")


@pytest.mark.parametrize("where", ["site without coordinates", "no site", "region without outlets"])
def test_unknown_distance_is_to_be_confirmed(world, priced, where):
    product = world.product
    if where == "site without coordinates":
        product.site.latitude = product.site.longitude = None
        product.site.save()
    elif where == "no site":
        product.site = None
        product.save()
    else:
        product.site = SiteFactory(customer=world.customer, region=RegionFactory(brand=world.brand))
        product.save()
    q = estimate(product=product, service_type="repair", at=EXPIRED)
    assert (q.distance_km, q.lines[1].state, q.complete) == (None, "to_confirm", False)
    with translation.override("en"):
        assert str(q.lines[1].description) == "Call-out fee: to be confirmed (the address has not been located yet)"


def test_the_order_time_is_read_in_the_brands_time_zone(world, priced):
    priced.valid_to = dt.date(2025, 6, 30)
    priced.save()
    july = PriceListFactory(brand=world.brand, name="July", valid_from=dt.date(2025, 7, 1))
    LabourPriceFactory(price_list=july, category=world.category, service_type="repair", amount="90.00")
    # 16:30 UTC on 30 June is 00:30 on 1 July in Shanghai.
    at = dt.datetime(2025, 6, 30, 16, 30, tzinfo=dt.UTC)
    q = estimate(product=world.product, service_type="repair", at=at)
    assert (q.price_list.name, q.on, q.lines[0].unit_price) == ("July", dt.date(2025, 7, 1), Decimal("90.00"))
    assert estimate(product=world.product, service_type="repair", at=at - dt.timedelta(hours=1)).price_list.id == (
        priced.pk)


def test_symptoms_come_from_the_products_category(world, priced):
    from catalog.tests.factories import CategoryFactory

    SymptomFactory(category=CategoryFactory(brand=world.brand), code="ac-only")
    for code in ("no-such-symptom", "ac-only"):
        with pytest.raises(InvalidInput) as err:
            estimate(product=world.product, service_type="repair", symptom_code=code, at=IN_WARRANTY)
        assert err.value.field == "symptom_code"


def test_no_list_on_the_day_is_a_clear_error(world, priced):
    with pytest.raises(NoPriceList) as err:
        estimate(product=world.product, service_type="repair", at=dt.date(2024, 12, 31))
    assert err.value.code == "no_price_list"


def test_an_estimate_reads_a_fixed_number_of_queries(world, priced, django_assert_num_queries):
    """Symptom, price list, labour, parts with their prices, bands, adjustments, rules, the unit's extended
    warranties, serving outlet."""
    product = type(world.product).objects.select_related("product_model", "customer", "site").get(pk=world.product.pk)
    with django_assert_num_queries(9):
        estimate(product=product, service_type="repair", symptom_code="no-water", parts=["booster-pump"],
                 at=IN_WARRANTY)


def test_the_assumed_outlet_must_be_authorised_for_the_category(world, priced):
    from pricing.selectors import serving_outlet

    world.outlet_b.latitude, world.outlet_b.longitude = Decimal("30.280000"), Decimal("120.130000")  # at the site
    world.outlet_b.save()
    assert serving_outlet(world.product) == world.outlet_b
    world.category.authorised_outlets.remove(world.outlet_b)
    assert serving_outlet(world.product) == world.outlet_a
    world.category.authorised_outlets.clear()  # a category naming no outlets may be served by any
    assert serving_outlet(world.product) == world.outlet_b


def test_a_site_placed_at_its_district_centre_prices_its_band_as_approximate(world, priced):
    site = world.product.site
    site.geo_precision = "district"
    site.save()
    q = estimate(product=world.product, service_type="repair", at=EXPIRED)
    assert (q.distance_approximate, q.lines[1].state, q.complete) == (True, "approximate", True)
    site.geo_precision = "pin"
    site.save()
    exact = estimate(product=world.product, service_type="repair", at=EXPIRED)
    assert (exact.distance_approximate, exact.lines[1].state) == (False, "priced")
    assert exact.lines[1].customer_pays == q.lines[1].customer_pays
