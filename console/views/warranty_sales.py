"""The hotline sells extended warranty (延保) for a caller's unit: the unit's offers with their prices, the warranties
it has, and the sale. Thin over pricing.extended (STYLE.md §2); the caller comes through ``visible_to`` (404)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.principal import Principal
from console.views.hotline import desk_required
from core.bounds import MONEY_PATTERN
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from customers.models import Customer
from pricing import extended, warranty
from pricing.choices import SoldVia
from pricing.models import WarrantyExtensionTerm

PAGE = "console/hotline/warranty.html"


class SellForm(forms.Form):
    term = forms.TypedChoiceField(label=_("Extended warranty"), coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose the extended warranty sold.")})
    price = forms.RegexField(label=_("Price agreed (¥)"), regex=MONEY_PATTERN, required=False, max_length=13,
                             help_text=_("Empty: the listed price."),
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "199.00"}))

    def __init__(self, *args, offers: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [(o.term.pk, o.term.display_name) for o in offers]


def _context(customer: Customer, product, *, form: SellForm | None = None, sold=None) -> dict:
    offers = extended.offers_for(product=product)
    return {"customer": customer, "product": product, "offers": offers,
            "form": form or SellForm(offers=offers), "sold": sold,
            "warranties": extended.warranties_of(product), "verdict": warranty.verdict(product=product)}


@require_http_methods(["GET", "POST"])
@desk_required
def sell(request: HttpRequest, *, principal: Principal, customer: Customer, product_id: int) -> HttpResponse:
    product = customer.products.select_related("product_model__category", "site", "customer").filter(
        pk=product_id).first()
    if product is None:
        raise Http404
    if request.method == "GET":
        sold = extended.warranties_of(product)
        sold = next((w for w in sold if str(w.pk) == request.GET.get("sold")), None)
        return render_page(request, PAGE, _context(customer, product, sold=sold))
    offers = extended.offers_for(product=product)
    form = SellForm(request.POST, offers=offers)
    status = 422
    if form.is_valid():
        term = WarrantyExtensionTerm.objects.filter(brand_id=product.brand_id, pk=form.cleaned_data["term"]).first()
        try:
            if term is None:
                raise Http404
            sold = extended.sell_extended_warranty(product=product, term=term, actor_or_channel=principal,
                                                   sold_via=SoldVia.HOTLINE, price=form.cleaned_data["price"] or None)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            return redirect(f"{request.path}?sold={sold.pk}")
    return refused(render_page(request, PAGE, _context(customer, product, form=form)), status)
