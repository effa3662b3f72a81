"""The brand's review of warranty cards customers registered (customers.warranty_cards decides).

Thin adapters (STYLE.md §2). A card's pages fetch it through ``visible_to`` first, so another brand's card (or
one a seat may not see) is a 404 before anything else; then the seat: brand staff who edit customers.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from core.errors import DomainError
from core.pages import staff_page
from customers import warranty_cards
from customers.choices import WarrantyCardStatus
from customers.models import WarrantyCard

PAGE = "console/warranty_cards.html"


def reviewer(principal: Principal | None) -> bool:
    return principal is not None and principal.is_brand_staff and principal.role in CUSTOMER_EDITORS


def _visible_card(user, pk: int) -> WarrantyCard | None:
    return WarrantyCard.objects.visible_to(user).filter(pk=pk).select_related("product").first()


# The brand's reviewers; a card named in the address is fetched through visible_to first (404).
review_seat = staff_page(seat=reviewer, fetch=_visible_card, as_name="card")


def _cards(request: HttpRequest, status: str):
    return list(WarrantyCard.objects.visible_to(request.user).filter(status=status)
                .select_related("product__product_model", "customer", "reviewed_by").order_by("created_at", "pk")[:200])


def _page(request: HttpRequest, principal: Principal, status: str, code: int = 200, **extra) -> HttpResponse:
    context = {"status": status, "statuses": WarrantyCardStatus.choices, "cards": _cards(request, status),
               "review_on": warranty_cards.review_required(principal.brand_id), **extra}
    return render(request, PAGE, context, status=code)


@require_GET
@review_seat
def card_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    status = request.GET.get("status", WarrantyCardStatus.PENDING)
    if status not in WarrantyCardStatus.values:
        status = WarrantyCardStatus.PENDING
    reviewed = None
    if request.GET.get("reviewed", "").isdigit():
        reviewed = WarrantyCard.objects.visible_to(request.user).filter(pk=int(request.GET["reviewed"])).first()
    return _page(request, principal, status, reviewed=reviewed)


@require_POST
@review_seat
def card_review(request: HttpRequest, *, principal: Principal, card: WarrantyCard) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        warranty_cards.review_card(actor=principal, card=card, approve=approve,
                                   reason=request.POST.get("reason", "")[:1000])
    except DomainError as error:
        return _page(request, principal, WarrantyCardStatus.PENDING, code=error.status,
                     refused=(card.pk, error.message))
    return redirect(f"{reverse('console:warranty-cards')}?reviewed={card.pk}")


@require_GET
@review_seat
def card_invoice(request: HttpRequest, *, principal: Principal, card: WarrantyCard) -> HttpResponse:
    try:
        handle = card.invoice.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg", filename=f"{card.product.serial}-invoice.jpg")
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
