"""Rate limits and single use hold when many requests arrive at once (threads on the real database,
each with its own connection, as separate web processes would be)."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from conftest import build_world, race
from core.errors import DomainError
from customers.models import Customer
from portal import otp, throttle
from portal.models import OneTimeCode, RateCounter
from portal.services import customer_for_phone

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_limit_is_never_exceeded_under_a_burst():
    limit = throttle.Limit("burst", 3, 3600)
    results = race(lambda i: throttle.hit(limit, "same-phone"), 8)
    allowed = [r for r in results if r is None]
    assert len(allowed) == 3, results
    assert all(isinstance(r, throttle.Refusal) for r in results if r is not None)
    assert RateCounter.objects.get(key="burst:same-phone").count == 3


def test_one_code_signs_in_once_when_sent_twice_at_once(sms):
    world = build_world()
    otp.request_code(brand=world.brand, phone="13900000001", ip="1.1.1.1")
    code = sms.last_code("+8613900000001")
    results = race(lambda i: otp.check_code(brand=world.brand, phone="13900000001", code=code,
                                             ip=f"2.2.2.{i}"), 6)
    winners = [r for r in results if r == "+8613900000001"]
    assert len(winners) == 1, results
    assert all(isinstance(r, DomainError) and r.code == "code_expired" for r in results if r not in winners), results
    assert OneTimeCode.objects.get().used_at is not None


def test_first_sign_ins_at_once_make_one_user_and_one_membership():
    world = build_world()
    walk_in = Customer.objects.create(brand=world.brand, name="新客户", phone="+8613722223333")
    results = race(lambda i: customer_for_phone(brand=world.brand, phone="+8613722223333").user_id, 4)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    walk_in.refresh_from_db()
    assert walk_in.user_id == results[0]
    assert Membership.objects.filter(user_id=results[0]).count() == 1
