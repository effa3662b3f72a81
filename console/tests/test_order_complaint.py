"""The hotline records a caller's complaint from the console's order page: it lands on the complaints desk."""

from __future__ import annotations

import pytest
from django.test import Client

from complaints.models import Complaint
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_hotline_records_a_complaint_that_shows_on_the_desk(world):
    order = make_order(world, status=Status.COMPLETED)
    hotline = signed_in(world.hotline)
    page = hotline.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'id="complaint-form"' in page and 'name="complaint-severity"' in page
    response = hotline.post(f"/console/orders/{order.pk}/complaint/", {
        "complaint-category": "attitude", "complaint-severity": "high", "complaint-description": "师傅态度很差"})
    complaint = Complaint.objects.get(work_order=order)
    assert response.status_code == 302 and response["Location"] == f"/console/complaints/{complaint.pk}/"
    assert (complaint.channel, complaint.severity, complaint.category) == ("hotline", "high", "attitude")
    assert complaint.customer_id == order.customer_id and complaint.outlet_id == order.outlet_id
    assert complaint.opened_by == world.hotline
    assert complaint.number in hotline.get("/console/complaints/").content.decode()


def test_errors_come_back_beside_their_fields_and_nothing_is_recorded(world):
    order = make_order(world, status=Status.COMPLETED)
    hotline = signed_in(world.hotline)
    response = hotline.post(f"/console/orders/{order.pk}/complaint/", {
        "complaint-category": "nonsense", "complaint-severity": "high", "complaint-description": "  "})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('class="field-error"') >= 2 and "complaint-form-box\" open" in html
    assert not Complaint.objects.exists()


def test_only_the_complaint_desk_records_and_only_visible_orders(world):
    order = make_order(world, status=Status.COMPLETED)
    manager = signed_in(world.manager_a)
    assert 'id="complaint-form"' not in manager.get(f"/console/orders/{order.pk}/").content.decode()
    refused = manager.post(f"/console/orders/{order.pk}/complaint/", {
        "complaint-category": "attitude", "complaint-severity": "normal", "complaint-description": "x"})
    assert refused.status_code == 403
    other = make_order(world, status=Status.COMPLETED, customer=world.other_customer, product=world.other_product,
                       outlet=world.outlet_b, technician=world.tech_b)
    assert manager.post(f"/console/orders/{other.pk}/complaint/", {
        "complaint-category": "attitude", "complaint-severity": "normal",
        "complaint-description": "x"}).status_code == 404
    assert not Complaint.objects.exists()
