"""Report a problem "like calling a taxi": product, symptom, self-help first, price and warranty, a slot, confirm.

One page: the choices post back with htmx (``report-next`` partial: articles, estimate, slots) so the
description and photos the customer already entered stay in the form; the confirm button sends it all
at once to ``workorders.intake.submit_request``. Without JavaScript the same page works by plain GET.

Sending the unit in (mail-in) instead of a visit: the slots are the courier's pickup windows, the estimate adds the
courier's fee (logistics.workflow.courier_fee), and where no repair centre takes the product the page says so
beside the choice and offers a visit instead. The other way round: where no outlet serves the address at all and
the unit may be sent in (the preview's ``mail_in_instead``), the visit's slots give way to one tap to send it in.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.choices import ServiceType
from catalog.models import Symptom
from core.errors import DomainError
from core.htmx import render_page
from core.images import MAX_PHOTOS
from customers.models import InstalledProduct
from knowledge.selectors import matching_articles
from portal import selectors, slotpicker
from portal.access import Seat, customer_page
from workorders import intake
from workorders.models import SYMPTOM_MAX

FIELDS = ("product", "symptom_code", "description", "photos", "slot", "service_type")
# What a customer books here: a visit to put a fault right, or sending the unit in.
PORTAL_SERVICE_TYPES = (ServiceType.REPAIR, ServiceType.MAIL_IN)
OTHER = "__other"  # "something else": no symptom from the list, the description says it


def _symptom_choice(data) -> tuple[bool, str]:
    """(chosen, code): whether a symptom (or "something else") was picked, and the code for intake."""
    raw = (data.get("symptom_code") or "").strip()
    return bool(raw), "" if raw == OTHER else raw


def _product(request: HttpRequest, raw: str | None) -> InstalledProduct | None:
    if not raw or not str(raw).isdigit():
        return None
    return selectors.my_products(request.user).filter(pk=int(raw)).first()


def _state(request: HttpRequest, seat: Seat, data, errors: dict[str, str]) -> dict:
    """Everything the page shows for the choices made so far (GET or a refused POST)."""
    products = list(selectors.my_products(request.user))
    product = _product(request, data.get("product"))
    if data.get("product") and product is None:
        errors.setdefault("product", _("Choose one of your products."))
    elif product is None and len(products) == 1:
        product = products[0]
    context = {"brand": seat.brand, "seat": seat, "products": products, "product": product, "errors": errors,
               "symptoms": [], "symptom": None, "service_type": ServiceType.REPAIR, "preview": None, "articles": [],
               "days": [], "description": (data.get("description") or "")[:SYMPTOM_MAX],
               "chosen_slot": data.get("slot", ""), "max_photos": MAX_PHOTOS, "seen": bool(data.get("seen")),
               "solved": bool(data.get("solved")), "ready": False, "symptom_max": SYMPTOM_MAX}
    if product is None:
        return context
    category = product.product_model.category
    context["symptoms"] = list(Symptom.objects.visible_to(request.user).filter(category=category)
                               .order_by("sort_order", "code"))
    chose, code = _symptom_choice(data)
    context["symptom_code"] = (data.get("symptom_code") or "").strip()
    context["other"] = OTHER
    service_type = data.get("service_type") or ServiceType.REPAIR
    if service_type not in PORTAL_SERVICE_TYPES:
        errors.setdefault("service_type", _("Choose a valid option."))
        service_type = ServiceType.REPAIR
    context["service_type"] = service_type
    context["mail_in_allowed"] = category.mail_in_allowed
    if service_type == ServiceType.MAIL_IN and category.mail_in_allowed:
        context["centre"] = intake.repair_centre_for(product, product.site)
        if context["centre"] is None:
            errors.setdefault("service_type", str(intake.NoRepairCentre.default_message))
            context["no_centre"] = True
    if not chose:
        return context
    try:
        preview = intake.preview(product=product, service_type=service_type, symptom_code=code)
    except DomainError as error:
        errors.setdefault(error.field if error.field in FIELDS else "symptom_code", str(error.message))
        return context
    context.update(preview=preview, symptom=preview.symptom, ready=True,
                   days=slotpicker.by_day([(s.start, s.end) for s in preview.slots]))
    if service_type == ServiceType.MAIL_IN and preview.quote is not None:
        context.update(courier_fee=preview.courier_fee, mail_in_total=preview.customer_total)
    if preview.symptom is not None or not code:
        context["articles"] = matching_articles(request.user, category_id=category.pk,
                                                symptom_id=preview.symptom.pk if preview.symptom else None)
    return context


@require_http_methods(["GET", "POST"])
@customer_page()
def report(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, seat)
    context = _state(request, seat, request.GET, {})
    return render_page(request, "portal/report.html", context, partial="portal/_partials/report_next.html")


def _submit(request: HttpRequest, seat: Seat) -> HttpResponse:
    data = request.POST
    errors: dict[str, str] = {}
    product = _product(request, data.get("product"))
    photos = request.FILES.getlist("photos")
    service_type = data.get("service_type") or ServiceType.REPAIR
    chose, code = _symptom_choice(data)
    description = (data.get("description") or "").strip()
    slot = None
    if product is None:
        errors["product"] = _("Choose one of your products.")
    if service_type not in PORTAL_SERVICE_TYPES:
        errors["service_type"] = _("Choose a valid option.")
    if not chose:
        errors["symptom_code"] = _("Choose what is wrong.")
    elif not code and not description:
        errors["description"] = _("Tell us in a few words what is wrong.")
    if len(description) > SYMPTOM_MAX:
        errors["description"] = _("The description is too long.")
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("Attach at most %(max)s photos.") % {"max": MAX_PHOTOS}
    if data.get("slot"):
        try:
            slot = slotpicker.parse_slot(data.get("slot"))
        except DomainError as error:
            errors["slot"] = str(error.message)
    status = 422
    if not errors and product is not None:
        if slot is None and _has_slots(product, service_type, code):
            errors["slot"] = (_("Choose a pickup window.") if service_type == ServiceType.MAIL_IN
                              else _("Pick a time for the visit."))
        else:
            try:
                order = intake.submit_request(
                    actor=seat.principal, customer=seat.customer, service_type=service_type, channel="portal",
                    product=product, site=product.site, symptom_code=code, description=description, slot=slot,
                    photos=photos,
                )
            except DomainError as error:
                errors[error.field if error.field in FIELDS else "confirm"] = str(error.message)
                status = error.status
            else:
                messages.success(request, _("Request received. Your order number is %(number)s.")
                                 % {"number": order.number})
                return redirect("portal:order", brand=seat.brand.code, pk=order.pk)
    context = _state(request, seat, {**data.dict(), "seen": "1"}, errors)
    if photos:
        context["photos_again"] = True
    return render_page(request, "portal/report.html", context, status=status)


def _has_slots(product: InstalledProduct, service_type: str, code: str) -> bool:
    try:
        return bool(intake.preview(product=product, service_type=service_type, symptom_code=code).slots)
    except DomainError:
        return False


@require_http_methods(["GET"])
@customer_page()
def solved(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    messages.success(request, _("Glad it is sorted! We are here if it happens again."))
    return redirect("portal:home", brand=seat.brand.code)
