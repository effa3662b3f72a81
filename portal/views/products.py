"""Home (my products and orders), one product's passport, and registering a unit by serial or QR code."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import render_page
from customers import warranty_cards
from customers.choices import WarrantyCardStatus
from customers.installation import clean_serial
from customers.models import Customer, InstalledProduct, WarrantyCard
from maintenance.schedule_selectors import product_schedule
from portal import selectors
from portal.access import Seat, customer_page, get_brand, login_url, portal_principal
from portal.errors import ProductNotFound
from portal.forms import SerialForm, WarrantyCardForm
from portal.services import find_by_serial, register_product
from pricing import extended, warranty


@require_GET
@customer_page()
def home(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    products = list(selectors.my_products(request.user))
    open_orders = selectors.open_orders_by_product(request.user, [p.pk for p in products])
    verdicts = warranty.verdicts(products)
    rows = [(p, verdicts[p.pk], open_orders.get(p.pk)) for p in products]
    orders = list(selectors.my_orders(request.user)[:10])
    # A unit whose warranty card is still with the brand (or was not accepted) says so instead of a verdict.
    cards = dict(WarrantyCard.objects.visible_to(request.user).filter(product__in=[p.pk for p in products])
                 .exclude(status=WarrantyCardStatus.APPROVED).values_list("product_id", "status"))
    return render_page(request, "portal/home.html", {
        "brand": seat.brand, "seat": seat, "rows": rows, "orders": orders,
        "cards_pending": {pk for pk, s in cards.items() if s == WarrantyCardStatus.PENDING},
        "cards_rejected": {pk for pk, s in cards.items() if s == WarrantyCardStatus.REJECTED}})


def _product_or_404(request: HttpRequest, pk: int) -> InstalledProduct:
    try:
        return selectors.get_product(request.user, pk)
    except InstalledProduct.DoesNotExist:
        raise Http404 from None


@require_GET
@customer_page(object_page=True)
def product(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    unit = _product_or_404(request, pk)
    return render_page(request, "portal/product.html", {
        "brand": seat.brand, "seat": seat, "product": unit, "warranty": warranty.verdict(product=unit),
        "extended_until": extended.extended_until(unit),
        "card": WarrantyCard.objects.visible_to(request.user).filter(product=unit).first(),
        "history": list(selectors.product_history(request.user, unit)),
        "schedule": product_schedule(unit),  # what is due next and why (maintenance: the reminders part)
        "replaced": selectors.replaced_units(request.user, unit),  # the units the repair centre exchanged for this one
    })


def _card_form(seat: Seat, data=None, files=None, *, serial: str = "") -> WarrantyCardForm:
    models = warranty_cards.active_models(seat.brand.pk)
    fitting = warranty_cards.models_for_serial(seat.brand.pk, serial) if serial else []
    initial = {"serial": serial, "product_model": fitting[0] if len(fitting) == 1 else None}
    return WarrantyCardForm(data, files, models=models, initial=initial)


@require_http_methods(["GET", "POST"])
@customer_page()
def register(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    """Add a unit by its serial; a serial the brand has not seen opens the electronic warranty card."""
    form = SerialForm(request.POST or None)
    card_form = None
    status = 200
    if request.method == "POST" and request.POST.get("step") == "card":
        return _register_card(request, seat)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                unit = find_by_serial(brand=seat.brand, serial=form.cleaned_data["serial"])
                already = unit.customer_id == seat.customer.pk
                unit = register_product(actor=seat.principal, customer=seat.customer, product=unit)
            except ProductNotFound:
                # Bought in a shop or online: the brand learns of the unit from its owner.
                card_form, status = _card_form(seat, serial=clean_serial(form.cleaned_data["serial"])), 200
            except DomainError as error:
                add_domain_error(form, error, default="serial")
                status = error.status
            else:
                messages.success(request, _("This product is already on your account.") if already
                                 else _("Product added to your account."))
                return redirect("portal:product", brand=seat.brand.code, pk=unit.pk)
    return render_page(request, "portal/register.html", {"brand": seat.brand, "seat": seat, "form": form,
                                                         "card_form": card_form}, status=status)


def _register_card(request: HttpRequest, seat: Seat) -> HttpResponse:
    card_form = _card_form(seat, request.POST, request.FILES, serial=request.POST.get("serial", ""))
    status = 422
    if card_form.is_valid():
        data = card_form.cleaned_data
        try:
            card = warranty_cards.register_purchase(
                actor=seat.principal, customer=seat.customer, serial=data["serial"],
                product_model=data["product_model"], purchase_date=data["purchase_date"],
                purchased_from=data["purchased_from"], invoice=data["invoice"])
        except DomainError as error:
            add_domain_error(card_form, error)
            status = error.status
        else:
            messages.success(request, _("Product registered. The brand checks your warranty card; you will see the "
                                        "result here.") if card.status == WarrantyCardStatus.PENDING
                             else _("Product registered: your electronic warranty card is ready."))
            return redirect("portal:product", brand=seat.brand.code, pk=card.product_id)
    return render_page(request, "portal/register.html", {"brand": seat.brand, "seat": seat, "form": SerialForm(),
                                                         "card_form": card_form}, status=status)


@require_http_methods(["GET", "POST"])
def qr_landing(request: HttpRequest, brand: str, token: str) -> HttpResponse:
    """What a unit's QR code opens: sign in first, then the product (or the offer to add it)."""
    org = get_brand(brand)
    principal = portal_principal(request, org)
    if principal is None:
        if request.user.is_authenticated:
            raise Http404  # staff, or a customer of another brand: nothing of this brand's units
        return redirect(login_url(org, request.path))
    unit = (InstalledProduct.objects.filter(brand=org, qr_token=token).select_related("customer").first()
            if len(token) <= 16 else None)
    if unit is None:
        raise Http404
    if unit.customer_id == principal.customer_id:
        return redirect("portal:product", brand=org.code, pk=unit.pk)
    customer = Customer.objects.visible_to(request.user).get(pk=principal.customer_id)
    seat = Seat(brand=org, principal=principal, customer=customer)
    error = ""
    if request.method == "POST":
        try:
            unit = register_product(actor=principal, customer=customer, product=unit)
        except DomainError as refusal:
            error = str(refusal.message)
        else:
            messages.success(request, _("Product added to your account."))
            return redirect("portal:product", brand=org.code, pk=unit.pk)
    elif unit.customer.phone != customer.phone:
        error = _("This product is registered to another customer. Please call the service hotline to have it "
                  "moved to your account.")
    # Someone else's unit: say so, show nothing of it, change nothing.
    status = 404 if error else 200
    return render_page(request, "portal/qr_claim.html", {"brand": org, "seat": seat, "error": error, "token": token,
                                                         "model_name": "" if error else unit.product_model.name,
                                                         "serial": "" if error else unit.serial}, status=status)
