"""The inbox's complaints tab: a complaint's notices (received, escalated up the ladder, decided) reach the people
it concerns once each, are filed under one topic beside the SLA alerts, and open the complaint's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from complaints import services, workflow
from core import outbox
from notifications.models import Notification
from notifications.tests.factories import make_notification
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deliver() -> None:
    """The outbox worker, twice: a second delivery adds nothing."""
    later = timezone.now() + dt.timedelta(hours=1)
    outbox.deliver_due(now=later)
    outbox.deliver_due(now=later)


@pytest.fixture
def decided(world):
    """The customer complains about outlet A's order; the desk escalates it (to the outlet's manager) and
    resolves it upheld; an SLA alert about another order waits in the same inbox."""
    order = make_order(world, status=Status.COMPLETED)
    complaint = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                        order=order, category="no_show", description="师傅迟到两小时")
    desk = principal_of(world.dispatcher)
    workflow.transition(complaint, "escalate", actor=desk)
    complaint = services.resolve_complaint(actor=desk, complaint=complaint, resolution="属实，已致歉",
                                           remedies=("apology",))
    late = make_order(world, status=Status.ASSIGNED)
    make_notification(world.manager_a, brand=world.brand, work_order=late, key=f"sla:{late.pk}:onsite:breached",
                      data={"clock": "onsite", "state": "breached", "due": late.onsite_due.isoformat()})
    deliver()
    return complaint


def test_the_outlets_manager_hears_of_a_complaint_once_per_step(world, decided):
    notices = Notification.objects.filter(kind__startswith="complaint_").order_by("pk")
    assert list(notices.values_list("recipient", "kind", "data__number")) == [
        (world.manager_a.pk, "complaint_opened", decided.number),
        (world.manager_a.pk, "complaint_escalated", decided.number),
        (world.manager_a.pk, "complaint_resolved", decided.number)]
    assert {n.work_order_id for n in notices} == {decided.work_order_id}


def test_the_complaints_tab_shows_a_complaints_notices_and_nothing_else(world, decided):
    manager = signed_in(world.manager_a)

    everything = manager.get("/console/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    tab = manager.get("/console/notifications/?topic=complaint", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'data-topic="complaint"' in everything and 'data-topic="onsite_breached"' in everything
    assert 'Complaints <span class="num">3</span>' in everything
    assert tab.count('class="notification is-unread"') == 3 and "No technician was on site" not in tab
    for words in ("Complaint received", f"Complaint {decided.number} was received about your service; "
                  "acknowledge it by", "Complaint escalated to you", "(rung 1 of 3)", "Complaint decided",
                  f"Complaint {decided.number} was resolved: upheld."):
        assert words in tab, words
    zh = manager.get("/console/notifications/?topic=complaint", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "投诉已受理" in zh and f"投诉 {decided.number} 已处理：成立。" in zh


def test_a_complaint_notice_opens_the_complaint(world, decided):
    notice = Notification.objects.get(kind="complaint_resolved")
    response = signed_in(world.manager_a).post(f"/console/notifications/{notice.pk}/read/")
    assert response.status_code == 302 and response["Location"] == f"/console/complaints/{decided.pk}/"
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    assert signed_in(world.manager_a).get(response["Location"]).status_code == 200


def test_a_complaint_about_no_order_is_told_to_the_brand_admins(world):
    complaint = services.open_complaint(actor=principal_of(world.hotline), customer=world.customer,
                                        category="attitude", description="客服态度差")
    deliver()
    notice = Notification.objects.get(kind="complaint_opened")
    assert (notice.recipient_id, notice.work_order_id, notice.data["number"]) == (world.admin.pk, None,
                                                                                  complaint.number)
    page = signed_in(world.admin).get("/console/notifications/?topic=complaint",
                                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Complaint {complaint.number} was received" in page


def test_the_arbiters_decision_reaches_the_outlets_manager_as_the_appeal_decided(world, decided):
    # complaint.arbitrated is its own event (the customer's message says "reviewed on appeal"); the manager who
    # appealed hears of it once, worded as the appeal decided, not as a second "was resolved".
    workflow.transition(decided, "appeal", actor=principal_of(world.manager_a), note="客户改过约，不算迟到")
    workflow.transition(decided, "arbitrate", actor=principal_of(world.admin), note="双方都有责任",
                        verdict=workflow.Verdict(outcome="partly"))
    deliver()
    notices = Notification.objects.filter(kind="complaint_resolved", recipient=world.manager_a).order_by("pk")
    assert [n.data.get("final", False) for n in notices] == [False, True]
    zh = signed_in(world.manager_a).get("/console/notifications/?topic=complaint",
                                        HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"投诉 {decided.number} 的申诉已裁决：部分成立。" in zh and zh.count(f"投诉 {decided.number} 已处理") == 1
