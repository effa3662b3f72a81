"""What the bench's desk and the turnaround report read (logistics/selectors.py): queues, scan-to-find, the seat,
and the rows of delivered cases, always within the cases the user may see."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, OutletFactory, UserFactory
from logistics import bench, selectors
from logistics.tests.setup import book, collected_and_arrived, outbound, prepare_mail_in
from logistics.tests.turnaround_setup import delivered_case

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


@pytest.fixture
def second_centre(w):
    """Another repair centre of the brand, with its own manager and one case of the other customer's unit."""
    w.centre2 = OutletFactory(brand=w.brand, code="nb-centre", name="宁波维修中心", is_repair_centre=True)
    w.bench2 = UserFactory(username="bench2")
    MembershipFactory(user=w.bench2, organisation=w.centre2, role=Role.OUTLET_MANAGER)
    return w


def test_the_queues_count_each_hop_of_the_cases_one_may_see(w):
    arrived = collected_and_arrived(w, book(w))
    waiting = book(w)  # the pickup is booked: on its way in
    received = bench.receive(mail_in=collected_and_arrived(w, book(w), "SF1000000000009"),
                             actor=principal_of(w.bench), serial="SN-A-0001")

    counts = selectors.queue_counts(w.bench)

    assert counts == {"incoming": 1, "arrived": 1, "received": 1, "diagnosed": 0, "quoted": 0, "decided": 0,
                      "repaired": 0, "qc_passed": 0, "shipped": 0}
    assert [c.pk for c in selectors.queue(w.bench, "incoming")] == [waiting.pk]
    assert [c.pk for c in selectors.queue(w.bench, "arrived")] == [arrived.pk]
    assert [c.pk for c in selectors.queue(w.bench, "received")] == [received.pk]
    assert selectors.queue(w.bench, "nonsense") == []
    assert selectors.queue_counts(w.dispatcher) == counts  # the brand's staff see all the brand's
    assert sum(selectors.queue_counts(w.manager_a).values()) == 0  # another outlet sees none
    assert sum(selectors.queue_counts(w.rival_dispatcher).values()) == 0


def test_a_case_is_late_once_its_hop_is_due(w):
    case = collected_and_arrived(w, book(w))
    assert not selectors.is_late(case, case.hop_due)
    assert selectors.is_late(case, case.hop_due + dt.timedelta(seconds=1))


def test_scan_finds_a_case_by_waybill_number_or_serial_among_ones_own(w, second_centre):
    case = collected_and_arrived(w, book(w), "SF1000000000001")
    case = bench.receive(mail_in=case, actor=principal_of(w.bench), serial="sn-other-9")  # flagged, received

    for code in ("SF1000000000001", "sf1000000000001", " SF1000000000001 ", case.work_order.number,
                 case.work_order.number.lower(), "SN-OTHER-9", "SN-A-0001", "sn-a-0001"):
        assert selectors.find_case(w.bench, code) == case, code
    assert selectors.find_case(w.dispatcher, "SN-A-0001") == case
    for nobody in ("SF0000000000000", "", "   ", "x" * 65):
        assert selectors.find_case(w.bench, nobody) is None
    # Another centre's staff, another outlet and another brand find nothing by the same codes.
    for outsider in (w.bench2, w.manager_a, w.rival_dispatcher, w.other_customer.user):
        assert selectors.find_case(outsider, "SF1000000000001") is None
        assert selectors.find_case(outsider, "SN-A-0001") is None


def test_scan_by_serial_prefers_the_open_case_then_the_latest(w):
    first = delivered_case(w, reported=timezone.now() - 50 * H, received=timezone.now() - 40 * H,
                           shipped=timezone.now() - 30 * H, delivered=timezone.now() - 20 * H)
    second = collected_and_arrived(w, book(w), "SF1000000000077")
    assert selectors.find_case(w.bench, "SN-A-0001") == second
    assert selectors.find_case(w.bench, outbound(first).waybill) == first  # the return parcel's waybill too


