"""The complaint events the outbox carries start with the same fields, as an order's steps carry theirs, so a sink
can word a message from the event alone: about no order too."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.principal import principal_of
from complaints import services, workflow
from core.models import OutboxEvent
from notifications import customer_messages
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def events_of(complaint) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(subject_type="complaint", subject_id=complaint.pk).order_by("pk"))


def work(world, complaint):
    """Acknowledged by the desk, escalated and resolved upheld: every kind of complaint event once."""
    desk = principal_of(world.dispatcher)
    workflow.transition(complaint, "acknowledge", actor=desk, note="已联系客户")
    workflow.transition(complaint, "escalate", actor=desk)
    return services.resolve_complaint(actor=desk, complaint=complaint, resolution="属实，已致歉", remedies=("apology",))


@pytest.mark.parametrize("about_an_order", [True, False])
def test_every_complaint_event_carries_the_brand_the_numbers_and_the_customers_page(world, about_an_order):
    order = make_order(world, status=Status.COMPLETED) if about_an_order else None
    complaint = services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order,
                                        category="attitude", description="客服态度差")
    work(world, complaint)

    recorded = events_of(complaint)

    assert [e.kind for e in recorded] == ["complaint.opened", "complaint.transitioned", "complaint.transitioned",
                                          "complaint.escalated", "complaint.transitioned", "complaint.resolved"]
    link = f"{settings.SITE_URL.rstrip('/')}/portal/acme/complaints/"
    for event in recorded:
        assert (event.brand_id, event.work_order_id) == (world.brand.pk, order.pk if order else None)
        assert {key: event.data[key] for key in ("brand", "complaint_id", "complaint_number", "customer_id",
                                                 "order_number", "link")} == {
            "brand": "Acme", "complaint_id": complaint.pk, "complaint_number": complaint.number,
            "customer_id": world.customer.pk, "order_number": order.number if order else None, "link": link}
    # A step is named as an order's step is: action, from_status, to_status, actor_role
    steps = [{k: e.data[k] for k in ("action", "from_status", "to_status", "actor_role")}
             for e in recorded if e.kind == "complaint.transitioned"]
    assert steps == [
        {"action": "acknowledge", "from_status": "received", "to_status": "acknowledged", "actor_role": "dispatcher"},
        {"action": "escalate", "from_status": "acknowledged", "to_status": "escalated", "actor_role": "dispatcher"},
        {"action": "resolve", "from_status": "escalated", "to_status": "resolved", "actor_role": "dispatcher"}]


def test_the_customer_is_told_of_a_complaint_about_no_order_in_the_brands_name(world):
    complaint = services.open_complaint(actor=principal_of(world.hotline), customer=world.customer,
                                        category="attitude", description="客服态度差")
    work(world, complaint)
    by_kind = {e.kind: e for e in events_of(complaint)}

    opened = {m.channel: m for m in customer_messages.record(by_kind["complaint.opened"])}
    resolved = {m.channel: m for m in customer_messages.record(by_kind["complaint.resolved"])}

    # The SMS is signed by the brand and the subject (a mail's) names it, as for a complaint about an order
    for said in (opened["sms"], resolved["sms"]):
        assert said.text.startswith("【Acme】") and complaint.number in said.text
        assert said.subject.startswith("Acme") and complaint.number in said.subject
    # and the verdict's message leads to the customer's page of their complaints, not the site's root
    assert resolved["sms"].params["link"] == f"{settings.SITE_URL.rstrip('/')}/portal/acme/complaints/"
    assert resolved["sms"].text.endswith("/portal/acme/complaints/")
