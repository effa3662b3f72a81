"""Sign-in by phone and one-time code: codes hashed, expiring, single use, burnt by wrong tries, rate-limited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership
from accounts.principal import principal_of
from customers.models import Customer
from portal import otp
from portal.models import OneTimeCode, RateCounter

pytestmark = pytest.mark.django_db

LOGIN = "/portal/acme/login/"


def send(client: Client, phone: str, **extra):
    return client.post(LOGIN, {"action": "send", "phone": phone, **extra})


def verify(client: Client, phone: str, code: str, **extra):
    return client.post(LOGIN, {"action": "verify", "phone": phone, "code": code, **extra})


def test_code_is_texted_and_stored_only_hashed(world, sms):
    response = send(Client(HTTP_ACCEPT_LANGUAGE="en"), "139 0000 0001")
    assert response.status_code == 200
    assert "139****0001" in response.content.decode()
    code = sms.last_code("+8613900000001")
    row = OneTimeCode.objects.get()
    assert row.phone == "+8613900000001" and row.brand == world.brand
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.code_hash == otp.code_hash(brand_id=world.brand.pk, phone="+8613900000001", code=code)
    assert row.expires_at - row.created_at == dt.timedelta(minutes=5)
    assert "Acme" in sms.outbox[-1].text


def test_existing_customer_signs_in_and_lands_on_next(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    code = sms.last_code("+8613900000001")
    response = verify(client, "13900000001", code, next=f"/portal/acme/products/{world.product.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/portal/acme/products/{world.product.pk}/"
    # The conftest customer already has a user: that user is signed in, nobody new is made.
    assert int(client.session["_auth_user_id"]) == world.customer.user.pk
    assert Customer.objects.filter(brand=world.brand, phone="+8613900000001").count() == 1
    assert client.get(f"/portal/acme/products/{world.product.pk}/").status_code == 200


def test_customer_without_user_gets_one_with_a_customer_membership(world, sms):
    walk_in = Customer.objects.create(brand=world.brand, name="王芳", phone="+8613711112222")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "+86 137 1111 2222")
    response = verify(client, "13711112222", sms.last_code("+8613711112222"))
    assert response.status_code == 302 and response["Location"] == "/portal/acme/"
    walk_in.refresh_from_db()
    assert walk_in.user is not None and not walk_in.user.has_usable_password()
    membership = Membership.objects.get(user=walk_in.user)
    assert (membership.organisation, membership.role) == (world.brand, Role.CUSTOMER)
    assert principal_of(walk_in.user).customer_id == walk_in.pk


def test_new_phone_becomes_a_new_household_customer(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13655556666")
    verify(client, "13655556666", sms.last_code("+8613655556666"))
    customer = Customer.objects.get(brand=world.brand, phone="+8613655556666")
    assert customer.kind == "household" and customer.name == "136****6666"
    assert client.get("/portal/acme/").status_code == 200


def test_code_is_single_use(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    code = sms.last_code("+8613900000001")
    assert verify(client, "13900000001", code).status_code == 302
    again = verify(Client(HTTP_ACCEPT_LANGUAGE="en"), "13900000001", code)
    assert again.status_code == 422
    assert "expired or was already used" in again.content.decode()


def test_expired_code_is_refused(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = verify(client, "13900000001", sms.last_code("+8613900000001"))
    assert response.status_code == 422 and "_auth_user_id" not in client.session


def test_a_new_code_replaces_the_old_one(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    first = sms.last_code("+8613900000001")
    RateCounter.objects.all().delete()  # past the one-a-minute limit
    send(client, "13900000001")
    second = sms.last_code("+8613900000001")
    if first != second:
        assert verify(client, "13900000001", first).status_code == 422
    assert verify(client, "13900000001", second).status_code == 302


def test_wrong_tries_burn_the_code(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    code = sms.last_code("+8613900000001")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    first = verify(client, "13900000001", wrong)
    assert first.status_code == 422 and "4 tries left" in first.content.decode()
    for _ in range(otp.MAX_WRONG_TRIES - 1):
        verify(client, "13900000001", wrong)
    burnt = verify(client, "13900000001", code)  # the right code, too late
    assert burnt.status_code == 422 and "_auth_user_id" not in client.session
    assert OneTimeCode.objects.get().attempts == otp.MAX_WRONG_TRIES


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "１２３４５６"])
def test_malformed_code_is_a_message_beside_the_field(world, sms, bad):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    response = verify(client, "13900000001", bad)
    assert response.status_code == 422
    assert 'id="error-code"' in response.content.decode()
    assert OneTimeCode.objects.get().attempts == 0


@pytest.mark.parametrize("bad", ["", "12345", "not a phone", "+1 555", "1" * 40])
def test_bad_phone_is_a_message_beside_the_field(world, sms, bad):
    response = send(Client(HTTP_ACCEPT_LANGUAGE="en"), bad)
    assert response.status_code == 422
    assert 'id="error-phone"' in response.content.decode()
    assert not OneTimeCode.objects.exists() and sms.outbox == []


def test_sending_is_rate_limited_per_phone(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert send(client, "13900000001").status_code == 200
    refused = send(client, "13900000001")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert len(sms.outbox) == 1 and OneTimeCode.objects.count() == 1


def test_sending_is_rate_limited_per_ip(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.2.3")
    for i in range(otp.SEND_IP_LIMIT.limit):
        assert send(client, f"1390000{i:04d}").status_code == 200, i
    refused = send(client, "13988887777")
    assert refused.status_code == 429
    assert not OneTimeCode.objects.filter(phone="+8613988887777").exists()
    # Another address is not held back by the first one's count.
    assert send(Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.9"), "13988887777").status_code == 200


def test_verifying_is_rate_limited_per_ip_across_phones(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.2.4")
    for _ in range(otp.VERIFY_IP_LIMIT.limit):
        verify(client, "13900000001", "000000")
    refused = verify(client, "13900000002", "000000")
    assert refused.status_code == 429


def test_codes_are_per_brand(world, sms):
    """A code sent for one brand does not sign anyone in to another."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000003")
    code = sms.last_code("+8613900000003")
    response = client.post("/portal/rival/login/", {"action": "verify", "phone": "13900000003", "code": code})
    assert response.status_code == 422 and "_auth_user_id" not in client.session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/portal/acme/", "/console/",
                                    "/portal/rival/", "javascript:alert(1)", "/portal/acme/../../console/",
                                    "http://testserver/console/"])
