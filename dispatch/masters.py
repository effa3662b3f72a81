"""Per-process copies of the master data every ranking reads: the brand's dispatch rule and service standards.

They change a few times a year, and a ranking is asked for many times a minute, so each process keeps a
copy per brand for ``TTL`` seconds (as workorders.sla does for SLA policies). A change saved in this process
applies at once (``forget``, connected in dispatch.apps); other processes apply it within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

TTL = 60.0
_cache: dict[tuple[str, int], tuple[float, Any]] = {}
_lock = threading.Lock()


def _cached(kind: str, brand_id: int, load: Callable[[], Any]) -> Any:
    now = time.monotonic()
    hit = _cache.get((kind, brand_id))
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    value = load()
    with _lock:
        _cache[(kind, brand_id)] = (now, value)
    return value


def forget(*_args, **_kwargs) -> None:
    with _lock:
        _cache.clear()


def rule(brand_id: int):
    from dispatch.candidates import Rule
    from dispatch.models import DispatchRule

    def load():
        row = DispatchRule.objects.filter(brand_id=brand_id).values(
            "complex_minutes", "high_value_price", "in_house_mode", "partner_penalty_minutes").first()
        if row is None:
            return Rule()
        return Rule(complex_minutes=row["complex_minutes"], high_value_price=row["high_value_price"],
                    mode=row["in_house_mode"], partner_penalty_minutes=row["partner_penalty_minutes"])

    return _cached("rule", brand_id, load)


def standards(brand_id: int) -> dict[tuple[int, str], tuple[int, int | None, str]]:
    """(model id, service type) -> (standard minutes, required skill id, skill name) for the brand's models."""
    from catalog.models import ServiceStandard

    def load():
        return {(m, t): (minutes, skill, name or "") for m, t, minutes, skill, name in ServiceStandard.objects.filter(
            product_model__category__brand_id=brand_id).values_list(
            "product_model_id", "service_type", "standard_minutes", "required_skill_id", "required_skill__name")}

    return _cached("standards", brand_id, load)
