"""Complaints: opened through the service with the order's outlet and technician, resolved once, scoped like orders."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.principal import principal_of
from complaints import services
from complaints.choices import ComplaintStatus
from complaints.models import Complaint
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(Complaint.objects.order_by("pk").values_list("pk", "status", "resolution", "resolved_at"))


@pytest.fixture
def complaints(world):
    order_a = make_order(world, status=Status.COMPLETED)
    order_b = make_order(world, status=Status.COMPLETED, customer=world.other_customer,
                         product=world.other_product, outlet=world.outlet_b, technician=world.tech_b)
    hotline = principal_of(world.hotline)
    about_a = services.open_complaint(actor=hotline, customer=world.customer, order=order_a, category="lateness",
                                      description="  师傅迟到了两个小时  ")
    about_b = services.open_complaint(actor=hotline, customer=world.other_customer, order=order_b,
                                      category="workmanship", description="修完第二天又漏水")
    return order_a, order_b, about_a, about_b


def test_a_complaint_names_the_orders_outlet_and_technician(world, complaints):
    order_a, _b, about_a, _ = complaints
    assert (about_a.brand_id, about_a.customer_id, about_a.work_order_id) == (world.brand.pk, world.customer.pk,
                                                                              order_a.pk)
    assert (about_a.outlet_id, about_a.technician_id) == (world.outlet_a.pk, world.tech_a.pk)
    assert about_a.description == "师傅迟到了两个小时"
    assert about_a.status == ComplaintStatus.OPEN and about_a.resolved_at is None
    assert about_a.opened_by == world.hotline


def test_resolving_records_the_outcome_once(world, complaints):
    about_a = complaints[2]
    dispatcher = principal_of(world.dispatcher)
    done = services.resolve_complaint(actor=dispatcher, complaint=about_a, resolution="致歉并赠送一次免费保养")
    assert done.status == ComplaintStatus.RESOLVED and done.resolved_at is not None
    assert done.resolved_by == world.dispatcher and done.resolution == "致歉并赠送一次免费保养"
    before = _snapshot()
    with pytest.raises(IllegalTransition):
        services.resolve_complaint(actor=dispatcher, complaint=about_a, resolution="again")
    assert _snapshot() == before


@pytest.mark.parametrize("bad", [
    dict(category="rude"), dict(description="   "), dict(description="x" * 2001),
])
def test_bad_input_is_refused_and_nothing_is_written(world, bad):
    kwargs = dict(actor=principal_of(world.hotline), customer=world.customer, category="conduct",
                  description="态度不好") | bad
    with pytest.raises(InvalidInput) as refused:
        services.open_complaint(**kwargs)
    assert refused.value.field in ("category", "description")
    assert Complaint.objects.count() == 0


def test_an_order_of_another_customer_is_refused(world):
    order_b = make_order(world, status=Status.COMPLETED, customer=world.other_customer,
                         product=world.other_product)
    with pytest.raises(InvalidInput) as refused:
        services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order_b,
                                category="conduct", description="态度不好")
    assert refused.value.field == "order"
    assert Complaint.objects.count() == 0


def test_who_may_open_and_resolve(world, complaints):
    about_a = complaints[2]
    for user in (world.manager_a, world.tech_a.user, world.analyst):
        with pytest.raises(PermissionDenied):
            services.open_complaint(actor=principal_of(user), customer=world.customer, category="other",
                                    description="x")
    with pytest.raises(PermissionDenied):  # a customer complains only for themselves
        services.open_complaint(actor=principal_of(world.other_customer.user), customer=world.customer,
                                category="other", description="x")
    before = _snapshot()
    for user in (world.manager_a, world.tech_a.user, world.customer.user):
        with pytest.raises(PermissionDenied):
            services.resolve_complaint(actor=principal_of(user), complaint=about_a, resolution="done")
    assert _snapshot() == before and Complaint.objects.count() == 2
    own = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                  category="charges", description="收费不透明")
    assert own.opened_by == world.customer.user and own.outlet_id is None


def test_each_party_sees_only_its_complaints(world, complaints):
    _oa, _ob, about_a, about_b = complaints
    seen = {
        "dispatcher": {about_a.pk, about_b.pk},
        "manager_a": {about_a.pk},
        "manager_b": {about_b.pk},
        "tech_a": {about_a.pk},
        "tech_a2": set(),
        "tech_b": {about_b.pk},
        "customer": {about_a.pk},
        "other_customer": {about_b.pk},
        "rival_dispatcher": set(),
    }
    for persona, ids in seen.items():
        holder = getattr(world, persona)
        user = getattr(holder, "user", None) if not hasattr(holder, "username") else holder
        assert set(Complaint.objects.visible_to(user).values_list("pk", flat=True)) == ids, persona
    assert Complaint.objects.visible_to(None).count() == 0


def test_admin_edits_a_complaint(world, complaints, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    about_a = complaints[2]
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/complaints/complaint/").status_code == 200
    page = client.get(f"/admin/complaints/complaint/{about_a.pk}/change/")
    assert page.status_code == 200 and "师傅迟到了两个小时" in page.content.decode()
    response = client.post(f"/admin/complaints/complaint/{about_a.pk}/change/", {
        "customer": world.customer.pk, "work_order": about_a.work_order_id, "outlet": world.outlet_a.pk,
        "technician": world.tech_a.pk, "category": "lateness", "description": "师傅迟到了两个小时",
        "status": "resolved", "resolution": "已致歉", "opened_at_0": "2025-01-02", "opened_at_1": "10:00:00",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    about_a.refresh_from_db()
    assert about_a.status == ComplaintStatus.RESOLVED and about_a.resolved_at is not None
    assert about_a.resolved_by == admin_user and about_a.brand_id == world.brand.pk