def test_next_stays_in_the_brands_portal(world, sms, target):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    response = verify(client, "13900000001", sms.last_code("+8613900000001"), next=target)
    assert response.status_code == 302 and response["Location"] == "/portal/acme/"


def test_signed_in_for_one_brand_is_nobody_in_another(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    verify(client, "13900000001", sms.last_code("+8613900000001"))
    assert client.get("/portal/acme/").status_code == 200
    rival_home = client.get("/portal/rival/")
    assert rival_home.status_code == 302 and rival_home["Location"].startswith("/portal/rival/login/")


def test_unknown_brand_is_404(world):
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/nope/login/").status_code == 404
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/outlet-a/login/").status_code == 404  # an outlet is no brand


def test_sign_out(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.customer.user)
    response = client.post("/portal/acme/logout/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_failed_sms_is_a_message_and_no_live_code(world, settings):
    settings.SMS_BACKEND = "portal.tests.test_sign_in.BrokenBackend"
    response = send(Client(HTTP_ACCEPT_LANGUAGE="en"), "13900000001")
    assert response.status_code == 503
    assert "could not send" in response.content.decode()
    assert not OneTimeCode.objects.filter(used_at__isnull=True).exists()


class BrokenBackend:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_next_may_be_absolute_on_this_site(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    response = verify(client, "13900000001", sms.last_code("+8613900000001"),
                      next="http://testserver/portal/acme/report/?product=1")
    assert response["Location"] == "/portal/acme/report/?product=1"


def test_spent_codes_are_cleared_after_a_day(world, sms):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    send(client, "13900000001")
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    RateCounter.objects.all().delete()
    send(client, "13900000001")
    assert OneTimeCode.objects.count() == 1
