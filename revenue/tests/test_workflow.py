"""Working a lead: contact, win with a value, lose with a reason; the commission is paid once, by the rule
in force when the lead was captured, and a changed rule never rewrites it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world, race
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from revenue import workflow
from revenue.choices import LeadStatus
from revenue.models import Commission, CommissionRule, Lead, LeadEvent
from revenue.tests.factories import RuleFactory, lead_on

pytestmark = pytest.mark.django_db


def _state():
    return (list(Lead.objects.order_by("pk").values_list("pk", "status", "version", "value", "lost_reason")),
            list(Commission.objects.values_list("pk", "amount")), LeadEvent.objects.count())


@pytest.fixture
def brand_lead(world):
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("8.00"), fixed_amount=Decimal("20.00"))
    return lead_on(world, kind="extended_warranty")


def test_contacted_then_won_pays_the_technician(world, brand_lead):
    hotline = principal_of(world.hotline)
    lead = workflow.transition(brand_lead, "contact", actor=hotline)
    assert (lead.status, lead.version, lead.worked_by) == (LeadStatus.CONTACTED, 2, world.hotline)
    assert lead.contacted_at is not None
    lead = workflow.transition(lead, "win", actor=hotline, version=2, value="1280.00")
    assert (lead.status, lead.value, lead.version) == (LeadStatus.WON, Decimal("1280.00"), 3)
    commission = lead.commission
    assert commission.amount == Decimal("122.40")  # 8 % of 1280 + 20
    assert (commission.base_value, commission.percent, commission.fixed_amount) == (
        Decimal("1280.00"), Decimal("8.00"), Decimal("20.00"))
    assert (commission.technician_id, commission.outlet_id, commission.brand_id) == (
        world.tech_a.pk, world.outlet_a.pk, world.brand.pk)
    assert [e.action for e in lead.events.all()] == ["record", "contact", "win"]
    assert lead.events.last().data == {"value": "1280.00", "commission": "122.40"}


def test_marking_won_twice_never_pays_twice(world, brand_lead):
    hotline = principal_of(world.hotline)
    workflow.transition(brand_lead, "win", actor=hotline, value="500")
    before = _state()
    stale = Lead.objects.get(pk=brand_lead.pk)
    with pytest.raises(IllegalTransition):
        workflow.transition(stale, "win", actor=principal_of(world.dispatcher), value="900")
    # A copy read before the first win: its version is stale, and its status is no longer a source.
    with pytest.raises((IllegalTransition, StaleVersion)):
        workflow.transition(brand_lead, "win", actor=hotline, value="900")
    assert _state() == before and Commission.objects.count() == 1


def test_a_changed_rule_does_not_rewrite_past_commissions(world, brand_lead):
    hotline = principal_of(world.hotline)
    workflow.transition(brand_lead, "win", actor=hotline, value="1000.00")
    rule = CommissionRule.objects.get()
    # The brand changes its rule from today: the old version ends yesterday, the new one starts today.
    today = timezone.localdate()
    rule.valid_to = today - dt.timedelta(days=1)
    rule.save()
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("15.00"), valid_from=today)
    earlier = Commission.objects.get()
    assert earlier.amount == Decimal("100.00")  # unchanged: 8 % + 20
    later = lead_on(world, kind="extended_warranty")
    later = workflow.transition(later, "win", actor=hotline, value="1000.00")
    assert later.commission.amount == Decimal("150.00")
    assert later.commission.rule_id != earlier.rule_id


def test_the_rule_of_the_capture_day_applies(world):
    """A lead captured under one rule and won after the next took over is paid as promised."""
    today = timezone.localdate()
    RuleFactory(brand=world.brand, kind="trade_in", queue="brand", percent=Decimal("5.00"),
                valid_to=today - dt.timedelta(days=1))
    RuleFactory(brand=world.brand, kind="trade_in", queue="brand", percent=Decimal("2.00"), valid_from=today)
    lead = lead_on(world, kind="trade_in")
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    lead.refresh_from_db()
    won = workflow.transition(lead, "win", actor=principal_of(world.hotline), value="3000.00")
    assert won.commission.percent == Decimal("5.00") and won.commission.amount == Decimal("150.00")


def test_without_a_rule_the_lead_is_won_and_earns_nothing(world):
    lead = lead_on(world, kind="upgrade")  # the brand's queue by default, no rule
    won = workflow.transition(lead, "win", actor=principal_of(world.dispatcher), value="6999.00")
    assert won.commission.amount == Decimal("0.00") and won.commission.rule is None


def test_lost_needs_a_reason_and_ends_the_lead(world, brand_lead):
    hotline = principal_of(world.hotline)
    before = _state()
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(brand_lead, "lose", actor=hotline, reason="  ")
    assert refused.value.field == "reason" and _state() == before
    lead = workflow.transition(brand_lead, "lose", actor=hotline, reason="客户已在网上购买")
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "客户已在网上购买")
    with pytest.raises(IllegalTransition):
        workflow.transition(lead, "win", actor=hotline, value="10")
    assert not Commission.objects.exists()


@pytest.mark.parametrize("value", ["0", "-5", "abc", "", None, "12.345", "NaN", "Infinity", "99999999"])
def test_a_bad_value_is_refused_and_nothing_changes(world, brand_lead, value):
    before = _state()
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(brand_lead, "win", actor=principal_of(world.hotline), value=value)
    assert refused.value.field == "value" and _state() == before


def test_who_may_work_which_queue(world, brand_lead):
    outlet_lead = lead_on(world, kind="filter_subscription")  # the outlet's queue
    before = _state()
    for user in (world.analyst, world.manager_a, world.tech_a.user, world.customer.user):
        with pytest.raises(PermissionDenied):
            workflow.transition(brand_lead, "contact", actor=principal_of(user))
    for user in (world.hotline, world.tech_a.user):
        with pytest.raises(PermissionDenied):
            workflow.transition(outlet_lead, "contact", actor=principal_of(user))
    assert _state() == before
    assert workflow.transition(outlet_lead, "contact", actor=principal_of(world.manager_a)).status == "contacted"
    with pytest.raises(InvalidInput):
        workflow.transition(brand_lead, "close", actor=principal_of(world.hotline))


def test_a_stale_version_is_refused(world, brand_lead):
    before = _state()
    with pytest.raises(StaleVersion):
        workflow.transition(brand_lead, "contact", actor=principal_of(world.hotline), version=7)
    assert _state() == before


def test_each_queue_sees_only_its_own(world, brand_lead):
    outlet_a = lead_on(world, kind="filter_subscription")
    outlet_b = lead_on(world, kind="trade_in", technician=world.tech_b)
    seen = {
        "dispatcher": {brand_lead.pk}, "hotline": {brand_lead.pk}, "analyst": {brand_lead.pk},
        "manager_a": {outlet_a.pk}, "manager_b": {outlet_b.pk},
        "tech_a": {brand_lead.pk, outlet_a.pk}, "tech_a2": set(), "tech_b": {outlet_b.pk},
        "customer": set(), "rival_dispatcher": set(),
    }
    for persona, ids in seen.items():
        holder = getattr(world, persona)
        user = holder if hasattr(holder, "username") else holder.user
        assert set(Lead.objects.visible_to(user).values_list("pk", flat=True)) == ids, persona


def test_rules_of_one_kind_may_not_overlap(world):
    RuleFactory(brand=world.brand, kind="upgrade", valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 6, 30))
    overlapping = CommissionRule(brand=world.brand, kind="upgrade", queue="brand", percent=Decimal("3"),
                                 valid_from=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError) as refused:
        overlapping.full_clean()
    assert "valid_from" in refused.value.message_dict
    overlapping.valid_from = dt.date(2025, 7, 1)
    overlapping.full_clean()  # the day after the previous one ends: fine
    nothing = CommissionRule(brand=world.brand, kind="trade_in", queue="brand", valid_from=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as refused:
        nothing.full_clean()
    assert "percent" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_concurrent_wins_pay_exactly_once():
    """Twelve clerks mark the same lead won at the same moment, each on their own connection."""
    world = build_world()
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("10.00"))
    lead = lead_on(world, kind="extended_warranty")
    actor = principal_of(world.hotline)
    n = 12
    copies = [Lead.objects.get(pk=lead.pk) for _ in range(n)]  # every clerk read the lead before anyone wrote
    results = race(lambda i: workflow.transition(copies[i], "win", actor=actor, value=f"{1000 + i}.00"), n,
                   timeout=120)
    won = [r for r in results if isinstance(r, Lead)]
    refused = [r for r in results if isinstance(r, (IllegalTransition, StaleVersion))]
    assert len(won) == 1 and len(refused) == n - 1, results
    commission = Commission.objects.get()
    assert commission.base_value == won[0].value and commission.amount == (won[0].value / 10).quantize(Decimal("0.01"))
    assert LeadEvent.objects.filter(lead=lead, action="win").count() == 1
