"""The admin pages of settlement open; a tariff keeps the one-published-per-day rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from settlement import services
from settlement.models import FraudFlag, LineDispute, SettlementLine, SettlementRule, Statement, Tariff
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db


def test_the_admin_shows_every_settlement_model(world, client):
    w = prepare_settlement(world)
    completed(w)
    [statement] = services.generate(brand=w.brand, period=PERIOD)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    for model in (Tariff, SettlementRule, Statement, SettlementLine, LineDispute, FraudFlag):
        name = f"admin:settlement_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, model
    form = client.get(reverse("admin:settlement_tariff_add")).content.decode()
    assert 'name="fees-TOTAL_FORMS"' in form and 'name="parts-TOTAL_FORMS"' in form
    assert client.get(reverse("admin:settlement_statement_change", args=[statement.pk])).status_code == 200
    assert client.get(reverse("admin:settlement_statement_add")).status_code == 403


def test_two_published_tariffs_of_a_brand_may_not_share_a_day(world):
    w = prepare_settlement(world)  # published for 2026
    later = Tariff(brand=w.brand, name="2027", valid_from=dt.date(2026, 12, 31), is_published=True)
    with pytest.raises(ValidationError):
        later.clean()
    later.valid_from = dt.date(2027, 1, 1)
    later.clean()
    draft = Tariff(brand=w.brand, name="draft", valid_from=dt.date(2026, 6, 1))  # unpublished: allowed
    draft.clean()


def test_a_rule_needs_an_amount_or_a_share(world):
    rule = SettlementRule(brand=world.brand, kind="rework", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        rule.clean()
    rule.share = Decimal("50.00")
    rule.clean()
