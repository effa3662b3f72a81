"""The hook registry lower layers use to cause effects above them (core/hooks.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.hooks import Hook, Provider


def test_a_hook_calls_its_receivers_in_order_once_each():
    hook = Hook("order-finished")
    calls = []

    def first(*, order):
        calls.append(("first", order))
        return 1

    def second(*, order):
        calls.append(("second", order))
        return 2

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)
    assert hook.send(order=7) == [1, 2]
    assert calls == [("first", 7), ("second", 7)]
    hook.disconnect(first)
    assert hook.receivers == (second,)


def test_a_receivers_error_reaches_the_caller():
    hook = Hook("sla-breached")

    @hook.connect
    def failing(**kwargs):
        raise ValueError("no recipient")

    with pytest.raises(ValueError, match="no recipient"):
        hook.send(order=1)


def test_a_provider_must_be_registered_once_before_use():
    offer = Provider("workorders.slots.offer_slots")
    with pytest.raises(ImproperlyConfigured, match="Nothing provides workorders.slots.offer_slots"):
        offer(day=1)
    assert not offer.registered

    def implementation(*, day):
        return [day]

    offer.register(implementation)
    offer.register(implementation)
    assert offer(day=3) == [3]

    def another(*, day):
        return []

    with pytest.raises(ImproperlyConfigured, match="provided twice"):
        offer.register(another)
