"""The turnaround page (issue 17 part 5): per week of redelivery, the median and p90 of report-to-redelivery hours
against the one-day target and their split by hop, over the cases the reader may see; the brand's staff pick a
centre."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, OutletFactory, UserFactory
from logistics.models import MailIn
from logistics.tests.setup import prepare_mail_in
from logistics.tests.turnaround_setup import delivered_case
from logistics.turnaround import monday_of
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
COLUMNS = ("count", "median", "p90", "within", "courier_out", "bench", "courier_back")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def w(world):
    """Last week: two units back from the Hangzhou centre (28 h and 18 h) and one from Ningbo (22 h)."""
    w = prepare_mail_in(world)
    tz = timezone.get_current_timezone()
    w.last_monday = monday_of(timezone.now(), tz) - dt.timedelta(days=7)
    mon = dt.datetime.combine(w.last_monday, dt.time.min, tzinfo=tz)
    delivered_case(w, reported=mon + 9 * H, collected=mon + 11 * H, arrived=mon + 15 * H, received=mon + 16 * H,
                   shipped=mon + 33 * H, delivered=mon + 37 * H)  # out 6, bench 18, back 4
    delivered_case(w, reported=mon + 8 * H, received=mon + 12 * H, shipped=mon + 18 * H,
                   delivered=mon + 26 * H)  # no arrival scan: out 4, bench 6, back 8
    ningbo = delivered_case(w, reported=mon + 10 * H, arrived=mon + 14 * H, received=mon + 15 * H,
                            shipped=mon + 20 * H, delivered=mon + 32 * H)  # out 4, bench 6, back 12
    w.centre2 = OutletFactory(brand=w.brand, code="nb-centre", name="宁波维修中心", is_repair_centre=True)
    MailIn.objects.filter(pk=ningbo.pk).update(centre=w.centre2)
    WorkOrder.objects.filter(pk=ningbo.work_order_id).update(outlet=w.centre2)
    w.bench2 = UserFactory(username="bench2")
    MembershipFactory(user=w.bench2, organisation=w.centre2, role=Role.OUTLET_MANAGER)
    return w


def week_row(html: str, monday: dt.date) -> dict[str, str]:
    start = html.index(f'data-week="{monday:%Y-%m-%d}"')
    row = html[start:html.index("</tr>", start)]
    cells = {col: re.search(rf'data-col="{col}">([^<]*)<', row).group(1).strip() for col in COLUMNS}
    return cells


def test_the_brand_sees_every_centres_week_and_picks_one(w):
    page = client_for(w.dispatcher).get("/console/bench/turnaround/")
    html = page.content.decode()

    assert page.status_code == 200
    # Totals 18, 22, 28 h: the median is the middle one, the p90 the slowest of three; two of three within a day.
    assert week_row(html, w.last_monday) == {"count": "3", "median": "22.0", "p90": "28.0", "within": "67%",
                                             "courier_out": "4.0", "bench": "6.0", "courier_back": "8.0"}
    assert re.search(r'id="kpi-count">3<', html) and re.search(r'id="kpi-median" class="">22.0<', html)
    assert 'class="target-line"' in html and "against the target of 24 hours" in html
    assert html.count("<tr data-week=") == 8  # eight weeks by default, this one included
    assert 'name="centre"' in html and "宁波维修中心" in html

    html = client_for(w.dispatcher).get("/console/bench/turnaround/", {"centre": w.centre.pk, "weeks": 2}
                                        ).content.decode()
    assert week_row(html, w.last_monday) == {"count": "2", "median": "23.0", "p90": "28.0", "within": "50%",
                                             "courier_out": "5.0", "bench": "12.0", "courier_back": "6.0"}
    assert html.count("<tr data-week=") == 2
    assert "2.0 waiting for pickup" in html  # the one case the courier scanned at the door: 2 h after the report


def test_a_centres_staff_see_their_own_centre_only(w):
    html = client_for(w.bench2).get("/console/bench/turnaround/").content.decode()
    assert week_row(html, w.last_monday)["count"] == "1" and week_row(html, w.last_monday)["median"] == "22.0"
    assert 'name="centre"' not in html
    # Naming another centre changes nothing for them: the cases are read through what they may see.
    html = client_for(w.bench2).get("/console/bench/turnaround/", {"centre": w.centre.pk}).content.decode()
    assert week_row(html, w.last_monday)["count"] == "1"


def test_a_centre_not_ones_own_is_no_filter_and_others_have_no_page(w):
    rival = OutletFactory(brand=w.other_brand, code="rival-centre", is_repair_centre=True)
    html = client_for(w.dispatcher).get("/console/bench/turnaround/", {"centre": rival.pk, "weeks": "x"}
                                        ).content.decode()
    assert "Some filters were not valid and are ignored." in html
    assert week_row(html, w.last_monday)["count"] == "3"
    assert client_for(w.manager_a).get("/console/bench/turnaround/").status_code == 403
    assert client_for(w.customer.user).get("/console/bench/turnaround/").status_code == 403
    assert week_row(client_for(w.rival_dispatcher).get("/console/bench/turnaround/").content.decode(),
                    w.last_monday) == {"count": "0", "median": "—", "p90": "—", "within": "—", "courier_out": "—",
                                       "bench": "—", "courier_back": "—"}
