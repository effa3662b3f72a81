"""The whole mail-in loop as its people meet it, in Debian's chromium against a live server and the SF Express
stand-in (real HTTP both ways, signed pushes): the customer books on a phone, the courier's stand-in collects the
unit and pushes its route, the repair centre's manager receives and quotes it at the bench on a desktop, the
customer approves on the phone, the bench repairs, checks and hands it back to the courier, the stand-in delivers,
and the customer's tracking page shows every hop. Then the same with a declined quote: back unrepaired, charged
the brand's fees. Screenshots in test-artifacts/screenshots/mail-in-loop-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conftest import build_world
from core.browser import open_page, shot, sign_in
from core.couriers import Stage
from core.couriers.standin import SfExpressStandIn
from customers.tests.factories import InstalledProductFactory
from logistics.choices import Hop
from logistics.models import MailIn, Shipment
from logistics.tests.setup import prepare_mail_in
from workorders.choices import Status
from workorders.tests.intake_setup import photo_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1440, "height": 900}
PARTNER, CHECK_WORD = "AQUALIFE_TEST", "sf-check-word-for-tests"
EVERY_HOP_APPROVED = [Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED, Hop.RECEIVED, Hop.DIAGNOSED,
                      Hop.QUOTED, Hop.APPROVED, Hop.REPAIRED, Hop.QC_PASSED, Hop.SHIPPED, Hop.DELIVERED]


@pytest.fixture
def scene(transactional_db, settings, live_server, tmp_path):
    settings.PORTAL_POLL_SECONDS = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_mail_in(build_world())
    w.media = tmp_path
    w.customer.name = "王秀英"
    w.customer.save(update_fields=["name"])
    w.unit = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-7",
                                     site=w.product.site, purchase_date=dt.date(2020, 1, 5),
                                     install_date=dt.date(2020, 1, 10))
    with SfExpressStandIn(PARTNER, CHECK_WORD, push_url=live_server.url + "/api/v1/couriers/sf/routes") as sf:
        settings.SITE_URL = live_server.url
        settings.COURIER_BACKEND = "sf"
        settings.SF_EXPRESS = {"URL": sf.url, "PARTNER_ID": PARTNER, "CHECK_WORD": CHECK_WORD,
                               "MONTHLY_CARD": "7551234567", "TIMEOUT": 5}
        w.sf = sf
        yield w


def phone_of(browser, live_server, user):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def book_on_the_phone(phone, unit) -> MailIn:
    phone.goto(f"{phone.base}/portal/acme/report/?product={unit.pk}")
    phone.check("input[name=symptom_code][value=leak]")
    phone.wait_for_selector("#step-price")
    phone.check("#service-mail_in")
    phone.wait_for_selector(".pickup-windows")
    phone.locator(".pickup-windows label.choice").first.click()
    phone.click("#confirm")
    phone.wait_for_selector("#hops")
    return MailIn.objects.get(work_order__product=unit)


def at_hop(phone, hop: str) -> None:
    """Wait for the page's own polling to show the unit in ``hop`` (delivered: the last hop, done)."""
    state = "done" if hop == Hop.DELIVERED else "current"
    phone.wait_for_selector(f'#hops li.{state}[data-hop="{hop}"]', timeout=15_000)


def bench_case(desk, case: MailIn) -> None:
    desk.goto(f"{desk.base}/console/bench/")
    desk.fill("#id_scan_q", Shipment.objects.get(mail_in=case, direction="inbound").waybill)
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#bench-case")


def receive_diagnose_quote(desk, case: MailIn, serial: str, photos: list | None = None) -> None:
    bench_case(desk, case)
    desk.fill("#id_receive_serial", serial)
    if photos:
        desk.set_input_files("#id_receive_photos", photos)
    desk.click("#form-receive button[type=submit]")
    desk.wait_for_selector("#form-diagnose")
    desk.fill("#id_diagnose_finding", "增压泵损坏，需要更换")
    desk.locator("input[name=parts-code]").first.fill("booster-pump")
    desk.locator("input[name=parts-qty]").first.fill("1")
    desk.click("#form-diagnose button[type=submit]")
    desk.wait_for_selector("#form-quote")
    desk.click("#form-quote button[type=submit]")
    desk.wait_for_selector("#case-quote")


def check_and_ship(desk) -> None:
    desk.wait_for_selector("#form-qc")
    for box in desk.locator("#form-qc input[type=checkbox]").all():
        box.check()
    desk.click("#form-qc button[type=submit]")
    desk.wait_for_selector("#form-ship")
    desk.click("#form-ship button[type=submit]")
    desk.wait_for_selector("#case-hop:has-text('已寄回')")  # the return parcel has its waybill


def courier_collects_and_delivers(sf, case: MailIn) -> str:
    waybill = Shipment.objects.get(mail_in=case, direction="inbound").waybill
    assert waybill.startswith("SF")  # booked at the stand-in after the commit
    assert sf.advance(waybill, Stage.COLLECTED) == 200
    assert sf.advance(waybill, Stage.IN_TRANSIT) == 200
    assert sf.advance(waybill, Stage.DELIVERED) == 200
    return waybill


