from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from core.client_ip import client_ip as core_client_ip


def client_ip(request: HttpRequest) -> str:
    # The one rule (core/client_ip.py): X-Forwarded-For counts only from a TRUSTED_PROXIES peer.
    return core_client_ip(request)


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
