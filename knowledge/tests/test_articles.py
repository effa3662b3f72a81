"""Self-help articles: who sees which, what the report flow matches and the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.principal import principal_of
from catalog.models import Symptom
from demo.pricing import seed_pricing
from knowledge.models import Article
from knowledge.selectors import matching_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(world):
    seed_pricing(world.brand)
    leak = Symptom.objects.get(category=world.category, code="leak")
    no_water = Symptom.objects.get(category=world.category, code="no-water")
    on_leak = Article.objects.create(brand=world.brand, title="漏水怎么办", title_en="Leaking", body="关阀。",
                                     is_published=True, sort_order=1)
    on_leak.symptoms.add(leak)
    on_leak.categories.add(world.category)
    general = Article.objects.create(brand=world.brand, title="日常保养", body="定期换滤芯。", is_published=True,
                                     sort_order=2)
    general.categories.add(world.category)
    draft = Article.objects.create(brand=world.brand, title="草稿", body="未完成", is_published=False)
    draft.symptoms.add(leak)
    rival = Article.objects.create(brand=world.other_brand, title="Rival tip", body="x", is_published=True)
    return dict(leak=leak, no_water=no_water, on_leak=on_leak, general=general, draft=draft, rival=rival)


def test_customers_see_published_articles_of_their_brand_only(world, articles):
    seen = set(Article.objects.visible_to(world.customer.user))
    assert seen == {articles["on_leak"], articles["general"]}
    staff = set(Article.objects.visible_to(world.dispatcher))
    assert articles["draft"] in staff and articles["rival"] not in staff
    assert set(Article.objects.visible_to(world.rival_dispatcher)) == {articles["rival"]}
    assert list(Article.objects.visible_to(None)) == []


def test_symptom_articles_first_then_general_ones(world, articles):
    user = world.customer.user
    assert matching_articles(user, category_id=world.category.pk, symptom_id=articles["leak"].pk) == [
        articles["on_leak"], articles["general"]]
    # Another symptom: no article of its own, the category's general one only (never the leak article).
    assert matching_articles(user, category_id=world.category.pk, symptom_id=articles["no_water"].pk) == [
        articles["general"]]
    assert matching_articles(user, category_id=world.category.pk, symptom_id=None) == [articles["general"]]


def test_english_title_when_the_reader_reads_english(world, articles):
    from django.utils import translation

    with translation.override("en"):
        assert str(articles["on_leak"].display_title) == "Leaking"
        assert str(articles["general"].display_title) == "日常保养"  # no English title: the Chinese one
    with translation.override("zh-hans"):
        assert str(articles["on_leak"].display_title) == "漏水怎么办"


def test_admin_edits_articles(world, articles):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    client.force_login(world.admin)
    assert client.get("/admin/knowledge/article/").status_code == 200
    assert client.get(f"/admin/knowledge/article/{articles['on_leak'].pk}/change/").status_code == 200
    assert principal_of(world.admin).is_brand_staff
