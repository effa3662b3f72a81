"""The board's pages and partials through Django's test client: scoping, polling, assign, plan."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from dispatch.tests.scene import dispatch_scene, east, north, order_at
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w(world):
    return dispatch_scene(world)


def signed_in(w, persona):
    user = getattr(w, persona)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(getattr(user, "user", user))
    return c


def test_the_brand_board_shows_lanes_queue_and_the_navigation_entry(w):
    queued = order_at(w, east(2), slot=(9, 11))
    on_lane = order_at(w, east(3), slot=(13, 15), status=Status.DISPATCHED, technician=w.tech_a)
    html = signed_in(w, "dispatcher").get(f"/console/dispatch/?date={w.day}&region={w.region.pk}").content.decode()
    assert 'data-nav="dispatch"' in html and "is-current" in html
    for tech in (w.tech_a, w.tech_a2, w.tech_b):
        assert f'data-technician="{tech.pk}"' in html
    assert 'class="dqueue-item sla-edge-' in html and f'data-order="{queued.pk}"' in html
    lane_a = html.split(f'class="dlane" data-technician="{w.tech_a.pk}"')[1].split('<div class="dlane"')[0]
    assert f'data-pick="{on_lane.pk}"' in lane_a and "13:00" in lane_a  # its block starts at the window
    assert "3 technicians" in html and "1 job on their days" in html and "1 waiting" in html


def test_outlet_staff_see_only_their_outlet(w):
    mine = order_at(w, east(2), status=Status.ASSIGNED, outlet=w.outlet_a)
    theirs = order_at(w, north(3), status=Status.ASSIGNED, outlet=w.outlet_b, technician=w.tech_b,
                      customer=w.other_customer)
    brand_new = order_at(w, east(1))
    html = signed_in(w, "manager_a").get(f"/console/dispatch/?date={w.day}&region={w.region.pk}").content.decode()
    assert f'data-order="{mine.pk}"' in html
    assert f'data-order="{theirs.pk}"' not in html and f'data-order="{brand_new.pk}"' not in html
    assert f'data-technician="{w.tech_b.pk}"' not in html and 'name="region"' not in html


def test_the_poll_answers_204_until_something_changes(w):
    order = order_at(w, east(2))
    c = signed_in(w, "dispatcher")
    page = c.get(f"/console/dispatch/?date={w.day}&region={w.region.pk}").content.decode()
    poll = re.search(r'hx-get="([^"]+since=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert c.get(poll, **HX).status_code == 204
    WorkOrder.objects.filter(pk=order.pk).update(version=order.version + 1)
    changed = c.get(poll, **HX)
    assert changed.status_code == 200 and 'id="board"' in changed.content.decode()


def test_click_shows_candidates_and_assign_answers_with_the_board(w):
    w.tech_a2.skills.clear()
    order = order_at(w, east(2), slot=(14, 16))
    c = signed_in(w, "dispatcher")
    panel = c.get(f"/console/dispatch/orders/{order.pk}/candidates/?date={w.day}", **HX).content.decode()
    assert "skill ok, 2.6 km" in panel and "lacks the skill RO" in panel
    resp = c.post(f"/console/dispatch/orders/{order.pk}/assign/",
                  {"technician": w.tech_a.pk, "version": order.version, "date": w.day, "region": w.region.pk}, **HX)
    html = resp.content.decode()
    assert resp.status_code == 200 and f"{order.number} dispatched to tech_a." in html
    assert 'id="dispatch-panel" hx-swap-oob="true"' in html
    order.refresh_from_db()
    assert order.technician_id == w.tech_a.pk and order.status == Status.DISPATCHED


def test_a_refused_assignment_says_why_and_changes_nothing(w):
    order = order_at(w, east(2))
    c = signed_in(w, "dispatcher")
    events = WorkOrderEvent.objects.count()
    resp = c.post(f"/console/dispatch/orders/{order.pk}/assign/",
                  {"technician": w.tech_a.pk, "version": order.version + 3, "date": w.day, "region": w.region.pk},
                  **HX)
    assert resp.status_code == 409 and resp["X-Domain-Error"] == "409"
    assert "Someone else changed this record" in resp.content.decode()
    garbage = c.post(f"/console/dispatch/orders/{order.pk}/assign/", {"technician": "x", "version": "y"}, **HX)
    assert garbage.status_code == 422 and "Choose a technician." in garbage.content.decode()
    order.refresh_from_db()
    assert order.status == Status.NEW and WorkOrderEvent.objects.count() == events


def test_optimise_previews_then_applies(w):
    jobs = [order_at(w, east(1 + k), slot=(9 + 2 * k, 11 + 2 * k)) for k in range(3)]
    c = signed_in(w, "dispatcher")
    preview = c.post("/console/dispatch/plan/", {"date": w.day, "region": w.region.pk}, **HX).content.decode()
    assert "Proposed plan" in preview and 'data-metric="served">3<' in preview
    plan_id = re.search(r'name="plan_id" value="(\d+)"', preview).group(1)
    applied = c.post("/console/dispatch/plan/apply/", {"date": w.day, "region": w.region.pk, "plan_id": plan_id},
                     **HX)
    assert applied.status_code == 200 and "Plan applied: 3 jobs moved." in applied.content.decode()
    assert {j.pk for j in jobs} == set(WorkOrder.objects.filter(status=Status.DISPATCHED).values_list("pk", flat=True))
    again = c.post("/console/dispatch/plan/apply/", {"date": w.day, "region": w.region.pk, "plan_id": plan_id}, **HX)
    assert again.status_code == 409 and "This plan has been applied already." in again.content.decode()
    unreadable = c.post("/console/dispatch/plan/apply/", {"date": w.day, "region": w.region.pk, "plan_id": "{"},
                        **HX)
    assert unreadable.status_code == 422 and "The plan is not readable." in unreadable.content.decode()


def test_a_plan_is_refused_when_the_day_changed_after_its_preview(w):
    order_at(w, east(1), slot=(9, 11))
    c = signed_in(w, "dispatcher")
    preview = c.post("/console/dispatch/plan/", {"date": w.day, "region": w.region.pk}, **HX).content.decode()
    plan_id = re.search(r'name="plan_id" value="(\d+)"', preview).group(1)
    order_at(w, east(2), slot=(13, 15))  # booked meanwhile
    events = WorkOrderEvent.objects.count()
    refused = c.post("/console/dispatch/plan/apply/", {"date": w.day, "region": w.region.pk, "plan_id": plan_id},
                     **HX)
    assert refused.status_code == 409 and refused["X-Domain-Error"] == "409"
    assert "The day has changed since this plan was made: optimise again." in refused.content.decode()
    assert WorkOrderEvent.objects.count() == events and not WorkOrder.objects.exclude(status=Status.NEW).exists()


def test_seats_without_dispatch_get_403_and_foreign_orders_404(w):
    order = order_at(w, east(2))
    for persona in ("hotline", "analyst", "tech_a"):
        c = signed_in(w, persona)
        assert c.get("/console/dispatch/").status_code == 403, persona
    rival = signed_in(w, "rival_dispatcher")
    assert rival.get(f"/console/dispatch/orders/{order.pk}/candidates/").status_code == 404
    assert rival.post(f"/console/dispatch/orders/{order.pk}/assign/", {"technician": w.tech_a.pk,
                                                                       "version": 1}).status_code == 404
    board = rival.get(f"/console/dispatch/?region={w.region.pk}")
    assert board.status_code == 422 and "Select a valid choice" in board.content.decode()
    anonymous = Client().get("/console/dispatch/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_the_address_names_the_day_and_region_the_board_shows(w):
    """No day or region asked for: the board redirects to the ones it shows (the busiest region today), and the
    form's boxes say the same; an optimise does not change the address."""
    from django.utils import timezone

    from core.dates import brand_tz
    from dispatch.board import default_day
    from network.tests.factories import RegionFactory

    beijing = RegionFactory(brand=w.brand, code="beijing", name="北京")  # first by code, but idle
    beijing.outlets.add(w.outlet_b)
    today = default_day(w.brand.pk)  # today, or after hours the next working day
    if today == timezone.localdate(timezone.now(), brand_tz()):
        order_at(w, east(2), slot=None)  # today, in Hangzhou
    else:
        order_at(w, east(2), slot=(9, 11), day=today)
    c = signed_in(w, "dispatcher")
    first = c.get("/console/dispatch/")
    assert first.status_code == 302
    assert first["Location"] == f"/console/dispatch/?date={today}&region={w.region.pk}"
    html = c.get(first["Location"]).content.decode()
    assert f'<option value="{w.region.pk}" selected>' in html and f'value="{today}"' in html
    assert f'<option value="{beijing.pk}" selected>' not in html
    # Asked for explicitly, the address stays as it is and the board is Beijing's.
    chosen = c.get(f"/console/dispatch/?date={w.day}&region={beijing.pk}")
    assert chosen.status_code == 200 and f'<option value="{beijing.pk}" selected>' in chosen.content.decode()
    # An htmx filter change that leaves the day out is told the address to show.
    partial = c.get(f"/console/dispatch/?region={beijing.pk}", **HX)
    assert partial["HX-Push-Url"] == f"/console/dispatch/?date={today}&region={beijing.pk}"


