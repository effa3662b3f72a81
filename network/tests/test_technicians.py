"""Technicians: skills, certifications with expiry (an expired one does not count), working hours, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.tests.factories import OutletFactory
from network.models import Certification, Technician, default_working_hours, validate_working_hours
from network.tests.factories import CertificationFactory, SkillFactory, TechnicianFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)


def certify(tech: Technician, skill, *, valid_from: dt.date, expires_on: dt.date) -> Certification:
    return CertificationFactory(technician=tech, skill=skill, valid_from=valid_from, expires_on=expires_on)


def qualified(skill, on=DAY, qs=None) -> set[str]:
    return set((qs if qs is not None else Technician.objects.all()).qualified_for(skill, on)
               .values_list("name", flat=True))


@pytest.fixture
def gas(world):
    """A skill that needs a state certificate, held by tech_a (current), tech_a2 (lapsed) and tech_b (none)."""
    skill = SkillFactory(brand=world.brand, code="gas", name="燃气")
    for tech in (world.tech_a, world.tech_a2, world.tech_b):
        tech.skills.add(skill)
    certify(world.tech_a, skill, valid_from=DAY - dt.timedelta(days=400), expires_on=DAY + dt.timedelta(days=30))
    certify(world.tech_a2, skill, valid_from=DAY - dt.timedelta(days=800), expires_on=DAY - dt.timedelta(days=1))
    return skill


# --- qualification ---------------------------------------------------------------------------------


def test_an_expired_certification_does_not_count(world, gas):
    assert world.tech_a.is_qualified_for(gas, DAY) is True
    assert world.tech_a2.is_qualified_for(gas, DAY) is False
    assert "tech_a2" not in qualified(gas)


def test_a_skill_without_any_certificate_on_file_counts_on_its_own(world, gas):
    # tech_b has the skill and no certificate for it recorded at all.
    assert world.tech_b.is_qualified_for(gas, DAY) is True
    assert qualified(gas) == {"tech_a", "tech_b"}


def test_renewing_a_lapsed_certificate_restores_the_qualification(world, gas):
    certify(world.tech_a2, gas, valid_from=DAY - dt.timedelta(days=10), expires_on=DAY + dt.timedelta(days=1000))
    assert world.tech_a2.is_qualified_for(gas, DAY) is True
    assert qualified(gas) == {"tech_a", "tech_a2", "tech_b"}


def test_a_certificate_not_yet_valid_does_not_count(world, gas):
    rookie = TechnicianFactory(outlet=world.outlet_a, name="rookie")
    rookie.skills.add(gas)
    certify(rookie, gas, valid_from=DAY + dt.timedelta(days=1), expires_on=DAY + dt.timedelta(days=1000))

    assert rookie.is_qualified_for(gas, DAY) is False
    assert rookie.is_qualified_for(gas, DAY + dt.timedelta(days=1)) is True


@pytest.mark.parametrize(
    ("offset_from_start", "offset_from_end", "counts"),
    [(-1, None, False), (0, None, True), (1, None, True), (None, -1, True), (None, 0, True), (None, 1, False)],
)
def test_certificate_validity_includes_both_ends_and_sql_agrees_with_python(world, offset_from_start,
                                                                             offset_from_end, counts):
    skill = SkillFactory(brand=world.brand)
    world.tech_b.skills.add(skill)
    cert = certify(world.tech_b, skill, valid_from=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31))
    if offset_from_start is not None:
        on = cert.valid_from + dt.timedelta(days=offset_from_start)
    else:
        on = cert.expires_on + dt.timedelta(days=offset_from_end)

    assert cert.is_valid_on(on) is counts
    assert world.tech_b.is_qualified_for(skill, on) is counts
    assert list(world.tech_b.valid_certifications(on)) == ([cert] if counts else [])


def test_a_certificate_without_the_skill_does_not_qualify(world):
    skill = SkillFactory(brand=world.brand)
    certify(world.tech_b, skill, valid_from=DAY - dt.timedelta(days=1), expires_on=DAY + dt.timedelta(days=1))

    assert world.tech_b.is_qualified_for(skill, DAY) is False


def test_a_certificate_for_another_skill_or_technician_does_not_count(world, gas):
    other_skill = SkillFactory(brand=world.brand, code="height")
    world.tech_a2.skills.add(other_skill)
    certify(world.tech_a2, other_skill, valid_from=DAY - dt.timedelta(days=1), expires_on=DAY + dt.timedelta(days=1))

    assert world.tech_a2.is_qualified_for(gas, DAY) is False
    assert world.tech_a2.is_qualified_for(other_skill, DAY) is True
    # tech_a's current gas certificate is tech_a's, not tech_a2's.
    assert qualified(gas) == {"tech_a", "tech_b"}


def test_several_certificates_give_one_row_each(world, gas):
    certify(world.tech_a, gas, valid_from=DAY - dt.timedelta(days=5), expires_on=DAY + dt.timedelta(days=5))

    names = list(Technician.objects.qualified_for(gas, DAY).values_list("name", flat=True))

    assert sorted(names) == ["tech_a", "tech_b"]


def test_qualification_composes_with_scoping(world, gas):
    assert qualified(gas, qs=Technician.objects.visible_to(world.manager_a)) == {"tech_a"}
    assert qualified(gas, qs=Technician.objects.visible_to(world.manager_b)) == {"tech_b"}
    assert qualified(gas, qs=Technician.objects.visible_to(world.customer.user)) == set()


def test_valid_certifications_leave_out_the_expired(world, gas):
    height = SkillFactory(brand=world.brand, code="height")
    current = certify(world.tech_a2, height, valid_from=DAY - dt.timedelta(days=1), expires_on=DAY)

    assert list(world.tech_a2.valid_certifications(DAY)) == [current]
    assert world.tech_a2.certifications.count() == 2


def test_certificate_dates_out_of_order_are_refused(world, gas):
    cert = Certification(technician=world.tech_b, skill=gas, valid_from=DAY, expires_on=DAY - dt.timedelta(days=1))

    with pytest.raises(ValidationError):
        cert.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        cert.save()
    assert not world.tech_b.certifications.exists()


# --- working hours ---------------------------------------------------------------------------------


def test_the_default_week_is_monday_to_saturday():
    hours = default_working_hours()
    validate_working_hours(hours)
    assert list(hours) == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert hours["mon"] == ["08:30", "17:30"]


@pytest.mark.parametrize(
    "hours",
    [{}, {"sun": ["10:00", "14:00"]}, {"mon": ["00:00", "23:59"], "tue": ["06:15:00", "12:00"]}],
)
def test_valid_weekly_hours_pass(hours):
    validate_working_hours(hours)


@pytest.mark.parametrize(
    "hours",
    [
        None,
        [["08:00", "17:00"]],
        "mon 8-17",
        {"monday": ["08:00", "17:00"]},
        {"mon": ["17:00", "08:00"]},
        {"mon": ["08:00", "08:00"]},
        {"mon": ["08:00"]},
        {"mon": ["08:00", "12:00", "18:00"]},
        {"mon": "08:00-17:00"},
        {"mon": [8, 17]},
        {"mon": None},
        {"mon": ["25:00", "26:00"]},
        {"mon": {"start": "08:00", "end": "17:00"}},
    ],
)
def test_malformed_weekly_hours_are_refused_with_a_code(hours):
    with pytest.raises(ValidationError) as err:
        validate_working_hours(hours)
    assert err.value.code == "invalid_hours"


def test_a_technician_with_bad_hours_fails_model_validation_on_that_field(world):
    world.tech_a.working_hours = {"mon": ["18:00", "09:00"]}
    with pytest.raises(ValidationError) as err:
        world.tech_a.full_clean()
    assert list(err.value.message_dict) == ["working_hours"]


# --- the API ---------------------------------------------------------------------------------------

URL = "/api/v1/network/technicians"


def test_the_api_marks_an_expired_certificate_as_not_valid_today(world, api_as):
    today = dt.date.today()
    skill = SkillFactory(brand=world.brand, code="electric")
    world.tech_a.skills.add(skill)
    certify(world.tech_a, skill, valid_from=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=1))
    certify(world.tech_a, world.skill, valid_from=today - dt.timedelta(days=10), expires_on=today)

    body = api_as("manager_a").get(f"{URL}/{world.tech_a.pk}").json()

    assert sorted(body["skill_ids"]) == sorted([world.skill.pk, skill.pk])
    assert {c["skill_id"]: c["valid_today"] for c in body["certifications"]} == {skill.pk: False, world.skill.pk: True}
    assert body["working_hours"] == default_working_hours() and body["is_active"] is True


def test_who_sees_which_technicians(world, api_as):
    OutletFactory(brand=world.other_brand)
    rival_tech = TechnicianFactory(outlet=OutletFactory(brand=world.other_brand), name="rival")

    def names(persona):
        return {t["name"] for t in api_as(persona).get(URL).json()}

    assert names("dispatcher") == {"tech_a", "tech_a2", "tech_b"}
    assert names("manager_a") == {"tech_a", "tech_a2"}
    assert names("tech_a") == {"tech_a"}
    assert names("customer") == set()
    assert names("rival_dispatcher") == {"rival"}
    assert api_as("manager_a").get(f"{URL}/{world.tech_b.pk}").status_code == 404
    assert api_as("tech_a").get(f"{URL}/{world.tech_a2.pk}").status_code == 404
    assert api_as("dispatcher").get(f"{URL}/{rival_tech.pk}").status_code == 404


def test_skills_are_listed_per_brand_and_hidden_from_customers(world, api_as):
    SkillFactory(brand=world.other_brand, code="rival-skill")

    assert [s["code"] for s in api_as("manager_b").get("/api/v1/network/skills").json()] == ["ro"]
    assert api_as("customer").get("/api/v1/network/skills").json() == []


def test_a_skill_code_is_unique_within_a_brand_only(world):
    SkillFactory(brand=world.other_brand, code="ro")
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillFactory(brand=world.brand, code="ro")
