"""The hotline sells extended warranty on the console: the caller's unit's offers, the sale, its refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from pricing.models import ExtendedWarranty
from pricing.tests.factories import ExtensionTermFactory, PriceListFactory, TermPriceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(world):
    today = timezone.localdate()
    price_list = PriceListFactory(brand=world.brand, valid_from=today - dt.timedelta(days=400))
    term = ExtensionTermFactory(brand=world.brand, category=world.category, name="净水器延保一年",
                                name_en="Purifier +1 year", months=12)
    TermPriceFactory(term=term, price_list=price_list, amount="199.00")
    world.product.purchase_date = world.product.install_date = today - dt.timedelta(days=200)
    world.product.save()
    return term


def desk(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(world, product=None):
    return f"/console/hotline/callers/{world.customer.pk}/products/{(product or world.product).pk}/warranty/"


def test_the_hotline_sells_a_units_offer(world, term):
    client = desk(world.hotline)
    page = client.get(url(world)).content.decode()
    assert "Purifier +1 year" in page and "¥199.00" in page and 'name="term"' in page
    caller = client.get(f"/console/hotline/callers/{world.customer.pk}/").content.decode()
    assert url(world) in caller
    resp = client.post(url(world), {"term": term.pk, "price": ""})
    sold = ExtendedWarranty.objects.get()
    assert resp.status_code == 302 and resp["Location"].endswith(f"?sold={sold.pk}")
    assert (sold.sold_via, sold.price, sold.sold_by) == ("hotline", Decimal("199.00"), world.hotline)
    after = client.get(resp["Location"]).content.decode()
    assert 'id="warranty-sold"' in after and "No extended warranty can be sold for this unit today." in after


def test_a_refused_sale_says_why_and_changes_nothing(world, term):
    client = desk(world.hotline)
    resp = client.post(url(world), {"term": "", "price": "abc"})
    assert resp.status_code == 422 and "Choose the extended warranty sold." in resp.content.decode()
    assert not ExtendedWarranty.objects.exists()


def test_another_customers_unit_is_404_and_a_desk_without_the_hotline_is_refused(world, term):
    client = desk(world.hotline)
    assert client.get(url(world, world.other_product)).status_code == 404
    assert client.post(url(world, world.other_product), {"term": term.pk}).status_code == 404
    assert desk(world.tech_a.user).get(url(world)).status_code in (403, 404)
    assert not ExtendedWarranty.objects.exists()


def test_the_portal_passport_shows_the_warranty_end_and_the_extension(world, term):
    client = desk(world.hotline)
    client.post(url(world), {"term": term.pk})
    sold = ExtendedWarranty.objects.get()
    customer = Client(HTTP_ACCEPT_LANGUAGE="en")
    customer.force_login(world.customer.user)
    page = customer.get(f"/portal/{world.brand.code}/products/{world.product.pk}/").content.decode()
    assert 'id="warranty-end"' in page and "Extended warranty until" in page
    assert f'id="extended-until">{sold.ends_on:%m/%d/%Y}<' in page
