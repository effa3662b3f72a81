"""The parts pages over HTTP (Django test client): scoping, htmx partials, refusals beside the field, both languages."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.principal import principal_of
from parts import services
from parts.choices import DefectiveStatus, RequestStatus
from parts.models import DefectiveReturn, PartRequest
from parts.services import Line
from parts.tests.helpers import level, snapshot
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def browser(user, lang="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


@pytest.fixture
def desk(stock):
    w = stock
    w.order_a = make_order(w, status=Status.ACCEPTED)
    w.order_b = make_order(w, status=Status.ACCEPTED, customer=w.other_customer, product=w.other_product,
                           outlet=w.outlet_b, technician=w.tech_b)
    services.transfer_stock(source=w.central, target=w.store_b, lines=[Line(w.pump, 4)], actor=principal_of(w.clerk))
    w.req_a = services.request_parts(order=w.order_a, actor=principal_of(w.tech_a.user),
                                     lines=[Line(w.pump, 2), Line(w.board, 1)], note="泵有异响")
    w.req_b = services.request_parts(order=w.order_b, actor=principal_of(w.tech_b.user), lines=[Line(w.pump, 1)])
    return w


def test_the_outlet_desk_sees_its_outlets_open_requests_only(desk):
    w = desk
    html = browser(w.desk_a).get("/console/parts/requests/").content.decode()
    assert f'id="request-{w.req_a.pk}"' in html and f'id="request-{w.req_b.pk}"' not in html
    assert "泵有异响" in html and w.order_a.number in html and "Transfer to" in html
    clerk = browser(w.clerk).get("/console/parts/requests/").content.decode()
    assert f'id="request-{w.req_a.pk}"' in clerk and f'id="request-{w.req_b.pk}"' in clerk
    # Brand staff who do not keep stock read the requests but are offered no buttons.
    dispatcher = browser(w.dispatcher).get("/console/parts/requests/").content.decode()
    assert f'id="request-{w.req_a.pk}"' in dispatcher and "transfer-form" not in dispatcher


def test_transfer_in_place_returns_the_card_and_moves_the_stock(desk):
    w = desk
    response = browser(w.desk_a).post(f"/console/parts/requests/{w.req_a.pk}/transfer/", {"version": w.req_a.version},
                                      **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<article") and 'data-status="transferred"' in html
    # Out of band, the tabs with the counts as they are now: one open request left at outlet A (none, as
    # outlet B's is not theirs), one transferred.
    assert 'id="status-tabs" aria-label="Status" hx-swap-oob="true"' in html
    assert 'data-status="open">\n        Open <span class="tab-count">0</span>' in html
    assert "Transferred to Technician&#x27;s van · tech_a." in html
    assert level(w.van_a, w.pump) == (8, 0, 0) and level(w.store_a, w.pump) == (18, 0, 0)


def test_a_refusal_without_reason_is_a_message_beside_the_field(desk):
    w = desk
    before = snapshot()
    response = browser(w.manager_a).post(f"/console/parts/requests/{w.req_a.pk}/refuse/",
                                         {"version": w.req_a.version, "reason": "  "}, **HTMX)
    assert response.status_code == 422 and response["X-Domain-Error"] == "422"
    html = response.content.decode()
    assert f'id="error-reason-{w.req_a.pk}">Give a reason: the technician reads it.</span>' in html
    assert snapshot() == before
    done = browser(w.manager_a).post(f"/console/parts/requests/{w.req_a.pk}/refuse/",
                                     {"version": w.req_a.version, "reason": "旧泵先退回"}, **HTMX)
    assert done.status_code == 200 and "旧泵先退回" in done.content.decode()
    assert PartRequest.objects.get(pk=w.req_a.pk).status == RequestStatus.REFUSED


def test_a_stale_card_is_refused_with_its_message_and_changes_nothing(desk):
    w = desk
    services.transfer_request(request=w.req_a, actor=principal_of(w.clerk))
    before = snapshot()
    response = browser(w.desk_a, "zh-hans").post(f"/console/parts/requests/{w.req_a.pk}/transfer/", {"version": 1},
                                                 **HTMX)
    assert response.status_code == 409 and response["X-Domain-Error"] == "409"
    assert "该申请已不在待处理状态。" in response.content.decode()
    assert snapshot() == before


def test_without_javascript_the_forms_still_work(desk):
    w = desk
    client = browser(w.desk_a)
    response = client.post(f"/console/parts/requests/{w.req_a.pk}/refuse/", {"version": w.req_a.version, "reason": ""})
    assert response.status_code == 422 and "<html" in response.content.decode()
    response = client.post(f"/console/parts/requests/{w.req_a.pk}/transfer/", {"version": w.req_a.version})
    assert response.status_code == 302 and response["Location"] == "/console/parts/requests/"


def test_foreign_requests_are_404_for_every_other_party(desk):
    w = desk
    before = snapshot()
    for user in (w.manager_b, w.tech_b.user, w.tech_a2.user, w.customer.user, w.rival_dispatcher):
        for action in ("transfer", "refuse"):
            response = browser(user).post(f"/console/parts/requests/{w.req_a.pk}/{action}/",
                                          {"version": 1, "reason": "x"})
            assert response.status_code == 404, (user, action)
    assert snapshot() == before


def test_the_technician_cannot_decide_their_own_request(desk):
    w = desk
    before = snapshot()
    response = browser(w.tech_a.user).post(f"/console/parts/requests/{w.req_a.pk}/transfer/", {"version": 1}, **HTMX)
    assert response.status_code == 403 and "Your role may not deal with part requests." in response.content.decode()
    assert snapshot() == before


def test_status_tabs_list_decided_requests(desk):
    w = desk
    services.transfer_request(request=w.req_a, actor=principal_of(w.clerk))
    html = browser(w.manager_a).get("/console/parts/requests/", {"status": "transferred"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="request-list">')
    clerk = w.clerk.get_full_name() or w.clerk.username
    assert f'id="request-{w.req_a.pk}"' in html and f"Sent to Technician&#x27;s van · tech_a by {clerk}" in html
    assert 'class="is-current" data-status="transferred"' in html
    assert '<span class="tab-count">1</span>' in html
    assert browser(w.manager_a).get("/console/parts/requests/", {"status": "nonsense"}).status_code == 200


def test_defective_parts_owed_per_technician_and_received_in_place(desk):
    w = desk
    services.consume_on_job(order=w.order_a, actor=principal_of(w.tech_a.user), lines=[Line(w.pump, 2)],
                            idempotency_key="k")
    owed = DefectiveReturn.objects.get()
    html = browser(w.manager_a).get("/console/parts/defective/").content.decode()
    assert f'id="defective-{owed.pk}"' in html and "2 parts" in html and "Mark received" in html
    assert f'id="defective-{owed.pk}"' not in browser(w.manager_b).get("/console/parts/defective/").content.decode()
    before = snapshot()
    assert browser(w.manager_b).post(f"/console/parts/defective/{owed.pk}/receive/", **HTMX).status_code == 404
    assert snapshot() == before
    response = browser(w.manager_a).post(f"/console/parts/defective/{owed.pk}/receive/", **HTMX)
    assert response.status_code == 200 and 'data-status="received"' in response.content.decode()
    assert DefectiveReturn.objects.get().status == DefectiveStatus.RECEIVED
    assert level(w.store_a, w.pump) == (20, 2, 2)
    again = browser(w.manager_a).post(f"/console/parts/defective/{owed.pk}/receive/", **HTMX)
    assert again.status_code == 409 and "already been received" in again.content.decode()


def test_stock_page_shows_a_visible_warehouse_and_404s_a_foreign_one(desk):
    w = desk
    client = browser(w.manager_a)
    html = client.get("/console/parts/stock/").content.decode()
    assert "Outlet store · Outlet A" in html and 'data-part="booster-pump"' in html
    van = client.get("/console/parts/stock/", {"warehouse": w.van_a.pk}, **HTMX).content.decode()
    assert van.lstrip().startswith('<div id="stock-body">') and "Technician&#x27;s van · tech_a" in van
    for foreign in (w.store_b, w.van_b, w.central, w.rival_central):
        assert client.get("/console/parts/stock/", {"warehouse": foreign.pk}).status_code == 404
    assert browser(w.tech_a.user).get("/console/parts/stock/", {"warehouse": w.van_a2.pk}).status_code == 404


def test_the_technicians_page_shows_the_van_the_requests_and_what_is_owed(desk):
    w = desk
    services.transfer_request(request=w.req_a, actor=principal_of(w.desk_a))
    client = browser(w.tech_a.user, "zh-hans")
    assert client.get("/console/parts/requests/")["Location"] == "/field/van/"
    html = client.get("/field/van/").content.decode()
    assert "我的车载库" in html and 'data-status="transferred"' in html and "已在车上" in html
    assert 'data-part="booster-pump"' in html


def test_customers_have_no_parts_pages(desk):
    w = desk
    client = browser(w.customer.user)
    for url in ("/console/parts/requests/", "/console/parts/defective/", "/console/parts/stock/", "/field/van/"):
        assert client.get(url).status_code == 403, url
    assert Client().get("/console/parts/requests/").status_code == 302  # to the sign-in page


def test_the_pages_speak_chinese(desk):
    w = desk
    html = browser(w.desk_a, "zh-hans").get("/console/parts/requests/").content.decode()
    for text in ("备件申请", "待处理", "调拨到", "拒绝", "拒绝原因（技师可见）"):
        assert text in html, text
