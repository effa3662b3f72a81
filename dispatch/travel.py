"""Travel times between places, from a pluggable provider (settings.DISPATCH_TRAVEL).

Two providers, one interface (``table`` for a matrix, ``legs`` for a list of hops):

- ``StraightLine`` (the default): the great-circle distance, stretched by a road factor, driven at a
  town speed for the first ``town_km`` road kilometres and a faster road speed beyond (ring roads,
  expressways between cities), plus a few minutes to park at every stop. Speeds can be set per region.
- ``Osrm``: an OSRM server's table service (``/table/v1/driving/...``, durations and distances), used
  when ``OSRM_URL`` is set. Requests are cut to the server's table size, each with a timeout; when the
  server fails (down, slow, an error, a malformed answer) the whole answer falls back to the straight
  line and says so in ``Table.note``; a pair the road network cannot join falls back alone.

Road factor 1.3 and 25 km/h in town: circuity in Chinese cities runs about 1.3-1.45, and daytime
door-to-door speeds of a car or an e-scooter in big cities about 20-30 km/h. They are starting points:
set your own per region in DISPATCH_TRAVEL, or point OSRM_URL at a server with your road network.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from core.geo.distance import great_circle_m, great_circle_matrix_m

log = logging.getLogger("aftersales.dispatch.travel")

DEFAULTS: dict[str, Any] = {
    "PROVIDER": "",  # a dotted path; empty: Osrm when OSRM_URL is set, else StraightLine
    "ROAD_FACTOR": 1.3,
    "TOWN_SPEED_KMH": 25.0,
    "TOWN_KM": 12.0,  # road kilometres driven at the town speed; the rest at ROAD_SPEED_KMH
    "ROAD_SPEED_KMH": 50.0,
    "PARK_MINUTES": 5.0,  # finding a place to stop and reaching the door, on every hop between two places
    # Region code -> town speed where traffic is slower (or faster) than TOWN_SPEED_KMH.
    "REGION_TOWN_SPEED_KMH": {"beijing": 22.0, "shanghai": 22.0, "chongqing": 22.0},
    "OSRM_URL": "",
    "OSRM_PROFILE": "driving",
    "OSRM_TIMEOUT": 2.0,  # seconds per request
    "OSRM_MAX_TABLE_SIZE": 100,  # osrm-routed --max-table-size (its default is 100 coordinates)
}

Point = tuple[float, float]  # (latitude, longitude)


@dataclass(frozen=True)
class Table:
    """durations[i][j] seconds and distances[i][j] metres from sources[i] to destinations[j]."""

    durations: list[list[int]]
    distances: list[list[int]]
    source: str  # "straight_line" or "osrm"
    note: str = ""  # why the answer is not (all) from the configured provider


class TravelProvider(Protocol):
    name: str

    def table(self, sources: Sequence[Point], destinations: Sequence[Point], *, region: str = "") -> Table: ...

    def legs(self, pairs: Sequence[tuple[Point, Point]], *, region: str = "") -> tuple[list[tuple[int, int]], str]:
        """(seconds, metres) per hop, and a note when (part of) the answer is a fallback."""
        ...


@dataclass(frozen=True)
class StraightLine:
    road_factor: float = DEFAULTS["ROAD_FACTOR"]
    town_speed_kmh: float = DEFAULTS["TOWN_SPEED_KMH"]
    town_km: float = DEFAULTS["TOWN_KM"]
    road_speed_kmh: float = DEFAULTS["ROAD_SPEED_KMH"]
    park_minutes: float = DEFAULTS["PARK_MINUTES"]
    region_town_speed_kmh: Mapping[str, float] = field(default_factory=dict)
    name: str = "straight_line"

    def speeds(self, region: str = "") -> tuple[float, float]:
        """(town, road) speeds in metres per second."""
        town = self.region_town_speed_kmh.get(region, self.town_speed_kmh)
        return town / 3.6, self.road_speed_kmh / 3.6

    def hop(self, a: Point, b: Point, region: str = "") -> tuple[int, int]:
        """(seconds, metres) from a to b; the hot path of candidate ranking, so plain floats only."""
        if a == b:
            return 0, 0
        metres = great_circle_m(a, b) * self.road_factor
        return self.seconds(metres, region), round(metres)

    def seconds(self, road_metres: float, region: str = "") -> int:
        if road_metres <= 0:
            return 0
        town, road = self.speeds(region)
        town_m = min(road_metres, self.town_km * 1000)
        return round(town_m / town + (road_metres - town_m) / road + self.park_minutes * 60)

    def table(self, sources: Sequence[Point], destinations: Sequence[Point], *, region: str = "") -> Table:
        if not sources or not destinations:
            return Table([[] for _ in sources], [[] for _ in sources], self.name)
        # A numpy array; its own methods, so that this module does not load numpy (core.geo.distance does, here).
        metres = great_circle_matrix_m(sources, destinations) * self.road_factor
        town, road = self.speeds(region)
        town_m = metres.clip(max=self.town_km * 1000)
        seconds = (town_m / town + (metres - town_m) / road + self.park_minutes * 60) * (metres > 0)
        return Table(seconds.round().astype(int).tolist(), metres.round().astype(int).tolist(), self.name)

    def legs(self, pairs: Sequence[tuple[Point, Point]], *, region: str = "") -> tuple[list[tuple[int, int]], str]:
        return [self.hop(a, b, region) for a, b in pairs], ""


class OsrmFailed(Exception):
    pass


@dataclass(frozen=True)
class Osrm:
    url: str
    fallback: StraightLine
    profile: str = DEFAULTS["OSRM_PROFILE"]
    timeout: float = DEFAULTS["OSRM_TIMEOUT"]
    max_table_size: int = DEFAULTS["OSRM_MAX_TABLE_SIZE"]
    name: str = "osrm"

    def table(self, sources: Sequence[Point], destinations: Sequence[Point], *, region: str = "") -> Table:
        if not sources or not destinations:
            return Table([[] for _ in sources], [[] for _ in sources], self.name)
        try:
            durations, distances, gaps = self._table(list(sources), list(destinations))
        except OsrmFailed as failure:
            log.warning("OSRM table failed, straight-line times used instead: %s", failure)
            table = self.fallback.table(sources, destinations, region=region)
            return Table(table.durations, table.distances, table.source, note=f"osrm failed: {failure}")
        note = ""
        if gaps:
            # Pairs the road network cannot join (a point off the map): the straight line for those alone.
            for i, j in gaps:
                durations[i][j], distances[i][j] = self.fallback.hop(sources[i], destinations[j], region)
            note = f"osrm could not join {len(gaps)} pair(s); straight line used for those"
        return Table(durations, distances, self.name, note=note)

    def legs(self, pairs: Sequence[tuple[Point, Point]], *, region: str = "") -> tuple[list[tuple[int, int]], str]:
        """Hops in blocks of at most max_table_size distinct points, one table request per block."""
        found: list[tuple[int, int] | None] = [None] * len(pairs)
        notes: set[str] = set()
        todo = [(k, a, b) for k, (a, b) in enumerate(pairs)]
        for k, a, b in todo:
            if a == b:
                found[k] = (0, 0)
        todo = [t for t in todo if t[1] != t[2]]
        while todo:
            points: dict[Point, int] = {}
            block = []
            while todo:
                k, a, b = todo[0]
                new = (a not in points) + (b not in points)
                if len(points) + new > max(2, self.max_table_size) and block:
                    break
                for p in (a, b):
                    points.setdefault(p, len(points))
                block.append(todo.pop(0))
            ordered = list(points)
            table = self.table(ordered, ordered, region=region)
            if table.note:
                notes.add(table.note)
            for k, a, b in block:
                i, j = points[a], points[b]
                found[k] = (table.durations[i][j], table.distances[i][j])
        return [f for f in found if f is not None], "; ".join(sorted(notes))

    def _table(self, sources: list[Point], destinations: list[Point]) -> tuple[list, list, list]:
        # A request carries at most max_table_size coordinates: cut sources and destinations into halves of it.
        size = max(1, self.max_table_size // 2)
        durations = [[0] * len(destinations) for _ in sources]
        distances = [[0] * len(destinations) for _ in sources]
        gaps: list[tuple[int, int]] = []
        for s0 in range(0, len(sources), size):
            for d0 in range(0, len(destinations), size):
                src, dst = sources[s0:s0 + size], destinations[d0:d0 + size]
                block_durations, block_distances = self._request(src, dst)
                for i, (row_t, row_d) in enumerate(zip(block_durations, block_distances, strict=True)):
                    for j, (t, d) in enumerate(zip(row_t, row_d, strict=True)):
                        if t is None or d is None:
                            gaps.append((s0 + i, d0 + j))
                        else:
                            durations[s0 + i][d0 + j] = round(t)
                            distances[s0 + i][d0 + j] = round(d)
        return durations, distances, gaps

    def _request(self, src: list[Point], dst: list[Point]) -> tuple[list, list]:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in (*src, *dst))
        sources = ";".join(str(i) for i in range(len(src)))
        destinations = ";".join(str(len(src) + j) for j in range(len(dst)))
        url = (f"{self.url.rstrip('/')}/table/v1/{self.profile}/{coords}"
               f"?sources={sources}&destinations={destinations}&annotations=duration,distance")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                body = json.loads(response.read(20_000_000))
        except urllib.error.HTTPError as error:
            raise OsrmFailed(f"HTTP {error.code}") from error
        except (OSError, ValueError) as error:  # refused, timed out, not JSON
            raise OsrmFailed(type(error).__name__ + (f": {error}" if str(error) else "")) from error
        if not isinstance(body, dict) or body.get("code") != "Ok":
            raise OsrmFailed(f"code {body.get('code') if isinstance(body, dict) else '?'}")
        durations, distances = body.get("durations"), body.get("distances")
        if not _shaped(durations, len(src), len(dst)) or not _shaped(distances, len(src), len(dst)):
            raise OsrmFailed("the answer has no durations and distances of the requested shape")
        return durations, distances


def _shaped(matrix: Any, rows: int, cols: int) -> bool:
    return (isinstance(matrix, list) and len(matrix) == rows
            and all(isinstance(r, list) and len(r) == cols
                    and all(v is None or (isinstance(v, int | float) and v >= 0) for v in r) for r in matrix))


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "DISPATCH_TRAVEL", {})}


def straight_line(cfg: Mapping[str, Any] | None = None) -> StraightLine:
    cfg = cfg or config()
    return StraightLine(road_factor=float(cfg["ROAD_FACTOR"]), town_speed_kmh=float(cfg["TOWN_SPEED_KMH"]),
                        town_km=float(cfg["TOWN_KM"]), road_speed_kmh=float(cfg["ROAD_SPEED_KMH"]),
                        park_minutes=float(cfg["PARK_MINUTES"]),
                        region_town_speed_kmh=dict(cfg["REGION_TOWN_SPEED_KMH"]))


def build_provider(cfg: Mapping[str, Any] | None = None) -> TravelProvider:
    cfg = {**config(), **(cfg or {})}
    path = cfg["PROVIDER"]
    if path:
        return import_string(path)(cfg)
    base = straight_line(cfg)
    if cfg["OSRM_URL"]:
        return Osrm(url=cfg["OSRM_URL"], fallback=base, profile=cfg["OSRM_PROFILE"],
                    timeout=float(cfg["OSRM_TIMEOUT"]), max_table_size=int(cfg["OSRM_MAX_TABLE_SIZE"]))
    return base


@cache
def _provider(frozen: str) -> TravelProvider:
    return build_provider(json.loads(frozen))


def provider() -> TravelProvider:
    """The configured provider (built once per configuration)."""
    return _provider(json.dumps(config(), sort_keys=True, default=str))


def trip_seconds(origin: Point, destination: Point, *, region: str = "",
                 using: TravelProvider | None = None) -> int:
    """Seconds to drive from ``origin`` to ``destination`` (parking included) by the configured provider, as
    the dispatcher's plan times a hop: every other travel estimate (the customer's ETA) asks here."""
    ((seconds, _metres),), _note = (using or provider()).legs([(origin, destination)], region=region)
    return seconds
