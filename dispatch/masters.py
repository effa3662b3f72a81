"""Per-process copies of the master data every ranking reads: the brand's dispatch rule, service standards,
region codes and crew (active outlets with their regions and categories; active technicians with skills, certificates,
working hours, homes and capacity).

They change a few times a week at most, and a ranking is asked for many times a minute, so each process keeps
a copy per brand for ``TTL`` seconds (core.ttl_cache, as workorders.sla does for SLA policies). A change saved
in this process applies at once (``forget``, connected in dispatch/hooks.py to saves, deletes and many-to-many
changes); other processes apply it within the TTL. What is not master data is always read fresh: the jobs of the
day, the outlets' load, the order itself; and the lifecycle checks outlet and technician again when it dispatches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.choices import OrgKind
from accounts.models import Organisation
from catalog import standards as catalog_standards
from catalog.standards import Standard
from core.ttl_cache import TtlCache
from dispatch.candidates import Rule
from dispatch.day import certificate_on, weekday_shift
from dispatch.models import DispatchRule
from network.models import Certification, Region, Technician

TTL = 60.0
_copies: TtlCache[Any] = TtlCache(TTL)


def _cached(kind: str, brand_id: int, load: Callable[[], Any]) -> Any:
    return _copies.get((kind, brand_id), load)


def forget(*_args, **_kwargs) -> None:
    _copies.clear()


def rule(brand_id: int):
    def load():
        row = DispatchRule.objects.filter(brand_id=brand_id).values(
            "complex_minutes", "high_value_price", "in_house_mode", "partner_penalty_minutes").first()
        if row is None:
            return Rule()
        return Rule(complex_minutes=row["complex_minutes"], high_value_price=row["high_value_price"],
                    mode=row["in_house_mode"], partner_penalty_minutes=row["partner_penalty_minutes"])

    return _cached("rule", brand_id, load)


def standards(brand_id: int) -> dict[tuple[int, str], Standard]:
    """(model id, service type) -> (standard minutes, required skill id, skill name) for the brand's models."""
    return _cached("standards", brand_id, lambda: catalog_standards.standards(brand_id=brand_id))


def region_codes(brand_id: int) -> dict[int, str]:
    """Region id -> code (what the travel provider's speeds are set by) for the brand's regions."""
    return _cached("regions", brand_id, lambda: dict(Region.objects.filter(brand_id=brand_id).values_list(
        "pk", "code")))


class Crew:
    """The brand's active outlets and technicians as plain rows: who serves where, holds what, works when."""

    def __init__(self, brand_id: int) -> None:
        self.outlets: dict[int, dict] = {}
        for row in Organisation.objects.filter(kind=OrgKind.OUTLET, brand_id=brand_id, is_active=True).order_by(
                "pk").values("pk", "name", "outlet_type", "daily_capacity", "latitude", "longitude"):
            row.update(latitude=None if row["latitude"] is None else float(row["latitude"]),
                       longitude=None if row["longitude"] is None else float(row["longitude"]),
                       regions=set(), categories=set())
            self.outlets[row["pk"]] = row
        ids = list(self.outlets)
        for outlet_id, region_id in Region.outlets.through.objects.filter(organisation_id__in=ids).values_list(
                "organisation_id", "region_id"):
            self.outlets[outlet_id]["regions"].add(region_id)
        for outlet_id, category_id in Organisation.authorised_categories.through.objects.filter(
                organisation_id__in=ids).values_list("organisation_id", "productcategory_id"):
            self.outlets[outlet_id]["categories"].add(category_id)
        self.techs: dict[int, dict] = {}
        for row in Technician.objects.filter(outlet_id__in=ids, is_active=True).order_by("name", "pk").values(
                "pk", "name", "outlet_id", "home_latitude", "home_longitude", "working_hours", "daily_capacity"):
            lat, lon = row.pop("home_latitude"), row.pop("home_longitude")
            row.update(home_lat=None if lat is None else float(lat), home_lon=None if lon is None else float(lon),
                       skills=set(), spans={}, shifts=tuple(weekday_shift(row["working_hours"], d) for d in range(7)))
            self.techs[row["pk"]] = row
        tech_ids = list(self.techs)
        for tech_id, skill_id in Technician.skills.through.objects.filter(technician_id__in=tech_ids).values_list(
                "technician_id", "skill_id"):
            self.techs[tech_id]["skills"].add(skill_id)
        for tech_id, skill_id, start, end in Certification.objects.filter(technician_id__in=tech_ids).values_list(
                "technician_id", "skill_id", "valid_from", "expires_on"):
            self.techs[tech_id]["spans"].setdefault(skill_id, []).append((start, end))

    def outlets_serving(self, region_id: int | None, category_id: int | None, only=None) -> list[dict]:
        """As dispatch.gather.outlets_serving: active outlets serving the region, each with ``authorised``."""
        wanted = None if only is None else set(only)
        return [{k: o[k] for k in ("pk", "name", "outlet_type", "daily_capacity", "latitude", "longitude")}
                | {"authorised": category_id is None or category_id in o["categories"]}
                for o in self.outlets.values()
                if (region_id is None or region_id in o["regions"]) and (wanted is None or o["pk"] in wanted)]

    def technicians_of(self, outlet_ids, skill_id: int | None, day, only=None) -> list[dict]:
        """As dispatch.gather.technicians_of with ``certified_on=day``: ``has_skill`` and ``certificate``; and
        ``shift``, the day's (dispatch.gather.shift_in)."""
        outlets, wanted = set(outlet_ids), None if only is None else set(only)
        found = []
        for t in self.techs.values():
            if t["outlet_id"] not in outlets or (wanted is not None and t["pk"] not in wanted):
                continue
            row = {k: t[k] for k in ("pk", "name", "outlet_id", "home_lat", "home_lon", "working_hours",
                                     "daily_capacity")}
            row["shift"] = t["shifts"][day.weekday()]
            row["has_skill"] = skill_id is None or skill_id in t["skills"]
            if skill_id is not None:
                row["certificate"] = certificate_on(t["spans"].get(skill_id), day)
            found.append(row)
        return found


def crew(brand_id: int) -> Crew:
    return _cached("crew", brand_id, lambda: Crew(brand_id))
