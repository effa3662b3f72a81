"""The estimate kept on an order: the quote as shown at intake, frozen as plain JSON.

A quote's texts are lazy (core.text); once stored they cannot follow the reader's language any more,
so each text is kept in every language of the product: ``{"zh-hans": "…", "en": "…"}``. Amounts are
Decimal strings, as ``Quote.as_dict`` gives them. ``localized`` picks the reader's language back out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import translation

from core.errors import DomainError
from pricing.engine import Quote

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def _in_each_language(render) -> dict[str, Any]:
    rendered = {}
    for code in LANGUAGES:
        with translation.override(code):
            rendered[code] = render()
    return rendered


def each_language(text: Any) -> dict[str, str]:
    """A translatable text as stored for readers of every language ({"zh-hans": ..., "en": ...}): ``localized``
    shows it in the reader's."""
    return _in_each_language(lambda: str(text))


def estimate_json(quote: Quote, *, computed_at: dt.datetime) -> dict[str, Any]:
    """What the customer was shown: lines (amount, covered or not and why), total, warranty, price list."""
    versions = _in_each_language(quote.as_dict)
    body = versions[LANGUAGES[0]]
    for index, line in enumerate(body["lines"]):
        for key in ("description", "reason"):
            line[key] = {code: versions[code]["lines"][index][key] for code in LANGUAGES}
    body["warranty"]["reason"] = {code: versions[code]["warranty"]["reason"] for code in LANGUAGES}
    return {"available": True, **body, "computed_at": computed_at.isoformat()}


def unavailable_json(error: DomainError, *, computed_at: dt.datetime) -> dict[str, Any]:
    """No price could be given (no price list for the day, an item not listed): say why, in every language."""
    return {"available": False, "code": error.code, "reason": _in_each_language(lambda: str(error.message)),
            "computed_at": computed_at.isoformat()}


def localized(value: Any) -> str:
    """A stored text in the active language (falling back to the first one), or the value itself."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    language = translation.get_language() or LANGUAGES[0]
    for code in (language, language.split("-")[0], LANGUAGES[0]):
        if code in value:
            return value[code]
    return next(iter(value.values()), "")
