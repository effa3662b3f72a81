"""Which van parts fit the unit on the job: its category, and its model when the part names models."""

from __future__ import annotations

import pytest

from catalog.models import Part
from catalog.tests.factories import CategoryFactory, ProductModelFactory

pytestmark = pytest.mark.django_db


def test_a_part_fits_its_category_and_the_models_it_names(world):
    other_model = ProductModelFactory(category=world.category, code="UF-9")
    hvac = CategoryFactory(brand=world.brand, code="hvac", name="空调")
    make = lambda code, category=world.category: Part.objects.create(  # noqa: E731
        brand=world.brand, code=code, name=code, category=category)
    anywhere, any_purifier, this_model, that_model, other_category = (
        make("screw", None), make("pp"), make("ro"), make("uf"), make("compressor", hvac))
    this_model.product_models.add(world.model)
    that_model.product_models.add(other_model)
    ids = {p.pk for p in (anywhere, any_purifier, this_model, that_model, other_category)}
    assert Part.fitting_ids(ids, world.model) == {anywhere.pk, any_purifier.pk, this_model.pk}
    assert Part.fitting_ids(ids, other_model) == {anywhere.pk, any_purifier.pk, that_model.pk}
    assert Part.fitting_ids(ids, None) == {anywhere.pk}
