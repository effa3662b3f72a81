"""Who may open a page, written once for every front-end (console, field, portal): the page-access decorators.

A page is signed in (else the sign-in page), then, when its address names an object (``pk``), the object is
fetched through ``visible_to`` before anything else, so another party's object is a 404 for everyone, whatever
their seat; only then is the seat checked, and a seat that does not fit gets the front-end's refusal page
(403), which says why. The view is called with ``principal=`` (and the fetched object under its name).

- ``staff_page``: any staff seat (not a customer); ``roles=`` or ``seat=`` narrow it to a desk.
- ``technician_page``: a technician's seat.
The customer portal's pages sign in per brand (portal/access.py).

Pages only: the API authenticates and answers in JSON on its own (core/api.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.scoping import principal_of

if TYPE_CHECKING:
    from accounts.principal import Principal

View = Callable[..., HttpResponse]
Seat = Callable[["Principal"], bool]
Refusal = Callable[[HttpRequest, "Principal | None"], HttpResponse]
Fetch = Callable[[Any, int], Any]


def refusal(template: str) -> Refusal:
    """A front-end's refusal page: ``template`` with the principal, answered 403 (or ``status``)."""

    def refuse(request: HttpRequest, principal: Principal | None, status: int = 403) -> HttpResponse:
        return render(request, template, {"principal": principal}, status=status)

    return refuse


# The console's: a signed-in user with no staff seat (a customer, or no active role) is told where to go.
no_console = refusal("console/no_console.html")


def is_staff(principal: Principal | None) -> bool:
    return principal is not None and not principal.is_customer


def is_technician(principal: Principal | None) -> bool:
    return principal is not None and principal.is_technician


def page(*, seat: Seat, refuse: Refusal, fetch: Fetch | None = None, as_name: str = "obj") -> Callable[[View], View]:
    """The one page-access check: signed in; with ``fetch`` and a ``pk`` in the address, the object through
    visible_to first (404), given to the view as ``as_name``; then ``seat(principal)``, else ``refuse``.
    ``fetch(user, pk)`` returns the object, or None or raises DoesNotExist for what the user may not see."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if fetch is not None and "pk" in kwargs:
                try:
                    found = fetch(request.user, kwargs.pop("pk"))
                except ObjectDoesNotExist:
                    found = None
                if found is None:
                    raise Http404
                kwargs[as_name] = found
            principal = principal_of(request.user)
            if principal is None or not seat(principal):
                return refuse(request, principal)
            return view(request, *args, principal=principal, **kwargs)

        return wrapper

    return decorate


def staff_page(view: View | None = None, *, roles: Collection[str] | None = None, seat: Seat | None = None,
               refuse: Refusal | None = None, fetch: Fetch | None = None, as_name: str = "obj") -> Any:
    """A staff page (``@staff_page``), or one desk's (``@staff_page(roles=...)``, ``seat=`` for a rule that
    is more than a role); refused with the console's page unless ``refuse`` names the desk's own."""

    def fits(principal: Principal) -> bool:
        return (is_staff(principal) and (roles is None or principal.role in roles)
                and (seat is None or seat(principal)))

    decorate = page(seat=fits, refuse=refuse or no_console, fetch=fetch, as_name=as_name)
    return decorate(view) if view is not None else decorate


def technician_page(view: View | None = None, *, refuse: Refusal, fetch: Fetch | None = None,
                    as_name: str = "obj") -> Any:
    """A page of the technician app: a technician's seat, else the app's own refusal page."""
    decorate = page(seat=is_technician, refuse=refuse, fetch=fetch, as_name=as_name)
    return decorate(view) if view is not None else decorate
