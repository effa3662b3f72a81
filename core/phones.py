"""Phone numbers are parsed and normalised to E.164 by the phonenumbers library."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the number in E.164 form (+8613800138000) or raise ValidationError."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str) -> str | None:
    """For search boxes: the E.164 form if the text is a phone number, else None."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


def validate_phone(value: str) -> None:
    normalize_phone(value)
