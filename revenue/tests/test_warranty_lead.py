"""A technician's extended-warranty lead, won: the warranty is sold for the order's unit in the same step."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from core.errors import InvalidInput
from pricing.errors import TermDoesNotFit
from pricing.models import ExtendedWarranty
from pricing.tests.factories import ExtensionTermFactory, PriceListFactory, TermPriceFactory
from revenue import workflow
from revenue.models import Commission, Lead
from revenue.tests.factories import RuleFactory, lead_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(world):
    """A +24 months purifier term at 399.00; the lead's unit (RO-500) was installed 300 days ago."""
    today = timezone.localdate()
    price_list = PriceListFactory(brand=world.brand, valid_from=today - dt.timedelta(days=400))
    term = ExtensionTermFactory(brand=world.brand, category=world.category, name="净水器延保两年", months=24)
    TermPriceFactory(term=term, price_list=price_list, amount="399.00")
    world.product.purchase_date = world.product.install_date = today - dt.timedelta(days=300)
    world.product.save()
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("10.00"),
                valid_from=today - dt.timedelta(days=30))
    return term


def test_winning_the_lead_sells_the_warranty_at_the_terms_price(world, term):
    lead = lead_on(world)
    won = workflow.transition(lead, "win", actor=principal_of(world.hotline), term_id=term.pk)
    sold = ExtendedWarranty.objects.get()
    assert (won.status, won.value) == ("won", Decimal("399.00"))
    assert (sold.product_id, sold.term_id, sold.lead_id, sold.sold_via, sold.price, sold.sold_by) == (
        world.product.pk, term.pk, lead.pk, "lead", Decimal("399.00"), world.hotline)
    assert sold.starts_on == world.product.warranty_end + dt.timedelta(days=1)
    assert Commission.objects.get(lead=lead).amount == Decimal("39.90")
    assert won.events.last().data == {"value": "399.00", "extended_warranty_id": sold.pk, "term_id": term.pk,
                                      "commission": "39.90"}


def test_a_value_given_is_the_price_paid(world, term):
    lead = lead_on(world)
    workflow.transition(lead, "win", actor=principal_of(world.hotline), term_id=term.pk, value="350.00")
    assert ExtendedWarranty.objects.get().price == Decimal("350.00")


def test_a_term_that_does_not_fit_refuses_the_win_and_changes_nothing(world, term):
    lead = lead_on(world)
    term.max_unit_age_months = 6
    term.save()
    with pytest.raises(TermDoesNotFit):
        workflow.transition(lead, "win", actor=principal_of(world.hotline), term_id=term.pk)
    lead.refresh_from_db()
    assert (lead.status, lead.version, lead.value) == ("new", 1, None)
    assert not ExtendedWarranty.objects.exists() and not Commission.objects.exists()


def test_without_a_term_a_unit_on_sale_is_refused(world, term):
    lead = lead_on(world)
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(lead, "win", actor=principal_of(world.hotline), value="399.00")
    assert refused.value.field == "term"
    lead.refresh_from_db()
    assert lead.status == "new" and not ExtendedWarranty.objects.exists()


def test_the_win_form_asks_for_the_term(world, term):
    lead = lead_on(world)
    (win,) = [a for a in workflow.available_actions(lead, principal_of(world.hotline)) if a.name == "win"]
    assert win.needs == ("term", "value")
    other = lead_on(world, kind="trade_in")
    (win,) = [a for a in workflow.available_actions(other, principal_of(world.manager_a)) if a.name == "win"]
    assert win.needs == "value"


def test_the_api_wins_with_a_term(world, api_as, term):
    lead = lead_on(world)
    resp = api_as("hotline").post(f"/api/v1/revenue/leads/{lead.pk}/transitions",
                                  data=json.dumps({"action": "win", "term_id": term.pk}),
                                  content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["value"], ExtendedWarranty.objects.get().lead_id) == ("399.00", lead.pk)
    assert Lead.objects.get(pk=lead.pk).status == "won"


def test_the_console_win_form_offers_the_units_terms_and_sells_the_one_chosen(world, term):
    lead = lead_on(world)
    desk = Client()
    desk.force_login(world.dispatcher)
    detail = desk.get(f"/console/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="term"' in detail and f'<option value="{term.pk}">净水器延保两年 · ¥399.00 · ' in detail
    url = f"/console/leads/{lead.pk}/transition/"
    refused = desk.post(url, {"action": "win", "version": 1, "value": "399.00"}, HTTP_HX_REQUEST="true",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422 and "Choose the extended warranty sold." in refused.content.decode()
    assert not ExtendedWarranty.objects.exists()
    won = desk.post(url, {"action": "win", "version": 1, "term": term.pk, "value": ""}, HTTP_HX_REQUEST="true")
    assert won.status_code == 200
    assert ExtendedWarranty.objects.get().lead_id == lead.pk and Lead.objects.get(pk=lead.pk).value == Decimal("399.00")
