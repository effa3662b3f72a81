"""A job's standard minutes and required skill, from the model's service standards: the one lookup that
dispatch (its ranking, day plans and slot offers, through dispatch.masters' per-process copy) and the
technician's labour variance (field) all read."""

from __future__ import annotations

from typing import NamedTuple

from catalog.models import ServiceStandard


class Standard(NamedTuple):
    minutes: int
    skill_id: int | None
    skill_name: str


def standards(*, brand_id: int | None = None, model_id: int | None = None) -> dict[tuple[int, str], Standard]:
    """(model id, service type) -> its standard, for the brand's models or for one model, in one query."""
    rows = ServiceStandard.objects.order_by()
    if brand_id is not None:
        rows = rows.filter(product_model__category__brand_id=brand_id)
    if model_id is not None:
        rows = rows.filter(product_model_id=model_id)
    return {(m, t): Standard(minutes, skill, name or "") for m, t, minutes, skill, name in rows.values_list(
        "product_model_id", "service_type", "standard_minutes", "required_skill_id", "required_skill__name")}


def standard(model_id: int | None, service_type: str) -> Standard | None:
    """The standard of one model for one service type; None when it has none (or there is no model)."""
    if model_id is None:
        return None
    return standards(model_id=model_id).get((model_id, service_type))
