"""403, 404, 405 and 500 are the product's pages, in the reader's language, with its navigation; JSON under /api/."""

from __future__ import annotations

import pytest
from django.test import Client

from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def client_for(user=None, language="zh-hans", **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_another_outlets_order_is_a_chinese_404_with_the_consoles_navigation(world):
    order = make_order(world, status=Status.ASSIGNED)  # at outlet A
    response = client_for(world.manager_b).get(f"/console/orders/{order.pk}/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "Not Found" not in body
    assert 'data-nav="orders"' in body and 'class="topbar"' in body and 'href="/"' in body


def test_the_404_reads_english_to_an_english_reader(world):
    body = client_for(world.dispatcher, "en").get("/console/nothing-here/").content.decode()
    assert "Page not found" in body and 'data-nav="notifications"' in body


def test_a_refused_method_is_a_405_page_that_keeps_the_allow_header(world):
    response = client_for(world.dispatcher).get("/console/dispatch/plan/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "无法在此处操作" in response.content.decode()


def test_a_forbidden_view_and_a_stale_form_are_403_pages(world, settings):
    settings.ROOT_URLCONF = "core.tests.error_urls"
    response = client_for(world.dispatcher).get("/console/refuse/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    stale = client_for(world.dispatcher, enforce_csrf_checks=True).post("/console/dispatch/plan/", {})
    assert stale.status_code == 403 and "表单已过期" in stale.content.decode()


def test_a_server_error_is_the_products_500_page(world, settings):
    settings.ROOT_URLCONF = "core.tests.error_urls"
    response = client_for(world.dispatcher, raise_request_exception=False).get("/console/boom/")
    body = response.content.decode()
    assert response.status_code == 500 and "出错了" in body and 'data-nav="orders"' in body


def test_the_api_keeps_json_for_its_errors(world, settings):
    settings.ROOT_URLCONF = "core.tests.error_urls"
    client = client_for(world.dispatcher, raise_request_exception=False)
    assert client.get("/api/v1/nothing").json()["code"] == "not_found"
    boom = client.get("/api/v1/boom")
    assert boom.status_code == 500 and boom.json()["code"] == "server_error"


def test_a_portal_404_has_the_portals_layout(world):
    body = client_for(world.customer.user).get("/portal/acme/orders/999999/").content.decode()
    assert "页面不存在" in body and 'class="bar-brand"' in body and "Acme" in body


def test_the_api_docs_load_swagger_ui_from_this_site():
    body = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body and "cdn" not in body.lower()
