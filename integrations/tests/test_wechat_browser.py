"""The bind flow in a real browser on a phone-sized screen: the WeChat link, the portal's sign-in with a
texted code, the confirmation, and then a repair message that becomes an order. Screenshots are looked at."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from defusedxml.ElementTree import fromstring

from conftest import build_world
from core.browser import PHONE, open_page, shot
from core.sms import MemoryBackend
from integrations.models import WeChatLink
from integrations.tests.factories import event_message, post_wechat, text_message, wechat_account
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OPENID = "oBrowser00000000000000000001"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def reply_text(resp) -> str:
    return {c.tag: c.text for c in fromstring(resp.content)}["Content"]


def test_a_wechat_user_links_through_the_portal_and_reports_a_repair(browser, live_server, settings):
    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    world = build_world()
    wechat_account(world.brand)

    welcome = reply_text(post_wechat("acme", event_message("subscribe", openid=OPENID)))
    bind_path = urlsplit(welcome.split("：", 1)[1].strip()).path
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    page.goto(live_server.url + bind_path)
    assert "/portal/acme/login/" in page.url
    shot(page, "wechat-bind-1-sign-in")

    page.fill("#id_phone", "13900000001")
    page.click("button[value=send]")
    page.wait_for_selector("#id_code")
    code = next(m.text for m in reversed(MemoryBackend.outbox) if m.phone.endswith("13900000001"))
    page.fill("#id_code", "".join(ch for ch in code if ch.isdigit())[:6])
    page.click("button[value=verify]")
    page.wait_for_selector("#wechat-bind[data-state=confirm]")
    assert page.url.endswith(bind_path)
    assert world.customer.name in page.inner_text("#wechat-bind")
    assert no_sideways_scroll(page)
    shot(page, "wechat-bind-2-confirm")

    page.click("#confirm-bind")
    page.wait_for_selector("#wechat-bind[data-state=done]")
    assert "已绑定" in page.inner_text("#wechat-bind")
    assert no_sideways_scroll(page)
    shot(page, "wechat-bind-3-done")
    assert WeChatLink.objects.get(openid=OPENID).customer == world.customer

    reply = reply_text(post_wechat("acme", text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=1)))
    order = WorkOrder.objects.get()
    assert order.channel == "wechat" and order.number in reply

    page.goto(live_server.url + bind_path.replace("/bind/", "/bind/x"))
    page.wait_for_selector("#wechat-bind[data-state=invalid]")
    assert no_sideways_scroll(page)
    shot(page, "wechat-bind-4-invalid-link")
    MemoryBackend.outbox.clear()
