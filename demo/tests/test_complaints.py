from io import StringIO

import pytest
from django.core.management import call_command

from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintEvent
from customers.models import Customer
from demo import data
from field.profile import customer_profile

pytestmark = pytest.mark.django_db


def test_the_demo_has_complaints_in_every_state_and_one_of_the_demo_customer():
    call_command("demo", "--size", "small", "--now", "2026-11-20T10:00:00+00:00", stdout=StringIO())
    complaints = list(Complaint.objects.select_related("work_order"))
    assert {c.status for c in complaints} == set(ComplaintStatus.values)
    for c in complaints:
        assert c.work_order.customer_id == c.customer_id
        assert (c.outlet_id, c.technician_id) == (c.work_order.outlet_id, c.work_order.technician_id)
        assert c.opened_at >= c.work_order.completed_at
    arbitrated = next(c for c in complaints if c.status == ComplaintStatus.ARBITRATED)
    assert arbitrated.appeal_statement and arbitrated.resolution and arbitrated.arbitration
    assert ComplaintEvent.objects.filter(action="escalate", actor_role="system").exists()
    me = Customer.objects.get(phone=data.CUSTOMER_PHONE)
    assert customer_profile(me).open_complaints >= 1
