"""Travel-time providers: the straight line's arithmetic, and OSRM's table service over real HTTP.

The OSRM tests start a loopback stand-in (core/standin.py) that answers /table/v1/driving/... the way OSRM does
(sources, destinations, annotations=duration,distance); no code of ours is replaced.
"""

from __future__ import annotations

import math
import time

import pytest

from core.geo.distance import great_circle_m
from core.standin import HttpStandIn, Request
from dispatch import travel
from dispatch.travel import Osrm, StraightLine

HANGZHOU = (30.2741, 120.1551)
WEST_LAKE = (30.2420, 120.1490)
XIAOSHAN = (30.1850, 120.2640)
NINGBO = (29.8683, 121.5440)


def test_straight_line_is_the_great_circle_times_the_road_factor_at_town_then_road_speed():
    line = StraightLine(road_factor=1.3, town_speed_kmh=25, town_km=12, road_speed_kmh=50, park_minutes=5)
    crow = great_circle_m(HANGZHOU, WEST_LAKE)
    assert 3500 < crow < 3700
    seconds, metres = line.hop(HANGZHOU, WEST_LAKE)
    assert metres == round(crow * 1.3)
    assert seconds == round(crow * 1.3 / (25 / 3.6) + 300)
    far_s, far_m = line.hop(HANGZHOU, NINGBO)  # ~150 km: the first 12 km at 25 km/h, the rest at 50
    assert far_s == round(12_000 / (25 / 3.6) + (far_m - 12_000) / (50 / 3.6) + 300)
    assert line.hop(HANGZHOU, HANGZHOU) == (0, 0)


def test_the_table_agrees_with_single_hops_and_regions_have_their_own_town_speed():
    line = StraightLine(region_town_speed_kmh={"beijing": 20})
    points = [HANGZHOU, WEST_LAKE, XIAOSHAN]
    table = line.table(points, points)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert (table.durations[i][j], table.distances[i][j]) == line.hop(a, b)
    assert line.hop(HANGZHOU, XIAOSHAN, "beijing")[0] > line.hop(HANGZHOU, XIAOSHAN)[0]


class FakeOsrm(HttpStandIn):
    """Speaks OSRM's table response: metres are Manhattan distance on a local plane, 10 m/s."""

    content_type = "application/json"

    def __init__(self) -> None:
        super().__init__()
        self.mode = "ok"
        self.calls: list[dict] = []

    def answer(self, request: Request) -> tuple[int, dict]:
        parts = request.path.split("/")  # the path as sent: urlparse would cut it at the first ";"
        coords = [tuple(map(float, c.split(","))) for c in parts[4].split(";")]
        query = request.query
        sources = [int(i) for i in query["sources"].split(";")]
        destinations = [int(i) for i in query["destinations"].split(";")]
        self.calls.append({"service": parts[1], "profile": parts[3], "n": len(coords),
                           "annotations": query["annotations"]})
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "error":
            return 400, {"code": "InvalidQuery", "message": "Query string malformed"}
        if self.mode == "garbage":
            return 200, {"code": "Ok", "durations": [[1]]}
        distances = [[manhattan(coords[s], coords[d]) for d in destinations] for s in sources]
        # "gaps": Ningbo (east of 121.3° E) cannot be reached from anywhere else.
        gap = self.mode == "gaps"
        durations = [[None if gap and coords[d][0] > 121.3 and coords[s] != coords[d] else m / 10
                      for m, d in zip(row, destinations, strict=True)]
                     for row, s in zip(distances, sources, strict=True)]
        return 200, {"code": "Ok", "durations": durations, "distances": distances,
                     "sources": [{"location": list(coords[s])} for s in sources],
                     "destinations": [{"location": list(coords[d])} for d in destinations]}


def manhattan(a, b):  # OSRM coordinates are lon,lat
    return abs(a[0] - b[0]) * 96_200 + abs(a[1] - b[1]) * 111_200


