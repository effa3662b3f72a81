"""Password sign-in is throttled per account and per client address (django-axes, settings LOGIN_*).

The staff sign-in and the Django admin's share the limit; the client address is the connection's peer
unless that peer is a trusted proxy (core/client_ip.py), so a forged X-Forwarded-For chooses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Secret-123"
LOGIN = "/accounts/login/"


def sign_in(username, password, *, url=LOGIN, client=None, **meta):
    client = client or Client()
    response = client.post(url, {"username": username, "password": password}, **meta)
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(world, settings, caplog):
    assert settings.LOGIN_FAILURE_LIMIT == 10 and settings.LOGIN_LOCKOUT_MINUTES == 15
    statuses = [sign_in("dispatcher", f"guess-{i}")[1].status_code for i in range(30)]
    # Nine are the usual "wrong password" form; the tenth locks the account out, and so on.
    assert statuses == [200] * 9 + [429] * 21

    with caplog.at_level(logging.WARNING, logger="aftersales.security"):
        client, response = sign_in("dispatcher", PASSWORD)

    assert response.status_code == 429 and not signed_in(client)
    assert "try again in 15 minutes" in response.content.decode() or "15 分钟后再试" in response.content.decode()
    assert any("sign-in locked out: username='dispatcher'" in r.getMessage() for r in caplog.records)


def test_after_the_lockout_time_the_right_password_signs_in(world):
    for i in range(11):
        sign_in("dispatcher", f"guess-{i}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))

    client, response = sign_in("dispatcher", PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_the_admin_sign_in_shares_the_limit(world):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    statuses = [sign_in("root", f"guess-{i}", url="/admin/login/")[1].status_code for i in range(12)]
    assert statuses == [200] * 9 + [429] * 3

    client, response = sign_in("root", PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and not signed_in(client)
    # The console's sign-in refuses the same account too.
    assert sign_in("root", PASSWORD)[1].status_code == 429


def test_one_accounts_lockout_does_not_lock_another_account_from_another_address(world):
    for i in range(15):
        sign_in("dispatcher", f"guess-{i}", REMOTE_ADDR="203.0.113.7")
    assert sign_in("dispatcher", PASSWORD, REMOTE_ADDR="198.51.100.20")[1].status_code == 429

    client, response = sign_in("hotline", PASSWORD, REMOTE_ADDR="198.51.100.20")

    assert response.status_code == 302 and signed_in(client)


def test_one_address_guessing_many_accounts_is_locked_out(world):
    statuses = [sign_in(f"user{i}", "guess", REMOTE_ADDR="203.0.113.7")[1].status_code for i in range(12)]
    assert statuses == [200] * 9 + [429] * 3
    # The address is locked, for a real account too; another address is not.
    assert sign_in("hotline", PASSWORD, REMOTE_ADDR="203.0.113.7")[1].status_code == 429
    assert sign_in("hotline", PASSWORD, REMOTE_ADDR="198.51.100.20")[1].status_code == 302


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    statuses = [sign_in(f"user{i}", "guess", REMOTE_ADDR="203.0.113.7",
                        HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")[1].status_code for i in range(12)]
    assert statuses == [200] * 9 + [429] * 3
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    statuses = [sign_in(f"user{i}", "guess", REMOTE_ADDR="10.0.0.1",
                        HTTP_X_FORWARDED_FOR=f"6.6.6.6, 192.0.2.{i}, 10.0.0.2")[1].status_code for i in range(12)]
    # A forged left-hand entry (6.6.6.6) is not taken: the proxy saw 192.0.2.i.
    assert statuses == [200] * 12
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"192.0.2.{i}" for i in range(12)}
