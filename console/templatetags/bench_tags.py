"""The repair bench's words and figures in templates (console/repair_bench/): hours of a turnaround, a hop's label."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import number_format

from console.bench_forms import QC_LABELS
from logistics import turnaround

register = template.Library()


@register.filter
def in_hours(value: dt.timedelta | None) -> str:
    """A time as hours to one decimal ("26.5"); a dash for none."""
    hours = turnaround.hours(value)
    return "—" if hours is None else number_format(hours, 1)


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


@register.filter
def bar_width(value: dt.timedelta | None, scale: dt.timedelta) -> str:
    """A time as the width of a bar (percent of ``scale``, at most 100), for a style attribute."""
    if value is None or not scale:
        return "0"
    return f"{min(value / scale, 1) * 100:.1f}"


@register.filter
def label_of(mapping: dict, key: str) -> str:
    """A code's label from a dict of labels (a hop's, a queue's); the code itself when unknown."""
    return str(mapping.get(key, key)) if isinstance(mapping, dict) else str(key)


@register.filter
def qc_label(point: str) -> str:
    return str(QC_LABELS.get(point, point))


@register.filter
def stock_of(on_hand: dict, code: str) -> int:
    """Units of a part on hand in the centre's store (0 when it holds none)."""
    return on_hand.get(code, 0) if isinstance(on_hand, dict) else 0
