"""The escalation ladder: a complaint whose clock ran out moves up one rung per breach, through the workflow,
and each rung hears of it once, even when two watches run at once; clocks count service hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from complaints import ladder, services, workflow
from complaints.choices import ComplaintStatus, ContactRole, LadderLevel
from complaints.models import Complaint, ComplaintEvent, LadderContact
from complaints.tasks import watch_ladder
from complaints.watch import sweep
from conftest import build_world, race
from core import outbox
from core.errors import IllegalTransition
from core.models import OutboxEvent
from notifications import messages
from notifications.models import Notification
from workorders.choices import Status
from workorders.models import ServiceCalendar
from workorders.tests.factories import make_order

S = ComplaintStatus
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Shanghai
HOUR = dt.timedelta(hours=1)


def complain(world, *, severity="high", at=T0):
    order = make_order(world, status=Status.COMPLETED)
    return services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order,
                                   category="no_show", description="一直没人上门", severity=severity, opened_at=at)


def escalations(complaint):
    return list(ComplaintEvent.objects.filter(complaint=complaint, action="escalate").order_by("pk")
                .values_list("level", "actor_role", "created_at"))


@pytest.mark.django_db
def test_each_breach_moves_the_complaint_one_rung_up_once(world):
    # Given a high complaint (acknowledge within 2 h, resolve within 24 h, 4 h per rung after that), a region
    # contact and a service director on the brand's ladder
    complaint = complain(world)
    LadderContact.objects.create(brand=world.brand, role=ContactRole.REGION, user=world.dispatcher)
    LadderContact.objects.create(brand=world.brand, role=ContactRole.DIRECTOR, user=world.analyst)

    # When the watch runs before the acknowledge clock runs out, nothing moves
    assert sweep(now=T0 + HOUR) == {"escalated": 0}

    # When it runs past it, the outlet's manager is the first rung; a second run at the same time moves nothing
    first = T0 + 2 * HOUR + dt.timedelta(minutes=1)
    assert sweep(now=first) == {"escalated": 1}
    assert sweep(now=first) == {"escalated": 0}
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalation_level) == (S.ESCALATED, LadderLevel.OUTLET)
    assert ladder.recipients(complaint, LadderLevel.OUTLET) == (world.manager_a.pk,)
    # The outlet rung lasts until the resolve clock runs out
    assert complaint.escalate_at == complaint.resolve_due == T0 + 24 * HOUR

    # Then the region's contact, then (4 service hours later) the director, and no further
    assert sweep(now=T0 + 25 * HOUR) == {"escalated": 1}
    complaint.refresh_from_db()
    assert complaint.escalation_level == LadderLevel.REGION
    assert ladder.recipients(complaint, LadderLevel.REGION) == (world.dispatcher.pk,)
    assert complaint.escalate_at == T0 + 29 * HOUR
    assert sweep(now=T0 + 30 * HOUR) == {"escalated": 1}
    assert sweep(now=T0 + 300 * HOUR) == {"escalated": 0}
    complaint.refresh_from_db()
    assert (complaint.escalation_level, complaint.escalate_at) == (LadderLevel.DIRECTOR, None)
    assert ladder.recipients(complaint, LadderLevel.DIRECTOR) == (world.analyst.pk,)
    assert escalations(complaint) == [(1, "system", first), (2, "system", T0 + 25 * HOUR),
                                      (3, "system", T0 + 30 * HOUR)]
    with pytest.raises(IllegalTransition):  # the top of the ladder
        workflow.transition(complaint, "escalate", actor=principal_of(world.dispatcher))


@pytest.mark.django_db
def test_an_acknowledged_complaint_waits_for_its_resolve_clock_and_a_resolved_one_never_escalates(world):
    acknowledged, resolved = complain(world), complain(world)
    workflow.transition(acknowledged, "acknowledge", actor=principal_of(world.manager_a), at=T0 + HOUR)
    services.resolve_complaint(actor=principal_of(world.dispatcher), complaint=resolved, resolution="已处理",
                               resolved_at=T0 + HOUR)
    assert sweep(now=T0 + 23 * HOUR) == {"escalated": 0}
    assert watch_ladder.call(now=(T0 + 24 * HOUR + dt.timedelta(seconds=1)).isoformat()) == {"escalated": 1}
    acknowledged.refresh_from_db()
    resolved.refresh_from_db()
    assert (acknowledged.escalation_level, resolved.escalation_level) == (LadderLevel.OUTLET, LadderLevel.DESK)
    assert resolved.status == S.RESOLVED


@pytest.mark.django_db
def test_a_rung_nobody_stands_on_falls_to_the_brand_admins(world):
    complaint = complain(world)
    Complaint.objects.filter(pk=complaint.pk).update(region=world.region)
    complaint.refresh_from_db()
    assert ladder.recipients(complaint, LadderLevel.REGION) == (world.admin.pk,)
    assert ladder.recipients(complaint, LadderLevel.DIRECTOR) == (world.admin.pk,)
    # A contact for another region does not stand on this one's rung; one for its own region does, before the
    # brand-wide ones
    LadderContact.objects.create(brand=world.brand, role=ContactRole.REGION, user=world.analyst)
    assert ladder.recipients(complaint, LadderLevel.REGION) == (world.analyst.pk,)
    LadderContact.objects.create(brand=world.brand, role=ContactRole.REGION, region=world.region, user=world.dispatcher)
    assert ladder.recipients(complaint, LadderLevel.REGION) == (world.dispatcher.pk,)
    other = type(world.region).objects.create(brand=world.brand, code="ningbo", name="宁波",
                                            latitude="29.87", longitude="121.54")
    LadderContact.objects.create(brand=world.brand, role=ContactRole.REGION, region=other, user=world.hotline)
    assert ladder.recipients(complaint, LadderLevel.REGION) == (world.dispatcher.pk,)


@pytest.mark.django_db
def test_the_clocks_count_service_hours(world):
    # Given the brand open 08:00-20:00 on working days and closed at weekends
    ServiceCalendar.objects.create(brand=world.brand, name="Service hours", workday_opens=dt.time(8),
                                   workday_closes=dt.time(20))
    # When a normal complaint (4 h to acknowledge) comes on Friday at 19:00
    friday = timezone.make_aware(dt.datetime(2026, 3, 6, 19, 0))
    complaint = complain(world, severity="normal", at=friday)
    # Then it is due on Monday at 11:00: one hour on Friday, three on Monday from 08:00
    assert complaint.acknowledge_due == timezone.make_aware(dt.datetime(2026, 3, 9, 11, 0))
    assert sweep(now=timezone.make_aware(dt.datetime(2026, 3, 8, 12, 0))) == {"escalated": 0}


@pytest.mark.django_db(transaction=True)
def test_two_watches_at_once_escalate_each_complaint_once():
    world = build_world()
    complaints = [complain(world) for _ in range(3)]
    now = T0 + 3 * HOUR
    results = race(lambda i: sweep(now=now), 2, timeout=120)
    assert sum(r["escalated"] for r in results) == 3, results
    for complaint in complaints:
        assert [e[0] for e in escalations(complaint)] == [1]
    assert set(Complaint.objects.values_list("escalation_level", flat=True)) == {1}


@pytest.mark.django_db
def test_each_rung_is_told_once_in_the_console_through_the_outbox(world):
    # Given a complaint past its acknowledge clock
    complaint = complain(world)
    # When the watch moves it up and the outbox delivers (twice: a retry adds nothing)
    sweep(now=T0 + 3 * HOUR)
    sweep(now=T0 + 3 * HOUR)
    later = timezone.now() + HOUR
    outbox.deliver_due(now=later)
    outbox.deliver_due(now=later)
    # Then one complaint.escalated event names the outlet's manager, who has one notification of it
    events = OutboxEvent.objects.filter(kind="complaint.escalated")
    assert [(e.subject_id, e.data["level"], e.data["recipient_ids"]) for e in events] == [
        (complaint.pk, 1, [world.manager_a.pk])]
    notices = Notification.objects.filter(kind="complaint_escalated")
    assert [(n.recipient_id, n.data["number"]) for n in notices] == [(world.manager_a.pk, complaint.number)]
    assert complaint.number in messages.sentence(notices[0]) and messages.title(notices[0])
    about = OutboxEvent.objects.filter(subject_type="complaint", subject_id=complaint.pk).order_by("pk")
    assert list(about.values_list("kind", flat=True)) == [
        "complaint.opened", "complaint.transitioned", "complaint.escalated"]
