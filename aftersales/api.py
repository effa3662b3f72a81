"""The NinjaAPI that mounts each app's router, and the one mapping of errors to JSON."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from accounts.api import router as accounts_router
from catalog.api import router as catalog_router
from complaints.api import router as complaints_router
from core.api import WireRenderer
from core.errors import DomainError
from customers.api import router as customers_router
from dispatch.api import router as dispatch_router
from exchange.api import exports_router, imports_router
from feedback.api import callbacks_router, survey_router
from field.api import router as field_router
from integrations.api import router as integrations_router
from logistics.api import courier_router
from logistics.api import router as mail_in_router
from maintenance.api import contracts_router, plans_router
from maintenance.reminders_api import products_router as schedule_router
from maintenance.reminders_api import router as reminders_router
from network.api import router as network_router
from notifications.api import me_router as notification_preferences_router
from notifications.api import orders_router as order_messages_router
from parts.api import router as parts_router
from pricing.api import offers_router as warranty_offers_router
from pricing.api import router as product_warranties_router
from reports.api import router as reports_router
from revenue.api import router as revenue_router
from settlement.api import router as settlement_router
from shop.api import router as shop_router
from workorders.api import router as workorders_router
from workorders.intake_api import router as intake_router
from workorders.urge_api import router as urge_router

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "Every refusal: a stable code, a message in the reader's language, and what it is about.",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "example": "not_found"},
        "message": {"type": "string"},
        "field": {"type": "string", "description": "The input at fault, when there is one."},
        "detail": {"type": "object", "description": "More about the refusal (allowed values, limits, ...)."},
        "errors": {"type": "array", "description": "validation_error: one entry per input at fault.",
                   "items": {"type": "object", "properties": {
                       "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                       "msg": {"type": "string"}, "type": {"type": "string"}}}},
    },
}
ERROR_STATUSES = {
    400: "Malformed request (the body is not JSON)",
    401: "No or bad credentials",
    403: "Your role may not do this (forbidden), or a field not yours to set",
    404: "Not found, or not yours to see",
    409: "The record changed or the step is not allowed now",
    412: "If-Match does not name the current version",
    413: "The body is too large",
    422: "The input is not valid (validation_error, invalid, ...)",
    429: "Too many requests",
}
READ_ERRORS = (400, 401, 403, 404, 409, 422)


class AftersalesAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The document, with the errors every operation may answer (one JSON shape, aftersales/api.py)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                statuses = READ_ERRORS if method == "get" else tuple(ERROR_STATUSES)
                for status in statuses:
                    operation["responses"].setdefault(status, {"description": ERROR_STATUSES[status],
                                                               "content": body})
        return schema


api = AftersalesAPI(
    title="Aftersales API",
    version="1",
    description="After-sales service platform. Authenticate with `Authorization: Bearer <token>` "
    "(issue one at POST /api/v1/accounts/tokens) or the console's session. Errors are JSON with a stable `code`.",
    urls_namespace="api",
    renderer=WireRenderer(),
    # Swagger UI from ninja's bundled files (ninja is in INSTALLED_APPS); no validator badge from another host.
    docs=Swagger(settings={"validatorUrl": None}),
)
# Each app's router under its own prefix, so a path's first segment names the app that serves it; intake is
# workorders' (the service request, its photos), beside the order's own routes.
api.add_router("/accounts", accounts_router)
api.add_router("/workorders", workorders_router)
api.add_router("/workorders", intake_router)
api.add_router("/workorders", urge_router)  # urges (催单) live in workorders too
# Sub-resources of an order may be served by the app that owns them: the customer's messages are notifications'.
api.add_router("/workorders", order_messages_router)
api.add_router("/workorders", mail_in_router)  # a mail-in order's case, parcels and bench steps (logistics)
api.add_router("/couriers", courier_router)  # the couriers' route pushes
api.add_router("/me", notification_preferences_router)
api.add_router("/customers", customers_router)
api.add_router("/catalog", catalog_router)
api.add_router("/network", network_router)
api.add_router("/revenue", revenue_router)
api.add_router("/shop", shop_router)
api.add_router("/reports", reports_router)
api.add_router("/integrations", integrations_router)
api.add_router("/parts", parts_router)
api.add_router("/products", product_warranties_router)  # issue 16: a unit's extended warranties
api.add_router("/warranty", warranty_offers_router)
api.add_router("/field", field_router)
api.add_router("/dispatch", dispatch_router)
api.add_router("/complaints", complaints_router)
# The order's survey is served by feedback, the app that owns it (README: an order's sub-resources).
api.add_router("/workorders", survey_router)
api.add_router("/callbacks", callbacks_router)
api.add_router("/contracts", contracts_router)  # maintenance contracts (issue 16)
api.add_router("/plans", plans_router)  # maintenance plans
# Spreadsheets in and out (exchange): imports of the installed base, exports of the lists.
api.add_router("/imports", imports_router)
api.add_router("/exports", exports_router)
api.add_router("/products", schedule_router)  # a unit's schedule (maintenance)
api.add_router("/reminders", reminders_router)
api.add_router("/settlement", settlement_router)  # issue 18: statements, disputes, fraud review, exports


def _error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def unknown_path(request):
    """Every path under /api/v1/ that no operation has: the API's own 404, in JSON like every other error."""
    return _error(request, 404, "not_found", gettext("Not found."))


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if exc.retry_after_seconds is not None:
        response["Retry-After"] = str(exc.retry_after_seconds)
    return response


# Pydantic words its messages in English; the common ones are said in the reader's language.
FIELD_MESSAGES = {
    "missing": _("This field is required."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "float_parsing": _("Enter a number."),
    "decimal_parsing": _("Enter a number."),
    "bool_parsing": _("Enter true or false."),
    "string_type": _("Enter a text."),
    "string_too_long": _("This text is too long."),
    "string_too_short": _("This text is too short."),
    "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
    "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
    "datetime_parsing": _("Enter a valid date and time (ISO 8601)."),
    "datetime_from_date_parsing": _("Enter a valid date and time (ISO 8601)."),
    "enum": _("Choose a valid option."),
    "literal_error": _("Choose a valid option."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "greater_than_equal": _("This number is too small."),
    "greater_than": _("This number is too small."),
    "less_than_equal": _("This number is too large."),
    "less_than": _("This number is too large."),
    "json_invalid": _("The request body is not valid JSON."),
}


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])],
         "msg": str(FIELD_MESSAGES.get(e.get("type", ""), e.get("msg", ""))), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _error(request, 422, "validation_error", gettext("The request is not valid."), errors=errors)


@api.exception_handler(DjangoValidationError)
def django_validation_error(request, exc: DjangoValidationError):
    return _error(request, 422, "invalid", "; ".join(exc.messages))


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(request, 401, "unauthorized", gettext("Authentication required: a bearer token or a session."))


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", gettext("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request, exc):
    return _error(request, 404, "not_found", gettext("Not found."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             409: "conflict", 413: "too_large", 422: "invalid", 429: "rate_limited"}
    if exc.status_code == 403 and "CSRF" in str(exc):
        # Ninja's own words for a session write without the CSRF token.
        return _error(request, 403, "csrf_failed", gettext("The security check failed: reload the page and try again."))
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))
