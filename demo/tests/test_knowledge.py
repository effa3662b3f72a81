"""The demo's self-help articles: real symptoms, both languages, seeded once."""

from __future__ import annotations

import pytest

from catalog.models import Symptom
from demo.knowledge import ARTICLES, seed_articles
from demo.pricing import SYMPTOMS, seed_pricing
from knowledge.selectors import matching_articles

pytestmark = pytest.mark.django_db


def test_demo_articles_name_real_symptoms_and_both_languages(world):
    for category, codes, title, title_en, body, body_en in ARTICLES:
        known = {code for code, *_rest in SYMPTOMS[category]}
        assert set(codes) <= known, title
        assert title and title_en and body and body_en
    seed_pricing(world.brand)
    count = seed_articles(world.brand)
    assert count == seed_articles(world.brand)  # twice changes nothing
    purifier = [a for a in ARTICLES if a[0] == "purifier"]
    assert count == len(purifier)  # the test world has the purifier category only
    no_water = Symptom.objects.get(category=world.category, code="no-water")
    found = matching_articles(world.customer.user, category_id=world.category.pk, symptom_id=no_water.pk)
    assert found and "不出水" in found[0].title
