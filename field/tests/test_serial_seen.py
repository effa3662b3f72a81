"""The serial read off the unit's nameplate, on any job: kept as printed on the visit for settlement to check.
A repair's is never refused for not being the unit's on record (the reviewer judges it, not the phone); only a
malformed one is. An installation still refuses a serial that is not its unit's, as before."""

from __future__ import annotations

import json

import pytest

from conftest import token_client
from core.errors import InvalidInput
from customers.models import InstalledProduct
from field import services
from field.models import Visit
from field.tests.setup import dispatched_job, on_site, prepare_field, ready_to_complete, tech
from field.tests.test_install import PATTERN, install_job, sold_unit
from field.tests.test_services import everything
from settlement import facts
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

BASE = "/api/v1/field/jobs/"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_field(world)


def repair_ready(w) -> WorkOrder:
    order = on_site(w, dispatched_job(w))
    ready_to_complete(w, order)  # no parts: the repair costs the customer nothing, no payment needed
    return order


def unit_row(unit: InstalledProduct) -> dict:
    return InstalledProduct.objects.filter(pk=unit.pk).values().get()


def test_a_repair_keeps_the_nameplate_serial_as_printed_even_when_it_is_not_the_units(w):
    order = repair_ready(w)
    unit_before = unit_row(w.product)
    assert w.product.serial == "SN-A-0001"

    visit = services.complete(order=order, actor=tech(w), serial="  sn-b 00 09 ")

    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert visit.serial_seen == "SN-B0009"
    assert Visit.objects.get(pk=visit.pk).serial_seen == "SN-B0009"
    assert unit_row(w.product) == unit_before  # the unit on record is not touched by what was read
    assert facts.visits_of(WorkOrder.objects.filter(pk=order.pk))[order.pk].serial_seen == "SN-B0009"


def test_a_repair_without_a_serial_keeps_none(w):
    order = repair_ready(w)

    visit = services.complete(order=order, actor=tech(w), serial="   ")

    assert Visit.objects.get(pk=visit.pk).serial_seen == ""
    assert facts.visits_of(WorkOrder.objects.filter(pk=order.pk))[order.pk].serial_seen == ""


@pytest.mark.parametrize("typed", ["SN\x07A0001", "SN\u200bA0001", "A" * 41])
def test_a_malformed_nameplate_serial_is_refused_beside_the_serial_and_completes_nothing(w, typed):
    order = repair_ready(w)
    before = everything(order)

    with pytest.raises(InvalidInput) as refused:
        services.complete(order=order, actor=tech(w), serial=typed)

    assert refused.value.field == "serial"
    assert everything(order) == before


def test_an_installation_still_refuses_a_serial_that_is_not_its_unit_and_keeps_the_right_one(w):
    w.model.serial_pattern = PATTERN
    w.model.save()
    unit = sold_unit(w)
    order, actor = install_job(w, unit)
    before = everything(order)

    with pytest.raises(InvalidInput) as refused:
        services.complete(order=order, actor=actor, serial="AQRO000043")

    assert (refused.value.code, refused.value.field) == ("serial_mismatch", "serial")
    assert everything(order) == before

    visit = services.complete(order=order, actor=actor, serial=" aqro000042 ")
    assert Visit.objects.get(pk=visit.pk).serial_seen == "AQRO000042"
    assert facts.visits_of(WorkOrder.objects.filter(pk=order.pk))[order.pk].serial_seen == "AQRO000042"


def test_the_api_shows_the_nameplate_and_takes_the_serial_with_a_repair(w):
    order = repair_ready(w)
    client = token_client(w.tech_a.user)

    state = client.get(f"{BASE}{order.pk}").json()
    assert state["install"] is None
    assert state["nameplate"]["serial"] == "SN-A-0001" and state["nameplate"]["seen"] == ""

    done = client.post(f"{BASE}{order.pk}/complete", data=json.dumps({"serial": "sn-a 0002"}),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="complete-1")

    assert done.status_code == 200, done.content
    assert Visit.objects.get(work_order=order).serial_seen == "SN-A0002"
    assert client.get(f"{BASE}{order.pk}").json()["nameplate"]["seen"] == "SN-A0002"


def test_the_api_refuses_a_malformed_serial_with_a_repair(w):
    order = repair_ready(w)
    client = token_client(w.tech_a.user)

    refused = client.post(f"{BASE}{order.pk}/complete", data=json.dumps({"serial": "SN\x07A"}),
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="complete-bad")

    assert refused.status_code == 422, refused.content
    assert Visit.objects.get(work_order=order).completed_at is None


def test_an_installation_shows_no_nameplate_field(w):
    unit = sold_unit(w)
    order, _actor = install_job(w, unit)
    state = token_client(w.tech_a.user).get(f"{BASE}{order.pk}").json()
    assert state["install"] is not None and state["nameplate"] is None
