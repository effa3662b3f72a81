"""Who may use the staff console: anyone with a staff seat; customers and seatless users are sent away kindly."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.principal import Principal, principal_of


def is_staff_principal(principal: Principal | None) -> bool:
    return principal is not None and not principal.is_customer


def no_console(request: HttpRequest, principal: Principal | None, status: int = 403) -> HttpResponse:
    return render(request, "console/no_console.html", {"principal": principal}, status=status)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        principal = principal_of(request.user)
        if not is_staff_principal(principal):
            return no_console(request, principal)
        return view(request, *args, principal=principal, **kwargs)

    return wrapper
