"""The slot maths alone (dispatch/slots.py): plain data, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch import slots
from dispatch.slots import Board, Booking, Crew, Job, Outlet

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)
FULL_WEEK = {d: (dt.time(8, 30), dt.time(17, 30)) for d in slots.WEEKDAYS[:6]}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def window(day: dt.date, hour: int) -> slots.Window:
    return at(day, hour), at(day, hour + 2)


def crew(tech_id: int = 1, outlet_id: int = 1, hours=None, daily: int = 6, certificates=None) -> Crew:
    return Crew(technician_id=tech_id, outlet_id=outlet_id, hours=FULL_WEEK if hours is None else hours,
                daily_capacity=daily, certificates=certificates)


def board(*crews: Crew, outlets=(Outlet(1),), bookings=(), job=Job()) -> Board:
    return Board(tz=TZ, job=job, outlets=outlets, crews=crews, bookings=bookings)


def test_windows_start_after_the_lead_time_and_cover_the_days_asked():
    found = slots.windows(now=at(MONDAY, 8), days=2, tz=TZ)

    assert [(s.astimezone(TZ).strftime("%a %H"), (e - s)) for s, e in found] == [
        ("Mon 11", dt.timedelta(hours=2)), ("Mon 13", dt.timedelta(hours=2)), ("Mon 15", dt.timedelta(hours=2)),
        ("Mon 17", dt.timedelta(hours=2)), ("Tue 09", dt.timedelta(hours=2)), ("Tue 11", dt.timedelta(hours=2)),
        ("Tue 13", dt.timedelta(hours=2)), ("Tue 15", dt.timedelta(hours=2)), ("Tue 17", dt.timedelta(hours=2)),
    ]


def test_windows_are_in_local_time_whatever_zone_now_is_given_in():
    now_utc = at(MONDAY, 8).astimezone(dt.UTC)  # 00:00 UTC

    assert slots.windows(now=now_utc, days=1, tz=TZ)[0] == window(MONDAY, 11)
    assert slots.windows(now=at(MONDAY, 9, 1), days=1, tz=TZ)[0] == window(MONDAY, 13)  # 11:00 is within 2 h
    assert slots.windows(now=at(MONDAY, 18), days=1, tz=TZ) == []


def test_a_technician_counts_only_in_windows_the_shift_covers_whole():
    tech = crew(hours={"mon": (dt.time(10), dt.time(19))})
    job = Job(standard_minutes=60, travel_minutes=30)

    assert [slots.jobs_in_window(tech, window(MONDAY, h), job, TZ) for h in (9, 11, 13, 15, 17)] == [0, 1, 1, 1, 1]
    assert slots.jobs_in_window(tech, window(MONDAY + dt.timedelta(days=1), 11), job, TZ) == 0  # Tuesday off


def test_short_jobs_fit_twice_in_a_window_and_long_ones_only_where_the_shift_holds_them():
    tech = crew()

    assert slots.jobs_in_window(tech, window(MONDAY, 9), Job(standard_minutes=30, travel_minutes=30), TZ) == 2
    install = Job(standard_minutes=480, travel_minutes=30)  # a central air-conditioner: 8 hours
    assert [slots.jobs_in_window(tech, window(MONDAY, h), install, TZ) for h in (9, 11, 13)] == [1, 0, 0]
    assert slots.jobs_in_day(tech, MONDAY, install, TZ) == 1


def test_a_job_longer_than_the_shift_takes_the_day_from_its_first_window():
    job = Job(standard_minutes=600, travel_minutes=30)  # ten hours: no shift of the week holds it
    late = crew(hours={"mon": (dt.time(10), dt.time(19))})

    assert [slots.jobs_in_window(crew(), window(MONDAY, h), job, TZ) for h in (9, 11, 13, 15)] == [1, 0, 0, 0]
    assert [slots.jobs_in_window(late, window(MONDAY, h), job, TZ) for h in (9, 11, 13, 15, 17)] == [0, 1, 0, 0, 0]
    assert slots.jobs_in_day(crew(), MONDAY, job, TZ) == 1


def test_daily_capacity_limits_the_day():
    job = Job(standard_minutes=60, travel_minutes=30)

    assert slots.jobs_in_day(crew(daily=6), MONDAY, job, TZ) == 6  # 9 h / 1.5 h
    assert slots.jobs_in_day(crew(daily=4), MONDAY, job, TZ) == 4
    assert slots.jobs_in_day(crew(daily=0), MONDAY, job, TZ) == 0
    assert slots.jobs_in_window(crew(daily=0), window(MONDAY, 9), job, TZ) == 0


def test_an_expired_certificate_does_not_count_a_current_one_does():
    expired = crew(certificates=((MONDAY - dt.timedelta(days=400), MONDAY - dt.timedelta(days=1)),))
    current = crew(certificates=((MONDAY - dt.timedelta(days=10), MONDAY),))
    lapsing = crew(certificates=((MONDAY - dt.timedelta(days=10), MONDAY),))

    assert slots.jobs_in_window(expired, window(MONDAY, 9), Job(), TZ) == 0
    assert slots.jobs_in_window(current, window(MONDAY, 9), Job(), TZ) == 1
    assert slots.jobs_in_window(lapsing, window(MONDAY + dt.timedelta(days=1), 9), Job(), TZ) == 0
    assert slots.jobs_in_window(crew(certificates=None), window(MONDAY, 9), Job(), TZ) == 1


def test_booked_jobs_take_capacity_in_their_window_and_on_their_day():
    two = board(crew(1, daily=1), crew(2, daily=1))
    booked = board(crew(1, daily=1), crew(2, daily=1), bookings=(Booking(1, *window(MONDAY, 9)),))

    assert slots.free_in(two, Outlet(1), window(MONDAY, 9)) == 2
    assert slots.free_in(booked, Outlet(1), window(MONDAY, 9)) == 1
    # One job a day each: the day has one job left, whichever window.
    assert slots.free_in(booked, Outlet(1), window(MONDAY, 13)) == 1
    full = board(crew(1, daily=1), crew(2, daily=1),
                 bookings=(Booking(1, *window(MONDAY, 9)), Booking(1, *window(MONDAY, 15))))
    assert slots.free_in(full, Outlet(1), window(MONDAY, 13)) == 0


def test_the_outlets_own_daily_capacity_caps_the_day():
    busy = board(crew(1), crew(2), outlets=(Outlet(1, daily_capacity=1),),
                 bookings=(Booking(1, *window(MONDAY, 9)),))

    assert slots.free_in(busy, Outlet(1, daily_capacity=1), window(MONDAY, 11)) == 0


def test_other_outlets_bookings_do_not_count():
    b = board(crew(1), bookings=(Booking(2, *window(MONDAY, 9)),))

    assert slots.free_in(b, Outlet(1), window(MONDAY, 9)) == 1


def test_each_window_is_offered_once_by_the_nearest_outlet_with_room():
    near, far = Outlet(1, distance_km=Decimal("2.0")), Outlet(2, distance_km=Decimal("9.5"))
    b = Board(tz=TZ, job=Job(), outlets=(far, near), crews=(crew(1, outlet_id=1), crew(2, outlet_id=2)),
              bookings=(Booking(1, *window(MONDAY, 9)),))

    found = slots.offers(b, [window(MONDAY, 9), window(MONDAY, 11)])

    assert [(o.start, o.outlet_id, o.free) for o in found] == [(at(MONDAY, 9), 2, 1), (at(MONDAY, 11), 1, 1)]


def test_an_outlet_of_unknown_distance_comes_after_placed_ones():
    b = Board(tz=TZ, job=Job(), outlets=(Outlet(1), Outlet(2, distance_km=Decimal("30"))),
              crews=(crew(1, outlet_id=1), crew(2, outlet_id=2)))

    assert slots.offers(b, [window(MONDAY, 9)])[0].outlet_id == 2


def test_working_hours_are_read_leniently():
    parsed = slots.parse_hours({"mon": ["08:30", "17:30"], "tue": ["18:00", "09:00"], "xyz": ["09:00", "10:00"],
                                "wed": "all day", "thu": [None, None]})

    assert parsed == {"mon": (dt.time(8, 30), dt.time(17, 30))}
    assert slots.parse_hours(None) == {}


# --- properties ------------------------------------------------------------------------------------------

times = st.integers(min_value=6 * 2, max_value=21 * 2).map(lambda half_hours: dt.time(half_hours // 2,
                                                                                       30 * (half_hours % 2)))


@st.composite
def shifts(draw):
    hours = {}
    for day in slots.WEEKDAYS:
        if draw(st.booleans()):
            start, end = sorted((draw(times), draw(times)))
            if start < end:
                hours[day] = (start, end)
    return hours


@st.composite
def boards(draw):
    outlet_ids = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True))
    outlets = tuple(Outlet(i, daily_capacity=draw(st.integers(0, 12)),
                           distance_km=draw(st.one_of(st.none(), st.decimals(0, 80, places=1))))
                    for i in outlet_ids)
    crews = []
    for n in range(draw(st.integers(0, 6))):
        certificates = draw(st.one_of(st.none(), st.lists(st.tuples(
            st.integers(-10, 10).map(lambda d: MONDAY + dt.timedelta(days=d)),
            st.integers(0, 10)), max_size=2).map(lambda spans: tuple((s, s + dt.timedelta(days=n)) for s, n in spans))))
        crews.append(Crew(technician_id=n, outlet_id=draw(st.sampled_from(outlet_ids)), hours=draw(shifts()),
                          daily_capacity=draw(st.integers(0, 8)), certificates=certificates))
    candidate = slots.windows(now=at(MONDAY, 7), days=7, tz=TZ)
    bookings = tuple(Booking(draw(st.sampled_from(outlet_ids)), *draw(st.sampled_from(candidate)))
                     for _ in range(draw(st.integers(0, 15))))
    job = Job(standard_minutes=draw(st.integers(10, 600)), travel_minutes=draw(st.integers(0, 60)))
    return Board(tz=TZ, job=job, outlets=outlets, crews=tuple(crews), bookings=bookings), candidate


def _within_a_qualified_shift(b: Board, offer: slots.SlotOffer) -> bool:
    day = offer.start.astimezone(TZ).date()
    for c in b.crews:
        span = c.hours.get(slots.WEEKDAYS[day.weekday()])
        if c.outlet_id == offer.outlet_id and span and c.qualified_on(day) and c.daily_capacity > 0:
            if at(day, span[0].hour, span[0].minute) <= offer.start and offer.end <= at(day, span[1].hour,
                                                                                          span[1].minute):
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(boards())
def test_free_is_never_negative_and_offers_lie_within_working_hours(drawn):
    b, candidate = drawn
    for outlet in b.outlets:
        for w in candidate:
            assert slots.free_in(b, outlet, w) >= 0
    found = slots.offers(b, candidate)
    assert len({o.start for o in found}) == len(found)  # one offer per window
    for offer in found:
        assert offer.free >= 1
        assert (offer.start, offer.end) in candidate
        assert _within_a_qualified_shift(b, offer), offer


@settings(max_examples=150, deadline=None)
@given(boards())
def test_booking_an_offered_window_takes_exactly_one_from_it(drawn):
    b, candidate = drawn
    for offer in slots.offers(b, candidate):
        outlet = next(o for o in b.outlets if o.outlet_id == offer.outlet_id)
        booked = Board(tz=TZ, job=b.job, outlets=b.outlets, crews=b.crews,
                       bookings=(*b.bookings, Booking(offer.outlet_id, offer.start, offer.end)))
        assert slots.free_in(booked, outlet, (offer.start, offer.end)) == offer.free - 1
