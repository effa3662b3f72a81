import datetime as dt
from decimal import Decimal

from portal.eta import eta, round_up, travel_minutes

UTC = dt.UTC


def test_travel_time_from_distance():
    # 10 km straight → 14 km of road at 25 km/h = 33.6 → 34 min, plus 5 to park.
    assert travel_minutes(Decimal("10")) == 39
    assert travel_minutes(Decimal("0")) == 5


def test_eta_is_rounded_up_to_five_minutes():
    departed = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    # West Lake to Binjiang, Hangzhou: about 8.5 km apart.
    arrival = eta(departed_at=departed, origin=(Decimal("30.2590"), Decimal("120.1400")),
                  destination=(Decimal("30.2080"), Decimal("120.2110")))
    minutes = (arrival - departed).total_seconds() / 60
    assert 30 <= minutes <= 45 and arrival.minute % 5 == 0


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
