"""The portal's refusals, each with a code and status (STYLE.md §7); views show them beside the field."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Please wait a little and try again.")


class CodeInvalid(InvalidInput):
    code = "code_invalid"
    default_message = _("That code is not right.")


class CodeExpired(InvalidInput):
    code = "code_expired"
    default_message = _("This code has expired or was already used. Ask for a new one.")


class SmsFailed(DomainError):
    code = "sms_failed"
    status = 503
    default_message = _("We could not send the text message just now. Please try again in a minute.")


class AccountDisabled(DomainError):
    code = "account_disabled"
    status = 403
    default_message = _("This account is disabled. Please call the service hotline.")


class ProductNotFound(InvalidInput):
    code = "product_not_found"
    default_message = _("We cannot find a product with this serial number. Check the label, or call the hotline.")


class ProductOfAnother(DomainError):
    code = "product_of_another"
    status = 409
    default_message = _("This product is registered to another customer. Please call the service hotline to "
                        "have it moved to your account.")
