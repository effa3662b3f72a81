"""The Django admin: a complaint's status is read-only there, a step goes through the workflow, and the
complaint's history is shown beside it."""

from __future__ import annotations

import pytest
from django.db.models.signals import pre_save
from django.test import Client

from accounts.principal import principal_of
from complaints import services
from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintEvent
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
# The history inline adds no rows; its management form says so.
INLINE = {"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}


@pytest.fixture
def admin_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    return client


@pytest.fixture
def complaint(world):
    order = make_order(world, status=Status.COMPLETED)
    return services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order,
                                   category="no_show", description="师傅迟到了两个小时")


def own_fields(world, complaint, **changes):
    return {"customer": world.customer.pk, "work_order": complaint.work_order_id, "outlet": world.outlet_a.pk,
            "technician": world.tech_a.pk, "category": "no_show", "severity": "normal", "channel": "hotline",
            "description": "师傅迟到了两个小时", "opened_at_0": "2026-03-02", "opened_at_1": "10:00:00",
            **INLINE, **changes}


def test_the_status_cannot_be_typed_only_stepped(world, complaint, admin_client):
    url = f"/admin/complaints/complaint/{complaint.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page and "师傅迟到了两个小时" in page
    # A posted status is ignored; the step offered moves it through the workflow, which writes the event
    response = admin_client.post(url, own_fields(world, complaint, status="arbitrated", step="acknowledge",
                                                 note="已回电"))
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED
    assert list(ComplaintEvent.objects.filter(complaint=complaint).values_list("action", "actor_role", "note")) == [
        ("open", "hotline_agent", ""), ("acknowledge", "admin_site", "已回电")]
    # A step not allowed from here is not offered
    response = admin_client.post(url, own_fields(world, complaint, step="arbitrate", note="x"))
    assert response.status_code == 200 and "step" in response.context["adminform"].form.errors
    # Resolving needs words, said beside the field; nothing changed
    response = admin_client.post(url, own_fields(world, complaint, step="resolve", note=" ", verdict_outcome="upheld",
                                                 verdict_responsible="outlet"))
    assert response.status_code == 200 and "note" in response.context["adminform"].form.errors
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED
    # The history is shown as an inline
    assert "已回电" in admin_client.get(url).content.decode()


def test_an_edit_in_the_admin_leaves_the_lifecycle_as_it_stands_at_saving(world, complaint, admin_client):
    url = f"/admin/complaints/complaint/{complaint.pk}/change/"

    def escalated_meanwhile(sender, instance, **kwargs):
        # The ladder's watch moves the complaint after the admin read it and before the admin saves it
        Complaint.objects.filter(pk=instance.pk).update(status=ComplaintStatus.ACKNOWLEDGED, escalation_level=2,
                                                         escalate_at=None)

    pre_save.connect(escalated_meanwhile, sender=Complaint)
    try:
        response = admin_client.post(url, own_fields(world, complaint, severity="high", description="迟到三小时"))
    finally:
        pre_save.disconnect(escalated_meanwhile, sender=Complaint)
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.severity, complaint.description) == ("high", "迟到三小时")
    assert (complaint.status, complaint.escalation_level, complaint.escalate_at) == (
        ComplaintStatus.ACKNOWLEDGED, 2, None)


def test_a_complaint_added_in_the_admin_starts_received_with_its_clocks(world, admin_client):
    order = make_order(world, status=Status.COMPLETED)
    response = admin_client.post("/admin/complaints/complaint/add/", {
        "customer": world.customer.pk, "work_order": order.pk, "category": "overcharge", "severity": "critical",
        "channel": "hotline", "description": "收费不清楚", "opened_at_0": "2026-03-02", "opened_at_1": "10:00:00",
        "status": "resolved", **INLINE})
    assert response.status_code == 302
    added = Complaint.objects.get()
    assert (added.status, added.outlet_id, added.brand_id) == (ComplaintStatus.RECEIVED, world.outlet_a.pk,
                                                               world.brand.pk)
    assert added.acknowledge_due is not None and added.escalate_at == added.acknowledge_due
    assert ComplaintEvent.objects.filter(complaint=added, action="open").count() == 1