@pytest.fixture
def fake_osrm():
    with FakeOsrm() as server:
        yield server


@pytest.fixture
def osrm(fake_osrm):
    return fake_osrm.url


def expected(a, b):
    m = manhattan((a[1], a[0]), (b[1], b[0]))
    return round(m / 10), round(m)


def test_osrm_table_durations_and_distances_come_from_the_server_in_blocks_it_accepts(osrm, fake_osrm):
    provider = Osrm(url=osrm, fallback=StraightLine(), max_table_size=4)
    points = [HANGZHOU, WEST_LAKE, XIAOSHAN, NINGBO, (30.30, 120.10)]
    table = provider.table(points, points)
    assert table.source == "osrm" and table.note == ""
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert (table.durations[i][j], table.distances[i][j]) == expected(a, b)
    assert all(c["n"] <= 4 and c["service"] == "table" and c["profile"] == "driving"
               and c["annotations"] == "duration,distance" for c in fake_osrm.calls)
    assert len(fake_osrm.calls) == 9  # 5 sources x 5 destinations in blocks of 2 x 2


def test_osrm_legs_ask_a_table_per_block_of_points(osrm, fake_osrm):
    provider = Osrm(url=osrm, fallback=StraightLine(), max_table_size=100)
    pairs = [(HANGZHOU, WEST_LAKE), (WEST_LAKE, XIAOSHAN), (XIAOSHAN, HANGZHOU), (HANGZHOU, HANGZHOU)]
    hops, note = provider.legs(pairs)
    assert note == "" and hops == [expected(a, b) if a != b else (0, 0) for a, b in pairs]
    assert len(fake_osrm.calls) == 1


@pytest.mark.parametrize("mode", ["error", "garbage", "slow"])
def test_when_osrm_fails_the_straight_line_answers_and_says_so(osrm, fake_osrm, mode):
    fake_osrm.mode = mode
    line = StraightLine()
    provider = Osrm(url=osrm, fallback=line, timeout=0.3)
    points = [HANGZHOU, WEST_LAKE, XIAOSHAN]
    started = time.monotonic()
    table = provider.table(points, points)
    assert time.monotonic() - started < 0.9  # the timeout holds; the slow server is not waited for
    assert table.source == "straight_line" and table.note.startswith("osrm failed: ")
    assert table.durations == line.table(points, points).durations


def test_an_osrm_server_that_is_not_there_falls_back():
    provider = Osrm(url="http://127.0.0.1:9", fallback=StraightLine(), timeout=0.5)
    table = provider.table([HANGZHOU], [WEST_LAKE])
    assert table.source == "straight_line" and "osrm failed" in table.note


def test_pairs_the_road_network_cannot_join_fall_back_alone(osrm, fake_osrm):
    fake_osrm.mode = "gaps"
    line = StraightLine()
    points = [HANGZHOU, WEST_LAKE, XIAOSHAN, NINGBO]
    table = Osrm(url=osrm, fallback=line).table(points, points)
    assert table.source == "osrm" and "could not join" in table.note
    assert table.durations[0][3] == line.hop(HANGZHOU, NINGBO)[0]
    assert table.durations[0][1] == expected(HANGZHOU, WEST_LAKE)[0]


def test_the_setting_picks_the_provider(settings, osrm):
    settings.DISPATCH_TRAVEL = {"OSRM_URL": ""}
    assert isinstance(travel.provider(), StraightLine)
    settings.DISPATCH_TRAVEL = {"OSRM_URL": osrm, "ROAD_FACTOR": 1.4}
    chosen = travel.provider()
    assert isinstance(chosen, Osrm) and chosen.fallback.road_factor == 1.4
    assert math.isclose(chosen.fallback.hop(HANGZHOU, WEST_LAKE)[1], great_circle_m(HANGZHOU, WEST_LAKE) * 1.4,
                        abs_tol=1)
