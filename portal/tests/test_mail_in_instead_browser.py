"""The portal's report flow on a phone in Chinese where no service outlet covers the customer's address (Debian's
chromium, a live server): the visit's slots give way to the offer to send the unit in, one tap shows the courier's
pickup windows, and the customer books one. Screenshots in test-artifacts/screenshots/mail-in-instead-*.png.
"""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import shot
from logistics.models import MailIn
from logistics.tests.setup import prepare_mail_in
from portal.slotpicker import slot_value
from portal.tests.test_mail_in_browser import customer_phone
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_mail_in(build_world())
    w.region.outlets.clear()  # no outlet covers the customer's address
    return w


def test_no_outlet_covers_the_address_one_tap_sends_the_unit_in(browser, live_server, w):
    phone = customer_phone(browser, live_server, w.customer.user)
    phone.goto(f"{phone.base}/portal/acme/report/?product={w.product.pk}")
    phone.check("input[name=symptom_code][value=leak]")

    offer = phone.locator("#mail-in-instead")
    offer.wait_for()
    assert "该地址暂无服务网点覆盖。可改为寄修：快递员上门取件，送到我们的维修中心维修。" in offer.inner_text()
    assert phone.locator(".visit-windows").count() == 0
    shot(phone, "mail-in-instead-1-offered")

    phone.click("#switch-to-mail-in")
    phone.wait_for_selector(".pickup-windows")
    assert phone.locator("#service-mail_in").is_checked()
    assert phone.locator("#mail-in-instead").count() == 0
    assert "快递员什么时候上门取件？" in phone.locator("#step-slot").inner_text()
    window = phone.locator(".pickup-windows input[name=slot]").nth(1)
    picked = window.get_attribute("value")
    window.check()
    shot(phone, "mail-in-instead-2-pickup-windows")
    phone.click("#confirm")
    phone.wait_for_url("**/portal/acme/orders/*/")

    order = WorkOrder.objects.get()
    assert (order.type, order.channel, order.outlet_id) == ("mail_in", "portal", w.centre.pk)
    case = MailIn.objects.get(work_order=order)
    assert slot_value(case.pickup_start, case.pickup_end) == picked
