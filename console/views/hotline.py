"""The hotline desk: find the caller, create them inline, take the request with its estimate and slot, log the call.

Thin adapters (STYLE.md §2): customers.services makes customers, sites and products; workorders.intake
previews and submits requests (channel hotline); workorders.calls logs outcomes. Every object comes
through ``visible_to``; a foreign one is a 404. htmx swaps the caller panel (or the preview inside it);
a refusal comes back with its status and the X-Domain-Error header, the message beside its field.
"""

from __future__ import annotations

from itertools import groupby

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from catalog.choices import ServiceType
from console.hotline_forms import (
    CallerSearchForm,
    CallForm,
    NewCallerForm,
    ProductForm,
    RequestForm,
    SiteFields,
    slot_value,
)
from core.dates import brand_tz
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import refusal, staff_page
from core.phones import try_normalize_phone
from customers import services as customer_services
from customers.models import Customer
from customers.services import DuplicatePhone
from pricing import warranty
from workorders import intake, selectors
from workorders.calls import CALL_ROLES, log_call
from workorders.models import CallOutcome, WorkOrder

PAGE = "console/hotline/desk.html"
PANEL = "console/hotline/_partials/caller.html"
SITE_ALIASES = {"name": "site_name"}


def hotline_seat(principal: Principal | None) -> bool:
    return principal is not None and principal.role in CALL_ROLES


def _visible_customer(user, pk: int) -> Customer | None:
    return Customer.objects.visible_to(user).filter(pk=pk).first()


# Signed in with a hotline seat; a caller named in the address is fetched through visible_to first (404).
desk_required = staff_page(seat=hotline_seat, refuse=refusal("console/hotline/no_desk.html"),
                           fetch=_visible_customer, as_name="customer")


# --- the panel ---------------------------------------------------------------------------------------------


def _slot_days(slots) -> list[tuple]:
    tz = brand_tz()
    rows = [(timezone.localtime(s.start, tz), timezone.localtime(s.end, tz), s) for s in slots]
    return [(day, [(start, end, s, slot_value(s.start, s.end)) for start, end, s in group])
            for day, group in groupby(rows, key=lambda r: r[0].date())]


def _preview_context(form: RequestForm, *, error: DomainError | None = None) -> dict:
    """The estimate, duplicate warning and slots for what the request form holds now."""
    product = form.product
    context = {"request_form": form, "product": product, "preview": None, "preview_error": error,
               "chosen_slot": form.data.get(form.add_prefix("slot"), "") if form.is_bound else ""}
    if product is None:
        return context
    service_type = (form.data.get(form.add_prefix("service_type")) if form.is_bound else None) or "repair"
    symptom_code = (form.data.get(form.add_prefix("symptom_code")) if form.is_bound else "") or ""
    try:
        found = intake.preview(product=product, service_type=service_type, symptom_code=symptom_code)
    except DomainError as exc:
        context["preview_error"] = context["preview_error"] or exc
        return context
    context.update(preview=found, slot_days=_slot_days(found.slots))
    offered = [slot_value(s.start, s.end) for s in found.slots]
    if found.service_type == ServiceType.MAIL_IN and offered and context["chosen_slot"] not in offered:
        # Without a choice intake books the first pickup window: shown picked, so the agent sees what is booked.
        context["chosen_slot"] = offered[0]
    return context


