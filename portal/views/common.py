from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, name the header it sets (e.g. HTTP_X_REAL_IP); the raw peer address otherwise.
    header = getattr(settings, "CLIENT_IP_HEADER", "") or "REMOTE_ADDR"
    value = request.META.get(header) or request.META.get("REMOTE_ADDR") or ""
    return value.split(",")[0].strip()[:64]


def wants_partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def page(request: HttpRequest, template: str, context: dict, *, partial: str | None = None,
         status: int = 200) -> HttpResponse:
    """The whole page, or only its partial when htmx asks for it (STYLE.md §13)."""
    is_partial = partial is not None and wants_partial(request)
    response = render(request, partial if is_partial else template, {**context, "is_partial": is_partial},
                      status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
