"""The dispatch API over real HTTP (Django's test client with bearer tokens): shapes, errors, scoping."""

from __future__ import annotations

import json

import pytest

from conftest import token_client
from dispatch.models import Visit
from dispatch.tests.scene import dispatch_scene, east, order_at
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return dispatch_scene(world)


def client(w, persona):
    user = getattr(w, persona)
    return token_client(getattr(user, "user", user))


def post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def state():
    return (list(WorkOrder.objects.order_by("pk").values_list("pk", "status", "version", "technician_id")),
            WorkOrderEvent.objects.count(), Visit.objects.count())


def test_candidates_list_ranked_technicians_with_reasons_and_the_excluded(w):
    w.tech_a2.skills.clear()
    order = order_at(w, east(2), slot=(14, 16))
    resp = client(w, "dispatcher").get(f"/api/v1/dispatch/orders/{order.pk}/candidates?date={w.day}",
                                       HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    body = resp.json()
    assert [c["technician"]["id"] for c in body["candidates"]] == [w.tech_a.pk, w.tech_b.pk]
    first = body["candidates"][0]
    assert first["summary"].startswith("skill ok, 2.6 km,") and "arrives 14:00" in first["summary"]
    assert first["starts_at"].endswith("Z") and first["load"] == 0 and first["capacity"] == 6
    assert [r["code"] for r in first["reasons"]][:3] == ["skill_ok", "distance", "added_travel"]
    assert body["excluded"] == [{"technician": {"id": w.tech_a2.pk, "name": w.tech_a2.name},
                                 "outlet": {"id": w.outlet_a.pk, "name": w.outlet_a.name},
                                 "reason": {"code": "no_skill", "params": {"skill": "RO"},
                                            "text": "lacks the skill RO"}}]


def test_one_call_assigns_and_a_stale_version_is_409_with_nothing_changed(w):
    order = order_at(w, east(2), slot=(14, 16))
    c = client(w, "dispatcher")
    before = state()
    stale = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign",
                 {"technician_id": w.tech_a.pk, "version": order.version + 5, "date": str(w.day)})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert state() == before
    resp = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign",
                {"technician_id": w.tech_a.pk, "version": order.version, "date": str(w.day)})
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"id": order.pk, "status": "dispatched", "outlet_id": w.outlet_a.pk,
                           "technician_id": w.tech_a.pk, "version": order.version + 2}


def test_bad_input_is_a_clear_4xx(w):
    order = order_at(w, east(2))
    c = client(w, "dispatcher")
    before = state()
    unknown = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign", {"technician_id": 999999, "version": 1})
    assert unknown.status_code == 422 and unknown.json()["field"] == "technician_id"
    extra = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign", {"technician_id": w.tech_a.pk, "version": 1,
                                                                   "force": True})
    assert extra.status_code == 422 and extra.json()["code"] == "validation_error"
    w.tech_a2.skills.clear()
    ineligible = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign",
                      {"technician_id": w.tech_a2.pk, "version": order.version, "date": str(w.day)})
    assert ineligible.status_code == 422
    assert ineligible.json()["code"] == "not_eligible" and ineligible.json()["message"] == "lacks the skill RO"
    bad_date = c.get(f"/api/v1/dispatch/orders/{order.pk}/candidates?date=tomorrow")
    assert bad_date.status_code == 422
    no_scope = post(c, "/api/v1/dispatch/plans/preview", {"date": str(w.day)})
    assert no_scope.status_code == 422 and no_scope.json()["field"] == "region_id"
    unknown_plan = post(c, "/api/v1/dispatch/plans/apply", {"plan_id": 999999})
    assert unknown_plan.status_code == 404
    assert state() == before


def test_only_dispatchers_may_rank_or_assign(w):
    order = order_at(w, east(2), status=Status.DISPATCHED)
    for persona in ("hotline", "analyst", "tech_a"):
        c = client(w, persona)
        assert c.get(f"/api/v1/dispatch/orders/{order.pk}/candidates").status_code == 403, persona
        before = state()
        resp = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign", {"technician_id": w.tech_a2.pk,
                                                                      "version": order.version})
        assert resp.status_code == 403, (persona, resp.content)
        assert state() == before


def test_plan_preview_then_apply_and_foreign_scopes_and_ids(w):
    jobs = [order_at(w, east(1 + k), slot=(9 + 2 * k, 11 + 2 * k)) for k in range(3)]
    c = client(w, "dispatcher")
    resp = post(c, "/api/v1/dispatch/plans/preview", {"date": str(w.day), "region_id": w.region.pk,
                                                      "time_limit": 0.5})
    assert resp.status_code == 200, resp.content
    plan = resp.json()
    assert plan["before"]["unassigned"] == 3 and plan["after"]["served"] == 3 and plan["unassigned"] == []
    assert {a["order_id"] for a in plan["assignments"]} == {j.pk for j in jobs}

    rival = client(w, "rival_dispatcher")
    before = state()
    assert post(rival, "/api/v1/dispatch/plans/preview", {"date": str(w.day), "region_id": w.region.pk}
                ).status_code == 404
    assert post(rival, "/api/v1/dispatch/plans/preview", {"date": str(w.day), "outlet_id": w.outlet_a.pk}
                ).status_code == 404
    foreign = post(rival, "/api/v1/dispatch/plans/apply", {"plan_id": plan["plan_id"]})
    assert foreign.status_code == 404
    manager_b = post(client(w, "manager_b"), "/api/v1/dispatch/plans/apply", {"plan_id": plan["plan_id"]})
    assert manager_b.status_code == 404
    assert state() == before

    applied = post(c, "/api/v1/dispatch/plans/apply", {"plan_id": plan["plan_id"]})
    assert applied.status_code == 200, applied.content
    assert sorted(applied.json()["changed"]) == sorted(j.pk for j in jobs)
    # Applying the same plan again is refused, and changes nothing.
    before = state()
    again = post(c, "/api/v1/dispatch/plans/apply", {"plan_id": plan["plan_id"]})
    assert again.status_code == 409 and again.json()["code"] == "plan_applied"
    assert state() == before


def test_an_override_takes_a_job_for_an_excluded_technician_with_the_reason_recorded(w):
    order = order_at(w, east(2), slot=(9, 11))
    w.tech_a2.skills.clear()
    c = client(w, "dispatcher")
    before = state()
    refused = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign",
                   {"technician_id": w.tech_a2.pk, "version": order.version, "date": str(w.day)})
    assert refused.status_code == 422 and refused.json()["code"] == "not_eligible"
    empty = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign",
                 {"technician_id": w.tech_a2.pk, "version": order.version, "date": str(w.day), "override_reason": ""})
    assert empty.status_code == 422
    assert state() == before
    done = post(c, f"/api/v1/dispatch/orders/{order.pk}/assign",
                {"technician_id": w.tech_a2.pk, "version": order.version, "date": str(w.day),
                 "override_reason": "The customer asked for him"})
    assert done.status_code == 200 and done.json()["technician_id"] == w.tech_a2.pk
    assert WorkOrderEvent.objects.get(work_order=order, kind="note").data["reason"] == "The customer asked for him"
