"""seed_pricing gives the demo brand a working price list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalog.models import Part, Symptom
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from customers.tests.factories import InstalledProductFactory
from demo.pricing import CURRENT_NAME, PREVIOUS_NAME, seed_pricing
from network.tests.factories import RegionFactory
from pricing.models import (
    Adjustment,
    CalloutBand,
    LabourPrice,
    PartPrice,
    PriceList,
    WarrantyRule,
)
from pricing.services import estimate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)
ALL_MODELS = (Part, WarrantyRule, Symptom, PriceList, LabourPrice, CalloutBand, PartPrice, Adjustment)


@pytest.fixture
def demo(world):
    hvac = CategoryFactory(brand=world.brand, code="hvac", name="中央空调")
    vrf = ProductModelFactory(category=hvac, code="VRF-5", warranty_months=72)
    RegionFactory(brand=world.brand, code="zhengzhou", name="郑州")
    current = seed_pricing(world.brand, today=TODAY)
    return world, current, vrf


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_two_versions_and_running_it_again_adds_nothing(demo):
    world, current, _ = demo
    lists = list(PriceList.objects.filter(brand=world.brand).order_by("valid_from"))
    assert [(p.name, p.valid_from, p.valid_to, p.is_published) for p in lists] == [
        (PREVIOUS_NAME, dt.date(2023, 9, 1), dt.date(2025, 8, 31), True),
        (CURRENT_NAME, dt.date(2025, 9, 1), None, True),
    ]
    before = counts()
    assert seed_pricing(world.brand, today=TODAY) == current
    assert counts() == before
    assert Symptom.objects.filter(category=world.category).exclude(excludes_warranty="").count() == 3


def test_a_demo_purifier_repair_is_priced(demo):
    world, current, _ = demo
    product = world.product
    product.purchase_date, product.install_date = dt.date(2024, 1, 5), dt.date(2024, 1, 8)
    product.save()
    q = estimate(product=product, service_type="repair", symptom_code="no-water", parts=["pp-cotton", "booster-pump"],
                 at=TODAY)
    assert q.price_list.id == current.pk
    assert [(ln.code, ln.customer_pays) for ln in q.lines] == [
        ("repair", Decimal("80.00")), ("callout", Decimal("0.00")), ("pp-cotton", Decimal("39.00")),
        ("booster-pump", Decimal("260.00"))]
    last_version = estimate(product=product, service_type="repair", at=dt.date(2025, 8, 31))
    assert last_version.lines[0].customer_pays == Decimal("72.00")


def test_the_compressor_outlasts_the_unit(demo):
    world, _, vrf = demo
    product = InstalledProductFactory(customer=world.customer, brand=world.brand, product_model=vrf,
                                      purchase_date=dt.date(2019, 1, 1), install_date=dt.date(2019, 1, 20), site=None)
    q = estimate(product=product, service_type="install", at=TODAY)
    assert q.lines[0].unit_price == Decimal("500.00")  # the model's own installation price
    q = estimate(product=product, service_type="repair", parts=["compressor", "eev"], at=dt.date(2025, 1, 20))
    assert [(ln.code, ln.covered) for ln in q.lines] == [("repair", True), ("callout", True), ("compressor", True),
                                                         ("eev", True)]
    q = estimate(product=product, service_type="repair", parts=["compressor", "eev"], at=TODAY)
    assert [(ln.code, ln.covered, ln.customer_pays) for ln in q.lines] == [
        ("repair", False, Decimal("200.00")), ("callout", False, Decimal("0.00")),
        ("compressor", True, Decimal("0.00")), ("eev", False, Decimal("380.00"))]
    assert q.lines[2].coverage.until == dt.date(2029, 1, 20)
