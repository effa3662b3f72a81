"""Domain errors carry a stable machine-readable code and an HTTP status (STYLE.md §7).

The API maps them to JSON once (aftersales/api.py); forms and views map them to a
message beside the field once (core/forms.py).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message: Any = _("The request could not be processed.")
    retry_after_seconds: int | None = None  # "come back later": the API says it in a Retry-After header

    def __init__(self, message: Any = None, *, field: str | None = None, **detail: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        self.detail = detail
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field:
            body["field"] = self.field
        if self.detail:
            body["detail"] = {k: (str(v) if not isinstance(v, (int, float, list, dict, type(None))) else v)
                              for k, v in self.detail.items()}
        return body


class InvalidInput(DomainError):
    code = "invalid"
    status = 422
    default_message = _("The input is not valid.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("Your role may not do this.")


class FieldNotAllowed(PermissionDenied):
    """A field this caller may not set: the rules decide it (a customer's own priority, say)."""

    code = "field_not_allowed"
    default_message = _("You may not set this field: it is decided for you.")


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409
    default_message = _("This step is not allowed from the order's current status.")


class StaleVersion(DomainError):
    code = "stale_version"
    status = 409
    default_message = _("Someone else changed this record; reload and try again.")


class PreconditionFailed(StaleVersion):
    code = "precondition_failed"
    status = 412


class IdempotencyConflict(DomainError):
    code = "idempotency_key_reused"
    status = 422
    default_message = _("This Idempotency-Key was already used with a different request body.")
