from io import StringIO

import pytest
from django.core.management import call_command

from complaints.models import Complaint
from workorders.models import Urge, WorkOrderEvent

pytestmark = pytest.mark.django_db


def test_the_demo_has_late_orders_urged_once_and_twice_and_runs_twice(small_demo):
    small_demo("--now", "2026-11-20T10:00:00+00:00")
    urged = list(Urge.objects.select_related("work_order"))
    assert urged
    assert {u.seq for u in urged} == {1, 2}
    assert not any(u.escalated for u in urged)
    assert not Complaint.objects.filter(channel="urging").exists()
    for u in urged:
        assert u.promised is not None and u.created_at > u.promised
        assert WorkOrderEvent.objects.filter(work_order=u.work_order, kind="urge", data__seq=u.seq).exists()
    count = len(urged)
    call_command("demo", "--size", "small", "--now", "2026-11-20T10:00:00+00:00", stdout=StringIO())
    assert Urge.objects.count() == count
