"""The customer complains from an order's page and follows the complaint on their own list."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.principal import principal_of
from complaints import services, workflow
from complaints.models import Complaint
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_a_customer_complains_from_the_order_page_and_sees_its_status(world):
    order = make_order(world, status=Status.COMPLETED)
    me = Client()
    me.force_login(world.customer.user)
    assert "/complain/" in me.get(f"/portal/acme/orders/{order.pk}/").content.decode()
    url = f"/portal/acme/orders/{order.pk}/complain/"
    assert me.get(url).status_code == 200
    response = me.post(url, {"category": "quality", "description": "  "})
    assert response.status_code == 422 and not Complaint.objects.exists()
    response = me.post(url, {"category": "quality", "description": "第二天又漏水"})
    assert response.status_code == 302 and response["Location"] == "/portal/acme/complaints/"
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.customer_id, complaint.outlet_id) == ("portal", world.customer.pk,
                                                                             world.outlet_a.pk)
    html = me.get("/portal/acme/complaints/").content.decode()
    assert complaint.number in html and "第二天又漏水" in html
    other = Client()
    other.force_login(world.other_customer.user)
    assert complaint.number not in other.get("/portal/acme/complaints/").content.decode()
    assert other.get(url).status_code == 404


def test_the_customers_list_shows_the_verdict_offered_and_never_the_appeal_or_the_notes(world):
    """A complaint worked to the arbiter: the customer reads their words, the status, the verdict and the remedy
    offered to them; the outlet's statement, the arbiter's reasons and staff notes stay in the console."""
    order = make_order(world, status=Status.COMPLETED)
    complaint = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                        order=order, category="no_show", description="师傅迟到两小时")
    internal = ["网点内部：师傅上周已被警告过", "区域经理请跟进", "客户自己改的时间", "录音显示客户改过时间"]
    for user, action, note, verdict in [
        (world.manager_a, "acknowledge", internal[0], {}), (world.dispatcher, "escalate", internal[1], {}),
        (world.dispatcher, "resolve", "属实，向您致歉并赔偿", {"outcome": "upheld", "responsible": "technician",
                                                        "remedies": ("apology", "compensation"),
                                                        "compensation": "1280.00"}),
        (world.manager_a, "appeal", internal[2], {}), (world.admin, "arbitrate", internal[3], {"outcome": "upheld"}),
    ]:
        complaint = workflow.transition(complaint, action, actor=principal_of(user), note=note,
                                        verdict=workflow.Verdict(**verdict))
    me = Client()
    me.force_login(world.customer.user)

    html = me.get("/portal/acme/complaints/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert complaint.number in html and "师傅迟到两小时" in html and "属实，向您致歉并赔偿" in html
    assert "Upheld" in html and "Apology, Compensation (¥1,280.00)" in html
    assert not [words for words in internal if words in html]
    assert "Technician" not in html and world.outlet_a.name not in html  # who was held responsible, and where
    zh = me.get("/portal/acme/complaints/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我们为您提供:</strong> 道歉、赔偿 (¥1,280.00)" in zh and not [w for w in internal if w in zh]
    # Staff read all of it on the desk
    desk = Client()
    desk.force_login(world.dispatcher)
    page = desk.get(f"/console/complaints/{complaint.pk}/").content.decode()
    assert all(words in page for words in internal)
