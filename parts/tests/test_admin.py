"""The admin: balances and moves read-only; new moves, request transfers and receipts go through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.principal import principal_of
from parts import services
from parts.choices import DefectiveStatus, MoveKind, RequestStatus
from parts.models import DefectiveReturn, PartRequest, StockMove
from parts.services import Line
from parts.tests.helpers import level, snapshot
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(stock):
    stock.admin.is_staff = stock.admin.is_superuser = True
    stock.admin.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(stock.admin)
    return client


def test_lists_and_read_only_pages_open(stock, admin_client):
    w = stock
    for url in ("/admin/parts/warehouse/", f"/admin/parts/warehouse/{w.store_a.pk}/change/",
                "/admin/parts/stockbalance/", "/admin/parts/stockmove/", "/admin/parts/partrequest/",
                "/admin/parts/consumption/", "/admin/parts/defectivereturn/", "/admin/parts/stockmove/add/"):
        assert admin_client.get(url).status_code == 200, url
    balance = w.store_a.balances.first()
    assert admin_client.get(f"/admin/parts/stockbalance/{balance.pk}/change/").status_code == 200
    before = snapshot()
    admin_client.post(f"/admin/parts/stockbalance/{balance.pk}/change/", {"on_hand": 999})
    admin_client.post(f"/admin/parts/stockbalance/{balance.pk}/delete/", {"post": "yes"})
    assert snapshot() == before
    # The brand's admin does not see the rival brand's warehouses.
    assert "rival" not in admin_client.get("/admin/parts/warehouse/").content.decode().lower()


def test_adding_a_move_goes_through_the_services(stock, admin_client):
    w = stock
    response = admin_client.post("/admin/parts/stockmove/add/", {
        "operation": "receive", "warehouse": w.store_b.pk, "part": w.valve.pk, "quantity": 12, "reason": "采购到货"})
    assert response.status_code == 302, response.content.decode()[:2000]
    move = StockMove.objects.get(warehouse=w.store_b, part=w.valve)
    assert (move.kind, move.quantity, move.reason, move.actor) == (MoveKind.RECEIVE, 12, "采购到货", w.admin)
    assert level(w.store_b, w.valve) == (12, 0, 0)
    response = admin_client.post("/admin/parts/stockmove/add/", {
        "operation": "transfer", "warehouse": w.store_b.pk, "part": w.valve.pk, "quantity": 5,
        "to_warehouse": w.van_b.pk})
    assert response.status_code == 302
    assert level(w.van_b, w.valve) == (5, 0, 0)


@pytest.mark.parametrize(("post", "field", "message"), [
    ({"operation": "adjust", "quantity": -999, "reason": "count"}, "quantity", "available"),
    ({"operation": "adjust", "quantity": -1, "reason": ""}, "reason", "Give a reason."),
    ({"operation": "transfer", "quantity": 1}, "to_warehouse", "Choose the warehouse"),
    ({"operation": "receive", "quantity": 0}, "quantity", "at least one unit"),
])
def test_a_refused_move_is_a_message_beside_the_field(stock, admin_client, post, field, message):
    w = stock
    before = snapshot()
    response = admin_client.post("/admin/parts/stockmove/add/", {"warehouse": w.store_a.pk, "part": w.pump.pk,
                                                                 **post})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert snapshot() == before


def test_request_and_defective_actions_call_the_services(stock, admin_client):
    w = stock
    order = make_order(w, status=Status.ON_SITE)
    tech = principal_of(w.tech_a.user)
    request = services.request_parts(order=order, actor=tech, lines=[Line(w.board, 2)])
    services.consume_on_job(order=order, actor=tech, lines=[Line(w.pump, 1)], idempotency_key="a")
    response = admin_client.post("/admin/parts/partrequest/", {"action": "transfer_to_vans",
                                                               "_selected_action": [request.pk]})
    assert response.status_code == 302
    assert PartRequest.objects.get(pk=request.pk).status == RequestStatus.TRANSFERRED
    assert level(w.van_a, w.board) == (2, 0, 0)
    owed = DefectiveReturn.objects.get()
    response = admin_client.post("/admin/parts/defectivereturn/", {"action": "mark_received",
                                                                   "_selected_action": [owed.pk]})
    assert response.status_code == 302
    assert DefectiveReturn.objects.get().status == DefectiveStatus.RECEIVED
    assert level(w.store_a, w.pump) == (20, 0, 1)
