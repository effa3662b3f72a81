"""Complaints: opened from every channel with the order's outlet, technician and region and clocks in service
time; the lifecycle table; the verdict, the appeal once and the arbiter's decision; scoped like orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of, system_principal
from complaints import selectors, services, workflow
from complaints.choices import ComplaintStatus, ContactRole, LadderLevel
from complaints.models import Complaint, ComplaintEvent, LadderContact
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from core.models import OutboxEvent
from notifications import customer_messages
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
S = ComplaintStatus
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Shanghai


def snapshot():
    return list(Complaint.objects.order_by("pk").values_list(
        "pk", "status", "escalation_level", "outcome", "resolution", "resolved_at", "appealed_at", "arbitrated_at"))


def history(complaint):
    return list(ComplaintEvent.objects.filter(complaint=complaint).order_by("pk").values_list(
        "action", "from_status", "to_status", "actor", "actor_role", "note"))


@pytest.fixture
def complaints(world):
    order_a = make_order(world, status=Status.COMPLETED)
    order_b = make_order(world, status=Status.COMPLETED, customer=world.other_customer,
                         product=world.other_product, outlet=world.outlet_b, technician=world.tech_b)
    hotline = principal_of(world.hotline)
    about_a = services.open_complaint(actor=hotline, customer=world.customer, order=order_a, category="no_show",
                                      description="  师傅迟到了两个小时  ", severity="high", opened_at=T0)
    about_b = services.open_complaint(actor=hotline, customer=world.other_customer, order=order_b,
                                      category="quality", description="修完第二天又漏水", opened_at=T0)
    return order_a, order_b, about_a, about_b


def resolve(world, complaint, outcome="upheld", **kw):
    return services.resolve_complaint(actor=principal_of(world.dispatcher), complaint=complaint,
                                      resolution="核实属实，向客户致歉", outcome=outcome, **kw)


def test_a_complaint_names_the_orders_outlet_technician_and_region_and_sets_its_clocks(world, complaints):
    order_a, _b, about_a, _ = complaints
    assert (about_a.brand_id, about_a.customer_id, about_a.work_order_id) == (world.brand.pk, world.customer.pk,
                                                                              order_a.pk)
    assert (about_a.outlet_id, about_a.technician_id, about_a.region_id) == (
        world.outlet_a.pk, world.tech_a.pk, order_a.region_id)
    assert about_a.description == "师傅迟到了两个小时" and about_a.channel == "hotline"
    assert (about_a.status, about_a.escalation_level) == (S.RECEIVED, LadderLevel.DESK)
    # High severity, no service calendar (7×24): acknowledge within 2 hours, resolve within 24, the ladder's
    # first rung at the acknowledge clock.
    assert about_a.acknowledge_due == T0 + dt.timedelta(hours=2)
    assert about_a.resolve_due == T0 + dt.timedelta(hours=24)
    assert about_a.escalate_at == about_a.acknowledge_due
    assert history(about_a) == [("open", "", "received", world.hotline.pk, "hotline_agent", "")]


@pytest.mark.parametrize("bad", [
    dict(category="conduct"), dict(description="   "), dict(description="x" * 2001), dict(severity="urgent"),
    dict(channel="fax"),
])
def test_bad_input_is_refused_and_nothing_is_written(world, bad):
    kwargs = dict(actor=principal_of(world.hotline), customer=world.customer, category="attitude",
                  description="态度不好") | bad
    with pytest.raises(InvalidInput) as refused:
        services.open_complaint(**kwargs)
    assert refused.value.field == next(iter(bad))
    assert Complaint.objects.count() == 0


def test_an_order_of_another_customer_is_refused(world):
    order_b = make_order(world, status=Status.COMPLETED, customer=world.other_customer,
                         product=world.other_product)
    with pytest.raises(InvalidInput) as refused:
        services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order_b,
                                category="attitude", description="态度不好")
    assert refused.value.field == "order"
    assert Complaint.objects.count() == 0


def test_who_may_open(world, complaints):
    for user in (world.manager_a, world.tech_a.user, world.analyst):
        with pytest.raises(PermissionDenied):
            services.open_complaint(actor=principal_of(user), customer=world.customer, category="other",
                                    description="x")
    with pytest.raises(PermissionDenied):  # a customer complains only for themselves
        services.open_complaint(actor=principal_of(world.other_customer.user), customer=world.customer,
                                category="other", description="x")
    assert Complaint.objects.count() == 2
    own = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                  category="overcharge", description="收费不透明")
    assert (own.opened_by, own.outlet_id, own.channel) == (world.customer.user, None, "portal")


def test_the_whole_loop_writes_each_step(world, complaints):
    about_a = complaints[2]
    manager = principal_of(world.manager_a)
    # The outlet acknowledges and investigates its own complaint: the acknowledge clock is met, the resolve one next
    workflow.transition(about_a, "acknowledge", actor=manager, note="已联系客户", at=T0 + dt.timedelta(minutes=30))
    assert (about_a.status, about_a.acknowledged_at) == (S.ACKNOWLEDGED, T0 + dt.timedelta(minutes=30))
    assert about_a.escalate_at == about_a.resolve_due
    workflow.transition(about_a, "investigate", actor=manager)
    # The brand's desk gives the verdict, with a remedy in Decimal and who was responsible
    resolve(world, about_a, remedies=("apology", "compensation"), compensation="50.00", responsible="technician")
    about_a.refresh_from_db()
    assert (about_a.status, about_a.outcome, about_a.remedies, about_a.compensation, about_a.responsible) == (
        S.RESOLVED, "upheld", ["apology", "compensation"], Decimal("50.00"), "technician")
    assert about_a.escalate_at is None and about_a.resolved_by == world.dispatcher
    # The outlet appeals once, with its statement; the brand admin (the arbiter) decides, both kept
    workflow.transition(about_a, "appeal", actor=manager, note="客户改约了时间，师傅按新时间到达")
    before = snapshot()
    with pytest.raises(IllegalTransition):
        workflow.transition(about_a, "appeal", actor=manager, note="再申诉")
    assert snapshot() == before
    workflow.transition(about_a, "arbitrate", actor=principal_of(world.admin), note="通话记录证实改约，部分成立",
                        verdict=workflow.Verdict(outcome="partly"))
    about_a.refresh_from_db()
    assert (about_a.status, about_a.outcome, about_a.appealed_outcome) == (S.ARBITRATED, "partly", "upheld")
    assert about_a.appeal_statement == "客户改约了时间，师傅按新时间到达"
    assert about_a.resolution == "核实属实，向客户致歉" and about_a.arbitration == "通话记录证实改约，部分成立"
    assert [h[:3] for h in history(about_a)] == [
        ("open", "", "received"), ("acknowledge", "received", "acknowledged"),
        ("investigate", "acknowledged", "investigating"), ("resolve", "investigating", "resolved"),
        ("appeal", "resolved", "appealed"), ("arbitrate", "appealed", "arbitrated")]
    with pytest.raises(IllegalTransition):  # the arbiter's decision is final
        workflow.transition(about_a, "reopen", actor=principal_of(world.dispatcher))


@pytest.mark.parametrize("persona,action", [
    ("manager_a", "resolve"), ("customer", "acknowledge"), ("manager_b", "acknowledge"), ("tech_a", "investigate"),
    ("analyst", "acknowledge"), ("dispatcher", "appeal"), ("manager_a", "escalate"),
])
def test_each_step_is_for_its_party_only(world, complaints, persona, action):
    about_a = complaints[2]
    if action == "appeal":
        resolve(world, about_a)
    holder = getattr(world, persona)
    user = getattr(holder, "user", holder)
    before, events = snapshot(), history(about_a)
    with pytest.raises((PermissionDenied, IllegalTransition)):
        workflow.transition(about_a, action, actor=principal_of(user), note="x",
                            verdict=workflow.Verdict(outcome="upheld", responsible="outlet"))
    assert (snapshot(), history(about_a)) == (before, events)


def test_the_verdict_is_refused_without_words_outcome_or_consistent_compensation(world, complaints):
    about_a = complaints[2]
    desk = principal_of(world.dispatcher)
    before = snapshot()
    for note, verdict, field in [
        ("  ", workflow.Verdict(outcome="upheld", responsible="outlet"), "note"),
        ("ok", workflow.Verdict(outcome="maybe", responsible="outlet"), "outcome"),
        ("ok", workflow.Verdict(outcome="upheld"), "responsible"),
        ("ok", workflow.Verdict(outcome="upheld", responsible="outlet", compensation="20"), "compensation"),
        ("ok", workflow.Verdict(outcome="upheld", responsible="outlet", remedies=("compensation",),
                                compensation="-1"), "compensation"),
        ("ok", workflow.Verdict(outcome="upheld", responsible="outlet", remedies=("cash",)), "remedies"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            workflow.transition(about_a, "resolve", actor=desk, note=note, verdict=verdict)
        assert refused.value.field == field
    assert snapshot() == before


def test_only_an_upheld_verdict_may_be_appealed_and_a_reopened_one_is_clocked_afresh(world, complaints):
    about_b = complaints[3]
    resolve(world, about_b, outcome="not_upheld", remedies=(), responsible="")
    before = snapshot()
    with pytest.raises(IllegalTransition):
        workflow.transition(about_b, "appeal", actor=principal_of(world.manager_b), note="不服")
    assert snapshot() == before
    later = T0 + dt.timedelta(days=3)
    workflow.transition(about_b, "reopen", actor=principal_of(world.other_customer.user), note="问题还在", at=later)
    assert (about_b.status, about_b.outcome, about_b.resolved_at) == (S.REOPENED, "", None)
    assert about_b.acknowledge_due == later + dt.timedelta(hours=4) == about_b.escalate_at


def test_each_party_sees_only_its_complaints(world, complaints):
    _oa, _ob, about_a, about_b = complaints
    expected = {
        world.dispatcher: {about_a.pk, about_b.pk}, world.manager_a: {about_a.pk}, world.manager_b: {about_b.pk},
        world.tech_a: {about_a.pk}, world.tech_b: {about_b.pk}, world.customer: {about_a.pk},
        world.other_customer: {about_b.pk}, world.rival_dispatcher: set(),
    }
    for holder, ids in expected.items():
        user = getattr(holder, "user", holder)
        assert set(Complaint.objects.visible_to(user).values_list("pk", flat=True)) == ids, holder
        assert set(ComplaintEvent.objects.visible_to(user).values_list("complaint", flat=True)) == ids, holder
    assert Complaint.objects.visible_to(None).count() == 0


def test_upheld_complaints_are_counted_per_outlet_and_technician_by_the_verdict_in_force(world, complaints):
    order_a, _ob, about_a, about_b = complaints
    second = services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order_a,
                                     category="attitude", description="态度差", opened_at=T0)
    resolve(world, about_a)
    resolve(world, second, outcome="partly")
    resolve(world, about_b, outcome="not_upheld", remedies=(), responsible="")
    qs = Complaint.objects.visible_to(world.dispatcher)
    assert [(c.name, c.upheld, c.partly) for c in selectors.upheld_by_outlet(qs)] == [("Outlet A", 1, 1)]
    assert [(c.id, c.total) for c in selectors.upheld_by_technician(qs)] == [(world.tech_a.pk, 2)]
    # The outlet appeals the upheld one and the arbiter finds it not upheld: it no longer counts
    workflow.transition(about_a, "appeal", actor=principal_of(world.manager_a), note="不是我们的责任")
    workflow.transition(about_a, "arbitrate", actor=principal_of(world.admin), note="不成立",
                        verdict=workflow.Verdict(outcome="not_upheld"))
    assert [(c.upheld, c.partly) for c in selectors.upheld_by_outlet(qs)] == [(0, 1)]
    # ...and the overturned verdict's remedies, compensation and blame are gone with it
    about_a.refresh_from_db()
    assert (about_a.remedies, about_a.compensation, about_a.responsible) == ([], Decimal("0.00"), "")
    # The arbiter's decision is recorded as its own kind (the customer's message says it was reviewed on appeal)
    final = OutboxEvent.objects.get(kind="complaint.arbitrated", subject_id=about_a.pk)
    assert (final.data["outcome"], final.data["appealed_outcome"], final.data["compensation"],
            final.data["responsible"]) == ("not_upheld", "upheld", "0.00", "")
    assert OutboxEvent.objects.filter(kind="complaint.resolved", subject_id=about_a.pk).count() == 1
    # An outlet's own view counts only its own complaints
    assert selectors.upheld_by_outlet(Complaint.objects.visible_to(world.manager_b)) == []


def test_a_named_arbiter_decides_and_no_one_else(world, complaints):
    about_a = complaints[2]
    resolve(world, about_a)
    workflow.transition(about_a, "appeal", actor=principal_of(world.manager_a), note="申诉")
    with pytest.raises(PermissionDenied):
        workflow.transition(about_a, "arbitrate", actor=principal_of(world.dispatcher), note="x",
                            verdict=workflow.Verdict(outcome="upheld"))
    LadderContact.objects.create(brand=world.brand, role=ContactRole.ARBITER, user=world.dispatcher)
    workflow.transition(about_a, "arbitrate", actor=principal_of(world.dispatcher), note="维持原判",
                        verdict=workflow.Verdict(outcome="upheld"))
    assert about_a.arbitrated_by == world.dispatcher


def test_the_system_may_open_for_another_channel(world):
    order = make_order(world, status=Status.COMPLETED)
    made = services.open_complaint(actor=system_principal(world.brand.pk), customer=world.customer, order=order,
                                   category="no_show", description="催单三次仍未上门", channel="urging",
                                   severity="critical", opened_at=timezone.now())
    assert (made.channel, made.opened_by, history(made)[0][4]) == ("urging", None, "system")


def test_a_complaint_about_no_order_is_acknowledged_to_its_customer(world):
    complaint = services.open_complaint(actor=principal_of(world.hotline), customer=world.customer,
                                        category="attitude", description="客服态度差")
    opened = OutboxEvent.objects.get(kind="complaint.opened", subject_id=complaint.pk)
    assert (opened.work_order_id, opened.data["customer_id"]) == (None, world.customer.pk)
    made = customer_messages.record(opened)
    assert made and {m.customer_id for m in made} == {world.customer.pk}
    assert all(complaint.number in m.text for m in made), [m.text for m in made]
