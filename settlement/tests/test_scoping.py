"""Who sees statements and their lines (docs/settlement.md, "Who sees what")."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from settlement import services
from settlement.models import SettlementLine, Statement, StatementEvent, Tariff, TariffFee
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    w = prepare_settlement(world)
    completed(w)
    completed(w, outlet=w.outlet_b)
    w.statement_a, w.statement_b = services.generate(brand=w.brand, period=PERIOD)
    w.tech_statement = Statement.objects.create(brand=w.brand, outlet=w.outlet_a, technician=w.tech_a,
                                                period=PERIOD)
    return w


def seen(model, user) -> set[int]:
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_finance_and_the_brand_admin_see_all_the_brands_statements(w):
    everything = {w.statement_a.pk, w.statement_b.pk, w.tech_statement.pk}
    assert seen(Statement, w.finance) == everything
    assert seen(Statement, w.admin) == everything
    assert seen(SettlementLine, w.finance) == set(SettlementLine.objects.values_list("pk", flat=True))


def test_an_outlets_manager_sees_only_their_outlets_statements_and_lines(w):
    assert seen(Statement, w.manager_a) == {w.statement_a.pk, w.tech_statement.pk}
    assert w.statement_b.pk not in seen(Statement, w.manager_a)
    assert seen(SettlementLine, w.manager_a) == set(w.statement_a.lines.values_list("pk", flat=True))
    assert seen(Statement, w.manager_b) == {w.statement_b.pk}


def test_a_technician_sees_only_his_own_statement_once_it_is_sent(w):
    assert seen(Statement, w.tech_a.user) == set()  # a draft is finance's work in progress
    Statement.objects.filter(pk=w.tech_statement.pk).update(state="sent")
    assert seen(Statement, w.tech_a.user) == {w.tech_statement.pk}
    assert seen(Statement, w.tech_b.user) == set()
    assert seen(SettlementLine, w.tech_a.user) == set()


@pytest.mark.parametrize("persona", ["customer", "dispatcher", "hotline", "rival_dispatcher"])
def test_customers_other_brand_staff_and_other_brands_see_no_statement(w, persona):
    user = getattr(w, persona)
    user = getattr(user, "user", user)
    for model in (Statement, SettlementLine, StatementEvent):
        assert seen(model, user) == set()


def test_an_outlet_dispatcher_sees_no_statement(w):
    clerk = UserFactory(username="outlet_clerk")
    MembershipFactory(user=clerk, organisation=w.outlet_a, role=Role.OUTLET_DISPATCHER)
    assert seen(Statement, clerk) == set()


def test_tariffs_are_the_brands_master_data_and_never_a_customers(w):
    assert seen(Tariff, w.manager_a) == {w.tariff.pk}
    assert seen(TariffFee, w.manager_a) == set(w.tariff.fees.values_list("pk", flat=True))
    assert seen(Tariff, w.customer.user) == set()
    assert seen(Tariff, w.rival_dispatcher) == set()
