"""The console's contracts and plans: the brand signs an enterprise contract over units across sites; a refusal is
shown beside its field and changes nothing; plans are edited by the brand admin with errors beside the fields."""

import datetime as dt

import pytest
from django.test import Client

from customers.choices import CustomerKind
from customers.tests.factories import InstalledProductFactory, SiteFactory
from maintenance.choices import Tier
from maintenance.models import Contract, ContractVisit, MaintenancePlan
from maintenance.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def units(world):
    world.customer.kind = CustomerKind.ENTERPRISE
    world.customer.save()
    hq, plant = (SiteFactory(customer=world.customer, name=n) for n in ("总部", "工厂"))
    return [InstalledProductFactory(customer=world.customer, product_model=world.model, site=s) for s in (hq, plant)]


def test_the_brand_signs_an_enterprise_contract_over_two_sites(world, units):
    plan = PlanFactory(category=world.category, tier=Tier.FULL, visits_per_year=4)
    admin = client_of(world.admin)
    found = admin.get("/console/contracts/new/", {"q": world.customer.phone[-6:]})
    assert f'data-customer="{world.customer.pk}"' in found.content.decode()
    form = admin.get("/console/contracts/new/", {"customer": world.customer.pk}).content.decode()
    assert f'value="{plan.pk}"' in form and f'value="{units[1].pk}"' in form
    assert f'value="{world.other_product.pk}"' not in form

    resp = admin.post("/console/contracts/new/", {
        "customer": world.customer.pk, "plan": plan.pk, "products": [u.pk for u in units], "kind": "enterprise",
        "starts_on": "2027-01-01", "price": "36000.00", "number": "WB-2027-007"})

    contract = Contract.objects.get(number="WB-2027-007")
    assert resp.status_code == 302 and resp["Location"] == f"/console/contracts/{contract.pk}/"
    assert (contract.customer, contract.ends_on, str(contract.price), contract.sold_by) == (
        world.customer, dt.date(2027, 12, 31), "36000.00", world.admin)
    assert ContractVisit.objects.filter(contract=contract).count() == 8
    page = admin.get(f"/console/contracts/{contract.pk}/").content.decode()
    assert page.count('data-visit="') == 8 and "总部" in page and "工厂" in page
    listed = admin.get("/console/contracts/").content.decode()
    assert f'data-contract="{contract.pk}"' in listed


def test_a_household_plan_over_two_units_is_refused_beside_the_units(world, units):
    plan = PlanFactory(category=world.category)
    resp = client_of(world.hotline).post("/console/contracts/new/", {
        "customer": world.customer.pk, "plan": plan.pk, "products": [u.pk for u in units], "kind": "household",
        "starts_on": "2027-01-01", "price": "300"})
    assert resp.status_code == 422
    assert 'id="error-products">A household plan covers exactly one unit.' in resp.content.decode()
    assert Contract.objects.count() == 0


def test_outlet_staff_and_the_dispatcher_may_not_sign(world, units):
    assert client_of(world.manager_a).get("/console/contracts/").status_code == 403
    assert client_of(world.dispatcher).get("/console/contracts/").status_code == 200
    resp = client_of(world.dispatcher).post("/console/contracts/new/", {"customer": world.customer.pk})
    assert resp.status_code == 403 and Contract.objects.count() == 0


def test_the_brand_admin_edits_a_plan_with_errors_beside_the_fields(world):
    admin = client_of(world.admin)
    base = {"name": "中央空调全面保养", "tier": "full", "category": world.category.pk, "tasks": "清洗、检测",
            "visits_per_year": 4, "standard_minutes": 120, "term_months": 12, "lead_days": 14,
            "repeat_after_days": 7, "max_reminders": 3, "priority_response": "on", "is_active": "on"}
    refused = admin.post("/console/plans/new/", base)
    assert refused.status_code == 422
    assert 'id="error-interval_months">Give at least one interval' in refused.content.decode()
    both = admin.post("/console/plans/new/", {**base, "interval_months": 3, "product_model": world.model.pk})
    assert 'id="error-category">Give either a category or one model' in both.content.decode()
    assert MaintenancePlan.objects.count() == 0

    assert admin.post("/console/plans/new/", {**base, "interval_months": 3}).status_code == 302
    plan = MaintenancePlan.objects.get()
    assert (plan.brand, plan.tier, plan.interval_months, plan.priority_response) == (world.brand, "full", 3, True)
    assert admin.post(f"/console/plans/{plan.pk}/", {**base, "interval_months": 6}).status_code == 302
    plan.refresh_from_db()
    assert plan.interval_months == 6
    assert client_of(world.dispatcher).post(f"/console/plans/{plan.pk}/", base).status_code == 403
