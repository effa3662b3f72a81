"""The hotline desk over real HTTP (Django's test client, htmx requests as htmx sends them)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.principal import principal_of
from customers.models import Customer, InstalledProduct, Site
from dispatch.selectors import offer_slots
from workorders import intake, services
from workorders.choices import EventKind, Status
from workorders.models import CustomerCall, WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import only_outlet_a_with_one_job_per_window, prepare_intake

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(world)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent(w) -> Client:
    return client_for(w.hotline)


def url(name: str, customer=None) -> str:
    base = "/console/hotline/"
    paths = {"desk": "", "new": "callers/new/", "caller": "callers/{}/", "site": "callers/{}/sites/",
             "product": "callers/{}/products/", "preview": "callers/{}/preview/", "request": "callers/{}/requests/",
             "call": "callers/{}/calls/"}
    return base + paths[name].format(getattr(customer, "pk", customer))


def html(resp) -> str:
    return resp.content.decode()


def totals():
    return (Customer.objects.count(), Site.objects.count(), InstalledProduct.objects.count(), WorkOrder.objects.count(),
            WorkOrderEvent.objects.count(), CustomerCall.objects.count())


# --- finding the caller ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["13900000001", "+86 139 0000 0001", "SN-A-0001", "customer"])
def test_the_agent_finds_the_caller_by_phone_serial_or_name(w, agent, query):
    resp = agent.get(url("desk"), {"q": query}, **HX)

    assert resp.status_code == 200
    body = html(resp)
    assert f'href="/console/hotline/callers/{w.customer.pk}/"' in body
    assert 'id="caller-results"' in body and "<html" not in body  # the partial only


def test_by_order_number_and_the_order_warning(w, agent):
    order = make_order(w, status=Status.ASSIGNED)

    body = html(agent.get(url("desk"), {"q": order.number.lower()}, **HX))

    assert f"/console/hotline/callers/{w.customer.pk}/" in body
    assert "1 open or recent order" in body
    assert f"/console/hotline/callers/{w.other_customer.pk}/" not in body


def test_a_caller_nobody_knows_gets_the_new_customer_form_with_the_number(w, agent):
    body = html(agent.get(url("desk"), {"q": "13700001234"}, **HX))

    assert "Nobody matches" in body
    assert 'value="13700001234"' in body and "<details class=\"card new-caller-card\" open" in body


def test_another_brands_customer_is_never_found(w, agent):
    body = html(agent.get(url("desk"), {"q": w.rival_customer.phone}, **HX))
    assert f"/callers/{w.rival_customer.pk}/" not in body and "Nobody matches" in body


def test_search_costs_a_fixed_number_of_queries(w, agent, django_assert_max_num_queries):
    for query in ("13900000001", "SN-A-0001", "cust"):
        with django_assert_max_num_queries(14):
            assert agent.get(url("desk"), {"q": query}, **HX).status_code == 200


# --- the caller's panel ---------------------------------------------------------------------------------------


def test_the_panel_shows_products_warranty_open_orders_and_the_last_calls(w, agent):
    order = make_order(w, status=Status.DISPATCHED)
    CustomerCall.objects.create(brand=w.brand, customer=w.customer, outcome="callback", note="明天上午回电",
                                agent=w.hotline, agent_role="hotline_agent")

    resp = agent.get(url("caller", w.customer), **EN)

    body = html(resp)
    assert resp.status_code == 200 and "<html" in body
    assert "SN-A-0001" in body and "In warranty" in body
    assert order.number in body
    assert "明天上午回电" in body and "Callback promised" in body
    assert 'data-nav="hotline"' in body and 'aria-current="page"' in body


def test_the_preview_shows_the_estimate_slots_and_the_duplicate_warning(w, agent):
    open_order = make_order(w, status=Status.ASSIGNED)

    resp = agent.get(url("preview", w.customer), {"request-product": w.product.pk, "request-service_type": "repair",
                                                  "request-symptom_code": "leak"}, **HX)

    body = html(resp)
    assert resp.status_code == 200
    assert 'id="duplicate-warning"' in body and open_order.number in body
    assert f"?follow={open_order.pk}" in body
    assert "Labour: Repair" in body and 'id="estimate-total">¥0.00' in body
    assert "Covered by warranty" in body
    first = offer_slots(product=w.product, service_type="repair")[0]
    assert first.start.astimezone(__import__("datetime").UTC).isoformat() in body
    assert 'id="symptom-field" hx-swap-oob="true"' in body and 'value="leak" selected' in body


def test_the_preview_says_why_mail_in_is_refused(w, agent):
    body = html(agent.get(url("preview", w.customer), {"request-product": w.product.pk,
                                                       "request-service_type": "mail_in"}, **HX))
    assert "Mail-in repair is not offered for this product." in body


# --- creating customers, sites, products --------------------------------------------------------------------


def new_caller(**over):
    data = {"new-name": "王小明", "new-phone": "137 0000 1234", "new-kind": "household", "new-segment": "value",
            "new-site_name": "家", "new-address": "西湖区文三路 100 号", "new-contact_name": "",
            "new-contact_phone": ""}
    return data | over


def test_the_agent_creates_a_customer_and_site_inline(w, agent):
    resp = agent.post(url("new"), new_caller(**{"new-region": w.region.pk}), **HX)

    assert resp.status_code == 200, html(resp)
    customer = Customer.objects.get(name="王小明")
    assert customer.phone == "+8613700001234" and customer.brand == w.brand
    site = customer.sites.get()
    assert (site.address, site.region) == ("西湖区文三路 100 号", w.region)
    assert resp["HX-Push-Url"] == f"/console/hotline/callers/{customer.pk}/"
    assert "Customer and site created." in html(resp)


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"new-phone": "12345"}, "new-phone", "Enter a valid phone number."),
    ({"new-address": ""}, "new-address", "This field is required."),
    ({"new-region": "rival"}, "new-region", "Select a valid choice."),
    ({"new-contact_phone": "not a phone"}, "new-contact_phone", "Enter a valid phone number."),
])
def test_a_refused_new_customer_creates_nothing_and_says_why_beside_the_field(w, agent, over, field, message):
    from network.models import Region

    rival_region = Region.objects.create(brand=w.other_brand, code="r", name="R", latitude=1, longitude=1)
    data = new_caller(**{"new-region": w.region.pk})
    data |= {k: (rival_region.pk if v == "rival" else v) for k, v in over.items()}
    before = totals()

    resp = agent.post(url("new"), data, **HX)

    assert resp.status_code == 422 and resp["X-Domain-Error"] == "422"
    assert resp["HX-Retarget"] == "#new-caller"
    assert f'id="error-{field}">{message}' in html(resp)
    assert totals() == before


def test_the_agent_adds_a_site_and_a_product(w, agent):
    resp = agent.post(url("site", w.customer), {"site-site_name": "父母家", "site-address": "拱墅区 8 号",
                                                 "site-region": w.region.pk}, **HX)
    assert resp.status_code == 200 and "Site added." in html(resp)
    site = w.customer.sites.get(name="父母家")

    resp = agent.post(url("product", w.customer), {
        "product-serial": "SN-NEW-7", "product-product_model": w.model.pk, "product-site": site.pk,
        "product-purchase_date": "2026-01-10", "product-install_date": "2026-01-12"}, **HX)

    assert resp.status_code == 200 and "Product registered." in html(resp)
    product = InstalledProduct.objects.get(serial="SN-NEW-7")
    assert (product.customer, product.site) == (w.customer, site)
    assert f'<option value="{product.pk}" selected>' in html(resp)  # the request form picks it


def test_a_duplicate_serial_is_refused_beside_the_serial(w, agent):
    before = totals()
    resp = agent.post(url("product", w.customer), {"product-serial": "SN-B-0001", "product-product_model": w.model.pk,
                                                   "product-site": w.product.site_id}, **HX)
    assert resp.status_code == 409
    assert 'id="error-product-serial">A product with this serial number is already registered.' in html(resp)
    assert totals() == before


# --- the request and the call ----------------------------------------------------------------------------------


def request_data(w, slot=None, **over):
    from console.hotline_forms import slot_value

    data = {"request-product": w.product.pk, "request-service_type": "repair", "request-symptom_code": "leak",
            "request-description": "柜子下面有水", "request-priority": "normal",
            "request-slot": slot_value(slot.start, slot.end) if slot else ""}
    return data | over


def test_the_agent_creates_the_order_with_the_slot_then_logs_the_call(w, agent):
    slot = offer_slots(product=w.product, service_type="repair")[0]

    resp = agent.post(url("request", w.customer), request_data(w, slot), **HX)

    assert resp.status_code == 200, html(resp)
    order = WorkOrder.objects.get()
    assert (order.channel, order.status, order.slot_start, order.created_by) == (
        "hotline", Status.ASSIGNED, slot.start, w.hotline)
    assert order.reported_symptom.code == "leak" and order.symptom == "柜子下面有水"
    body = html(resp)
    assert 'id="order-created"' in body and order.number in body
    assert f'<option value="{order.pk}" selected>' in body  # the call form is about the new order
    assert 'value="order_created" id="id_call-outcome_0" checked' in body or (
        'value="order_created"' in body and "checked" in body)

    resp = agent.post(url("call", w.customer), {"call-outcome": "order_created", "call-order": order.pk,
                                                "call-note": "客户确认上午在家"}, **HX)

    assert resp.status_code == 200 and 'id="call-logged"' in html(resp)
    call = CustomerCall.objects.get()
    assert (call.outcome, call.work_order, call.agent, call.note) == ("order_created", order, w.hotline,
                                                                      "客户确认上午在家")
    event = order.events.get(kind=EventKind.CALL)
    assert (event.reason, event.customer_visible, event.data["outcome"]) == ("客户确认上午在家", False, "order_created")


def test_a_slot_taken_meanwhile_is_refused_beside_the_picker(w, agent):
    only_outlet_a_with_one_job_per_window(w)
    slot = offer_slots(product=w.product, service_type="repair")[0]
    assert agent.post(url("request", w.customer), request_data(w, slot), **HX).status_code == 200
    before = totals()

    resp = agent.post(url("request", w.customer), request_data(w, slot), **HX)

    assert resp.status_code == 409 and resp["X-Domain-Error"] == "409"
    with translation.override("en"):
        assert 'id="error-request-slot">This time slot is no longer available.' in html(resp)
    assert totals() == before


def test_a_request_without_a_slot_or_with_a_bad_one(w, agent):
    assert agent.post(url("request", w.customer), request_data(w), **HX).status_code == 200
    assert WorkOrder.objects.get().status == Status.NEW

    before = totals()
    resp = agent.post(url("request", w.customer), request_data(w, **{"request-slot": "yesterday|today"}), **HX)
    assert resp.status_code == 422 and 'id="error-request-slot">Choose one of the offered time slots.' in html(resp)
    resp = agent.post(url("request", w.customer), request_data(w, **{"request-symptom_code": "frozen-pipes"}), **HX)
    assert resp.status_code == 422 and 'id="error-request-symptom_code">' in html(resp)
    resp = agent.post(url("request", w.customer), request_data(w, **{"request-product": w.other_product.pk}), **HX)
    assert resp.status_code == 422 and 'id="error-request-product">Select a valid choice.' in html(resp)
    assert totals() == before


def test_a_call_without_an_order_is_kept_against_the_customer(w, agent):
    resp = agent.post(url("call", w.customer), {"call-outcome": "no_answer", "call-note": ""}, **HX)

    assert resp.status_code == 200
    call = CustomerCall.objects.get()
    assert (call.customer, call.work_order, call.outcome) == (w.customer, None, "no_answer")
    assert WorkOrderEvent.objects.filter(kind=EventKind.CALL).count() == 0
    # The next agent opening the caller sees it.
    assert "No answer" in html(client_for(w.dispatcher).get(url("caller", w.customer), **EN))


@pytest.mark.parametrize(("data", "field"), [
    ({"call-outcome": "callback", "call-note": ""}, "call-note"),
    ({"call-outcome": "order_created"}, "call-order"),
    ({"call-outcome": "hung_up"}, "call-outcome"),
    ({"call-outcome": "existing_order", "call-order": "other"}, "call-order"),
])
def test_a_refused_call_log_says_why_and_writes_nothing(w, agent, data, field):
    other = make_order(w, customer=w.other_customer, product=w.other_product)
    data = {k: (other.pk if v == "other" else v) for k, v in data.items()}
    before = totals()

    resp = agent.post(url("call", w.customer), data, **HX)

    assert resp.status_code == 422
    assert f'id="error-{field}"></span>' not in html(resp) and f'id="error-{field}">' in html(resp)
    assert totals() == before


def test_follow_up_preselects_the_existing_order(w, agent):
    order = make_order(w, status=Status.ASSIGNED)
    body = html(agent.get(url("caller", w.customer), {"follow": order.pk}, **HX))
    assert f'<option value="{order.pk}" selected>' in body
    assert 'value="existing_order"' in body


# --- who may use it -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dispatcher", "admin"])
def test_dispatchers_and_admins_may_use_the_desk(w, persona):
    assert client_for(getattr(w, persona)).get(url("caller", w.customer)).status_code == 200


@pytest.mark.parametrize("persona", ["manager_a", "analyst", "tech_a", "customer"])
def test_other_seats_are_turned_away_and_change_nothing(w, persona):
    obj = getattr(w, persona)
    client = client_for(getattr(obj, "user", obj))
    make_order(w, status=Status.ACCEPTED)  # at outlet A with tech_a: both can see the customer
    before = totals()

    assert client.get(url("desk")).status_code == 403
    assert client.get(url("caller", w.customer)).status_code == 403
    assert client.post(url("call", w.customer), {"call-outcome": "no_answer"}).status_code == 403
    assert client.post(url("new"), new_caller(**{"new-region": w.region.pk})).status_code == 403
    assert totals() == before
    assert 'data-nav="hotline"' not in html(client.get("/console/"))


def test_a_foreign_customer_is_404_for_the_agent(w, agent):
    for name in ("caller", "preview"):
        assert agent.get(url(name, w.rival_customer)).status_code == 404
    for name in ("site", "product", "request", "call"):
        assert agent.post(url(name, w.rival_customer), {}).status_code == 404


def test_the_desk_is_complete_in_chinese(w, agent):
    make_order(w, status=Status.ASSIGNED)
    body = html(agent.get(url("caller", w.customer), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    for words in ("新建报修", "来电结果", "登记产品", "进行中或近期工单"):
        assert words in body
    preview = html(agent.get(url("preview", w.customer), {"request-product": w.product.pk}, HTTP_HX_REQUEST="true",
                             HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "预估" in preview and "Labour" not in preview


def test_the_order_page_shows_what_intake_recorded_and_the_call(w, agent):
    from accounts.principal import principal_of
    from workorders import intake
    from workorders.calls import log_call
    from workorders.tests.intake_setup import photo_bytes

    later = [o for o in offer_slots(product=w.product, service_type="repair")][-2:]
    order = intake.submit_request(actor=principal_of(w.customer.user), customer=w.customer, product=w.product,
                                  service_type="repair", channel="portal", symptom_code="frozen",
                                  slot=(later[0].start, later[0].end), photos=[photo_bytes()])
    intake.reschedule(order=order, actor=principal_of(w.hotline), slot=(later[1].start, later[1].end))
    log_call(actor=principal_of(w.hotline), customer=w.customer, outcome="existing_order", order=order,
             note="已告知改约")

    body = html(agent.get(f"/console/orders/{order.pk}/", **EN))

    assert 'id="order-intake"' in body and "Cracked by frost" in body
    assert 'id="intake-total">The customer pays ¥80.00' in body
    photo = order.attachments.get()
    assert f'src="/api/v1/workorders/attachments/{photo.pk}"' in body
    assert "Followed up an existing order" in body and "已告知改约" in body
    assert " → " in body and later[1].start.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime(
        "%H:%M") in body
    # The console's session fetches it.
    assert agent.get(f"/api/v1/workorders/attachments/{photo.pk}").status_code == 200


def test_the_order_page_reads_a_first_booking_as_a_booking_not_a_move_from_nothing(w, agent):
    # Taken at the hotline without a window, booked afterwards: no "— → window", as the customer's timeline says it.
    order = services.create_work_order(actor=principal_of(w.hotline), customer=w.customer, product=w.product,
                                       type="repair", channel="hotline", symptom="净水器出水有异味")
    offer = offer_slots(product=w.product, service_type="repair")[0]
    intake.reschedule(order=order, actor=principal_of(w.hotline), slot=(offer.start, offer.end))
    start, end = (timezone.localtime(t) for t in (offer.start, offer.end))

    body = html(agent.get(f"/console/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    event = body[body.index('data-action="rescheduled"'):]
    event = event[:event.index("</li>")]
    assert "<strong>已预约上门</strong>" in event and "已改约" not in event
    assert f"<div class=\"event-detail\" data-window>{start:%Y-%m-%d %H:%M}–{end:%H:%M}</div>" in event
    assert "—" not in event and "→" not in event
    english = html(agent.get(f"/console/orders/{order.pk}/", **EN))
    assert "<strong>Visit booked</strong>" in english


# --- one customer per phone ---------------------------------------------------------------------------------


def test_a_known_phone_is_refused_and_the_existing_customer_offered(w, agent):
    before = totals()

    resp = agent.post(url("new"), new_caller(**{"new-region": w.region.pk, "new-phone": "139 0000 0001"}), **HX)

    assert resp.status_code == 409 and resp["X-Domain-Error"] == "409"
    assert resp["HX-Retarget"] == "#new-caller"
    body = html(resp)
    assert 'id="known-phone"' in body
    assert f'hx-get="/console/hotline/callers/{w.customer.pk}/"' in body
    assert 'name="new-duplicate_reason"' in body
    assert totals() == before


def test_a_second_record_for_a_known_phone_needs_and_keeps_the_agents_reason(w, agent):
    data = new_caller(**{"new-region": w.region.pk, "new-phone": "139 0000 0001",
                         "new-duplicate_reason": "租客，用房东的电话"})

    resp = agent.post(url("new"), data, **HX)

    assert resp.status_code == 200, html(resp)
    twin = Customer.objects.get(name="王小明")
    assert (twin.phone, twin.duplicate_reason) == (w.customer.phone, "租客，用房东的电话")
    assert Customer.objects.filter(brand=w.brand, phone=w.customer.phone).count() == 2
    assert 'id="second-record"' in html(resp) and "租客，用房东的电话" in html(resp)


def test_a_known_phone_is_shown_while_typed_but_never_another_brands(w, agent):
    known = html(agent.get("/console/hotline/callers/known/", {"new-phone": "139 0000 0001"}, **HX))
    assert f'data-known="{w.customer.pk}"' in known
    rival = html(agent.get("/console/hotline/callers/known/", {"new-phone": w.rival_customer.phone}, **HX))
    assert "data-known" not in rival
    assert "data-known" not in html(agent.get("/console/hotline/callers/known/", {"new-phone": "12"}, **HX))
