"""A mail-in repair on a small phone in Chinese (Debian's chromium, a live server, a real database): the customer
books it choosing a pickup window, then follows the unit hop by hop as the courier and the bench move it (driven
here as they would: the waybill typed, the courier's route pushed, the bench's steps), answers the quote with one
tap and sees it approved. Screenshots in test-artifacts/screenshots/mail-in-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world
from core.browser import open_page, shot
from core.couriers import RouteEvent, Stage
from customers.tests.factories import InstalledProductFactory
from logistics import bench, booking, routes
from logistics.choices import Hop
from logistics.models import MailIn, Shipment
from logistics.tests.setup import inbound, prepare_mail_in
from portal.slotpicker import slot_value
from portal.tests.test_browser import fits_the_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SMALL_PHONE = {"width": 375, "height": 740}


@pytest.fixture
def scene(transactional_db, settings, tmp_path):
    settings.PORTAL_POLL_SECONDS = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    world.brand.name = "安可净水"
    world.brand.phone = "400-800-1234"
    world.brand.save(update_fields=["name", "phone"])
    w = prepare_mail_in(world)
    w.customer.name = "王秀英"
    w.customer.save(update_fields=["name"])
    old_unit = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                       site=w.product.site, purchase_date=dt.date(2020, 1, 5),
                                       install_date=dt.date(2020, 1, 10))
    return w, old_unit


def customer_phone(browser, live_server, user):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, locale="zh-CN", viewport=SMALL_PHONE, has_touch=True, is_mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def courier_says(case: MailIn, stage: str, place: str, text: str) -> None:
    """The courier pushes a route event of the parcel to the repair centre, in its own words."""
    parcel = inbound(case)
    routes.record(backend=parcel.backend, events=[RouteEvent(
        waybill=parcel.waybill, event_id=f"{parcel.waybill}-{stage}", stage=stage, at=timezone.now(), place=place,
        text=text, provider_code=stage)])


def current_hop(phone, hop: str) -> None:
    """Wait for the page's own polling to show the unit in ``hop``."""
    phone.wait_for_selector(f'#hops li.current[data-hop="{hop}"]', timeout=15_000)


def test_book_a_mail_in_repair_follow_it_and_approve_the_quote_on_a_phone(browser, live_server, scene):
    w, unit = scene
    phone = customer_phone(browser, live_server, w.customer.user)

    # Booking: the symptom, then "send it in": the pickup windows, the estimate with the courier's fee.
    phone.goto(f"{phone.base}/portal/acme/report/?product={unit.pk}")
    phone.check("input[name=symptom_code][value=leak]")
    phone.wait_for_selector("#step-price")
    phone.check("#service-mail_in")
    phone.wait_for_selector(".pickup-windows")
    assert "快递员什么时候上门取件？" in phone.locator("#step-slot").inner_text()
    assert "不在保修范围内" in phone.locator("#verdict").inner_text()
    assert phone.locator("#courier-line .amount").inner_text() == "¥30.00"
    window = phone.locator(".pickup-windows label.choice").nth(2)
    window.click()
    chosen = window.locator("input").get_attribute("value")
    fits_the_phone(phone)
    shot(phone, "mail-in-1-pickup-windows")

    phone.click("#confirm")
    phone.wait_for_selector("#hops")
    case = MailIn.objects.get()
    assert slot_value(case.pickup_start, case.pickup_end) == chosen
    assert phone.locator("#order-status").inner_text() == "已预约取件"
    assert "我们正在为您安排快递员上门取件" in phone.locator("#inbound-courier-state").inner_text()
    assert phone.locator("#cancel-box").count() == 1
    fits_the_phone(phone)
    shot(phone, "mail-in-2-booked")

    # The courier's system is busy: a try failed, the next is due by itself; the page says so, plainly.
    next_try = timezone.now() + dt.timedelta(minutes=5)
    Shipment.objects.filter(pk=inbound(case).pk).update(attempts=2, last_error="HTTP 503", next_try_at=next_try)
    phone.wait_for_selector("#inbound-next-try")
    assert f"下次尝试时间：{timezone.localtime(next_try):%H:%M}" in phone.locator("#inbound-courier-state").inner_text()
    shot(phone, "mail-in-2b-courier-busy")

    # The courier: the waybill, then its route pushed; the page follows by itself.
    booking.record_waybill(shipment=inbound(case), waybill="SF1234567890123", actor=principal_of(w.bench))
    phone.wait_for_selector("#parcel-inbound .waybill")
    assert phone.locator("#inbound-courier-state").count() == 0
    courier_says(case, Stage.COLLECTED, "杭州市西湖区", "顺丰速运 已收取快件")
    current_hop(phone, Hop.COLLECTED)
    assert phone.locator("#cancel-box").count() == 0
    assert "快递员已取走产品，无法在线取消维修" in phone.locator("#change-reason").inner_text()
    courier_says(case, Stage.IN_TRANSIT, "杭州转运中心", "快件已到达【杭州转运中心】，准备发往下一站")
    current_hop(phone, Hop.IN_TRANSIT)
    route = phone.locator("#parcel-inbound .route li")
    assert route.count() == 2 and "杭州转运中心" in route.first.inner_text()  # newest first
    fits_the_phone(phone)
    shot(phone, "mail-in-3-on-the-way")
    courier_says(case, Stage.DELIVERED, "杭州市余杭区", "快件已签收，签收人：维修中心前台")
    current_hop(phone, Hop.ARRIVED)

    # The bench: received, diagnosed, quoted (out of warranty).
    desk = principal_of(w.bench)
    case.refresh_from_db()
    case = bench.receive(mail_in=case, actor=desk, serial="SN-OLD-1")
    current_hop(phone, Hop.RECEIVED)
    case = bench.diagnose(mail_in=case, actor=desk, finding="增压泵损坏，需要更换", parts=[("booster-pump", 1)])
    current_hop(phone, Hop.DIAGNOSED)
    case = bench.quote(mail_in=case, actor=desk)
    current_hop(phone, Hop.QUOTED)
    card = phone.locator("#quote-card")
    assert card.locator("#quote-total").inner_text() == "¥350.00"
    assert "增压泵损坏，需要更换" in card.inner_text() and "往返快递费" in card.inner_text()
    fits_the_phone(phone)
    shot(phone, "mail-in-4-quote-on-the-order")

    # The message's one-tap link shows the same quote, without signing in.
    link = open_page(browser, live_server, locale="zh-CN", viewport=SMALL_PHONE, has_touch=True, is_mobile=True)
    link.goto(f"{link.base}/portal/acme/quote/{case.quote_token}/")
    assert link.locator("#quote-total").inner_text() == "¥350.00"
    fits_the_phone(link)
    shot(link, "mail-in-5-quote-link")

    # Approved with one tap on the order page.
    phone.click("#approve")
    phone.wait_for_selector("#quote-decision")
    assert "谢谢，您已同意报价，我们正在为您维修。" in phone.content()
    assert "您已同意报价 ¥350.00。" in phone.locator("#quote-decision").inner_text()
    current_hop(phone, Hop.APPROVED)
    assert phone.locator("#quote-card").count() == 0
    case.refresh_from_db()
    assert (case.hop, case.decision) == (Hop.APPROVED, "approved")
    fits_the_phone(phone)
    shot(phone, "mail-in-6-approved")

    # The link, answered: what was decided, and nothing more to press.
    link.reload()
    assert link.locator("#quote-answered").get_attribute("data-decision") == "approved"
    assert link.locator("#approve").count() == 0
    shot(link, "mail-in-7-quote-link-answered")
