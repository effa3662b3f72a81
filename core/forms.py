"""Form helpers written once: a domain error shown on the form that caused it (STYLE.md §7)."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError, *, default: str | None = None,
                     aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal beside the field it names, else beside ``default`` (None: above the form).

    ``aliases`` maps a service's own field names onto the form's (``description`` for ``symptom``).
    """
    name = (aliases or {}).get(error.field or "", error.field)
    form.add_error(name if name in form.fields else default, str(error.message))
