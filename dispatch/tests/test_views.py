"""The board's pages and partials through Django's test client: scoping, polling, assign, plan."""

from __future__ import annotations

import json
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
    plan = re.search(r'name="plan" value="([^"]+)"', preview).group(1).replace("&quot;", '"')
    assert {m["order_id"] for m in json.loads(plan)} == {j.pk for j in jobs}
    applied = c.post("/console/dispatch/plan/apply/", {"date": w.day, "region": w.region.pk, "plan": plan}, **HX)
    assert applied.status_code == 200 and "Plan applied: 3 jobs moved." in applied.content.decode()
    unreadable = c.post("/console/dispatch/plan/apply/", {"date": w.day, "region": w.region.pk, "plan": "{"}, **HX)
    assert unreadable.status_code == 422 and "The plan is not readable." in unreadable.content.decode()


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
