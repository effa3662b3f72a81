"""Refusals of the integration endpoints, each with a stable code (STYLE.md §7)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput


class BadSignature(DomainError):
    code = "bad_signature"
    status = 401
    default_message = _("The request is not signed, or its signature does not match.")


class StaleRequest(DomainError):
    code = "stale_request"
    status = 401
    default_message = _("The request's timestamp is more than 5 minutes away from the server's time.")


class ReplayedRequest(DomainError):
    code = "replayed_request"
    status = 401
    default_message = _("This signed request was already used.")


class TooLarge(DomainError):
    code = "too_large"
    status = 413
    default_message = _("The request body is too large.")


class MalformedBody(DomainError):
    code = "malformed_json"
    status = 400
    default_message = _("The request body is not valid JSON.")


class MalformedXml(DomainError):
    code = "malformed_xml"
    status = 400
    default_message = _("The message is not valid WeChat XML.")


class UnknownSerial(InvalidInput):
    code = "unknown_serial"
    default_message = _("No product of this brand has this serial number.")


class OutOfRange(InvalidInput):
    code = "out_of_range"
    default_message = _("The value is outside the range this metric allows.")


class EmptyAlert(InvalidInput):
    code = "empty_alert"
    default_message = _("Send a fault code, readings, or both.")


class TooManySecrets(InvalidInput):
    code = "too_many_secrets"
    default_message = _("A brand has at most two active signing secrets: revoke the older one first.")
