"""The words a customer agrees to before a technician passes their number on, in each language shown.

The lead records the wording exactly as shown; the form (and the API client) hands back the wording it
showed, and a lead is refused if that is not the current wording in one of the product's languages.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from revenue.choices import LeadKind

WORDING = _("I agree that %(brand)s may contact me by phone about %(offer)s. My number is used for this offer "
            "only, and I can withdraw my consent at any time by telling the service hotline.")
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def consent_wording(*, brand_name: str, kind: str) -> str:
    """The wording in the active language."""
    offer = str(LeadKind(kind).label)
    return str(WORDING) % {"brand": brand_name, "offer": offer}


def wordings(*, brand_name: str, kind: str) -> dict[str, str]:
    """The wording in every language of the product: {"zh-hans": …, "en": …}."""
    found = {}
    for code in LANGUAGES:
        with translation.override(code):
            found[code] = consent_wording(brand_name=brand_name, kind=kind)
    return found


def language_of(text: str, *, brand_name: str, kind: str) -> str | None:
    """Which language's current wording ``text`` is, or None if it is none of them (changed or made up)."""
    text = " ".join((text or "").split())
    for code, wording in wordings(brand_name=brand_name, kind=kind).items():
        if text == " ".join(wording.split()):
            return code
    return None
