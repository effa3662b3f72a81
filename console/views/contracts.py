"""Maintenance plans and contracts in the staff console (brand staff): the plans of each tier, the contracts with
their visits done / due / overdue, a new contract over a customer's units across sites.

Thin adapters over maintenance.plans, maintenance.contracts and maintenance.selectors (STYLE.md §2). A contract or
plan named in the address is fetched through visible_to first (404); then the seat.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.principal import Principal
from console.contract_forms import ContractForm, CustomerSearchForm, PlanForm
from core.dates import brand_tz
from core.errors import DomainError
from core.forms import add_domain_error
from core.pages import staff_page
from customers.models import Customer
from maintenance import plans, selectors
from maintenance.choices import ContractStatus, SoldVia
from maintenance.contracts import CONTRACT_SELLERS, create_contract
from maintenance.models import Contract, MaintenancePlan

PAGE_SIZE = 100


def _brand_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.is_brand_staff


def _seller(principal: Principal | None) -> bool:
    return _brand_staff(principal) and principal.role in CONTRACT_SELLERS


def _visible_contract(user, pk: int) -> Contract | None:
    return selectors.contracts_seen_by(user).filter(pk=pk).first()


def _visible_plan(user, pk: int) -> MaintenancePlan | None:
    return MaintenancePlan.objects.visible_to(user).filter(pk=pk).first()


contracts_page = staff_page(seat=_brand_staff, fetch=_visible_contract, as_name="contract")
plans_page = staff_page(seat=_brand_staff, fetch=_visible_plan, as_name="plan")
plan_editor = staff_page(seat=plans.may_edit_plans, fetch=_visible_plan, as_name="plan")
seller_page = staff_page(seat=_seller)


def _today():
    return timezone.localdate(timezone.now(), brand_tz())


@require_GET
@contracts_page
def contract_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    status = request.GET.get("status", ContractStatus.ACTIVE)
    rows = selectors.with_counts(selectors.contracts_seen_by(request.user), today=_today())
    if status in ContractStatus.values:
        rows = rows.filter(status=status)
    contracts = list(rows.order_by("-starts_on", "-pk")[:PAGE_SIZE])
    totals = {k: sum(getattr(c, f"n_{k}") for c in contracts) for k in ("done", "due", "overdue")}
    return render(request, "console/contracts/contract_list.html", {
        "contracts": contracts, "status": status, "statuses": ContractStatus.choices, "totals": totals,
        "may_sell": _seller(principal), "created": request.GET.get("created", "")})


@require_GET
@contracts_page
def contract_detail(request: HttpRequest, *, principal: Principal, contract: Contract) -> HttpResponse:
    today = _today()
    counted = selectors.with_counts(Contract.objects.filter(pk=contract.pk), today=today).get()
    units = contract.units.select_related("product__product_model", "product__site").order_by("product__site__name",
                                                                                             "product__serial")
    return render(request, "console/contracts/contract_detail.html", {
        "contract": contract, "counted": counted, "units": list(units),
        "visits": selectors.visits_of(contract, today=today), "hotline": contract.brand.phone
        if contract.plan.hotline_emergency else ""})


@require_http_methods(["GET", "POST"])
@seller_page
def contract_new(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    customer = None
    raw = request.POST.get("customer") or request.GET.get("customer") or ""
    if raw.isdigit() and len(raw) < 19:
        customer = Customer.objects.visible_to(request.user).filter(pk=int(raw)).first()
    if customer is None:
        search = CustomerSearchForm(request.GET or None)
        found = []
        if search.is_valid():
            q = search.cleaned_data["q"].strip()
            found = list(Customer.objects.visible_to(request.user).filter(
                Q(phone__contains=q) | Q(name__contains=q)).order_by("name", "pk")[:20])
        return render(request, "console/contracts/contract_new.html", {"search": search, "found": found})
    form = ContractForm(request.POST or None, user=request.user, customer=customer,
                        initial={"kind": customer.kind, "starts_on": _today()})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = create_contract(
                customer=customer, plan=data["plan"], products=list(data["products"]), starts_on=data["starts_on"],
                ends_on=data["ends_on"], kind=data["kind"], sold_via=SoldVia.CONTRACT, price=data["price"],
                actor=principal, number=data["number"] or None)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            return redirect(reverse("console:contract", args=[contract.pk]))
    elif request.method == "POST":
        status = 422
    return render(request, "console/contracts/contract_new.html", {"customer": customer, "form": form},
                  status=status)


@require_GET
@plans_page
def plan_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    rows = (MaintenancePlan.objects.visible_to(request.user).select_related("category", "product_model")
            .prefetch_related("prices__price_list", "prices__region", "parts__part")
            .order_by("category__name", "product_model__code", "tier", "pk"))
    return render(request, "console/contracts/plan_list.html", {
        "plans": list(rows), "may_edit": plans.may_edit_plans(principal)})


@require_http_methods(["GET", "POST"])
@plan_editor
def plan_edit(request: HttpRequest, *, principal: Principal, plan: MaintenancePlan | None = None) -> HttpResponse:
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            plans.save_plan(actor=principal, plan=plan, values=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            return redirect(reverse("console:plans"))
    elif request.method == "POST":
        status = 422
    return render(request, "console/contracts/plan_form.html", {"form": form, "plan": plan}, status=status)