def test_book_collect_quote_approve_repair_and_deliver_with_every_hop_on_the_phone(browser, live_server, scene):
    w = scene
    phone = phone_of(browser, live_server, w.customer.user)
    case = book_on_the_phone(phone, w.unit)
    phone.wait_for_selector("#parcel-inbound .waybill")  # the stand-in's waybill, shown by the page's polling
    shot(phone, "mail-in-loop-1-booked")

    courier_collects_and_delivers(w.sf, case)
    at_hop(phone, Hop.ARRIVED)
    shot(phone, "mail-in-loop-2-arrived")

    desk = open_page(browser, live_server, locale="zh-CN", viewport=DESKTOP)
    sign_in(desk, "bench")
    photos = []
    for name, colour in (("front.jpg", (200, 60, 40)), ("plate.jpg", (40, 60, 200))):
        (w.media / name).write_bytes(photo_bytes(size=(1200, 900), color=colour))
        photos.append(str(w.media / name))
    receive_diagnose_quote(desk, case, "SN-OLD-7", photos)
    assert desk.locator("#case-photos img").count() == 2
    assert desk.inner_text("#quote-total") == "¥350.00"
    shot(desk, "mail-in-loop-3-bench-quoted")

    at_hop(phone, Hop.QUOTED)
    assert phone.locator("#quote-card #quote-total").inner_text() == "¥350.00"
    phone.click("#approve")
    at_hop(phone, Hop.APPROVED)

    desk.reload()
    desk.wait_for_selector("#form-repair")
    desk.locator("input[name=parts-code]").first.fill("booster-pump")
    desk.locator("input[name=parts-qty]").first.fill("1")
    desk.click("#form-repair button[type=submit]")
    desk.wait_for_selector("#case-hop:has-text('已维修')")
    check_and_ship(desk)
    case.refresh_from_db()
    assert case.hop == Hop.SHIPPED  # the return parcel got its waybill from the stand-in at once
    back = Shipment.objects.get(mail_in=case, direction="outbound").waybill
    desk.goto(f"{desk.base}/console/bench/{case.work_order_id}/label/")
    assert desk.inner_text("#label-waybill") == back
    shot(desk, "mail-in-loop-4-return-label")

    assert w.sf.advance(back, Stage.COLLECTED) == 200
    assert w.sf.advance(back, Stage.DELIVERED) == 200
    at_hop(phone, Hop.DELIVERED)
    hops = phone.locator("#hops li")
    shown = [hops.nth(i).get_attribute("data-hop") for i in range(hops.count())]
    assert shown == EVERY_HOP_APPROVED
    done = phone.locator("#hops li.done")
    assert done.count() == len(EVERY_HOP_APPROVED)  # every hop behind it, each with the time it was reached
    assert all(done.nth(i).locator("time").count() == 1 for i in range(done.count()))
    assert back in phone.locator("#parcel-outbound").inner_text()
    # The photos the bench took at receiving, loaded on the customer's phone (the image itself, not a broken link).
    arrival = phone.locator("#arrival-photos img")
    assert arrival.count() == 2
    phone.wait_for_function("[...document.querySelectorAll('#arrival-photos img')].every(i => i.complete "
                            "&& i.naturalWidth > 0)")
    shot(phone, "mail-in-loop-5-delivered")

    case.refresh_from_db()
    assert case.work_order.status == Status.COMPLETED and case.charge_total == 350


def test_a_declined_quote_comes_back_unrepaired_and_the_phone_says_so(browser, live_server, scene):
    w = scene
    phone = phone_of(browser, live_server, w.customer.user)
    case = book_on_the_phone(phone, w.unit)
    phone.wait_for_selector("#parcel-inbound .waybill")
    courier_collects_and_delivers(w.sf, case)

    desk = open_page(browser, live_server, locale="zh-CN", viewport=DESKTOP)
    sign_in(desk, "bench")
    receive_diagnose_quote(desk, case, "SN-OLD-7")

    at_hop(phone, Hop.QUOTED)
    phone.click("#decline")
    at_hop(phone, Hop.DECLINED)
    shot(phone, "mail-in-loop-6-declined")

    desk.reload()
    check_and_ship(desk)
    back = Shipment.objects.get(mail_in=case, direction="outbound").waybill
    assert w.sf.advance(back, Stage.DELIVERED) == 200
    at_hop(phone, Hop.DELIVERED)
    hops = phone.locator("#hops li")
    shown = [hops.nth(i).get_attribute("data-hop") for i in range(hops.count())]
    assert Hop.DECLINED in shown and Hop.REPAIRED not in shown and Hop.APPROVED not in shown
    shot(phone, "mail-in-loop-7-declined-delivered")
    case.refresh_from_db()
    assert (case.outcome, case.charge_total, case.work_order.status) == ("unrepaired", 30, Status.COMPLETED)
