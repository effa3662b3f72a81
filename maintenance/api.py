"""Maintenance plans and contracts over HTTP: thin adapters over maintenance.plans and maintenance.selectors.

Contracts are seen through ``Contract.objects.visible_to``: the brand's staff see all of the brand's, a customer
their own; outlet staff and technicians none (they see the orders the visits became, which name the contract).
A contract the caller may not see is a 404. Plans: ``GET /plans?product_id=`` gives the plans that fit a unit the
caller may see (its customer's tier marked, priced in its region today); without a product, the brand's plans
(brand and outlet staff; a customer sees plans only for their own units).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Query, Router
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from core.api import AUTH, get_visible, page_params
from core.dates import brand_tz
from core.schema import Id, Input, Int
from customers.models import InstalledProduct
from maintenance import plans, selectors
from maintenance.models import Contract, MaintenancePlan

contracts_router = Router(tags=["maintenance"], auth=AUTH)
plans_router = Router(tags=["maintenance"], auth=AUTH)

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
                  WithJsonSchema({"type": "string", "example": "1280.00"})]


def _today() -> dt.date:
    return timezone.localdate(timezone.now(), brand_tz())


class PlanOut(BaseModel):
    id: int
    name: str
    tier: str
    category_id: int | None
    product_model_id: int | None
    tasks: str
    interval_months: int | None
    interval_litres: int | None
    interval_hours: int | None
    visits_per_year: int
    standard_minutes: int
    term_months: int
    hotline_emergency: bool
    priority_response: bool
    for_segment: bool | None = None
    price: Money | None = None


def _plan(plan: MaintenancePlan, *, for_segment: bool | None = None, price: Decimal | None = None) -> PlanOut:
    return PlanOut(id=plan.pk, name=plan.name, tier=plan.tier, category_id=plan.category_id,
                   product_model_id=plan.product_model_id, tasks=plan.tasks, interval_months=plan.interval_months,
                   interval_litres=plan.interval_litres, interval_hours=plan.interval_hours,
                   visits_per_year=plan.visits_per_year, standard_minutes=plan.standard_minutes,
                   term_months=plan.term_months, hotline_emergency=plan.hotline_emergency,
                   priority_response=plan.priority_response, for_segment=for_segment, price=price)


class PlanFilters(Input):
    product_id: Id | None = None


@plans_router.get("", response=list[PlanOut], summary="Maintenance plans (those that fit a unit, with product_id)")
def list_plans(request, filters: Query[PlanFilters]):
    if filters.product_id is None:
        return [_plan(p) for p in MaintenancePlan.objects.visible_to(request.user).filter(is_active=True)
                .order_by("category_id", "product_model_id", "tier", "pk")]
    product = get_visible(InstalledProduct.objects.select_related("product_model", "site", "customer"), request,
                          filters.product_id)
    return [_plan(f.plan, for_segment=f.for_segment, price=f.price) for f in plans.plans_for(product, on=_today())]


class VisitCounts(BaseModel):
    done: int
    due: int
    overdue: int
    planned: int
    cancelled: int


class UnitOut(BaseModel):
    product_id: int
    serial: str
    model: str
    site_id: int | None
    site_name: str
    site_address: str


class ContractOut(BaseModel):
    id: int
    number: str
    kind: str
    status: str
    customer_id: int
    customer_name: str
    plan_id: int
    plan_name: str
    tier: str
    starts_on: dt.date
    ends_on: dt.date
    price: Money
    sold_via: str
    hotline: str
    visits: VisitCounts


class ContractDetailOut(ContractOut):
    units: list[UnitOut]


class ContractPage(BaseModel):
    count: int
    page: int
    page_size: int
    items: list[ContractOut]


class ContractFilters(Input):
    customer_id: Id | None = None
    status: str | None = None
    page: Int = 1
    page_size: Int = 50


def _contract(c: Contract) -> dict:
    # The 400 hotline's emergency number (the brand's service line) comes with a plan that includes it.
    return dict(id=c.pk, number=c.number, kind=c.kind, status=c.status, customer_id=c.customer_id,
                customer_name=c.customer.name, plan_id=c.plan_id, plan_name=c.plan.name, tier=c.plan.tier,
                starts_on=c.starts_on, ends_on=c.ends_on, price=c.price, sold_via=c.sold_via,
                hotline=c.brand.phone if c.plan.hotline_emergency else "",
                visits=VisitCounts(done=c.n_done, due=c.n_due, overdue=c.n_overdue, planned=c.n_planned,
                                   cancelled=c.n_cancelled))


def _counted(request):
    return selectors.with_counts(selectors.contracts_seen_by(request.user).select_related("brand"), today=_today())


@contracts_router.get("", response=ContractPage, summary="Maintenance contracts the caller may see")
def list_contracts(request, filters: Query[ContractFilters]):
    page, size = page_params(filters.page, filters.page_size)
    rows = _counted(request)
    if filters.customer_id is not None:
        rows = rows.filter(customer_id=filters.customer_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    count = rows.count()
    items = [ContractOut(**_contract(c)) for c in rows.order_by("-starts_on", "-pk")[(page - 1) * size:page * size]]
    return ContractPage(count=count, page=page, page_size=size, items=items)


@contracts_router.get("/{contract_id}", response=ContractDetailOut, summary="One maintenance contract")
def get_contract(request, contract_id: Id):
    contract = get_visible(_counted(request), request, contract_id)
    units = [UnitOut(product_id=u.product_id, serial=u.product.serial, model=u.product.product_model.name,
                     site_id=u.product.site_id, site_name=u.product.site.name if u.product.site_id else "",
                     site_address=u.product.site.address if u.product.site_id else "")
             for u in contract.units.select_related("product__product_model", "product__site").order_by("pk")]
    return ContractDetailOut(**_contract(contract), units=units)


class VisitOut(BaseModel):
    id: int
    product_id: int
    serial: str
    site_name: str
    sequence: int
    target_week: dt.date
    status: str
    state: str
    work_order_id: int | None
    work_order_number: str | None
    work_order_status: str | None
    done_on: dt.date | None
    cancel_reason: str


@contracts_router.get("/{contract_id}/visits", response=list[VisitOut], summary="A contract's planned visits")
def list_visits(request, contract_id: Id):
    contract = get_visible(Contract.objects.all(), request, contract_id)
    found = []
    for row in selectors.visits_of(contract, today=_today()):
        v, order = row.visit, row.visit.work_order
        found.append(VisitOut(
            id=v.pk, product_id=v.product_id, serial=v.product.serial,
            site_name=v.product.site.name if v.product.site_id else "", sequence=v.sequence,
            target_week=v.target_week, status=v.status, state=row.state, work_order_id=v.work_order_id,
            work_order_number=order.number if order else None, work_order_status=order.status if order else None,
            done_on=v.done_on, cancel_reason=v.cancel_reason))
    return found
