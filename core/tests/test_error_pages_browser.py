"""In Chromium: error pages are the product's (Chinese, navigation), and the API docs render with no internet.

The docs page runs under the site's real Content-Security-Policy, with every request to another host cut
off, as on a closed network; any console error or CSP violation fails it.
"""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import build_world
from core.browser import open_page, shot
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def world(transactional_db):
    return build_world()


def signed_in(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, locale="zh-CN", bypass_csp=False, **options)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def offline(page, live_server) -> list[str]:
    """Cut off every host but the live server; return the list the page's console errors go to."""
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(live_server.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.context.add_init_script(LISTEN)
    return errors, outside


def test_another_outlets_order_is_the_products_404_in_chinese(browser, live_server, world):
    order = make_order(world, status=Status.ASSIGNED)  # outlet A's
    page = signed_in(browser, live_server, world.manager_b)
    response = page.goto(f"{page.base}/console/orders/{order.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    assert page.locator("a[data-nav=orders]").inner_text() == "工单"
    assert page.locator(".topbar .brand").inner_text() == "售后服务平台"
    shot(page, "error-404-zh")

    response = page.goto(f"{page.base}/console/dispatch/plan/")
    assert response.status == 405 and page.locator("h1").inner_text() == "无法在此处操作"
    shot(page, "error-405-zh")
    page.click(".error-page a.btn")
    page.wait_for_load_state()
    assert page.url.endswith("/console/")
    page.context.close()


def test_the_api_docs_render_without_internet_under_the_csp(browser, live_server, world):
    page = signed_in(browser, live_server, world.dispatcher)
    errors, outside = offline(page, live_server)
    response = page.goto(f"{page.base}/api/v1/docs")
    assert response.status == 200
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Aftersales API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert page.locator(".opblock").count() > 50
    page.wait_for_load_state("networkidle")
    assert outside == [] and errors == [] and page.evaluate("window.__csp") == []
    shot(page, "api-docs-offline")
    page.context.close()
