"""Completing an installation installs its unit (issue 13, item 9): the serial scanned on site is checked
against the model's pattern and the order's unit, and the unit goes from sold to in service at the order's
site with its warranty running from the install day. Refusals complete nothing and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.dates import add_months
from core.errors import InvalidInput
from customers import installation
from customers.choices import ProductStatus
from customers.models import InstalledProduct
from customers.tests.factories import InstalledProductFactory
from field import services
from field.tests.setup import dispatched_job, on_site, prepare_field, signature_png, tech
from field.tests.test_services import everything
from workorders.choices import Status, WorkOrderType

pytestmark = pytest.mark.django_db

PATTERN = r"AQRO\d{6}"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = prepare_field(world)
    world.model.serial_pattern = PATTERN
    world.model.save()
    return world


def sold_unit(w, serial: str = "AQRO000042") -> InstalledProduct:
    return InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial=serial,
                                   status=ProductStatus.SOLD, install_date=None,
                                   purchase_date=timezone.localdate() - dt.timedelta(days=3))


def install_job(w, unit: InstalledProduct):
    order = on_site(w, dispatched_job(w, product=unit, type=WorkOrderType.INSTALL, reported_symptom=None))
    actor = tech(w)
    services.sign(order=order, actor=actor, upload=signature_png(), signer="王女士")
    services.record_payment(order=order, actor=actor, method="cash", amount="100.00")  # the installation fee
    return order, actor


def product_row(unit: InstalledProduct) -> dict:
    return InstalledProduct.objects.filter(pk=unit.pk).values().get()


def test_completing_an_installation_puts_the_unit_in_service_with_its_warranty_from_today(w):
    unit = sold_unit(w)
    order, actor = install_job(w, unit)

    services.complete(order=order, actor=actor, serial=" aqro000042 ")

    unit.refresh_from_db()
    order.refresh_from_db()
    today = timezone.localdate()
    assert order.status == Status.COMPLETED
    assert (unit.status, unit.install_date, unit.serial) == (ProductStatus.ACTIVE, today, "AQRO000042")
    assert unit.warranty_end == add_months(today, w.model.warranty_months)
    assert unit.site_id == order.site_id


@pytest.mark.parametrize(("typed", "code"), [
    ("", "serial_missing"),
    ("XYZ-1", "invalid"),            # not a serial of this model
    ("AQRO000043", "serial_mismatch"),  # this model's, but another unit than the order's
])
def test_a_serial_that_is_not_the_orders_unit_completes_nothing(w, typed, code):
    unit = sold_unit(w)
    order, actor = install_job(w, unit)
    before, unit_before = everything(order), product_row(unit)

    with pytest.raises(InvalidInput) as refused:
        services.complete(order=order, actor=actor, serial=typed)

    assert (refused.value.code, refused.value.field) == (code, "serial")
    assert everything(order) == before
    assert product_row(unit) == unit_before


def test_a_unit_sold_with_a_placeholder_takes_the_serial_scanned_at_installation(w):
    unit = sold_unit(w, serial="JD-ORDER-778812")  # an e-commerce import knew only the model
    order, actor = install_job(w, unit)

    services.complete(order=order, actor=actor, serial="AQRO777001")

    unit.refresh_from_db()
    assert (unit.serial, unit.status) == ("AQRO777001", ProductStatus.ACTIVE)


def test_a_scanned_serial_another_unit_has_is_refused(w):
    InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="AQRO777001")
    unit = sold_unit(w, serial="JD-ORDER-778812")
    order, actor = install_job(w, unit)
    before = everything(order)

    with pytest.raises(InvalidInput) as refused:
        services.complete(order=order, actor=actor, serial="AQRO777001")

    assert refused.value.code == "serial_taken"
    assert everything(order) == before


def test_the_installation_hooks_run_with_the_installed_unit(w):
    seen = []

    def hook(product):
        seen.append((product.pk, product.status, product.install_date))

    installation.on_installed(hook)
    try:
        unit = sold_unit(w)
        order, actor = install_job(w, unit)
        services.complete(order=order, actor=actor, serial="AQRO000042")
    finally:
        installation._HOOKS.remove(hook)
    assert seen == [(unit.pk, ProductStatus.ACTIVE, timezone.localdate())]


def test_a_repair_completes_without_a_serial_and_leaves_the_unit_as_it_was(w):
    from field.tests.setup import ready_to_complete

    order = on_site(w, dispatched_job(w))
    ready_to_complete(w, order)
    unit_before = product_row(w.product)

    services.complete(order=order, actor=tech(w))

    assert product_row(w.product) == unit_before


def test_the_field_api_takes_the_serial_with_the_completion(w, api_as):
    import json

    unit = sold_unit(w)
    order, _actor = install_job(w, unit)
    client = api_as("tech_a")

    refused = client.post(f"/api/v1/field/jobs/{order.pk}/complete", data=json.dumps({}),
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="complete-1")
    done = client.post(f"/api/v1/field/jobs/{order.pk}/complete", data=json.dumps({"serial": "AQRO000042"}),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="complete-2")

    assert refused.status_code == 422 and refused.json()["code"] == "serial_missing", refused.content
    assert done.status_code == 200, done.content
    unit.refresh_from_db()
    assert unit.status == ProductStatus.ACTIVE
