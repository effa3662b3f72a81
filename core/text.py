"""Texts that are put together now and translated when shown.

A quote is built once and may be rendered in Chinese for the customer and in English for an
integration; so its descriptions and reasons stay lazy and take the active language when cast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

# A sentence that ends in full-width punctuation (Chinese) is followed by the next without a space.
FULL_WIDTH_ENDS = tuple("。！？；：」』）")


def sentences(parts: Iterable[Any]) -> str:
    """Sentences one after another as each language writes them: "Done. Next." but "已完成。下一步。" (a space
    after an English full stop, none after a Chinese one). Empty parts are left out."""
    text = ""
    for part in (str(p).strip() for p in parts):
        if not part:
            continue
        text += part if not text or text.endswith(FULL_WIDTH_ENDS) else f" {part}"
    return text
