"""Price lists by validity: the list valid on the order's day, publishing without overlaps, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.principal import principal_of
from catalog.models import Part, Symptom
from catalog.tests.factories import PartFactory, SymptomFactory
from core.errors import NotFound, PermissionDenied
from pricing import selectors, services
from pricing.errors import NoPriceList, PriceListOverlap
from pricing.models import Adjustment, CalloutBand, LabourPrice, PriceList, WarrantyRule
from pricing.tests.factories import (
    AdjustmentFactory,
    LabourPriceFactory,
    PriceListFactory,
    WarrantyRuleFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def versions(world):
    """H1 2025 (1 Jan – 30 Jun, both inclusive), then H2 from 1 Jul with no end, and an unpublished draft."""
    first = PriceListFactory(brand=world.brand, name="H1", valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 30))
    second = PriceListFactory(brand=world.brand, name="H2", valid_from=D(2025, 7, 1))
    draft = PriceListFactory(brand=world.brand, name="draft", valid_from=D(2025, 3, 1), is_published=False)
    return first, second, draft


def all_lists():
    return sorted(PriceList.objects.values_list("pk", "valid_from", "valid_to", "is_published"))


@pytest.mark.parametrize(("day", "name"), [(D(2025, 1, 1), "H1"), (D(2025, 3, 1), "H1"), (D(2025, 6, 30), "H1"),
                                           (D(2025, 7, 1), "H2"), (D(2031, 1, 1), "H2")])
def test_the_list_valid_on_the_day_prices_it(world, versions, day, name):
    assert selectors.price_list_on(brand_id=world.brand.pk, day=day).name == name


def test_no_list_before_the_first_one_is_a_clear_error(world, versions):
    with pytest.raises(NoPriceList) as err:
        selectors.price_list_on(brand_id=world.brand.pk, day=D(2024, 12, 31))
    assert err.value.as_dict() == {"code": "no_price_list", "message": str(NoPriceList.default_message),
                                   "detail": {"day": "2024-12-31"}}
    assert err.value.status == 422


def test_another_brands_list_is_never_used(world):
    PriceListFactory(brand=world.other_brand, valid_from=D(2020, 1, 1))
    with pytest.raises(NoPriceList):
        selectors.price_list_on(brand_id=world.brand.pk, day=D(2025, 1, 1))


def test_publishing_an_overlapping_list_is_refused_and_changes_nothing(world, versions):
    _, _, draft = versions
    before = all_lists()
    with pytest.raises(PriceListOverlap) as err:
        services.publish_price_list(actor=principal_of(world.admin), price_list=draft)
    assert err.value.code == "price_list_overlap" and err.value.status == 409
    assert all_lists() == before


def test_lists_may_touch_but_not_share_a_day(world):
    actor = principal_of(world.admin)
    PriceListFactory(brand=world.brand, valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 30))
    sharing = PriceListFactory(brand=world.brand, valid_from=D(2025, 6, 30), is_published=False)
    touching = PriceListFactory(brand=world.brand, valid_from=D(2025, 7, 1), is_published=False)
    with pytest.raises(PriceListOverlap):
        services.publish_price_list(actor=actor, price_list=sharing)
    assert services.publish_price_list(actor=actor, price_list=touching).is_published
    sharing.refresh_from_db()
    assert not sharing.is_published


def test_a_new_version_can_supersede_the_open_ended_one(world):
    actor = principal_of(world.admin)
    old = PriceListFactory(brand=world.brand, valid_from=D(2025, 1, 1))
    new = PriceListFactory(brand=world.brand, valid_from=D(2025, 9, 1), is_published=False)
    with pytest.raises(PriceListOverlap):
        services.publish_price_list(actor=actor, price_list=new)
    services.publish_price_list(actor=actor, price_list=new, supersede=True)
    old.refresh_from_db()
    assert old.valid_to == D(2025, 8, 31)
    assert selectors.price_list_on(brand_id=world.brand.pk, day=D(2025, 8, 31)) == old
    assert selectors.price_list_on(brand_id=world.brand.pk, day=D(2025, 9, 1)) == new


def test_supersede_does_not_cut_a_list_that_starts_on_the_same_day(world):
    old = PriceListFactory(brand=world.brand, valid_from=D(2025, 9, 1))
    new = PriceListFactory(brand=world.brand, valid_from=D(2025, 9, 1), is_published=False)
    with pytest.raises(PriceListOverlap):
        services.publish_price_list(actor=principal_of(world.admin), price_list=new, supersede=True)
    old.refresh_from_db()
    assert old.valid_to is None


def test_only_brand_admin_and_finance_publish_their_own_brands_lists(world):
    draft = PriceListFactory(brand=world.brand, is_published=False)
    with pytest.raises(PermissionDenied):
        services.publish_price_list(actor=principal_of(world.dispatcher), price_list=draft)
    rival_draft = PriceListFactory(brand=world.other_brand, is_published=False)
    with pytest.raises(NotFound):
        services.publish_price_list(actor=principal_of(world.admin), price_list=rival_draft)
    assert not PriceList.objects.filter(is_published=True).exists()


def test_clean_refuses_an_overlap_too(world, versions):
    first, _, draft = versions
    draft.is_published = True
    with pytest.raises(ValidationError):
        draft.full_clean()
    first.valid_to = D(2025, 7, 1)  # one day into H2
    with pytest.raises(ValidationError):
        first.full_clean()
    PriceListFactory(brand=world.other_brand, valid_from=D(2025, 1, 1))  # another brand never conflicts
    first.valid_to = D(2025, 6, 30)
    first.full_clean()


def test_database_refuses_negative_prices_and_muddled_rows(world):
    price_list = PriceListFactory(brand=world.brand)
    bad_rows = [
        lambda: LabourPrice.objects.create(price_list=price_list, category=world.category, service_type="repair",
                                           amount="-1.00"),
        lambda: CalloutBand.objects.create(price_list=price_list, up_to_km="5", amount="-0.01"),
        lambda: CalloutBand.objects.create(price_list=price_list, up_to_km="0", amount="0"),
        lambda: Adjustment.objects.create(price_list=price_list, applies_to="labour", percent="-10", amount="5"),
        lambda: Adjustment.objects.create(price_list=price_list, applies_to="labour"),
        lambda: PriceList.objects.create(brand=world.brand, name="x", valid_from=D(2025, 2, 1),
                                         valid_to=D(2025, 1, 31)),
    ]
    for make in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            make()
    CalloutBand.objects.create(price_list=price_list, up_to_km=None, amount="60")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalloutBand.objects.create(price_list=price_list, up_to_km=None, amount="80")  # one open band per list
    assert (LabourPrice.objects.count(), CalloutBand.objects.count(), Adjustment.objects.count()) == (0, 1, 0)


def test_one_labour_price_per_category_and_one_per_model(world):
    price_list = PriceListFactory(brand=world.brand)
    LabourPriceFactory(price_list=price_list, category=world.category)
    LabourPriceFactory(price_list=price_list, category=world.category, product_model=world.model, amount="120")
    for model in (None, world.model):
        with pytest.raises(IntegrityError), transaction.atomic():
            LabourPriceFactory(price_list=price_list, category=world.category, product_model=model)


def test_one_warranty_rule_per_scope_and_target(world):
    filter_part = PartFactory(brand=world.brand, family="filter")
    WarrantyRuleFactory(brand=world.brand, category=world.category)
    WarrantyRuleFactory(brand=world.brand, category=world.category, part_family="filter")
    WarrantyRuleFactory(brand=world.brand, category=world.category, part=filter_part)
    WarrantyRuleFactory(brand=world.other_brand)
    duplicate = WarrantyRule(brand=world.brand, category=world.category, part_family="filter", months=3)
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    with pytest.raises(ValidationError):
        WarrantyRule(brand=world.brand, part=filter_part, part_family="filter", months=1).full_clean()
    with pytest.raises(ValidationError):
        WarrantyRule(brand=world.other_brand, category=world.category, months=1).full_clean()


def test_pricing_data_is_scoped_to_the_brand(world):
    price_list = PriceListFactory(brand=world.brand)
    AdjustmentFactory(price_list=price_list)
    PartFactory(brand=world.brand)
    WarrantyRuleFactory(brand=world.brand)
    SymptomFactory(category=world.category, code="no-water")
    SymptomFactory(category=world.category, code="retired", is_active=False)
    for model in (PriceList, Adjustment, Part, WarrantyRule):
        assert model.objects.visible_to(world.dispatcher).count() == 1
        assert model.objects.visible_to(world.manager_a).count() == 1
        assert model.objects.visible_to(world.rival_dispatcher).count() == 0
        assert model.objects.visible_to(world.customer.user).count() == 0
        assert model.objects.visible_to(None).count() == 0
    assert Symptom.objects.visible_to(world.dispatcher).count() == 2
    assert list(Symptom.objects.visible_to(world.customer.user).values_list("code", flat=True)) == ["no-water"]
    assert Symptom.objects.visible_to(world.rival_dispatcher).count() == 0
