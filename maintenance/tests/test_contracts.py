"""Signing a maintenance contract plans its visits; what does not fit is refused and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.principal import principal_of
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from core.errors import InvalidInput, PermissionDenied
from core.models import OutboxEvent
from customers.choices import CustomerKind
from customers.tests.factories import InstalledProductFactory, SiteFactory
from maintenance.choices import ContractKind, ContractStatus, SoldVia, VisitStatus
from maintenance.contracts import create_contract
from maintenance.errors import AlreadyUnderContract, PlanDoesNotFit, TermWithoutWeek
from maintenance.models import Contract, ContractUnit, ContractVisit, Schedule
from maintenance.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db
START = dt.date(2027, 1, 1)


@pytest.fixture
def enterprise(world):
    customer = world.customer
    customer.kind = CustomerKind.ENTERPRISE
    customer.save()
    hq, plant = SiteFactory(customer=customer, name="总部"), SiteFactory(customer=customer, name="工厂")
    units = [InstalledProductFactory(customer=customer, product_model=world.model, site=site)
             for site in (hq, hq, plant)]
    return units


def sign(world, products, **changes):
    args = dict(customer=world.customer, plan=changes.pop("plan", None) or PlanFactory(category=world.category,
                visits_per_year=4), products=products, starts_on=START, kind=ContractKind.ENTERPRISE,
                sold_via=SoldVia.CONTRACT, price=Decimal("12000.00"), actor=principal_of(world.admin))
    args.update(changes)
    return create_contract(**args)


def test_an_enterprise_contract_over_two_sites_plans_each_units_visits(world, enterprise):
    contract = sign(world, enterprise, number="WB-2027-001")

    assert (contract.number, contract.kind, contract.status, contract.starts_on, contract.ends_on, contract.price,
            contract.sold_by) == ("WB-2027-001", "enterprise", ContractStatus.ACTIVE, START, dt.date(2027, 12, 31),
                                  Decimal("12000.00"), world.admin)
    assert sorted(ContractUnit.objects.filter(contract=contract).values_list("product_id", flat=True)) == \
        sorted(p.pk for p in enterprise)
    weeks = [dt.date(2027, 2, 15), dt.date(2027, 5, 17), dt.date(2027, 8, 16), dt.date(2027, 11, 15)]
    assert list(ContractVisit.objects.filter(contract=contract).order_by("product_id", "sequence").values_list(
        "product_id", "sequence", "target_week", "status")) == [
        (p.pk, i, week, VisitStatus.PLANNED) for p in sorted(enterprise, key=lambda p: p.pk)
        for i, week in enumerate(weeks, start=1)]
    # Each unit's maintenance schedule for the term (the reminders' schedule_plan).
    assert sorted(Schedule.objects.filter(contract=contract).values_list("product_id", "plan_id", "ends_on")) == \
        sorted((p.pk, contract.plan_id, dt.date(2027, 12, 31)) for p in enterprise)
    event = OutboxEvent.objects.get(kind="contract.created")
    assert (event.subject_id, event.data["visits"], event.data["price"]) == (contract.pk, 12, "12000.00")


def test_numbers_run_per_brand_and_month(world, enterprise):
    first = sign(world, enterprise[:1], kind=ContractKind.HOUSEHOLD)
    second = sign(world, enterprise[1:2], kind=ContractKind.HOUSEHOLD)
    assert first.number[:3] == "MC-" and first.number[-5:] == "00001"
    assert second.number == first.number[:-5] + "00002"


@pytest.mark.parametrize("case", ["household_two", "foreign_unit", "no_unit", "negative_price", "inactive_plan",
                                  "outlet_staff", "other_customer_as_customer", "duplicate_number"])
def test_what_does_not_fit_is_refused_and_nothing_changes(world, enterprise, case):
    sign(world, enterprise[2:], number="WB-1")
    before = (Contract.objects.count(), ContractUnit.objects.count(), ContractVisit.objects.count())
    expected, changes = {
        "household_two": (InvalidInput, dict(kind=ContractKind.HOUSEHOLD)),
        "foreign_unit": (InvalidInput, dict(products=[enterprise[0], world.other_product])),
        "no_unit": (InvalidInput, dict(products=[])),
        "negative_price": (InvalidInput, dict(price=Decimal("-1"))),
        "inactive_plan": (InvalidInput, dict(plan=PlanFactory(category=world.category, is_active=False))),
        "outlet_staff": (PermissionDenied, dict(actor=principal_of(world.manager_a))),
        "other_customer_as_customer": (PermissionDenied, dict(actor=principal_of(world.other_customer.user))),
        "duplicate_number": (InvalidInput, dict(number="WB-1")),
    }[case]
    with pytest.raises(expected):
        sign(world, changes.pop("products", enterprise[:2]), **changes)
    assert (Contract.objects.count(), ContractUnit.objects.count(), ContractVisit.objects.count()) == before


def test_a_plan_for_another_category_does_not_fit(world, enterprise):
    plan = PlanFactory(category=CategoryFactory(brand=world.brand, code="ac"))
    with pytest.raises(PlanDoesNotFit):
        sign(world, enterprise, plan=plan)
    plan = PlanFactory(category=None, product_model=ProductModelFactory(category=world.category), brand=world.brand)
    with pytest.raises(PlanDoesNotFit):
        sign(world, enterprise, plan=plan)
    assert Contract.objects.count() == 0


def test_a_unit_under_an_active_contract_on_any_of_the_days_is_refused(world, enterprise):
    sign(world, enterprise[:1])
    with pytest.raises(AlreadyUnderContract) as refused:
        sign(world, enterprise[:2], starts_on=dt.date(2027, 12, 31))
    assert refused.value.detail == {"serials": [enterprise[0].serial]}
    after = sign(world, enterprise[:2], starts_on=dt.date(2028, 1, 1))  # the next term: a renewal
    assert after.units.count() == 2


def test_a_customer_buys_their_own_household_plan(world):
    contract = sign(world, [world.product], kind=ContractKind.HOUSEHOLD, sold_via=SoldVia.PORTAL,
                    actor=principal_of(world.customer.user), price="399.00")
    assert (contract.sold_by, contract.price, contract.visits.count()) == (world.customer.user, Decimal("399.00"), 4)


def test_a_term_without_a_monday_is_refused(world):
    with pytest.raises(TermWithoutWeek):
        sign(world, [world.product], kind=ContractKind.HOUSEHOLD, starts_on=dt.date(2027, 1, 5),
             ends_on=dt.date(2027, 1, 10))
    assert Contract.objects.count() == 0
