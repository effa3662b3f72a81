"""The demo's settlement (demo/settlement.py): a tariff, the rules, and last month's statements in every state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.db.models import Sum

from core.dates import add_months
from demo import data
from settlement.choices import DisputeState, FlagCheck, FlagState, StatementState
from settlement.models import FraudFlag, LineDispute, SettlementLine, SettlementRule, Statement, Tariff
from workorders.models import AttachmentKind, WorkOrderAttachment

pytestmark = pytest.mark.django_db

NOW = "2026-11-20T10:00:00+00:00"
PERIOD = dt.date(2026, 10, 1)  # the month before NOW's, in Asia/Shanghai


def test_the_demo_has_last_months_statements_in_every_state(small_demo):
    # One load for all of it (a load takes a while): the tariff and rules, the states, the flag, the logins.
    small_demo("--now", NOW)
    tariff_and_states()
    every_kind_of_order_line_shows()
    a_reused_photo_is_flagged_with_both_photos_and_its_lines_are_held()
    the_outlet_managers_login_has_a_sent_statement_to_confirm_or_dispute()


def every_kind_of_order_line_shows():
    """The month's facts (demo/settlement_facts.py) make each surcharge, the failed-visit fee and each rule show."""
    kinds = set(SettlementLine.objects.filter(statement__period=PERIOD).values_list("kind", flat=True))
    assert kinds >= {"fee", "travel", "night", "high_floor", "failed_visit", "sla_breach", "complaint",
                     "missing_signature", "satisfaction_bonus", "piece_rate"}, kinds


def tariff_and_states():
    tariff = Tariff.objects.get(is_published=True)
    assert tariff.valid_from <= PERIOD <= tariff.valid_to and tariff.technician_share == Decimal("30.00")
    assert tariff.fees.filter(outlet_type="own").exists() and tariff.fees.filter(km_to__isnull=False).exists()
    assert tariff.parts.exists() and tariff.remote_regions.exists()
    assert set(SettlementRule.objects.values_list("kind", flat=True)) >= {
        "rework", "complaint", "sla_breach", "missing_signature", "part_not_returned", "satisfaction_bonus"}

    outlets = Statement.objects.filter(period=PERIOD, technician__isnull=True)
    assert set(outlets.values_list("state", flat=True)) == set(StatementState.values)
    paid = outlets.filter(state=StatementState.PAID)
    assert all(s.payment_reference.startswith("CMB") and s.paid_at is not None for s in paid)
    for statement in Statement.objects.all():
        lines = statement.lines.all()
        assert statement.total == (lines.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")), statement
        assert statement.line_count == lines.count()
    # Nothing approved holds a line or an open dispute.
    for statement in outlets.filter(state__in=[StatementState.APPROVED, StatementState.PAID]):
        assert not statement.lines.filter(held=True).exists()
        assert not statement.disputes.filter(state=DisputeState.OPEN).exists()

    dispute = LineDispute.objects.get(state=DisputeState.OPEN)
    assert dispute.statement.state == StatementState.DISPUTED and dispute.reason
    assert dispute.raised_by.memberships.filter(organisation_id=dispute.statement.outlet_id,
                                                role="outlet_manager").exists()

    # The technicians' piece rate and commissions go out with their outlet's statement.
    technicians = Statement.objects.filter(period=PERIOD, technician__isnull=False)
    assert technicians.filter(state=StatementState.SENT, lines__kind="piece_rate").exists()


def a_reused_photo_is_flagged_with_both_photos_and_its_lines_are_held():
    flag = FraudFlag.objects.filter(kind=FlagCheck.REUSED_PHOTO, state=FlagState.OPEN).first()
    assert flag is not None
    photos = {flag.evidence["photo"]["attachment"], flag.evidence["other"]["attachment"]}
    attachments = WorkOrderAttachment.objects.filter(pk__in=photos, kind=AttachmentKind.PHOTO)
    assert attachments.count() == 2 and len({a.work_order_id for a in attachments}) == 2
    contents = set()
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            contents.add(handle.read())
    assert len(contents) == 1  # the same picture
    statement = Statement.objects.get(period=PERIOD, technician__isnull=True, outlet_id=flag.outlet_id)
    assert statement.state in (StatementState.DRAFT, StatementState.SENT)
    assert statement.lines.filter(work_order_id=flag.work_order_id, held=True).exists()


def the_outlet_managers_login_has_a_sent_statement_to_confirm_or_dispute():
    manager = authenticate(username="outlet_manager", password=data.PASSWORD)
    mine = Statement.objects.visible_to(manager).filter(technician__isnull=True)
    sent = mine.get(period=PERIOD)
    assert sent.state == StatementState.SENT and sent.outlet.code == data.FEATURED_OUTLET and sent.lines.exists()
    # Only their own outlet's.
    assert set(mine.values_list("outlet_id", flat=True)) == {sent.outlet_id}
    finance = authenticate(username="finance", password=data.PASSWORD)
    assert Statement.objects.visible_to(finance).filter(period=PERIOD).count() > mine.count()
    # The demo technician sees theirs, sent with the outlet's.
    tech = authenticate(username="tech", password=data.PASSWORD)
    assert Statement.objects.visible_to(tech).filter(period=PERIOD, state=StatementState.SENT).exists()
    assert not Statement.objects.filter(period=add_months(PERIOD, 1)).exists()
