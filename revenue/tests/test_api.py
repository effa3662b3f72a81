"""The revenue API: kinds and wording, recording (idempotent), the queue, working a lead, commissions."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import token_client
from revenue.consent import consent_wording
from revenue.models import Commission, Lead
from revenue.tests.factories import RuleFactory, lead_on
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_lead_kinds_give_the_wording_and_the_rule(world):
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("8.00"), fixed_amount=Decimal("20"))
    body = token_client(world.tech_a.user).get("/api/v1/revenue/lead-kinds", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [k["kind"] for k in body] == ["filter_subscription", "extended_warranty", "trade_in", "upgrade"]
    warranty = body[1]
    assert warranty["rule"] == {"percent": "8.00", "fixed_amount": "20.00", "valid_from": "2020-01-01",
                                "valid_to": None}
    assert warranty["queue"] == "brand" and "Acme" in warranty["consent_wording"]
    assert body[0]["rule"] is None and body[0]["queue"] == "outlet"
    denied = token_client(world.customer.user).get("/api/v1/revenue/lead-kinds")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"


def test_recording_a_lead_with_an_idempotency_key_makes_one(world):
    order = make_order(world, status=Status.ON_SITE)
    client = token_client(world.tech_a.user)
    body = {"kind": "filter_subscription", "consent": True, "consented_by": "王女士", "note": "每半年换一次",
            "consent_wording": consent_wording(brand_name="Acme", kind="filter_subscription")}
    first = post(client, f"/api/v1/revenue/orders/{order.pk}/leads", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, f"/api/v1/revenue/orders/{order.pk}/leads", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Lead.objects.count() == 1
    lead = first.json()
    assert (lead["status"], lead["queue"], lead["consented_by"], lead["work_order_number"]) == (
        "new", "outlet", "王女士", order.number)
    assert lead["commission"] is None and lead["value"] is None
    other = post(client, f"/api/v1/revenue/orders/{order.pk}/leads", body | {"note": "x"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    duplicate = post(client, f"/api/v1/revenue/orders/{order.pk}/leads", body)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_lead"
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("change, status, code", [
    ({"consent": False}, 422, "consent_required"),
    ({"consent_wording": "anything"}, 422, "consent_wording_changed"),
    ({"kind": "timeshare"}, 422, "validation_error"),
    ({"consented_by": ""}, 422, "invalid"),
])
def test_refusals_are_4xx_with_a_code_and_write_nothing(world, change, status, code):
    order = make_order(world, status=Status.ON_SITE)
    body = {"kind": "upgrade", "consent": True, "consented_by": "王女士",
            "consent_wording": consent_wording(brand_name="Acme", kind="upgrade")} | change
    response = post(token_client(world.tech_a.user), f"/api/v1/revenue/orders/{order.pk}/leads", body)
    assert response.status_code == status and response.json()["code"] == code
    assert Lead.objects.count() == 0


def test_a_colleague_cannot_record_on_my_job(world):
    order = make_order(world, status=Status.ON_SITE)
    body = {"kind": "upgrade", "consent": True, "consented_by": "x",
            "consent_wording": consent_wording(brand_name="Acme", kind="upgrade")}
    response = post(token_client(world.tech_a2.user), f"/api/v1/revenue/orders/{order.pk}/leads", body)
    assert response.status_code == 404 and Lead.objects.count() == 0


def test_the_queue_lists_filters_and_works_leads(world):
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("10.00"))
    warranty = lead_on(world, kind="extended_warranty")
    upgrade = lead_on(world, kind="upgrade")
    lead_on(world, kind="filter_subscription")  # the outlet's queue: not the brand desk's
    desk = token_client(world.hotline)
    listed = desk.get("/api/v1/revenue/leads").json()
    assert listed["count"] == 2 and {i["id"] for i in listed["items"]} == {warranty.pk, upgrade.pk}
    assert [i["id"] for i in desk.get("/api/v1/revenue/leads", {"kind": "upgrade"}).json()["items"]] == [upgrade.pk]
    assert desk.get("/api/v1/revenue/leads", {"status": "won"}).json()["count"] == 0
    assert desk.get("/api/v1/revenue/leads", {"status": "bogus"}).status_code == 422

    bad = post(desk, f"/api/v1/revenue/leads/{warranty.pk}/transitions", {"action": "win", "value": "-3"})
    assert bad.status_code == 422 and bad.json()["field"] == "value"
    won = post(desk, f"/api/v1/revenue/leads/{warranty.pk}/transitions",
               {"action": "win", "value": "1999.00", "version": 1})
    assert won.status_code == 200
    assert won.json()["status"] == "won" and won.json()["commission"]["amount"] == "199.90"
    twice = post(desk, f"/api/v1/revenue/leads/{warranty.pk}/transitions", {"action": "win", "value": "1999.00"})
    assert twice.status_code == 409 and twice.json()["code"] == "illegal_transition"
    stale = post(desk, f"/api/v1/revenue/leads/{upgrade.pk}/transitions", {"action": "contact", "version": 9})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert Commission.objects.count() == 1
    analyst = post(token_client(world.analyst), f"/api/v1/revenue/leads/{upgrade.pk}/transitions",
                   {"action": "contact"})
    assert analyst.status_code == 403 and Lead.objects.get(pk=upgrade.pk).status == "new"


def test_commissions_are_the_technicians_own(world):
    RuleFactory(brand=world.brand, kind="trade_in", queue="outlet", percent=Decimal("0"), fixed_amount=Decimal("50.00"))
    from accounts.principal import principal_of
    from revenue import workflow

    mine = workflow.transition(lead_on(world, kind="trade_in"), "win", actor=principal_of(world.manager_a),
                               value="100")
    theirs = workflow.transition(lead_on(world, kind="trade_in", technician=world.tech_b), "win",
                                 actor=principal_of(world.manager_b), value="100")
    got = token_client(world.tech_a.user).get("/api/v1/revenue/commissions").json()
    assert [c["id"] for c in got] == [mine.commission.pk] and got[0]["amount"] == "50.00"
    assert [c["id"] for c in token_client(world.manager_b).get("/api/v1/revenue/commissions").json()] == [
        theirs.commission.pk]
    assert len(token_client(world.dispatcher).get("/api/v1/revenue/commissions").json()) == 2