def _caller_context(request: HttpRequest, customer: Customer, **parts) -> dict:
    products = list(customer.products.select_related("product_model__category", "site", "exchanged_for")
                    .prefetch_related("exchanged_from").order_by("pk"))
    recent = {}
    for product in products:
        recent[product.pk] = selectors.recent_orders_of_product(product)
    verdicts = warranty.verdicts(products)
    request_form = parts.pop("request_form", None) or RequestForm(
        prefix="request", customer=customer, initial={"product": products[0] if len(products) == 1 else None})
    follow = parts.pop("follow", None)
    call_form = parts.pop("call_form", None) or CallForm(
        prefix="call", customer=customer,
        initial={"order": follow, "outcome": CallOutcome.EXISTING_ORDER if follow else None})
    context = {
        "customer": customer,
        "sites": list(customer.sites.select_related("region").order_by("pk")),
        "products": [(p, verdicts[p.pk], recent[p.pk]) for p in products],
        "orders": list(customer.work_orders.select_related("product__product_model").order_by("-created_at")[:8]),
        "calls": selectors.recent_calls(request.user, customer),
        "site_form": parts.pop("site_form", None) or SiteFields(prefix="site", user=request.user),
        "product_form": parts.pop("product_form", None) or ProductForm(prefix="product", user=request.user,
                                                                         customer=customer),
        "call_form": call_form,
        **_preview_context(request_form, error=parts.pop("preview_error", None)),
        **parts,
    }
    return context


def _panel(request: HttpRequest, customer: Customer, status: int = 200, **parts) -> HttpResponse:
    context = {"search_form": CallerSearchForm(), **_caller_context(request, customer, **parts)}
    response = render_page(request, PAGE, context, partial=PANEL)
    if request.htmx and status == 200:
        response["HX-Push-Url"] = reverse("console:hotline-caller", args=[customer.pk])
    return refused(response, status) if status >= 400 else response


# --- views -------------------------------------------------------------------------------------------------