def test_the_bench_seat_is_a_centres_staff(w, second_centre):
    assert selectors.works_at_centre(principal_of(w.bench))
    assert selectors.works_at_centre(principal_of(w.bench2))
    assert not selectors.works_at_centre(principal_of(w.manager_a))
    assert not selectors.works_at_centre(principal_of(w.dispatcher))  # brand staff: the brand's seat, not a centre's
    assert not selectors.works_at_centre(principal_of(w.tech_a.user))
    assert not selectors.works_at_centre(None)
    assert {c.pk for c in selectors.repair_centres(w.dispatcher)} == {w.centre.pk, w.centre2.pk}
    assert [c.pk for c in selectors.repair_centres(w.bench2)] == [w.centre2.pk]


def test_store_stock_reads_the_centres_store(w):
    case = collected_and_arrived(w, book(w))
    assert [(b.part.code, b.on_hand) for b in selectors.store_stock(case)] == [("booster-pump", 3)]


def test_turnaround_rows_take_the_arrival_scan_else_the_receipt(w):
    monday = dt.datetime(2025, 3, 3, tzinfo=SHANGHAI)
    scanned = delivered_case(w, reported=monday + 9 * H, collected=monday + 11 * H, arrived=monday + 15 * H,
                             received=monday + 16 * H, shipped=monday + 33 * H, delivered=monday + 37 * H)
    unscanned = delivered_case(w, reported=monday + 8 * H, received=monday + 12 * H, shipped=monday + 18 * H,
                               delivered=monday + 26 * H)
    collected_and_arrived(w, book(w), "SF1000000000099")  # still open: not in the report

    rows = {r.reported: r for r in selectors.turnaround_rows(w.bench)}

    assert set(rows) == {monday + 9 * H, monday + 8 * H}
    a, b = rows[monday + 9 * H], rows[monday + 8 * H]
    assert (a.collected, a.arrived, a.received, a.shipped, a.delivered) == (
        monday + 11 * H, monday + 15 * H, monday + 16 * H, monday + 33 * H, monday + 37 * H)
    assert (a.total, a.courier_out, a.bench, a.courier_back) == (28 * H, 6 * H, 18 * H, 4 * H)
    assert (b.collected, b.arrived, b.courier_out, b.bench, b.courier_back) == (None, None, 4 * H, 6 * H, 8 * H)
    assert scanned.pk != unscanned.pk
    assert selectors.turnaround_rows(w.manager_a) == []
    assert selectors.turnaround_rows(w.bench, since=monday + 27 * H) == [a]


def test_the_report_covers_the_last_weeks_in_the_readers_zone(w, second_centre):
    now = dt.datetime(2025, 3, 12, 12, tzinfo=SHANGHAI)  # a Wednesday
    monday = dt.datetime(2025, 3, 3, tzinfo=SHANGHAI)
    delivered_case(w, reported=monday + 9 * H, arrived=monday + 15 * H, received=monday + 16 * H,
                   shipped=monday + 33 * H, delivered=monday + 37 * H)
    delivered_case(w, reported=monday - 30 * 24 * H, received=monday - 29 * 24 * H, shipped=monday - 28 * 24 * H,
                   delivered=monday - 27 * 24 * H)  # five weeks back: outside a two-week report

    report = selectors.turnaround_report(w.dispatcher, weeks=2, now=now)

    assert report.since == dt.date(2025, 3, 3)
    assert [(wk.monday, wk.count) for wk in report.weeks] == [(dt.date(2025, 3, 3), 1), (dt.date(2025, 3, 10), 0)]
    assert (report.overall.count, report.overall.median, report.overall.within_target) == (1, 28 * H, 0)
    assert selectors.turnaround_report(w.dispatcher, weeks=2, now=now, centre_id=w.centre2.pk).overall.count == 0
    assert len(selectors.turnaround_report(w.dispatcher, weeks=999, now=now).weeks) == selectors.WEEKS_MAX
    assert selectors.turnaround_report(w.bench2, weeks=2, now=now).overall.count == 0
