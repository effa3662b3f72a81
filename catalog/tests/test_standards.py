"""The one lookup of a job's standard minutes: by brand (dispatch's copy), by model (field's labour variance)."""

from __future__ import annotations

import pytest

from catalog.choices import ServiceType
from catalog.models import ServiceStandard
from catalog.standards import Standard, standard, standards
from catalog.tests.factories import ProductModelFactory

pytestmark = pytest.mark.django_db


def test_standards_by_brand_and_by_model(world):
    ServiceStandard.objects.create(product_model=world.model, service_type=ServiceType.REPAIR, standard_minutes=90,
                                   required_skill=world.skill)
    ServiceStandard.objects.create(product_model=world.model, service_type=ServiceType.INSTALL, standard_minutes=45)
    rival = ProductModelFactory(category__brand=world.other_brand, code="RX-1")
    ServiceStandard.objects.create(product_model=rival, service_type=ServiceType.REPAIR, standard_minutes=30)

    repair = Standard(90, world.skill.pk, world.skill.name)
    assert standards(brand_id=world.brand.pk) == {(world.model.pk, ServiceType.REPAIR): repair,
                                                  (world.model.pk, ServiceType.INSTALL): Standard(45, None, "")}
    assert standard(world.model.pk, ServiceType.REPAIR) == repair
    assert standard(world.model.pk, ServiceType.MAINTENANCE) is None and standard(None, ServiceType.REPAIR) is None
    assert standard(rival.pk, ServiceType.REPAIR).minutes == 30
