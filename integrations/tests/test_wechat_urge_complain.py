"""WeChat's "催单" urges the linked customer's latest open order and says how it stands; "投诉 …" opens a
complaint in their words about their latest order and gives its number. Only for a linked customer, only
their own orders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint
from integrations.models import WeChatMessage
from integrations.tests.factories import wechat_account
from integrations.tests.test_wechat_callback import link, reply_of, say
from workorders.choices import EventKind, Status
from workorders.models import Urge, WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    world.account = wechat_account(world.brand)
    return world


def late(order, minutes=90):
    promised = timezone.now() - dt.timedelta(minutes=minutes)
    WorkOrder.objects.filter(pk=order.pk).update(slot_end=None, onsite_due=promised)
    return WorkOrder.objects.get(pk=order.pk)


def test_urge_on_wechat_urges_the_latest_open_order_and_replies_with_its_state(w):
    link(w)
    older = late(make_order(w, status=Status.DISPATCHED))
    latest = late(make_order(w, status=Status.ACCEPTED))
    make_order(w, status=Status.COMPLETED)  # finished: not the one to urge
    content = reply_of(say(w, "催单"))["Content"]
    assert f"工单 {latest.number}：已接单。已通知调度员您在等待" in content
    assert f"/portal/acme/orders/{latest.pk}/" in content
    urge = Urge.objects.get()
    assert (urge.work_order_id, urge.channel, urge.actor_id) == (latest.pk, "wechat", w.customer.user.pk)
    assert WorkOrderEvent.objects.filter(work_order=latest, kind=EventKind.URGE).count() == 1
    assert WeChatMessage.objects.get().work_order_id == latest.pk
    assert not Urge.objects.filter(work_order=older).exists()

    again = reply_of(say(w, "催单", msg_id=1002))["Content"]
    assert "已收到您的催单，调度员正在处理" in again and "之后可再次催单" in again
    assert Urge.objects.count() == 1


def test_urge_names_an_order_by_its_number(w):
    link(w)
    named = late(make_order(w, status=Status.DISPATCHED))
    late(make_order(w, status=Status.DISPATCHED))
    reply_of(say(w, f"催单 {named.number}"))
    assert Urge.objects.get().work_order_id == named.pk


def test_urge_before_the_promise_says_when_we_promised(w):
    link(w)
    order = make_order(w, status=Status.DISPATCHED)
    due = timezone.now() + dt.timedelta(hours=3)
    WorkOrder.objects.filter(pk=order.pk).update(slot_end=None, onsite_due=due)
    content = reply_of(say(w, "催单"))["Content"]
    assert f"我们承诺在 {timezone.localtime(due):%m-%d %H:%M} 前上门" in content
    assert not Urge.objects.exists()


def test_urge_without_an_open_order_or_a_link(w):
    late(make_order(w, status=Status.DISPATCHED, customer=w.other_customer, product=w.other_product))
    assert "请先将微信绑定" in reply_of(say(w, "催单"))["Content"]
    link(w)
    assert "您没有进行中的工单可以催" in reply_of(say(w, "催单", msg_id=1002))["Content"]
    assert not Urge.objects.exists()


def test_complain_opens_a_complaint_on_the_latest_order_and_replies_with_its_number(w):
    link(w)
    make_order(w, status=Status.COMPLETED)
    latest = make_order(w, status=Status.COMPLETED)
    content = reply_of(say(w, "投诉 师傅迟到了两个小时，态度也不好"))["Content"]
    complaint = Complaint.objects.get()
    assert (complaint.customer_id, complaint.work_order_id, complaint.description) == (
        w.customer.pk, latest.pk, "师傅迟到了两个小时，态度也不好")
    assert (complaint.opened_by_id, complaint.channel) == (w.customer.user.pk, "wechat")
    assert f"您的投诉已受理，投诉编号 {complaint.number}，涉及工单 {latest.number}" in content


def test_complain_without_words_asks_for_them_and_opens_nothing(w):
    link(w)
    make_order(w, status=Status.COMPLETED)
    assert "请在“投诉”后写明问题" in reply_of(say(w, "投诉"))["Content"]
    assert not Complaint.objects.exists()


def test_complain_from_an_unlinked_user_opens_nothing(w):
    assert "请先将微信绑定" in reply_of(say(w, "投诉 太慢了"))["Content"]
    assert not Complaint.objects.exists()
