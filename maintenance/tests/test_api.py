"""The contracts and plans API: what each party sees, visits with their state and order."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from core.dates import brand_tz
from customers.choices import Segment
from maintenance.choices import ContractKind, SoldVia, Tier, VisitStatus
from maintenance.contracts import create_contract
from maintenance.models import ContractVisit
from maintenance.tests.factories import PlanFactory, PlanPriceFactory
from maintenance.visitplan import WEEK, monday_of
from pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate(timezone.now(), brand_tz())


def test_a_customer_gets_the_plans_for_their_unit_with_their_tier_and_price(world, api_as):
    world.customer.segment = Segment.COST_SAVING
    world.customer.save()
    basic = PlanFactory(category=world.category, tier=Tier.BASIC, hotline_emergency=True)
    full = PlanFactory(category=world.category, tier=Tier.FULL, priority_response=True)
    prices = PriceListFactory(brand=world.brand, valid_from=TODAY - dt.timedelta(days=30))
    PlanPriceFactory(plan=basic, price_list=prices, amount="99.00")

    body = api_as("customer").get("/api/v1/plans", {"product_id": world.product.pk}).json()

    assert [(p["id"], p["tier"], p["for_segment"], p["price"], p["hotline_emergency"]) for p in body] == [
        (basic.pk, "basic", True, "99.00", True), (full.pk, "full", False, None, False)]
    assert api_as("customer").get("/api/v1/plans", {"product_id": world.other_product.pk}).status_code == 404
    assert api_as("customer").get("/api/v1/plans").json() == []
    assert {p["id"] for p in api_as("dispatcher").get("/api/v1/plans").json()} == {basic.pk, full.pk}


def test_a_contract_and_its_visits_with_done_due_overdue_and_their_orders(world, api_as):
    world.brand.phone = "400-820-8820"
    world.brand.save()
    plan = PlanFactory(category=world.category, tier=Tier.BASIC, hotline_emergency=True, visits_per_year=12)
    starts = monday_of(TODAY) - 10 * WEEK
    contract = create_contract(customer=world.customer, plan=plan, products=[world.product], starts_on=starts,
                               kind=ContractKind.HOUSEHOLD, sold_via=SoldVia.HOTLINE, price=Decimal("588"),
                               actor=principal_of(world.hotline))
    visits = list(contract.visits.order_by("target_week"))
    past = [v for v in visits if v.target_week + WEEK <= TODAY]
    ContractVisit.objects.filter(pk=past[0].pk).update(status=VisitStatus.DONE, done_on=past[0].target_week)

    listed = api_as("customer").get("/api/v1/contracts").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["number"], item["kind"], item["tier"], item["price"], item["hotline"]) == (
        contract.number, "household", "basic", "588.00", "400-820-8820")
    due = [v for v in visits if v.target_week + WEEK > TODAY and v.target_week <= monday_of(TODAY) + 2 * WEEK]
    assert item["visits"] == {"done": 1, "overdue": len(past) - 1, "due": len(due),
                              "planned": len(visits) - len(past) - len(due), "cancelled": 0}

    detail = api_as("dispatcher").get(f"/api/v1/contracts/{contract.pk}").json()
    assert detail["units"] == [{"product_id": world.product.pk, "serial": "SN-A-0001", "model": world.model.name,
                                "site_id": world.product.site_id, "site_name": world.product.site.name,
                                "site_address": world.product.site.address}]
    rows = api_as("customer").get(f"/api/v1/contracts/{contract.pk}/visits").json()
    assert [(r["id"], r["state"]) for r in rows][:2] == [(past[0].pk, "done"), (past[1].pk, "overdue")]
    assert len(rows) == len(visits) == 12
    assert api_as("other_customer").get(f"/api/v1/contracts/{contract.pk}/visits").status_code == 404
    assert api_as("manager_a").get("/api/v1/contracts").json()["count"] == 0
