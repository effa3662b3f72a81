"""Pages for htmx, written once (STYLE.md §13): one view renders the whole page or only its partial.

- ``render_page`` renders the partial when htmx asks for it (not for a history restore, which wants the
  whole page back), tells the template which one it got (``is_partial``) and varies on HX-Request so a
  cache never serves one for the other.
- ``refused`` marks an answer that carries a domain refusal (its 4xx status and the X-Domain-Error
  header), so the console's script swaps it in where htmx would leave an error unswapped.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

DOMAIN_ERROR_HEADER = "X-Domain-Error"


def wants_partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(request: HttpRequest, template: str, context: dict, *, partial: str | None = None,
                status: int = 200) -> HttpResponse:
    """The whole page, or only ``partial`` when htmx asks for it (a page without one is always whole)."""
    is_partial = partial is not None and wants_partial(request)
    response = render(request, partial if is_partial else template, {**context, "is_partial": is_partial},
                      status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def refused(response: HttpResponse, status: int) -> HttpResponse:
    """The answer to a refused step: its status and the header the console's script swaps in by."""
    response.status_code = status
    response[DOMAIN_ERROR_HEADER] = str(status)
    return response
