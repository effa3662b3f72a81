"""Pages that moved to the front-end of the party that uses them (a page's address names its folder): a
bookmark of an old address keeps working. A GET (or HEAD) of an old address is a permanent redirect to the
page's new one, query string kept; anything else is a 405, since a form posts only to the new address."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView

# (old route, the new page's URL name); the only list of them (core/tests/test_access.py walks it).
MOVED: list[tuple[str, str]] = [
    ("field/earnings/jobs/<int:pk>/lead/", "field:new-lead"),
    ("parts/requests/", "console:parts-requests"),
    ("parts/defective/", "console:parts-defective"),
    ("parts/stock/", "console:parts-stock"),
    ("parts/van/", "field:van"),
    ("notifications/", "console:notifications"),
    ("portal/labels/<int:pk>/", "console:label"),
    ("portal/labels/<int:pk>/qr.svg", "console:label-svg"),
    ("portal/labels/<int:pk>/qr.png", "console:label-png"),
]


def redirects() -> list[URLPattern]:
    return [path(old, RedirectView.as_view(pattern_name=new, permanent=True, query_string=True,
                                           http_method_names=["get", "head"])) for old, new in MOVED]


# API paths from before each router was mounted under its app's prefix (old path, new path): the old one still
# answers, by calling the very operation of the new path (its authentication, scoping and errors), because
# devices and scripts keep a configured address and do not follow a redirect on a POST. The answer says where
# the operation lives now (Deprecation, Link); the OpenAPI document lists only the new paths.
API_MOVED: list[tuple[str, str]] = [
    ("attachments/{attachment_id}", "workorders/attachments/{attachment_id}"),
    ("commissions", "revenue/commissions"),
    ("iot/alerts", "integrations/iot/alerts"),
    ("lead-kinds", "revenue/lead-kinds"),
    ("leads", "revenue/leads"),
    ("leads/{lead_id}", "revenue/leads/{lead_id}"),
    ("leads/{lead_id}/transitions", "revenue/leads/{lead_id}/transitions"),
    ("me", "accounts/me"),
    ("products", "customers/products"),
    ("products/{product_id}", "customers/products/{product_id}"),
    ("products/{product_id}/intake", "workorders/intake/products/{product_id}"),
    ("requests", "workorders/intake/requests"),
    ("sites/{site_id}", "customers/sites/{site_id}"),
    ("sites/{site_id}/pin", "customers/sites/{site_id}/pin"),
    ("tokens", "accounts/tokens"),
    ("tokens/{token_id}", "accounts/tokens/{token_id}"),
    ("workorders/{order_id}/consumptions", "parts/orders/{order_id}/consumptions"),
    ("workorders/{order_id}/leads", "revenue/orders/{order_id}/leads"),
    ("workorders/{order_id}/part-requests", "parts/orders/{order_id}/requests"),
]
API_ROOT = "/api/v1/"


def _forward(new: str):
    @csrf_exempt
    def forward(request: HttpRequest, **ids) -> HttpResponse:
        target = API_ROOT + new.format(**ids)
        match = resolve(target)
        request.path = request.path[: len(request.path) - len(request.path_info)] + target
        request.path_info = target
        response = match.func(request, *match.args, **match.kwargs)
        response["Deprecation"] = "true"
        response["Link"] = f'<{target}>; rel="successor-version"'
        return response

    return forward


def api_forwards() -> list[URLPattern]:
    """The old API paths (mounted under /api/v1/ before the API itself), each calling its new operation."""
    return [path(re.sub(r"{(\w+)}", r"<int:\1>", old), _forward(new)) for old, new in API_MOVED]
