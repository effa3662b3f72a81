"""API tokens through the API: issued once, stored hashed, revocable; and the session + CSRF rules.

accounts/tests/test_token_auth.py covers how a raw token resolves to a principal; this file covers
what a client sees at /api/v1/accounts/tokens and on the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ApiToken, Membership, User
from accounts.tests.factories import MembershipFactory, UserFactory
from conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/accounts/tokens"


def post(client: Client, url: str, body) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def bearer(raw: str, **kw) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **kw)


def signed_in(user) -> Client:
    """A signed-in session (the console's or the portal's), where tokens are issued; CSRF is tested below."""
    client = Client()
    client.force_login(user)
    return client


def issue_via_api(client: Client, **body) -> dict:
    resp = post(client, URL, {"name": "erp sync"} | body)
    assert resp.status_code == 201, resp.content
    return resp.json()


# --- issue -----------------------------------------------------------------------------------------


def test_issue_returns_the_raw_token_once_and_stores_only_its_hash(world):
    client = signed_in(world.dispatcher)

    created = issue_via_api(client)

    raw = created["token"]
    assert raw.startswith(ApiToken.PREFIX) and len(raw) > 40
    assert created["name"] == "erp sync" and created["last_four"] == raw[-4:]
    assert created["revoked_at"] is None and created["expires_at"] is None
    row = ApiToken.objects.get(pk=created["id"])
    assert row.user_id == world.dispatcher.pk
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in ApiToken.objects.filter(pk=row.pk).values().get().values())
    # Shown once: the listing and a second look never carry it again.
    listed = client.get(URL).json()
    assert [t["id"] for t in listed if t["id"] == row.pk] == [row.pk]
    assert all("token" not in t for t in listed)
    assert raw not in client.get(URL).content.decode()


def test_the_raw_token_is_stored_nowhere_in_the_database(world):
    raw = issue_via_api(signed_in(world.dispatcher))["token"]

    for model in apps.get_models():
        for row in model.objects.all().values():
            assert all(raw not in str(value) for value in row.values()), model


def test_an_issued_token_authenticates_as_its_owner(world):
    raw = issue_via_api(signed_in(world.hotline))["token"]

    resp = bearer(raw).get("/api/v1/accounts/me")

    assert resp.status_code == 200
    assert (resp.json()["username"], resp.json()["role"]) == ("hotline", Role.HOTLINE_AGENT)


def test_each_issue_makes_a_distinct_token(world):
    client = signed_in(world.dispatcher)
    first, second = issue_via_api(client), issue_via_api(client)
    assert first["token"] != second["token"] and first["id"] != second["id"]
    assert bearer(first["token"]).get("/api/v1/accounts/me").status_code == 200
    assert bearer(second["token"]).get("/api/v1/accounts/me").status_code == 200


def test_a_token_with_an_expiry_works_until_then(world):
    later = timezone.now() + dt.timedelta(days=30)
    created = issue_via_api(signed_in(world.dispatcher), expires_at=later.isoformat())

    assert ApiToken.objects.get(pk=created["id"]).expires_at == later
    assert abs(dt.datetime.fromisoformat(created["expires_at"]) - later) < dt.timedelta(milliseconds=1)
    assert bearer(created["token"]).get("/api/v1/accounts/me").status_code == 200


def test_an_expiry_without_an_offset_is_read_in_the_site_zone(world):
    created = issue_via_api(signed_in(world.dispatcher), expires_at="2099-01-01T08:00:00")

    row = ApiToken.objects.get(pk=created["id"])
    assert row.expires_at == dt.datetime(2099, 1, 1, 0, 0, tzinfo=dt.UTC)  # 08:00 in Asia/Shanghai
    assert bearer(created["token"]).get("/api/v1/accounts/me").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": 5}, "name"),
        ({}, "name"),
        ({"name": "ok", "expires_at": "next week"}, "expires_at"),
        ({"name": "ok", "token_hash": "0" * 64}, "token_hash"),
    ],
)
def test_bad_token_requests_are_422_and_issue_nothing(world, body, field):
    client = signed_in(world.dispatcher)
    before = ApiToken.objects.count()

    resp = post(client, URL, body)

    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == "validation_error"
    assert any(e["loc"][-1] == field for e in resp.json()["errors"])
    assert ApiToken.objects.count() == before


def test_a_token_that_would_be_born_expired_is_refused(world):
    client = signed_in(world.dispatcher)
    before = ApiToken.objects.count()

    resp = post(client, URL, {"name": "late", "expires_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat()})

    assert resp.status_code == 422, resp.content
    assert (resp.json()["code"], resp.json()["field"]) == ("invalid", "expires_at")
    assert ApiToken.objects.count() == before


def test_a_user_without_a_seat_cannot_issue_tokens(world):
    user = UserFactory(username="left_the_company")
    MembershipFactory(user=user, organisation=world.brand, role=Role.DISPATCHER, is_active=False)
    client = token_client(user)
    before = ApiToken.objects.count()

    resp = post(client, URL, {"name": "x"})

    assert resp.status_code == 403 and resp.json()["code"] == "no_membership"
    assert ApiToken.objects.count() == before


# --- list ------------------------------------------------------------------------------------------


def test_listing_shows_only_my_tokens(world, api_as):
    mine = ApiToken.issue(user=world.dispatcher, name="mine")[0]
    theirs = ApiToken.issue(user=world.hotline, name="theirs")[0]

    ids = {t["id"] for t in api_as("dispatcher").get(URL).json()}

    assert mine.pk in ids and theirs.pk not in ids
    assert set(ApiToken.objects.filter(pk__in=ids).values_list("user_id", flat=True)) == {world.dispatcher.pk}


# --- revoke ----------------------------------------------------------------------------------------


def test_revoking_a_token_makes_its_next_request_401(world):
    created = issue_via_api(signed_in(world.dispatcher))
    client = bearer(created["token"])
    assert client.get("/api/v1/accounts/me").status_code == 200

    resp = client.delete(f"{URL}/{created['id']}")

    assert resp.status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    after = client.get("/api/v1/accounts/me")
    assert after.status_code == 401 and after.json()["code"] == "unauthorized"
    assert client.delete(f"{URL}/{created['id']}").status_code == 401


def test_revoking_one_token_leaves_the_others_working(world):
    admin_client = signed_in(world.dispatcher)
    keep, drop = issue_via_api(admin_client), issue_via_api(admin_client)

    assert admin_client.delete(f"{URL}/{drop['id']}").status_code == 204

    assert bearer(drop["token"]).get("/api/v1/accounts/me").status_code == 401
    assert bearer(keep["token"]).get("/api/v1/accounts/me").status_code == 200
    listed = {t["id"]: t["revoked_at"] for t in admin_client.get(URL).json()}
    assert listed[keep["id"]] is None and listed[drop["id"]] is not None


def test_revoking_twice_keeps_the_first_revocation_time(world):
    client = signed_in(world.dispatcher)
    created = issue_via_api(client)
    assert client.delete(f"{URL}/{created['id']}").status_code == 204
    first = ApiToken.objects.get(pk=created["id"]).revoked_at

    resp = client.delete(f"{URL}/{created['id']}")

    assert resp.status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at == first


@pytest.mark.parametrize("owner", ["hotline", "manager_a", "rival_dispatcher"])
def test_a_user_cannot_revoke_someone_elses_token(world, api_as, owner):
    token, raw = ApiToken.issue(user=getattr(world, owner), name="theirs")

    resp = api_as("dispatcher").delete(f"{URL}/{token.pk}")

    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert bearer(raw).get("/api/v1/accounts/me").status_code == 200


@pytest.mark.parametrize(("token_id", "status"), [("999999", 404), ("abc", 422), ("-1", 422)])
def test_revoking_an_unknown_token_is_a_404_and_a_malformed_one_422(world, api_as, token_id, status):
    resp = api_as("dispatcher").delete(f"{URL}/{token_id}")
    assert resp.status_code == status, resp.content
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


# --- refused tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["expired", "inactive_user", "garbage", "empty", "oversized"])
def test_dead_or_malformed_tokens_get_401(world, case):
    token, raw = ApiToken.issue(user=world.dispatcher, name="t")
    if case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    if case == "inactive_user":
        User.objects.filter(pk=world.dispatcher.pk).update(is_active=False)
    if case == "garbage":
        raw = "as_" + "x" * 43
    if case == "empty":
        raw = ""
    if case == "oversized":
        raw = raw + "x" * 10_000

    resp = bearer(raw).get("/api/v1/accounts/me")

    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"


def test_no_credentials_at_all_is_401(world):
    resp = Client().get(URL)
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"


def test_a_token_whose_user_lost_their_seat_is_403_no_membership(world):
    client = token_client(world.analyst)
    Membership.objects.filter(user=world.analyst).update(is_active=False)

    resp = client.get("/api/v1/accounts/me")

    assert resp.status_code == 403 and resp.json()["code"] == "no_membership"


# --- session + CSRF --------------------------------------------------------------------------------


def session_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_console_session_may_read_the_api(world):
    resp = session_client(world.dispatcher).get("/api/v1/accounts/me")
    assert resp.status_code == 200 and resp.json()["username"] == "dispatcher"


def test_a_session_write_without_the_csrf_token_is_refused(world):
    before = ApiToken.objects.count()

    resp = post(session_client(world.dispatcher), URL, {"name": "from the console"})

    assert resp.status_code == 403 and resp.json()["code"] == "csrf_failed"
    assert ApiToken.objects.count() == before


def test_a_session_write_with_the_csrf_token_passes(world):
    client = session_client(world.dispatcher)
    client.get("/accounts/login/")  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value

    resp = client.post(URL, data=json.dumps({"name": "from the console"}), content_type="application/json",
                       headers={"X-CSRFToken": csrf})

    assert resp.status_code == 201, resp.content
    assert ApiToken.objects.get(pk=resp.json()["id"]).user_id == world.dispatcher.pk


def test_a_bearer_token_needs_no_csrf_token(world):
    _, raw = ApiToken.issue(user=world.dispatcher, name="integration")
    other, _other_raw = ApiToken.issue(user=world.dispatcher, name="old integration")

    resp = bearer(raw, enforce_csrf_checks=True).delete(f"{URL}/{other.pk}")

    assert resp.status_code == 204, resp.content
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None


def test_a_token_may_not_issue_another_token(world):
    # A child would outlive its parent's revocation: tokens are issued from a signed-in session only.
    _, raw = ApiToken.issue(user=world.dispatcher, name="integration")
    before = list(ApiToken.objects.values_list("pk", flat=True))

    resp = post(bearer(raw, enforce_csrf_checks=True), URL, {"name": "child"})

    assert resp.status_code == 403
    assert resp.json()["code"] == "session_required"
    assert list(ApiToken.objects.values_list("pk", flat=True)) == before


def test_a_customers_portal_session_issues_a_token_but_that_token_issues_none(world):
    created = issue_via_api(signed_in(world.customer.user))

    resp = post(bearer(created["token"]), URL, {"name": "grandchild"})

    assert (resp.status_code, resp.json()["code"]) == (403, "session_required")
    assert ApiToken.objects.filter(user=world.customer.user).count() == 1


def test_a_session_revoke_needs_the_csrf_token_too(world):
    token, raw = ApiToken.issue(user=world.dispatcher, name="t")

    resp = session_client(world.dispatcher).delete(f"{URL}/{token.pk}")

    assert resp.status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert bearer(raw).get("/api/v1/accounts/me").status_code == 200


def test_a_revoked_token_on_an_unsafe_method_is_401_for_a_real_client(world):
    token, raw = ApiToken.issue(user=world.dispatcher, name="t")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    resp = post(bearer(raw, enforce_csrf_checks=True), URL, {"name": "after revocation"})

    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
