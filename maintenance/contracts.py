"""Maintenance contracts: a household plan for one unit, or an enterprise 维保合同 over several sites and units.

Creating one plans its visits (one ContractVisit per unit and target week, maintenance/visitplan.py) and, through
the reminders' ``schedule_plan``, each unit's maintenance schedule for the term.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core import outbox
from core.errors import InvalidInput, PermissionDenied
from core.sequences import next_value
from customers.choices import OUT_OF_SERVICE, ProductStatus
from customers.models import Customer, InstalledProduct
from maintenance import visitplan
from maintenance.choices import ContractKind, ContractStatus, SoldVia
from maintenance.errors import AlreadyUnderContract, PlanDoesNotFit, TermWithoutWeek
from maintenance.models import Contract, ContractUnit, ContractVisit, MaintenancePlan
from maintenance.plans import fits
from maintenance.schedules import schedule_plan
from revenue.models import Lead

# Brand staff who sign contracts: the brand's admin and the hotline (which sells plans over the phone).
CONTRACT_SELLERS = frozenset({Role.BRAND_ADMIN, Role.HOTLINE_AGENT})
NUMBER_MAX = Contract._meta.get_field("number").max_length


def _check_actor(actor: Principal | None, customer: Customer) -> None:
    if actor is None or actor.is_system:
        return
    if actor.brand_id != customer.brand_id:
        raise InvalidInput(_("Unknown customer."), field="customer")
    if actor.is_customer:
        if actor.customer_id != customer.pk:
            raise PermissionDenied()
        return
    if actor.role not in CONTRACT_SELLERS:
        raise PermissionDenied(_("Your role may not sign maintenance contracts."))


def _check_price(price) -> Decimal:
    try:
        value = Decimal(price)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(_("Enter a valid amount."), field="price") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")) or value >= 10 ** 10:
        raise InvalidInput(_("Enter a valid amount."), field="price")
    return value


def _check_units(*, customer: Customer, plan: MaintenancePlan, products: Sequence[InstalledProduct], kind: str,
                 starts_on: dt.date, ends_on: dt.date) -> list[InstalledProduct]:
    units = list({p.pk: p for p in products}.values())
    if not units:
        raise InvalidInput(_("Choose at least one unit."), field="products")
    if kind == ContractKind.HOUSEHOLD and len(units) != 1:
        raise InvalidInput(_("A household plan covers exactly one unit."), field="products")
    for product in units:
        if product.customer_id != customer.pk:
            raise InvalidInput(_("The product belongs to another customer."), field="products")
        if product.status == ProductStatus.RETIRED:
            raise InvalidInput(_("A retired unit cannot be put under contract."), field="products")
        if product.status in OUT_OF_SERVICE:
            raise InvalidInput(_("A unit exchanged at the repair centre cannot be put under contract."),
                               field="products")
        if not fits(plan, product):
            raise PlanDoesNotFit(field="products", serial=product.serial)
    taken = (ContractUnit.objects.filter(product__in=[p.pk for p in units], contract__status=ContractStatus.ACTIVE,
                                         contract__starts_on__lte=ends_on, contract__ends_on__gte=starts_on)
             .values_list("product__serial", flat=True).order_by("product__serial"))
    serials = list(taken)
    if serials:
        raise AlreadyUnderContract(field="products", serials=serials)
    return units


def _number(brand_id: int, now: dt.datetime) -> str:
    local = timezone.localtime(now)
    return f"MC-{local:%Y%m}-{next_value(f'mc:{brand_id}:{local:%Y%m}'):05d}"


def create_contract(*, customer: Customer, plan: MaintenancePlan, products: Sequence[InstalledProduct],
                    starts_on: dt.date, kind: str, sold_via: str, price: Decimal, actor: Principal | None = None,
                    lead: Lead | None = None, number: str | None = None,
                    ends_on: dt.date | None = None) -> Contract:
    """Sign a contract of ``plan`` for ``customer``'s ``products`` from ``starts_on`` (to ``ends_on``, by default
    the end of the plan's term) and plan its visits and the units' maintenance schedules; one transaction.

    The caller fetched customer, plan and products through ``visible_to``; here they are checked against each
    other: the plan is the customer's brand's, active, and fits every unit; the units are the customer's, not
    retired or exchanged and not under another active contract on any of these days; a household plan has one unit.
    ``number`` defaults to the brand's next ``MC-<yyyymm>-<n>``.
    """
    _check_actor(actor, customer)
    if kind not in ContractKind.values:
        raise InvalidInput(_("Choose a valid option."), field="kind", allowed=list(ContractKind.values))
    if sold_via not in SoldVia.values:
        raise InvalidInput(_("Choose a valid option."), field="sold_via", allowed=list(SoldVia.values))
    if plan.brand_id != customer.brand_id or not plan.is_active:
        raise InvalidInput(_("Choose an active plan of this brand."), field="plan")
    if lead is not None and (lead.brand_id != customer.brand_id or lead.customer_id != customer.pk):
        raise InvalidInput(_("The lead is another customer's."), field="lead")
    amount = _check_price(price)
    ends_on = ends_on or visitplan.term_end(starts_on, plan.term_months)
    if ends_on < starts_on:
        raise InvalidInput(_("The contract must end on or after the day it starts."), field="ends_on")
    weeks = visitplan.target_weeks(starts_on, ends_on, plan.visits_per_year)
    if not weeks:
        raise TermWithoutWeek(field="ends_on")
    number = (number or "").strip()
    if len(number) > NUMBER_MAX:
        raise InvalidInput(_("This text is too long."), field="number", max_length=NUMBER_MAX)
    now = timezone.now()
    with transaction.atomic():
        units = _check_units(customer=customer, plan=plan, products=products, kind=kind, starts_on=starts_on,
                             ends_on=ends_on)
        if number and Contract.objects.filter(brand_id=customer.brand_id, number=number).exists():
            raise InvalidInput(_("A contract with this number exists already."), field="number")
        contract = Contract(
            brand_id=customer.brand_id, number=number or _number(customer.brand_id, now), kind=kind,
            customer=customer, plan=plan, starts_on=starts_on, ends_on=ends_on, status=ContractStatus.ACTIVE,
            price=amount, sold_via=sold_via, sold_by=actor.user if actor is not None else None, lead=lead)
        try:
            with transaction.atomic():
                contract.save()
        except IntegrityError:
            raise InvalidInput(_("A contract with this number exists already."), field="number") from None
        ContractUnit.objects.bulk_create([ContractUnit(contract=contract, product=p) for p in units])
        ContractVisit.objects.bulk_create([
            ContractVisit(contract=contract, product=p, sequence=i, target_week=week)
            for p in units for i, week in enumerate(weeks, start=1)])
        for product in units:
            schedule_plan(product=product, plan=plan, contract=contract, starts_on=starts_on, ends_on=ends_on)
        outbox.record("contract.created", brand_id=contract.brand_id, subject=("contract", contract.pk), data={
            "number": contract.number, "customer_id": customer.pk, "plan_id": plan.pk, "kind": kind,
            "units": [p.pk for p in units], "visits": len(weeks) * len(units), "price": str(amount),
            "sold_via": sold_via, "actor_id": getattr(contract.sold_by, "pk", None)}, at=now)
    return contract
