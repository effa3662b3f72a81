"""The set-based generator (settlement.setbased through services.generate) against the independent Python
recomputation (settlement.recompute): the same lines (work order, kind, amount, tariff, rule) for every line kind,
every distance band edge and varied data; idempotent; statements past draft untouched."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.principal import principal_of
from complaints.choices import ComplaintStatus, Outcome, ResponsibleParty
from complaints.tests.factories import ComplaintFactory
from core.dates import brand_tz
from core.geo.distance import distance_km
from customers.models import Site
from feedback.models import Rating
from settlement import recompute, services, workflow
from settlement.choices import StatementState
from settlement.models import SettlementLine, SettlementRule, Statement, TariffFee
from settlement.tests.setup import PERIOD, completed, prepare_settlement
from settlement.why import why
from workorders.choices import HoldReason, SlaAlert, Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment
from workorders.tests.factories import make_order
from workorders.workflow import transition

pytestmark = pytest.mark.django_db
D = Decimal
TZ = brand_tz()
OUTLET = (D("30.000000"), D("120.000000"))


@pytest.fixture
def w(world):
    prepare_settlement(world)
    world.outlet_a.latitude, world.outlet_a.longitude = OUTLET
    world.outlet_a.save(update_fields=["latitude", "longitude"])
    return world


def actual(w) -> list[tuple]:
    rows = (SettlementLine.objects.filter(statement__period=PERIOD, statement__technician__isnull=True,
                                          kind__in=sorted(recompute.PER_ORDER_KINDS))
            .values_list("outlet_id", "work_order_id", "kind", "amount", "tariff_id", "rule_id"))
    return sorted(rows, key=recompute._key)


def assert_agree(w) -> list[tuple]:
    services.generate(brand=w.brand, period=PERIOD)
    got = actual(w)
    assert got == recompute.expected_lines(w.brand, PERIOD)
    report = recompute.check(w.brand, PERIOD)
    assert report.ok, report
    for statement in Statement.objects.filter(period=PERIOD):
        assert statement.total == sum(statement.lines.values_list("amount", flat=True)) or (
            statement.total == 0 and not statement.lines.exists())
    return got


def site_at(order: WorkOrder, lat: str, lon: str = "120.000000") -> None:
    """Move the order to a site of its own at (lat, lon) (the test world's orders share one site)."""
    site = order.site
    site.pk = None
    site.latitude, site.longitude = D(lat), D(lon)
    site.save()
    WorkOrder.objects.filter(pk=order.pk).update(site=site)


def lat_for(km: Decimal) -> str:
    """A site latitude due north of the outlet at about ``km`` (unrounded), to 6 places."""
    return f"{30 + float(km) / 111.19508:.6f}"


def test_every_tariff_line_kind_agrees(w):
    w.tariff.holidays = ["2026-11-11"]
    w.tariff.save(update_fields=["holidays"])
    w.tariff.remote_regions.add(w.region)
    night = completed(w, at=dt.datetime(2026, 11, 10, 23, 30, tzinfo=TZ))
    site_at(night, lat_for(D("23.4")))
    holiday = completed(w, at=dt.datetime(2026, 11, 11, 12, 0, tzinfo=TZ))
    remote = completed(w)
    WorkOrder.objects.filter(pk=remote.pk).update(region=w.region)
    completed(w, type="install")  # no row prices it: a 0 fee line with the reason
    far = completed(w)
    site_at(far, lat_for(D("80")))  # travel capped at 60.00

    got = assert_agree(w)

    kinds = {(row[1], row[2]) for row in got}
    assert {(night.pk, "night"), (night.pk, "travel"), (holiday.pk, "holiday"), (remote.pk, "remote"),
            (far.pk, "travel")} <= kinds
    assert next(row[3] for row in got if row[1:3] == (far.pk, "travel")) == D("60.00")
    line = SettlementLine.objects.get(work_order=night, kind="fee")
    assert (line.basis["order"], line.basis["fee_row_id"], line.basis["distance_km"]) == (
        night.number, w.fee_category.pk, str(distance_km(OUTLET, (D(lat_for(D("23.4"))), D("120")))))


@pytest.mark.parametrize("km", ["9.94", "9.96", "10.04", "10.05", "19.95", "20.0", "29.94", "29.96", "30.0"])
def test_distance_band_edges_agree(w, km):
    w.fee_category.delete()
    w.fee_partner.delete()
    w.fee_any.km_to = D("10.0")
    w.fee_any.save(update_fields=["km_to"])
    TariffFee.objects.create(tariff=w.tariff, service_type="repair", km_from=D("10.0"), km_to=D("20.0"),
                             fee=D("95.00"))
    TariffFee.objects.create(tariff=w.tariff, service_type="repair", km_from=D("20.0"), km_to=D("30.0"),
                             fee=D("110.00"))
    TariffFee.objects.create(tariff=w.tariff, service_type="repair", km_from=D("30.0"), fee=D("140.00"))
    order = completed(w)
    site_at(order, lat_for(D(km)))

    got = assert_agree(w)

    rounded = distance_km(OUTLET, (D(lat_for(D(km))), D("120")))
    fee = next(row[3] for row in got if row[2] == "fee")
    expected = (D("80.00") if rounded < 10 else D("95.00") if rounded < 20 else D("110.00") if rounded < 30
                else D("140.00"))
    assert fee == expected


def test_every_rule_kind_agrees(w):
    first = completed(w, at=dt.datetime(2026, 10, 20, 10, 0, tzinfo=TZ))
    rework = completed(w)
    WorkOrder.objects.filter(pk=rework.pk).update(is_rework=True, rework_of=first,
                                                  created_at=dt.datetime(2026, 11, 5, 9, 0, tzinfo=TZ))
    complained = completed(w)
    resolved = {"status": ComplaintStatus.RESOLVED, "resolved_at": complained.completed_at,
                "customer": complained.customer, "brand": w.brand, "outcome": Outcome.UPHELD,
                "responsible": ResponsibleParty.OUTLET}
    ComplaintFactory(work_order=complained, compensation=D("50.00"), **resolved)
    ComplaintFactory(work_order=complained, compensation=D("0.00"), **resolved)
    ComplaintFactory(work_order=complained, compensation=D("9.00"), **{**resolved,
                                                                       "responsible": ResponsibleParty.PRODUCT})
    breached = completed(w)
    WorkOrder.objects.filter(pk=breached.pk).update(response_alert=SlaAlert.BREACHED,
                                                    onsite_alert=SlaAlert.BREACHED)
    signed = completed(w)
    WorkOrderAttachment.objects.create(work_order=signed, kind=AttachmentKind.SIGNATURE, file="s.png",
                                       content_type="image/png", size=1)
    mail_in = completed(w)
    WorkOrder.objects.filter(pk=mail_in.pk).update(type="mail_in")
    for order, score in ((first, 5), (rework, 5), (complained, 4), (signed, 5)):
        Rating.objects.create(work_order=order, customer=order.customer, score=score, created_at=order.completed_at)
    for kind, terms in (("rework", {"share": D("33.33"), "days": 30}), ("complaint", {"share": D("12.5")}),
                        ("sla_breach", {"share": D("12.35")}), ("missing_signature", {"amount": D("7.77")}),
                        ("satisfaction_bonus", {"share": D("2.5"), "threshold": D("4.66"), "min_ratings": 3})):
        SettlementRule.objects.create(brand=w.brand, kind=kind, valid_from=dt.date(2026, 1, 1), **terms)

    got = assert_agree(w)

    kinds = {(row[1], row[2]) for row in got}
    assert {(rework.pk, "rework"), (complained.pk, "complaint"), (breached.pk, "sla_breach"),
            (breached.pk, "missing_signature"), (rework.pk, "satisfaction_bonus")} <= kinds
    assert (signed.pk, "missing_signature") not in kinds and (mail_in.pk, "missing_signature") not in kinds
    # 3 ratings of the month's orders (rework 5, complained 4, signed 5): 14 / 3 = 4.67 ≥ 4.66
    assert next(row[3] for row in got if row[1:3] == (complained.pk, "complaint")) == D("-62.50")  # 50 + 12.5 %
    assert next(row[3] for row in got if row[1:3] == (breached.pk, "sla_breach")) == D("-24.70")  # 2 × 12.35 % of 100


def test_regenerating_is_idempotent_and_a_statement_past_draft_is_untouched(w):
    completed(w)
    completed(w, outlet=w.outlet_b)
    services.generate(brand=w.brand, period=PERIOD)
    sent = Statement.objects.get(outlet=w.outlet_b)
    sent = workflow.transition(sent, StatementState.SENT, actor=principal_of(w.finance))
    before_sent = (sent.version, sent.total, list(sent.lines.values_list("pk", "amount", "kind")))
    first = actual(w)
    completed(w, outlet=w.outlet_b)  # a late order of the sent outlet

    services.generate(brand=w.brand, period=PERIOD)
    services.generate(brand=w.brand, period=PERIOD)

    assert actual(w) == first
    sent.refresh_from_db()
    assert (sent.version, sent.total, list(sent.lines.values_list("pk", "amount", "kind"))) == before_sent
    report = recompute.check(w.brand, PERIOD)
    assert report.ok and len(report.past_draft) == 1  # the late order: by design, not a failure


ORDER = st.fixed_dictionaries({
    "day": st.integers(1, 30), "hour": st.integers(0, 23), "km": st.decimals(0, 60, places=2),
    "type": st.sampled_from(["repair", "repair", "install"]), "outlet_b": st.booleans(),
    "breaches": st.integers(0, 2), "signed": st.booleans(), "score": st.none() | st.integers(1, 5),
    "closed": st.booleans()})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(orders=st.lists(ORDER, min_size=1, max_size=6), share=st.decimals(0, 100, places=2),
       threshold=st.decimals(1, 5, places=2))
def test_varied_months_agree_with_the_recomputation(w, orders, share, threshold):
    # The examples pile up in the test's database (the agreement holds whatever the month holds); only the rules
    # are the example's own.
    SettlementLine.objects.all().delete()
    SettlementRule.objects.all().delete()
    TariffFee.objects.get_or_create(tariff=w.tariff, service_type="repair", km_from=D("15.0"), km_to=D("25.0"),
                                    defaults={"fee": D("93.37")})
    for kind, terms in (("sla_breach", {"share": share}), ("missing_signature", {"amount": D("3.35")}),
                        ("satisfaction_bonus", {"share": share, "threshold": threshold, "min_ratings": 2})):
        SettlementRule.objects.create(brand=w.brand, kind=kind, valid_from=dt.date(2026, 1, 1), **terms)
    for spec in orders:
        outlet = w.outlet_b if spec["outlet_b"] else w.outlet_a
        order = completed(w, outlet=outlet, type=spec["type"], status="closed" if spec["closed"] else "completed",
                          at=dt.datetime(2026, 11, spec["day"], spec["hour"], 30, tzinfo=TZ))
        site_at(order, lat_for(spec["km"]))
        alerts = [SlaAlert.BREACHED] * spec["breaches"] + [SlaAlert.OK] * (2 - spec["breaches"])
        WorkOrder.objects.filter(pk=order.pk).update(response_alert=alerts[0], onsite_alert=alerts[1])
        if spec["signed"]:
            WorkOrderAttachment.objects.create(work_order=order, kind=AttachmentKind.SIGNATURE, file="s.png",
                                               content_type="image/png", size=1)
        if spec["score"]:
            Rating.objects.create(work_order=order, customer=order.customer, score=spec["score"],
                                  created_at=order.completed_at)

    assert_agree(w)


def test_failed_visits_high_floors_and_a_cancelled_order_agree(w):
    """A hold on site waiting for the customer is a failed visit, paid the tariff's fee each time; an order then
    cancelled earns that alone, in the month it was cancelled; a site on the 6th floor or higher without a lift
    earns the high-floor surcharge. Holds are taken through the real lifecycle, as the technician's app does."""
    w.tariff.high_floor_surcharge, w.tariff.high_floor_from = D("20.00"), 6
    w.tariff.save(update_fields=["high_floor_surcharge", "high_floor_from"])
    tech = principal_of(w.tech_a.user)
    desk = principal_of(w.dispatcher)
    nov = dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ)

    def on_site_then_held(reason: str, at: dt.datetime) -> WorkOrder:
        order = make_order(w, status=Status.ON_SITE, outlet=w.outlet_a, technician=w.tech_a)
        return transition(order, "hold", actor=tech, hold_reason=reason, reason="客户不在家", now=at)

    twice = on_site_then_held(HoldReason.WAITING_CUSTOMER, nov)
    twice = transition(twice, "resume", actor=tech, now=nov + dt.timedelta(days=1))
    twice = transition(twice, "hold", actor=tech, hold_reason=HoldReason.WAITING_CUSTOMER, reason="又没人",
                       now=nov + dt.timedelta(days=1, hours=1))
    twice = transition(twice, "resume", actor=tech, now=nov + dt.timedelta(days=2))
    twice = transition(twice, "complete", actor=tech, now=nov + dt.timedelta(days=2, hours=1))
    parts = on_site_then_held(HoldReason.WAITING_PARTS, nov)  # not the customer's doing: no failed visit
    transition(transition(parts, "resume", actor=tech, now=nov + dt.timedelta(hours=2)), "complete", actor=tech,
               now=nov + dt.timedelta(hours=3))
    gave_up = on_site_then_held(HoldReason.WAITING_CUSTOMER, nov)
    transition(gave_up, "cancel", actor=desk, reason="客户不修了", now=nov + dt.timedelta(days=3))
    late = on_site_then_held(HoldReason.WAITING_CUSTOMER, nov)  # cancelled in December: not this month
    transition(late, "cancel", actor=desk, reason="客户不修了", now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ))
    never = make_order(w, status=Status.ASSIGNED, outlet=w.outlet_b)  # cancelled without a visit: nothing
    transition(never, "cancel", actor=desk, reason="重复下单", now=nov)
    upstairs, lifted, unknown = completed(w), completed(w), completed(w)
    for order, floor, lift in ((upstairs, 7, False), (lifted, 18, True), (unknown, 9, None)):
        site_at(order, "30.000000")
        Site.objects.filter(pk=WorkOrder.objects.get(pk=order.pk).site_id).update(floor=floor, has_lift=lift)

    got = assert_agree(w)

    lines = {(row[1], row[2]): row[3] for row in got}
    assert lines[(twice.pk, "failed_visit")] == D("50.00") and (twice.pk, "fee") in lines
    assert lines[(gave_up.pk, "failed_visit")] == D("25.00")
    assert [row for row in got if row[1] == gave_up.pk] == [row for row in got if row[1:3] == (gave_up.pk,
                                                                                               "failed_visit")]
    assert not any(row[1] in (late.pk, never.pk) or row[1:3] == (parts.pk, "failed_visit") for row in got)
    assert lines[(upstairs.pk, "high_floor")] == D("20.00")
    assert (lifted.pk, "high_floor") not in lines and (unknown.pk, "high_floor") not in lines
    assert Statement.objects.filter(period=PERIOD, outlet=w.outlet_b).count() == 0
    line = SettlementLine.objects.get(work_order=twice, kind="failed_visit")
    assert (line.basis["visits"], line.basis["per_visit"]) == (2, "25.00")
    with translation.override("en"):
        assert "(on site, waiting for them): 2 × ¥25.00" in " ".join(why(line))
        assert "Floor 7 without a lift (paid from floor 6)" in " ".join(
            why(SettlementLine.objects.get(work_order=upstairs, kind="high_floor")))