def test_queue_cards_say_customer_district_product_and_type_and_the_filter_narrows_them(w):
    from customers.models import Site

    repair = order_at(w, east(2), slot=(9, 11))
    Site.objects.filter(pk=repair.site_id).update(address="浙江省杭州市西湖区文三路 90 号")
    install = order_at(w, east(3), slot=(13, 15), type="install", customer=w.other_customer)
    Site.objects.filter(pk=install.site_id).update(address="浙江省杭州市滨江区江南大道 1 号")
    c = signed_in(w, "dispatcher")
    html = c.get(f"/console/dispatch/?date={w.day}&region={w.region.pk}").content.decode()
    card = html.split(f'data-order="{repair.pk}"')[1].split("</li>")[0]
    assert f'data-field="customer">{w.customer.name}' in card and 'data-field="district">西湖区<' in card
    assert 'data-field="type">Repair<' in card and f'data-field="product">{w.model.name}<' in card
    only_installs = c.get(f"/console/dispatch/?date={w.day}&region={w.region.pk}&type=install").content.decode()
    assert f'data-order="{install.pk}"' in only_installs and f'data-order="{repair.pk}"' not in only_installs
    by_place = c.get(f"/console/dispatch/?date={w.day}&region={w.region.pk}&q=西湖").content.decode()
    assert f'data-order="{repair.pk}"' in by_place and f'data-order="{install.pk}"' not in by_place
    assert '<span class="count">1/2</span>' in by_place


def test_the_default_day_is_today_while_a_shift_has_two_hours_left_then_the_next_working_day(w):
    from dispatch.board import default_day
    from dispatch.tests.scene import at

    wednesday = w.day  # the scene's technicians work Monday to Saturday, 08:30-17:30
    assert default_day(w.brand.pk, now=at(wednesday, 10)) == wednesday
    assert default_day(w.brand.pk, now=at(wednesday, 15, 29)) == wednesday
    assert default_day(w.brand.pk, now=at(wednesday, 15, 31)) == wednesday + dt.timedelta(days=1)
    saturday = wednesday + dt.timedelta(days=3)
    assert default_day(w.brand.pk, now=at(saturday, 20)) == saturday + dt.timedelta(days=2)  # Monday
