"""An enterprise customer's contract sets its own deadlines per priority, and beats every policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from customers.tests.factories import SiteFactory
from workorders.models import SlaContract, SlaContractTerm, SlaPolicy
from workorders.tests.test_api_cost import WRITES, Statements, create_body, post
from workorders.tests.test_sla import deadlines, open_order

pytestmark = pytest.mark.django_db


def enterprise(world):
    world.customer.kind, world.customer.segment = "enterprise", "premium"
    world.customer.save()
    return world.customer


def contract(customer, *, starts=-30, ends=None, terms=(("urgent", 15, 120),), reference="C-1"):
    today = timezone.localdate()
    c = SlaContract.objects.create(customer=customer, reference=reference, starts_on=today + dt.timedelta(days=starts),
                                   ends_on=today + dt.timedelta(days=ends) if ends is not None else None)
    for priority, respond, onsite in terms:
        SlaContractTerm.objects.create(contract=c, priority=priority, response_minutes=respond, onsite_minutes=onsite)
    return c


def test_the_contract_beats_the_most_specific_policy(world):
    customer = enterprise(world)
    site = SiteFactory(customer=customer, region=world.region)
    SlaPolicy.objects.create(brand=world.brand, priority="urgent", region=world.region, segment="premium",
                             response_minutes=20, onsite_minutes=200)
    c = contract(customer)

    assert c.brand_id == world.brand.pk  # always the customer's brand
    assert deadlines(open_order(world, priority="urgent", site=site)) == (15, 120)
    # A priority the contract does not name falls back to the policies.
    SlaPolicy.objects.create(brand=world.brand, priority="high", response_minutes=50, onsite_minutes=500)
    assert deadlines(open_order(world, priority="high", site=site)) == (50, 500)


def test_a_contract_applies_only_while_in_force_and_only_to_its_customer(world):
    customer = enterprise(world)
    old = contract(customer, starts=-400, ends=-1, terms=(("normal", 10, 100),), reference="OLD")
    assert deadlines(open_order(world)) == (120, 24 * 60)  # expired: the defaults
    contract(customer, starts=1, terms=(("normal", 11, 110),), reference="NEXT")
    assert deadlines(open_order(world)) == (120, 24 * 60)  # not yet started
    old.ends_on = timezone.localdate()
    old.save()
    assert deadlines(open_order(world)) == (10, 100)  # in force today, the edit applied at once

    from accounts.principal import principal_of
    from workorders import services

    other = services.create_work_order(actor=principal_of(world.dispatcher), customer=world.other_customer,
                                       type="repair", channel="hotline")
    assert deadlines(other) == (120, 24 * 60)


def test_the_latest_contract_wins_and_creation_reads_nothing_more(world, api_as):
    customer = enterprise(world)
    contract(customer, starts=-100, terms=(("normal", 30, 300),), reference="A")
    contract(customer, starts=-10, terms=(("normal", 25, 250),), reference="B")
    client = api_as("hotline")
    assert post(client, create_body(world)).status_code == 201  # warms the process's copy

    with Statements() as statements:
        resp = post(client, create_body(world))

    assert resp.status_code == 201
    assert len(statements.sql) == 1 + 1 + WRITES, statements.sql  # as without a contract
    body = resp.json()
    due = dt.datetime.fromisoformat(body["onsite_due"]) - dt.datetime.fromisoformat(body["created_at"])
    assert round(due / dt.timedelta(minutes=1)) == 250


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    return client


def form(customer_id, reference="ENT-7", **over):
    data = {"customer": customer_id, "reference": reference, "starts_on": "2026-01-01", "ends_on": "",
            "terms-TOTAL_FORMS": "4", "terms-INITIAL_FORMS": "0", "terms-MIN_NUM_FORMS": "0",
            "terms-MAX_NUM_FORMS": "4",
            "terms-0-priority": "urgent", "terms-0-response_minutes": "20", "terms-0-onsite_minutes": "180"}
    return data | over


def test_the_admin_edits_a_contract_with_its_terms(world, admin_client):
    customer = enterprise(world)
    resp = admin_client.post("/admin/workorders/slacontract/add/", form(customer.pk))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    c = SlaContract.objects.get()
    assert (c.brand_id, c.customer_id, c.reference) == (world.brand.pk, customer.pk, "ENT-7")
    assert list(c.terms.values_list("priority", "response_minutes", "onsite_minutes")) == [("urgent", 20, 180)]
    assert deadlines(open_order(world, priority="urgent")) == (20, 180)


def test_the_admin_refuses_a_household_customer_and_backwards_dates(world, admin_client):
    resp = admin_client.post("/admin/workorders/slacontract/add/", form(world.customer.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "Only enterprise customers have SLA contracts." in resp.content.decode()
    enterprise(world)
    resp = admin_client.post("/admin/workorders/slacontract/add/", form(world.customer.pk, ends_on="2025-01-01"),
                             HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "The contract must end after it starts." in resp.content.decode()
    assert not SlaContract.objects.exists() and not SlaContractTerm.objects.exists()
