"""Intake's preview where no outlet serves the address: mail-in offered instead of a visit when the unit may be sent
in (its category allows it and a repair centre takes it), told apart from outlets that are merely booked up; and a
mail-in preview's courier fee, over the real database and over the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from customers.tests.factories import InstalledProductFactory
from dispatch.selectors import serves
from logistics.tests.setup import prepare_mail_in
from network.models import Technician
from workorders import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


def nobody_serves_the_address(w) -> None:
    w.region.outlets.clear()


def flags(found: intake.IntakePreview) -> tuple[bool, bool]:
    return found.unserved, found.mail_in_instead


def test_a_served_address_with_free_slots_offers_the_visit(w):
    found = intake.preview(product=w.product, service_type="repair")
    assert found.slots and flags(found) == (False, False)


def test_no_outlet_serves_the_address_and_a_repair_centre_takes_the_unit_offers_mail_in_instead(w):
    nobody_serves_the_address(w)

    found = intake.preview(product=w.product, service_type="repair", symptom_code="leak")

    assert found.slots == []
    assert flags(found) == (True, True)
    # Switching gives the pickup windows of the unit's repair centre.
    by_mail = intake.preview(product=w.product, service_type="mail_in", symptom_code="leak")
    assert by_mail.slots and {s.outlet_id for s in by_mail.slots} == {w.centre.pk}
    assert flags(by_mail) == (False, False)


def test_a_site_in_no_region_is_served_by_nobody(w):
    w.product.site.region = None
    w.product.site.save(update_fields=["region"])

    assert serves(product=w.product) is False
    assert flags(intake.preview(product=w.product, service_type="repair")) == (True, True)


def test_outlets_booked_up_or_without_crew_are_not_nobody_serving(w):
    Technician.objects.update(is_active=False)  # the outlets still cover the address, nobody can come

    found = intake.preview(product=w.product, service_type="repair")

    assert found.slots == [] and serves(product=w.product) is True
    assert flags(found) == (False, False)


@pytest.mark.parametrize("why", ["category_not_by_mail", "no_repair_centre", "not_a_repair"])
def test_unserved_but_mail_in_is_not_the_answer(w, why):
    nobody_serves_the_address(w)
    service_type = "repair"
    if why == "category_not_by_mail":
        w.category.mail_in_allowed = False
        w.category.save(update_fields=["mail_in_allowed"])
    elif why == "no_repair_centre":
        w.centre.is_repair_centre = False
        w.centre.save(update_fields=["is_repair_centre"])
    else:
        service_type = "maintenance"

    found = intake.preview(product=w.product, service_type=service_type)

    assert found.slots == [] and flags(found) == (True, False)


def test_a_unit_without_a_site_is_not_said_to_be_unserved(w):
    unit = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-NOSITE",
                                   site=None)
    nobody_serves_the_address(w)
    assert unit.site is None
    assert flags(intake.preview(product=unit, service_type="repair")) == (False, False)


def test_a_mail_in_preview_adds_the_courier_both_ways_out_of_warranty_only(w):
    in_warranty = intake.preview(product=w.product, service_type="mail_in", symptom_code="leak")
    assert in_warranty.quote.warranty.covered
    assert (in_warranty.courier_fee, in_warranty.customer_total) == (Decimal("0.00"), Decimal("0.00"))

    old = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                  site=w.product.site, purchase_date=dt.date(2020, 1, 5),
                                  install_date=dt.date(2020, 1, 10))
    out = intake.preview(product=old, service_type="mail_in", symptom_code="leak")
    assert not out.quote.warranty.covered
    assert out.courier_fee == Decimal("30.00")
    assert out.customer_total == out.quote.total + Decimal("30.00")

    visit = intake.preview(product=w.product, service_type="repair")
    assert visit.courier_fee is None and visit.customer_total == visit.quote.total


def test_the_api_preview_says_so_too(w, api_as):
    nobody_serves_the_address(w)
    url = f"/api/v1/workorders/intake/products/{w.product.pk}"

    visit = api_as("hotline").get(url, {"service_type": "repair"}).json()
    by_mail = api_as("customer").get(url, {"service_type": "mail_in"}).json()

    assert (visit["slots"], visit["unserved"], visit["mail_in_instead"], visit["courier_fee"]) == ([], True, True, None)
    assert by_mail["slots"] and {s["outlet_id"] for s in by_mail["slots"]} == {w.centre.pk}
    assert (by_mail["unserved"], by_mail["mail_in_instead"], by_mail["courier_fee"]) == (False, False, "0.00")