@require_GET
@desk_required
def desk(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = CallerSearchForm(request.GET or None)
    callers = []
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        callers = _with_flags(selectors.find_callers(request.user, query))
    context = {"search_form": form, "query": query, "callers": callers, "searched": bool(query),
               "new_form": NewCallerForm(prefix="new", user=request.user,
                                         initial={"phone": query if query[:1] in "+0123456789" else ""})}
    return render_page(request, PAGE, context, partial="console/hotline/_partials/results.html")


def _with_flags(callers: list[Customer]) -> list[tuple[Customer, list, list]]:
    """Each caller with their products and their orders a new request would duplicate."""
    found = []
    for customer in callers:
        products = list(customer.products.select_related("product_model").order_by("pk")[:10])
        busy = [o for p in products for o in selectors.recent_orders_of_product(p)]
        found.append((customer, products, busy))
    return found


@require_GET
@desk_required
def caller(request: HttpRequest, *, principal: Principal, customer: Customer) -> HttpResponse:
    follow = None
    if request.GET.get("follow"):
        follow = WorkOrder.objects.visible_to(request.user).filter(customer=customer,
                                                                   pk=request.GET["follow"]).first()
    return _panel(request, customer, follow=follow)


@require_POST
@desk_required
def new_caller(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = NewCallerForm(request.POST, prefix="new", user=request.user)
    known, status = None, 422
    if form.is_valid():
        try:
            # The customer and the first site stand or fall together.
            with transaction.atomic():
                customer = customer_services.create_customer(actor=principal, **form.customer_values())
                try:
                    customer_services.create_site(actor=principal, customer=customer, **form.site_values())
                except DomainError as error:
                    add_domain_error(form, error, aliases=SITE_ALIASES)
                    raise
        except DuplicatePhone as error:
            # The phone is a known customer's: offer that one; a second record only with the agent's reason.
            known = Customer.objects.visible_to(request.user).filter(pk=error.detail.get("customer_id")).first()
            status = error.status
        except DomainError as error:
            if not form.errors:
                add_domain_error(form, error)
        else:
            # The search side starts afresh: the new customer's form must not linger with its old input.
            return _panel(request, customer, notice="customer_created", oob_results=bool(request.htmx),
                          new_form=NewCallerForm(prefix="new", user=request.user), searched=False)
    context = {"search_form": CallerSearchForm(), "new_form": form, "callers": [], "searched": False, "new_open": True,
               "known": known}
    response = refused(render_page(request, PAGE, context, partial="console/hotline/_partials/new_caller.html"), status)
    if request.htmx:
        # The form targets the caller panel for its success; a refusal re-renders the form itself.
        response["HX-Retarget"] = "#new-caller"
        response["HX-Reswap"] = "outerHTML"
    return response


@require_GET
@desk_required
def known_phone(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    """While the agent types a new caller's phone: the customer who already has it, offered at once."""
    phone = try_normalize_phone(request.GET.get("new-phone", "")[:32])
    known = (Customer.objects.visible_to(request.user).filter(phone=phone, duplicate_reason="").first()
             if phone else None)
    return render(request, "console/hotline/_partials/known_phone.html", {"known": known})


@require_POST
@desk_required
def add_site(request: HttpRequest, *, principal: Principal, customer: Customer) -> HttpResponse:
    form = SiteFields(request.POST, prefix="site", user=request.user)
    if form.is_valid():
        try:
            customer_services.create_site(actor=principal, customer=customer, **form.site_values())
        except DomainError as error:
            add_domain_error(form, error, aliases=SITE_ALIASES)
        else:
            return _panel(request, customer, notice="site_added")
    return _panel(request, customer, status=422, site_form=form, open_part="site")


@require_POST
@desk_required
def pin_site(request: HttpRequest, *, principal: Principal, customer: Customer, site_id: int) -> HttpResponse:
    """The agent corrects a site's location on the map; the panel (and its estimate) is drawn again."""
    site = customer.sites.filter(pk=site_id).first()
    if site is None:
        raise Http404
    try:
        customer_services.pin_site(actor=principal, site=site, latitude=request.POST.get("latitude", ""),
                                   longitude=request.POST.get("longitude", ""))
    except DomainError as error:
        return _panel(request, customer, status=error.status, pin_error=(site.pk, error.message))
    return _panel(request, customer, notice="site_pinned")


@require_POST
@desk_required
def add_product(request: HttpRequest, *, principal: Principal, customer: Customer) -> HttpResponse:
    form = ProductForm(request.POST, prefix="product", user=request.user, customer=customer)
    status = 422
    if form.is_valid():
        try:
            product = customer_services.register_product(actor=principal, customer=customer, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            request_form = RequestForm(prefix="request", customer=customer, initial={"product": product})
            return _panel(request, customer, notice="product_added", request_form=request_form)
    return _panel(request, customer, status=status, product_form=form, open_part="product")


@require_GET
@desk_required
def preview(request: HttpRequest, *, principal: Principal, customer: Customer) -> HttpResponse:
    form = RequestForm(request.GET, prefix="request", customer=customer)
    # The symptom list follows the product chosen: swapped out of band beside the preview; so does the service
    # when the preview's one-tap switch to mail-in (no outlet serves the address) asked for it.
    return render(request, "console/hotline/_partials/preview.html",
                  {**_preview_context(form), "oob": True, "customer": customer,
                   "switched": request.GET.get("switch") == ServiceType.MAIL_IN})


@require_POST
@desk_required
def create_request(request: HttpRequest, *, principal: Principal, customer: Customer) -> HttpResponse:
    form = RequestForm(request.POST, prefix="request", customer=customer)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = intake.submit_request(
                actor=principal, customer=customer, service_type=data["service_type"], channel="hotline",
                product=data["product"], site=data["product"].site, symptom_code=data["symptom_code"],
                description=data["description"], slot=data["slot"], priority=data["priority"],
            )
        except DomainError as error:
            add_domain_error(form, error, aliases={"symptom": "description", "product": "product"})
            status = error.status
        else:
            call_form = CallForm(prefix="call", customer=customer,
                                 initial={"order": order, "outcome": CallOutcome.ORDER_CREATED})
            return _panel(request, customer, created=order, call_form=call_form)
    return _panel(request, customer, status=status, request_form=form)


@require_POST
@desk_required
def record_call(request: HttpRequest, *, principal: Principal, customer: Customer) -> HttpResponse:
    form = CallForm(request.POST, prefix="call", customer=customer)
    if form.is_valid():
        data = form.cleaned_data
        try:
            call = log_call(actor=principal, customer=customer, outcome=data["outcome"], note=data["note"],
                            order=data["order"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _panel(request, customer, logged=call)
    return _panel(request, customer, status=422, call_form=form)
