import datetime as dt
from decimal import Decimal

import pytest

from dispatch import travel
from dispatch.day import Stop, TechDay
from dispatch.services import time_stops
from dispatch.tests.test_travel import expected, fake_osrm, osrm  # noqa: F401 (osrm and fake_osrm are fixtures)
from portal.eta import eta, round_up

UTC = dt.UTC
WEST_LAKE = (Decimal("30.2590"), Decimal("120.1400"))
BINJIANG = (Decimal("30.2080"), Decimal("120.2110"))  # about 8.5 km from West Lake


def _plan_arrival(departed: dt.datetime, region: str) -> dt.datetime:
    """When the dispatcher's plan has a technician leaving West Lake at ``departed`` reach Binjiang."""
    start = departed.hour * 3600 + departed.minute * 60
    day = TechDay(shift=(start, start + 10 * 3600), home=tuple(map(float, WEST_LAKE)))
    stop = Stop(key=1, point=tuple(map(float, BINJIANG)), duration=3600)
    timed = time_stops(day, [stop], travel.provider(), region).stops[0]
    return departed + dt.timedelta(seconds=timed.arrival - start)


@pytest.mark.parametrize("region", ["", "shanghai"])
def test_the_eta_is_the_plans_arrival_rounded_up(settings, region):
    settings.DISPATCH_TRAVEL = {"OSRM_URL": ""}
    departed = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    arrival = eta(departed_at=departed, origin=WEST_LAKE, destination=BINJIANG, region=region)
    planned = _plan_arrival(departed, region)
    assert arrival == round_up(planned) and arrival.minute % 5 == 0
    # The straight line: 8.5 km x 1.3 of road at the town speed, plus 5 minutes to park.
    assert 30 <= (arrival - departed).total_seconds() / 60 <= 45


def test_the_eta_asks_osrm_when_the_plan_does(settings, osrm):  # noqa: F811 (the fixture)
    settings.DISPATCH_TRAVEL = {"OSRM_URL": osrm}
    departed = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    arrival = eta(departed_at=departed, origin=WEST_LAKE, destination=BINJIANG)
    seconds, _metres = expected(tuple(map(float, WEST_LAKE)), tuple(map(float, BINJIANG)))
    assert arrival == round_up(departed + dt.timedelta(seconds=seconds)) == round_up(_plan_arrival(departed, ""))


def test_no_coordinates_no_eta():
    departed = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert eta(departed_at=departed, origin=None, destination=(Decimal(1), Decimal(1))) is None
    assert eta(departed_at=departed, origin=(Decimal(1), None), destination=(Decimal(1), Decimal(1))) is None


def test_round_up():
    t = dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert round_up(t) == t
    assert round_up(t.replace(minute=1)) == t.replace(minute=5)
    assert round_up(t.replace(minute=4, second=30)) == t.replace(minute=5)
    assert round_up(t.replace(minute=56)) == t.replace(hour=11, minute=0)
