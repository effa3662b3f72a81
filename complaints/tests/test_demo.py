from io import StringIO

import pytest
from django.core.management import call_command

from complaints.choices import ComplaintStatus
from complaints.models import Complaint
from customers.models import Customer
from customers.selectors import customer_profile
from demo import data

pytestmark = pytest.mark.django_db


def test_the_demo_has_complaints_on_finished_orders_and_one_of_the_demo_customer():
    call_command("demo", "--size", "small", "--now", "2026-11-20T10:00:00+00:00", stdout=StringIO())
    complaints = list(Complaint.objects.select_related("work_order"))
    assert len(complaints) >= 5
    assert {c.status for c in complaints} == {ComplaintStatus.OPEN, ComplaintStatus.RESOLVED}
    for c in complaints:
        assert c.work_order.customer_id == c.customer_id
        assert (c.outlet_id, c.technician_id) == (c.work_order.outlet_id, c.work_order.technician_id)
        assert c.opened_at >= c.work_order.completed_at
    me = Customer.objects.get(phone=data.CUSTOMER_PHONE)
    assert customer_profile(me).open_complaints >= 1
