"""Which plans fit a unit, the tier of its customer's segment, and a plan's price on a day in a region."""

import datetime as dt
from decimal import Decimal

import pytest

from catalog.tests.factories import CategoryFactory, ProductModelFactory
from customers.choices import Segment
from customers.tests.factories import SiteFactory
from maintenance.choices import Tier
from maintenance.plans import plan_price, plans_for
from maintenance.tests.factories import PlanFactory, PlanPriceFactory
from network.tests.factories import RegionFactory
from pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 3, 1)


def test_plans_for_a_unit_are_its_models_and_its_categorys_with_the_segments_tier_marked(world):
    basic = PlanFactory(category=world.category, tier=Tier.BASIC, hotline_emergency=True)
    standard = PlanFactory(category=world.category, tier=Tier.STANDARD)
    category_full = PlanFactory(category=world.category, tier=Tier.FULL)
    model_full = PlanFactory(category=None, product_model=world.model, brand=world.brand, tier=Tier.FULL,
                             priority_response=True)
    PlanFactory(category=world.category, tier=Tier.BASIC, is_active=False)
    other_category = CategoryFactory(brand=world.brand, code="ac")
    PlanFactory(category=other_category)
    PlanFactory(category=None, product_model=ProductModelFactory(category=world.category, code="RO-900"),
                brand=world.brand)
    PlanFactory(category=CategoryFactory(code="purifier"))  # another brand's
    world.customer.segment = Segment.PREMIUM
    world.customer.save()

    fits = plans_for(world.product, on=DAY)

    # The model's own full plan replaces the category's full plan.
    assert [(f.plan, f.for_segment, f.price) for f in fits] == [
        (basic, False, None), (standard, False, None), (model_full, True, None)]
    assert category_full not in [f.plan for f in fits]


def test_a_cost_saving_customer_is_marked_for_the_basic_plan(world):
    basic = PlanFactory(category=world.category, tier=Tier.BASIC)
    full = PlanFactory(category=world.category, tier=Tier.FULL)
    world.customer.segment = Segment.COST_SAVING
    world.customer.save()
    assert [(f.plan, f.for_segment) for f in plans_for(world.product, on=DAY)] == [(basic, True), (full, False)]


def test_plan_price_is_the_regions_row_over_the_default_on_the_list_valid_that_day(world):
    plan = PlanFactory(category=world.category)
    other_region = RegionFactory(brand=world.brand, code="ningbo")
    old = PriceListFactory(brand=world.brand, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    current = PriceListFactory(brand=world.brand, valid_from=dt.date(2027, 1, 1))
    draft = PriceListFactory(brand=world.brand, valid_from=dt.date(2027, 2, 1), is_published=False)
    PlanPriceFactory(plan=plan, price_list=old, amount="150.00")
    PlanPriceFactory(plan=plan, price_list=current, amount="199.00")
    PlanPriceFactory(plan=plan, price_list=current, region=world.region, amount="229.00")
    PlanPriceFactory(plan=plan, price_list=draft, amount="1.00")

    assert plan_price(plan, on=DAY, region_id=world.region.pk) == Decimal("229.00")
    assert plan_price(plan, on=DAY, region_id=other_region.pk) == Decimal("199.00")
    assert plan_price(plan, on=DAY, region_id=None) == Decimal("199.00")
    assert plan_price(plan, on=dt.date(2026, 6, 1), region_id=world.region.pk) == Decimal("150.00")
    assert plan_price(plan, on=dt.date(2025, 6, 1), region_id=world.region.pk) is None


def test_a_plan_priced_only_for_another_region_is_unpriced_here(world):
    plan = PlanFactory(category=world.category)
    other_region = RegionFactory(brand=world.brand, code="ningbo")
    current = PriceListFactory(brand=world.brand, valid_from=dt.date(2027, 1, 1))
    PlanPriceFactory(plan=plan, price_list=current, region=other_region, amount="300.00")
    assert plan_price(plan, on=DAY, region_id=world.region.pk) is None
    world.product.site = SiteFactory(customer=world.customer, region=world.region)
    world.product.save()
    assert [f.price for f in plans_for(world.product, on=DAY)] == [None]
    world.product.site.region = other_region
    world.product.site.save()
    assert [f.price for f in plans_for(world.product, on=DAY)] == [Decimal("300.00")]
