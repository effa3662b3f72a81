"""The demo data can offer appointment slots everywhere it claims to serve."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.choices import OrgKind
from accounts.models import Organisation
from catalog.models import ProductModel, ServiceStandard
from customers.models import InstalledProduct, Site
from demo import data
from demo.intake import seed_intake
from dispatch import slots
from dispatch.selectors import board_for
from workorders.models import IntakePolicy

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_every_outlet_offers_slots_for_every_category_and_service_it_takes(small_demo):
    small_demo("--now", NOW.isoformat())
    brand = Organisation.objects.get(kind=OrgKind.BRAND, code=data.BRAND_CODE)
    windows = slots.windows(now=NOW, days=7, tz=dt.timezone(dt.timedelta(hours=8)))
    checked = 0
    # A repair centre takes units by courier, not visits (demo/mail_in.py): it serves no region.
    for outlet in Organisation.objects.filter(brand=brand, is_active=True, is_repair_centre=False).prefetch_related(
            "service_regions", "authorised_categories"):
        for category in outlet.authorised_categories.all():
            model = ProductModel.objects.filter(category=category).order_by("code").first()
            for standard in ServiceStandard.objects.filter(product_model=model):
                region = outlet.service_regions.order_by("code").first()
                # Unsaved: board_for reads only ids and coordinates from them.
                product = InstalledProduct(brand=brand, product_model=model)
                site = Site(region=region, latitude=region.latitude, longitude=region.longitude)
                board = board_for(product=product, service_type=standard.service_type, site=site,
                                  span=(windows[0][0], windows[-1][1]), outlet_id=outlet.pk)
                offers = slots.offers(board, windows)
                assert offers, f"{outlet.code} offers no {standard.service_type} slot for {model.code}"
                checked += 1
    assert checked >= 40
    assert IntakePolicy.objects.filter(brand=brand).count() == 1


def test_seeding_twice_adds_nothing_more(small_demo):
    small_demo("--now", NOW.isoformat())
    brand = Organisation.objects.get(kind=OrgKind.BRAND, code=data.BRAND_CODE)

    assert seed_intake(brand, today=NOW.date()) == {"slot_skills_added": 0, "slot_certificates_added": 0}
    assert IntakePolicy.objects.filter(brand=brand).count() == 1

