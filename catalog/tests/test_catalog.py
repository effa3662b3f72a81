"""Catalog: categories, models with warranty months, and per service type the standard minutes and skill."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.choices import ServiceType
from catalog.models import ProductModel, ServiceStandard
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from network.models import Technician
from network.tests.factories import CertificationFactory, SkillFactory

pytestmark = pytest.mark.django_db
MODELS = "/api/v1/catalog/models"


@pytest.fixture
def standards(world):
    """RO-500: installation 90 min needs RO; repair 60 min needs electric; maintenance 30 min needs nothing."""
    electric = SkillFactory(brand=world.brand, code="electric", name="电工")
    rows = {
        ServiceType.INSTALL: ServiceStandard.objects.create(
            product_model=world.model, service_type=ServiceType.INSTALL, standard_minutes=90,
            required_skill=world.skill),
        ServiceType.REPAIR: ServiceStandard.objects.create(
            product_model=world.model, service_type=ServiceType.REPAIR, standard_minutes=60,
            required_skill=electric),
        ServiceType.MAINTENANCE: ServiceStandard.objects.create(
            product_model=world.model, service_type=ServiceType.MAINTENANCE, standard_minutes=30),
    }
    return rows


def by_type(model_json: dict) -> dict[str, tuple[int, int | None]]:
    return {s["service_type"]: (s["standard_minutes"], s["required_skill_id"]) for s in model_json["standards"]}


# --- lookups ---------------------------------------------------------------------------------------


def test_a_model_lists_minutes_and_required_skill_per_service_type(world, api_as, standards):
    resp = api_as("dispatcher").get(f"{MODELS}/{world.model.pk}")

    assert resp.status_code == 200
    body = resp.json()
    assert (body["code"], body["warranty_months"], body["category_id"]) == ("RO-500", 12, world.category.pk)
    assert by_type(body) == {
        "install": (90, world.skill.pk),
        "repair": (60, standards[ServiceType.REPAIR].required_skill_id),
        "maintenance": (30, None),
    }


def test_a_service_type_without_a_standard_is_simply_absent(world, api_as, standards):
    found = by_type(api_as("dispatcher").get(f"{MODELS}/{world.model.pk}").json())
    assert "inspection" not in found and "mail_in" not in found
    assert not world.model.standards.filter(service_type=ServiceType.INSPECTION).exists()


def test_the_orm_lookup_and_the_api_agree(world, api_as, standards):
    orm = {s.service_type: (s.standard_minutes, s.required_skill_id) for s in world.model.standards.all()}
    listed = next(m for m in api_as("manager_a").get(MODELS).json() if m["id"] == world.model.pk)
    assert by_type(listed) == orm
    assert world.model.standards.get(service_type=ServiceType.REPAIR).standard_minutes == 60


def test_technicians_qualified_for_a_standards_required_skill(world, standards):
    # Joining the lookup with the network: who may do a repair of RO-500 today.
    today = dt.date(2026, 6, 15)
    repair = standards[ServiceType.REPAIR]
    world.tech_a.skills.add(repair.required_skill)
    world.tech_b.skills.add(repair.required_skill)
    CertificationFactory(technician=world.tech_b, skill=repair.required_skill, valid_from=dt.date(2020, 1, 1),
                         expires_on=dt.date(2026, 6, 14))

    names = set(Technician.objects.qualified_for(repair.required_skill, today).values_list("name", flat=True))

    assert names == {"tech_a"}


def test_list_price_is_a_decimal_string_and_standards_are_prefetched(world, api_as, standards,
                                                                    django_assert_max_num_queries):
    ProductModelFactory(category=world.category, code="RO-800", list_price="2999.50")
    client = api_as("dispatcher")
    client.get(MODELS)  # warm the token's principal path

    with django_assert_max_num_queries(4):
        models = client.get(MODELS).json()

    assert {m["code"]: m["list_price"] for m in models} == {"RO-500": "1999.00", "RO-800": "2999.50"}


# --- who sees the catalog --------------------------------------------------------------------------


def test_the_brand_and_its_outlets_see_the_brands_catalog_only(world, api_as):
    rival_model = ProductModelFactory(category=CategoryFactory(brand=world.other_brand, code="rival"))

    for persona in ("dispatcher", "manager_b", "tech_a"):
        assert [m["id"] for m in api_as(persona).get(MODELS).json()] == [world.model.pk]
        assert [c["code"] for c in api_as(persona).get("/api/v1/catalog/categories").json()] == ["purifier"]
    assert api_as("dispatcher").get(f"{MODELS}/{rival_model.pk}").status_code == 404
    assert api_as("rival_dispatcher").get(f"{MODELS}/{world.model.pk}").status_code == 404


def test_customers_do_not_browse_the_catalog(world, api_as):
    client = api_as("customer")
    assert client.get(MODELS).json() == []
    assert client.get(f"{MODELS}/{world.model.pk}").status_code == 404


@pytest.mark.parametrize(("model_id", "status"), [("999999", 404), ("abc", 422)])
def test_an_unknown_model_id_is_a_404_and_a_malformed_one_422(world, api_as, model_id, status):
    assert api_as("dispatcher").get(f"{MODELS}/{model_id}").status_code == status


# --- the rules the tables hold ---------------------------------------------------------------------


def test_one_standard_per_model_and_service_type(world, standards):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceStandard.objects.create(product_model=world.model, service_type=ServiceType.INSTALL,
                                       standard_minutes=45)
    assert world.model.standards.get(service_type=ServiceType.INSTALL).standard_minutes == 90


@pytest.mark.parametrize(("minutes", "ok"), [(0, False), (1, True), (24 * 60, True), (24 * 60 + 1, False)])
def test_standard_minutes_are_between_one_minute_and_one_day(world, minutes, ok):
    standard = ServiceStandard(product_model=world.model, service_type=ServiceType.INSPECTION,
                               standard_minutes=minutes)
    if ok:
        standard.full_clean()
    else:
        with pytest.raises(ValidationError) as err:
            standard.full_clean()
        assert list(err.value.message_dict) == ["standard_minutes"]


def test_the_database_refuses_a_zero_minute_standard(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceStandard.objects.create(product_model=world.model, service_type=ServiceType.INSPECTION,
                                       standard_minutes=0)


def test_an_unknown_service_type_fails_validation(world):
    with pytest.raises(ValidationError) as err:
        ServiceStandard(product_model=world.model, service_type="teleport", standard_minutes=10).full_clean()
    assert list(err.value.message_dict) == ["service_type"]


@pytest.mark.parametrize(("months", "ok"), [(0, True), (240, True), (241, False)])
def test_warranty_months_are_capped_at_twenty_years(world, months, ok):
    model = ProductModel(category=world.category, code=f"W{months}", name="w", warranty_months=months)
    if ok:
        model.full_clean()
    else:
        with pytest.raises(ValidationError) as err:
            model.full_clean()
        assert list(err.value.message_dict) == ["warranty_months"]


def test_a_negative_list_price_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductModelFactory(category=world.category, list_price="-1.00")


def test_model_codes_are_unique_per_category_and_category_codes_per_brand(world):
    ProductModelFactory(category=CategoryFactory(brand=world.brand, code="hvac"), code="RO-500")
    CategoryFactory(brand=world.other_brand, code="purifier")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductModelFactory(category=world.category, code="RO-500")
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(brand=world.brand, code="purifier")
