"""The product's own pages for 403, 404, 405, 500 and a refused CSRF check, in the reader's language.

Staff pages get the console's layout and navigation; a brand's portal (``/portal/<brand>/...``) gets the
portal's; anything under ``/api/`` keeps the API's JSON shape (``{"code", "message"}``).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation

log = logging.getLogger(__name__)

PAGES = {
    400: ("bad_request", _("Bad request"), _("The request could not be understood. Go back and try again.")),
    403: ("forbidden", _("Not allowed"), _("Your account may not open this page or do this.")),
    404: ("not_found", _("Page not found"),
          _("This page does not exist, or it is not yours to see. Check the address, or start again from the "
            "home page.")),
    405: ("method_not_allowed", _("Not possible here"),
          _("This address does not take that kind of request. Use the buttons on the page it belongs to.")),
    500: ("server_error", _("Something went wrong"),
          _("The server hit an error and could not finish. Please try again in a moment; if it keeps "
            "happening, tell your administrator.")),
}
CSRF_MESSAGE = _("The form had expired or came from another page. Reload the page and send it again.")


def _portal_brand(path: str) -> Organisation | None:
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "portal" or not parts[2]:
        return None
    return Organisation.objects.filter(kind=OrgKind.BRAND, code=parts[2], is_active=True).first()


def error_page(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    code, title, default = PAGES[status]
    text = str(message or default)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": text}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    context = {"status": status, "title": title, "message": text}
    try:
        brand = _portal_brand(request.path)
        template = "errors/portal.html" if brand else "errors/page.html"
        return HttpResponse(render_to_string(template, {**context, "brand": brand}, request=request),
                            status=status)
    except Exception:  # the layout needs the database and the session; a broken one still gets a page
        log.exception("error page %s could not use the layout", status)
        return HttpResponse(render_to_string("errors/plain.html", context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, CSRF_MESSAGE)


class MethodNotAllowedPage:
    """A view that refuses a method (``require_POST``, a class view) answers 405 with no body: give it the page.

    The ``Allow`` header stays as the view set it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or getattr(response, "streaming", False):
            return response
        page = error_page(request, 405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page

