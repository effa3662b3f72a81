"""Texts that are put together now and translated when shown.

A quote is built once and may be rendered in Chinese for the customer and in English for an
integration; so its descriptions and reasons stay lazy and take the active language when cast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language


def _render(template: Any, params: Mapping[str, Any]) -> str:
    text = str(template)
    return text % {key: str(value) for key, value in params.items()} if params else text


def _pick(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else name


render_lazy = lazy(_render, str)
"""``render_lazy(gettext_lazy("… %(x)s …"), {"x": …})``: formatted in the language active when cast."""

bilingual = lazy(_pick, str)
"""``bilingual(name, name_en)``: master data kept in Chinese with an optional English name."""
