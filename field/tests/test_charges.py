"""The phone's price sheet adds up to what the pricing engine charges, for every symptom and mix of parts."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from field import charges
from field.tests.setup import dispatched_job, prepare_field
from pricing.models import Adjustment
from pricing.selectors import price_list_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_field(world)


def sheet_total(entry: dict, parts: dict[str, int]) -> Decimal:
    total = sum((Decimal(line["customer_pays"]) for line in entry["base"]), Decimal("0.00"))
    for code, quantity in parts.items():
        line = entry["parts"][code]
        total += Decimal("0.00") if line["covered"] else Decimal(line["unit_price"]) * quantity
    return total


def test_the_sheet_is_the_engine_for_every_symptom_and_mix(w):
    order = dispatched_job(w)
    codes = ["pp-cotton", "booster-pump", "inlet-valve"]
    sheet = charges.price_sheet(order, part_codes=codes)
    assert sheet["available"]
    assert len(sheet["symptoms"]) == 11  # every purifier symptom of the demo list
    checked = 0
    for symptom, entry in sheet["symptoms"].items():
        assert entry["exact"]
        for mix in itertools.product((0, 1, 3), repeat=len(codes)):
            parts = {code: n for code, n in zip(codes, mix, strict=True) if n}
            quote = charges.price(order, symptom_code=symptom, parts=list(parts.items()))
            assert sheet_total(entry, parts) == quote.total, (symptom, parts)
            checked += 1
    assert checked == 11 * 27


def test_a_parts_discount_makes_the_sheet_provisional(w):
    order = dispatched_job(w, reported_symptom=None)
    Adjustment.objects.create(price_list=price_list_on(brand_id=w.brand.pk, day=order.created_at.date()),
                              applies_to="parts", percent=Decimal("-10"))
    sheet = charges.price_sheet(order, part_codes=["pp-cotton"])
    # The filter is never covered, so a parts discount applies and depends on the mix.
    assert not sheet["symptoms"][""]["exact"]


def test_parts_the_list_cannot_price_are_left_off_the_sheet(w):
    from catalog.models import Part

    Part.objects.create(brand=w.brand, code="unlisted-part", name="未定价", category=w.category)
    order = dispatched_job(w)
    sheet = charges.price_sheet(order, part_codes=["pp-cotton", "unlisted-part"])
    assert set(sheet["symptoms"]["no-water"]["parts"]) == {"pp-cotton"}


def test_an_order_without_a_product_has_no_sheet(w):
    from workorders.tests.factories import make_order

    order = make_order(w, customer=w.other_customer, product=None)
    assert charges.price_sheet(order, part_codes=[]) == {"available": False, "reason": str(charges.NO_PRODUCT),
                                                         "symptoms": {}}


def test_the_sheet_carries_the_call_outs_state_approximate_or_to_be_confirmed(w):
    order = dispatched_job(w)

    def callout_states() -> set[str]:
        sheet = charges.price_sheet(order, part_codes=[])
        return {ln["state"] for entry in sheet["symptoms"].values() for ln in entry["base"] if ln["kind"] == "callout"}

    assert callout_states() == {"priced"}
    site = order.product.site  # the engine prices the call-out to the product's site
    site.geo_precision = "district"
    site.save(update_fields=["geo_precision"])
    assert callout_states() == {"approximate"}
    site.latitude = site.longitude = None
    site.save(update_fields=["latitude", "longitude"])
    assert callout_states() == {"to_confirm"}
