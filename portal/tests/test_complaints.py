"""The customer complains from an order's page and follows the complaint on their own list."""

from __future__ import annotations

import pytest
from django.test import Client

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
