"""WeChat's "寄修 <serial> <description>" (also "mail-in …"): the linked customer's own unit is booked for mail-in
repair in the first pickup window the portal offers, channel WeChat, and the one reply says the order, the window,
the price and the link; refusals (not a mail-in category, no repair centre, an open order) open nothing. Driven
through the real signed XML callback, as WeChat's servers send it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from core.dates import window
from core.money import yuan
from customers.tests.factories import InstalledProductFactory
from integrations.models import WeChatMessage
from integrations.tests.factories import wechat_account
from integrations.tests.test_wechat_callback import link, reply_of, say
from logistics.models import MailIn, Shipment
from logistics.tests.setup import prepare_mail_in
from workorders import intake
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_mail_in(world)
    w.account = wechat_account(w.brand)
    return w


def written() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), MailIn.objects.count(), Shipment.objects.count()


def first_pickup_window(product) -> tuple[dt.datetime, dt.datetime]:
    first = intake.preview(product=product, service_type="mail_in").slots[0]
    return first.start, first.end


def test_mail_in_books_the_first_pickup_window_and_replies_with_all_of_it(w):
    link(w)
    expected = first_pickup_window(w.product)

    content = reply_of(say(w, "寄修 SN-A-0001 不出水了"))["Content"]

    order = WorkOrder.objects.get()
    assert (order.type, order.channel, order.outlet_id, order.customer_id) == (
        "mail_in", "wechat", w.centre.pk, w.customer.pk)
    assert (order.slot_start, order.slot_end) == expected
    assert order.symptom == "不出水了" and order.created_by_id == w.customer.user.pk
    case = MailIn.objects.get(work_order=order)
    assert (case.pickup_start, case.pickup_end) == expected
    with translation.override("zh-hans"):
        when = window(*expected)  # "12月8日 09:00–11:00", in Asia/Shanghai
    assert content == (f"寄修已预约，工单号：{order.number}。快递员将于 {when} 上门取件，维修完成后寄回给您。"
                       f"保修期内免费维修，往返快递免费。查看进度或取消预约：http://testserver/portal/acme/orders/{order.pk}/")
    assert WeChatMessage.objects.get().work_order_id == order.pk
    # The link's page lets the customer cancel until the courier has the unit.
    assert intake.customer_change_rules(order).can_cancel


def test_out_of_warranty_the_reply_gives_the_estimate_with_the_courier(w):
    link(w)
    old = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                  site=w.product.site, purchase_date=dt.date(2020, 1, 5),
                                  install_date=dt.date(2020, 1, 10))
    shown = intake.preview(product=old, service_type="mail_in")  # what the portal shows: quote plus courier

    content = reply_of(say(w, "mail-in sn-old-1 leaking under the sink"))["Content"]

    order = WorkOrder.objects.get()
    assert (order.product_id, order.type, order.channel) == (old.pk, "mail_in", "wechat")
    assert shown.courier_fee == 30 and shown.customer_total == shown.quote.total + 30
    assert (f"预估费用 {yuan(shown.customer_total)}（含往返快递费）。"
            "如需额外费用，我们会先报价，经您确认后再维修。") in content
    assert order.number in content


@pytest.mark.parametrize("text", ["寄修：SN-A-0001 不出水", "寄修\u3000SN-A-0001 不出水", "MailIn SN-A-0001 no water",
                                  "mail in SN-A-0001 no water"])
def test_the_command_takes_the_ways_people_write_it(w, text):
    link(w)
    reply_of(say(w, text))
    assert WorkOrder.objects.get().type == "mail_in"


def test_a_category_not_repaired_by_mail_points_to_a_visit_and_opens_nothing(w):
    link(w)
    w.category.mail_in_allowed = False
    w.category.save(update_fields=["mail_in_allowed"])

    content = reply_of(say(w, "寄修 SN-A-0001 不出水"))["Content"]

    assert content == "该产品不支持寄修。如需师傅上门维修，请发送：报修 SN-A-0001 <故障描述>。"
    assert written() == (0, 0, 0)


def test_no_repair_centre_says_so_and_opens_nothing(w):
    link(w)
    w.centre.is_repair_centre = False
    w.centre.save(update_fields=["is_repair_centre"])

    content = reply_of(say(w, "寄修 SN-A-0001 不出水"))["Content"]

    assert content == "暂无维修中心受理该产品的寄修。如需师傅上门维修，请发送：报修 SN-A-0001 <故障描述>。"
    assert written() == (0, 0, 0)


def test_an_open_order_of_the_unit_is_named_and_nothing_is_opened(w):
    link(w)
    open_order = make_order(w, status=Status.ASSIGNED)
    before = written()

    content = reply_of(say(w, "寄修 SN-A-0001 不出水"))["Content"]

    assert content == (f"该产品已有进行中的工单 {open_order.number}，无法再寄修。"
                       f"查看进度：http://testserver/portal/acme/orders/{open_order.pk}/")
    assert written() == before


def test_someone_elses_unit_an_unlinked_user_or_no_description_opens_nothing(w):
    assert "请先将微信绑定" in reply_of(say(w, "寄修 SN-A-0001 不出水", msg_id=1))["Content"]
    link(w)
    assert "您的账号下未找到序列号为 SN-B-0001 的产品" in reply_of(say(w, "寄修 SN-B-0001 不出水", msg_id=2))["Content"]
    asked = reply_of(say(w, "寄修 SN-A-0001", msg_id=3))["Content"]
    assert asked == "请在序列号后写明故障，例如“寄修 SN-A-0001 不出水”。"
    assert reply_of(say(w, "寄修", msg_id=4))["Content"].startswith("寄修请发送：寄修 <序列号> <故障描述>")
    assert written() == (0, 0, 0)


def test_the_help_mentions_mail_in(w):
    link(w)
    content = reply_of(say(w, "你好"))["Content"]
    assert "报修 <序列号> <故障描述>" in content and "寄修 <序列号> <故障描述>" in content
