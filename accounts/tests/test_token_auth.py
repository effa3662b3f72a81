"""Bearer-token authentication resolves the user and the principal in one statement.

The token path (accounts.principal.authenticate_token) must reach exactly the principal the ORM
path (principal_of, used for sessions) reaches, for every persona and every membership edge case.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ApiToken, User
from accounts.principal import authenticate_token, principal_of
from accounts.tests.factories import BrandFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_b",
            "customer", "rival_dispatcher"]


def persona_user(world, name: str) -> User:
    found = getattr(world, name)
    return found if isinstance(found, User) else found.user


def session_principal(user: User):
    return principal_of(User.objects.get(pk=user.pk))  # a fresh instance: nothing cached on it


@pytest.mark.parametrize("persona", PERSONAS)
def test_token_principal_is_the_session_principal(world, persona):
    user = persona_user(world, persona)
    _, raw = ApiToken.issue(user=user, name="t")

    via_token = authenticate_token(raw)

    assert via_token is not None and via_token.pk == user.pk and via_token.username == user.username
    assert principal_of(via_token) == session_principal(user)
    assert principal_of(via_token) is not None


def test_staff_token_lookup_is_one_statement(world, django_assert_num_queries):
    _, raw = ApiToken.issue(user=world.dispatcher, name="t")
    authenticate_token(raw)  # the first use is recorded (one UPDATE); later ones in the hour are not
    with django_assert_num_queries(1):
        principal = principal_of(authenticate_token(raw))
    assert (principal.role, principal.brand_id, principal.outlet_id) == (Role.DISPATCHER, world.brand.pk, None)


@pytest.mark.parametrize("persona", ["tech_a", "customer"])
def test_technician_and_customer_need_their_record_too(world, persona, django_assert_num_queries):
    _, raw = ApiToken.issue(user=persona_user(world, persona), name="t")
    authenticate_token(raw)
    with django_assert_num_queries(2):
        principal = principal_of(authenticate_token(raw))
    assert principal.technician_id == (world.tech_a.pk if persona == "tech_a" else None)
    assert principal.customer_id == (world.customer.pk if persona == "customer" else None)


def test_first_active_membership_of_an_active_organisation_decides(world):
    user = UserFactory(username="two_seats")
    closed_brand = BrandFactory(code="closed", is_active=False)
    MembershipFactory(user=user, organisation=world.brand, role=Role.ANALYST, is_active=False)
    MembershipFactory(user=user, organisation=closed_brand, role=Role.BRAND_ADMIN)
    MembershipFactory(user=user, organisation=world.outlet_b, role=Role.OUTLET_MANAGER)
    MembershipFactory(user=user, organisation=world.outlet_a, role=Role.OUTLET_DISPATCHER)
    _, raw = ApiToken.issue(user=user, name="t")

    principal = principal_of(authenticate_token(raw))

    assert (principal.role, principal.organisation_id) == (Role.OUTLET_MANAGER, world.outlet_b.pk)
    assert principal == session_principal(user)


def test_user_without_a_seat_authenticates_but_has_no_principal(world, api_as):
    from django.test import Client

    user = UserFactory(username="no_seat")
    MembershipFactory(user=user, organisation=world.brand, role=Role.DISPATCHER, is_active=False)
    _, raw = ApiToken.issue(user=user, name="t")

    assert authenticate_token(raw).pk == user.pk
    resp = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/workorders")
    assert resp.status_code == 403 and resp.json()["code"] == "no_membership"


def test_technician_without_an_active_record_has_no_principal(world):
    world.tech_b.is_active = False
    world.tech_b.save(update_fields=["is_active"])
    _, raw = ApiToken.issue(user=world.tech_b.user, name="t")

    assert principal_of(authenticate_token(raw)) is None
    assert session_principal(world.tech_b.user) is None


@pytest.mark.parametrize("case", ["revoked", "expired", "inactive_user", "unknown", "no_prefix"])
def test_dead_tokens_authenticate_nobody(world, case):
    token, raw = ApiToken.issue(user=world.dispatcher, name="t")
    if case == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    if case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    if case == "inactive_user":
        User.objects.filter(pk=world.dispatcher.pk).update(is_active=False)
    if case == "unknown":
        raw = raw[:-4] + "zzzz"
    if case == "no_prefix":
        raw = raw.removeprefix(ApiToken.PREFIX)

    assert authenticate_token(raw) is None


def test_token_that_expires_later_still_works(world):
    _, raw = ApiToken.issue(user=world.dispatcher, name="t", expires_at=timezone.now() + dt.timedelta(hours=1))
    assert authenticate_token(raw).pk == world.dispatcher.pk


def test_last_use_is_recorded_to_the_hour(world, django_assert_num_queries):
    token, raw = ApiToken.issue(user=world.dispatcher, name="t")
    assert token.last_used_at is None

    with django_assert_num_queries(2):  # the lookup and the first use
        assert authenticate_token(raw) is not None
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(minutes=1)

    authenticate_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first  # within the hour: not written again

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(hours=2))
    authenticate_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_a_revoked_token_is_not_marked_used(world):
    token, raw = ApiToken.issue(user=world.dispatcher, name="t")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert authenticate_token(raw) is None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None
