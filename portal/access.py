"""Who is the portal's customer: the signed-in user if, and only if, they are a customer of this brand.

A customer signed in for brand A is nobody in brand B's portal; staff are nobody in any portal.
Object pages (a product, an order) answer 404 to a signed-in user who is nobody here, as the rest of
the system does for what one may not see; anonymous visitors are sent to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.choices import OrgKind
from accounts.models import Organisation
from accounts.principal import Principal, principal_of
from customers.models import Customer


@dataclass(frozen=True)
class Seat:
    brand: Organisation
    principal: Principal
    customer: Customer


def get_brand(code: str) -> Organisation:
    brand = Organisation.objects.filter(kind=OrgKind.BRAND, code=code, is_active=True).first()
    if brand is None:
        raise Http404
    return brand


def portal_principal(request: HttpRequest, brand: Organisation) -> Principal | None:
    principal = principal_of(request.user)
    if principal is None or not principal.is_customer or principal.brand_id != brand.pk:
        return None
    return principal


def login_url(brand: Organisation, next_url: str = "") -> str:
    url = reverse("portal:login", kwargs={"brand": brand.code})
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def safe_next(request: HttpRequest, brand: Organisation, candidate: str | None) -> str:
    """``?next=`` only within this brand's portal on this site; anything else goes home."""
    home = reverse("portal:home", kwargs={"brand": brand.code})
    if not candidate or not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                            require_https=request.is_secure()):
        return home
    parts = urlsplit(candidate)
    if ".." in parts.path.split("/"):  # /portal/acme/../../console/ would leave the portal
        return home
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith(home) else home


def customer_page(*, object_page: bool = False) -> Callable:
    """Give the view ``seat`` (brand, principal, customer); send anyone else to sign in, or 404."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, brand: str, *args, **kwargs) -> HttpResponse:
            org = get_brand(brand)
            principal = portal_principal(request, org)
            if principal is None:
                if object_page and request.user.is_authenticated:
                    raise Http404
                return redirect(login_url(org, request.get_full_path()))
            customer = Customer.objects.visible_to(request.user).filter(pk=principal.customer_id).first()
            if customer is None:
                raise Http404
            return view(request, *args, seat=Seat(brand=org, principal=principal, customer=customer), **kwargs)

        return wrapper

    return decorate
