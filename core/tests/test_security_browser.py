"""In Chromium: the Content-Security-Policy breaks no page of any party, and the sign-in lockout page.

Every main page of every party is opened with a listener for ``securitypolicyviolation`` installed before
the page's own scripts; the policy (settings.CONTENT_SECURITY_POLICY) is strict, so an inline script, an
inline handler, a <style> element or a load from another host shows up here as a violation.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from conftest import build_world
from core.browser import PASSWORD, PHONE, open_page, shot, sign_in
from field.tests.setup import dispatched_job, prepare_field
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_field(build_world())
    w.job = dispatched_job(w)
    w.order = make_order(w)
    return w


def as_user(browser, live_server, user, **options):
    """A page signed in as ``user`` through a real session cookie (the portal signs in by texted code)."""
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, bypass_csp=False, **options)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.context.add_init_script(LISTEN)
    return page


def violations(page, path: str) -> list[str]:
    response = page.goto(page.base + path)
    assert response is not None and response.status < 400, (path, response and response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    return [f"{path}: {v}" for v in page.evaluate("window.__csp")]


def test_no_page_of_any_party_breaks_the_content_security_policy(world, browser, live_server):
    w = world
    w.admin.is_staff = w.admin.is_superuser = True
    w.admin.save()
    pages = {
        w.dispatcher: ["/console/", f"/console/orders/{w.order.pk}/", "/console/dispatch/", "/console/hotline/",
                       "/console/notifications/"],
        w.admin: ["/admin/", "/admin/workorders/workorder/", f"/admin/workorders/workorder/{w.order.pk}/change/",
                  "/admin/integrations/wechataccount/add/"],
        w.manager_a: ["/console/", "/console/parts/requests/", "/console/parts/stock/"],
        w.tech_a.user: ["/field/", f"/field/jobs/{w.job.pk}/", "/field/van/"],
        w.customer.user: ["/portal/acme/", "/portal/acme/report/", f"/portal/acme/orders/{w.order.pk}/"],
    }
    found: list[str] = []
    for user, paths in pages.items():
        page = as_user(browser, live_server, user, **({"viewport": PHONE} if user in (
            w.tech_a.user, w.customer.user) else {}))
        for path in paths:
            found += violations(page, path)
        if user == w.dispatcher:
            shot(page, "security-csp-dispatcher-notifications")
        page.context.close()
    anonymous = open_page(browser, live_server, bypass_csp=False)
    anonymous.context.add_init_script(LISTEN)
    for path in ["/accounts/login/", "/admin/login/", "/portal/acme/login/"]:
        found += violations(anonymous, path)
    anonymous.context.close()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_lockout_page_says_when_to_try_again(world, browser, live_server, locale):
    page = open_page(browser, live_server, locale=locale, bypass_csp=False)
    page.context.add_init_script(LISTEN)
    for i in range(10):
        sign_in(page, "dispatcher", f"wrong-{i}")
    sign_in(page, "dispatcher", PASSWORD)

    locked = page.locator("[data-testid=locked-out]")
    language = "zh-hans" if locale == "zh-CN" else "en"
    with translation.override(language):
        title = translation.gettext("Sign-in paused")
    assert locked.locator("h1").inner_text() == title
    text = locked.inner_text()
    assert ("15 分钟后再试" in text) if language == "zh-hans" else ("try again in 15 minutes" in text)
    assert page.evaluate("window.__csp") == []
    assert page.url.endswith("/accounts/login/")
    shot(page, f"security-lockout-{language}")
