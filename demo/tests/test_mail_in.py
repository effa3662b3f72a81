"""The demo holds mail-in repairs at every hop (issue 17), made through the real services at the repair centre, and
`make run` keeps them moving: its SF Express stand-in is the courier the server is pointed at, takes over the
parcels on their way, and the bench robot takes each next bench step but never answers a customer's quote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.choices import OutletType, Role
from accounts.models import Organisation
from accounts.principal import principal_of
from catalog.models import ProductCategory
from core.models import OutboxEvent
from demo import data
from demo.mail_in import SF_CHECK_WORD, SF_PARTNER_ID, sf_config
from demo.mail_in_live import BenchRobot, take_over
from demo.mail_in_story import STORIES
from demo.providers import SF_PACE, Providers
from logistics.choices import Hop, ShipmentStatus
from logistics.models import MailIn, MailInPolicy, MailInStep, Shipment
from parts.models import StockBalance, StockMove
from scripts.serve import PROVIDER_GROUPS
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

NOW = dt.datetime.fromisoformat("2026-11-20T10:00:00+00:00")


def load() -> str:
    out = StringIO()
    call_command("demo", "--size", "small", "--now", NOW.isoformat(), stdout=out)
    return out.getvalue()


def test_the_demo_holds_mail_in_units_at_every_hop_at_its_repair_centre(small_demo):
    output = small_demo("--now", NOW.isoformat())

    centre = Organisation.objects.get(code=data.REPAIR_CENTRE[0])
    assert (centre.name, centre.outlet_type, centre.is_repair_centre) == ("杭州中央维修中心", OutletType.OWN, True)
    mail_in = set(ProductCategory.objects.filter(mail_in_allowed=True).values_list("code", flat=True))
    assert {"purifier", "appliance"} <= mail_in
    assert set(centre.authorised_categories.values_list("code", flat=True)) == mail_in
    bench = authenticate(username="centre", password=data.PASSWORD)
    desk = principal_of(bench)
    assert (desk.role, desk.outlet_id) == (Role.OUTLET_MANAGER, centre.pk)
    assert "Repair centre bench" in output and " centre " in output
    assert MailInPolicy.objects.get(brand=centre.brand).courier_fee == Decimal("30.00")
    assert StockBalance.objects.filter(warehouse__organisation=centre, on_hand__gt=0).count() >= 5

    cases = MailIn.objects.select_related("work_order__customer__user")
    # Every hop, each case at the centre; every mail-in order has its case (the history holds no other).
    assert set(cases.values_list("hop", flat=True)) == set(Hop.values)
    assert cases.count() == len(STORIES) == WorkOrder.objects.filter(type="mail_in").count()
    assert set(cases.values_list("centre_id", flat=True)) == {centre.pk}
    # A pickup still being booked after SF's outage: its error and its next try, which the periodic job makes.
    waiting = Shipment.objects.get(status=ShipmentStatus.BOOKING)
    assert waiting.last_error and waiting.attempts == 4 and waiting.next_try_at > NOW and waiting.waybill == ""
    booked = Shipment.objects.filter(status=ShipmentStatus.BOOKED, mail_in__hop=Hop.PICKUP_BOOKED)
    assert booked.count() == 2 and all(s.waybill.startswith("SF") and s.booked_at < NOW for s in booked)
    # The demo customer's unit waits for their answer to a real quote (labour and a part, and the courier).
    quoted = cases.get(hop=Hop.QUOTED)
    assert quoted.work_order.customer.user.username == "customer"
    assert quoted.quote_total > Decimal("30.00") and quoted.quote_token and not quoted.in_warranty
    answer = Client().get(f"/portal/{data.BRAND_CODE}/quote/{quoted.quote_token}/")
    assert answer.status_code == 200 and b'value="approved"' in answer.content and b'value="declined"' in answer.content
    # Delivered back: the order is completed at the delivery; declined: charged the fees, unrepaired.
    delivered = cases.get(hop=Hop.DELIVERED)
    assert delivered.work_order.status == Status.COMPLETED
    assert delivered.work_order.completed_at == delivered.delivered_at < NOW
    assert cases.get(hop=Hop.DECLINED).charge_total == Decimal("80.00")
    assert StockMove.objects.filter(work_order__type="mail_in", warehouse__organisation=centre).exists()
    # One unit late in its hop, flagged once by the watch; every other is within its hop's target.
    late = cases.exclude(late_hop="")
    assert [c.late_hop for c in late] == [Hop.RECEIVED]
    assert OutboxEvent.objects.filter(kind="mailin.late").count() == 1
    for case in cases.exclude(pk=late.get().pk):
        assert case.hop_due is None or case.hop_due > NOW, case.hop
    # Each unit's history runs forwards, in the past, and its hop began at its last step.
    for case in cases:
        steps = list(MailInStep.objects.filter(mail_in=case).order_by("pk"))
        times = [s.at for s in steps]
        assert times == sorted(times) and times[-1] < NOW and case.created_at == times[0]
        assert (steps[-1].hop, steps[-1].at) == (case.hop, case.hop_since)
    # Two builds make the same parcels: waybills from the build's fixed series.
    assert sorted(Shipment.objects.exclude(waybill="").values_list("waybill", flat=True))[:2] == [
        "SF1299000000001", "SF1300000000001"]


def test_make_runs_courier_takes_the_parcels_on_and_the_bench_robot_never_answers_a_quote(small_demo):
    small_demo("--now", NOW.isoformat())
    providers = Providers.start()
    try:
        env = providers.environment()
        sf = providers.sf
        assert env["COURIER_BACKEND"] == "sf" and env["SF_EXPRESS_URL"] == f"{sf.url}/std/service"
        assert (env["SF_EXPRESS_PARTNER_ID"], env["SF_EXPRESS_CHECK_WORD"]) == (SF_PARTNER_ID, SF_CHECK_WORD)
        assert sf.pace == SF_PACE and sf.push_url.endswith("/api/v1/couriers/sf/routes")
        # serve.py hands the server, the worker and the periodic jobs these, unless the environment names its own.
        assert set(PROVIDER_GROUPS["COURIER_BACKEND"]) <= set(env)

        on_the_way = Shipment.objects.filter(status__in=["booked", "collected", "in_transit"]).exclude(
            mail_in__hop=Hop.CANCELLED)
        assert take_over(sf) == on_the_way.count() == 5
        assert take_over(sf) == 0
        collected = Shipment.objects.get(status="collected")
        assert [h.step for h in sf.parcels[collected.waybill].plan] == ["departed", "arrived", "out", "delivered"]

        hops = dict(MailIn.objects.values_list("pk", "hop"))
        with override_settings(COURIER_BACKEND="sf", SF_EXPRESS=sf_config(env["SF_EXPRESS_URL"])):
            lines = BenchRobot(pace=SF_PACE).tick(now=NOW + dt.timedelta(hours=2))
    finally:
        providers.stop()
    after = dict(MailIn.objects.values_list("pk", "hop"))
    assert {(hops[pk], hop) for pk, hop in after.items() if hop != hops[pk]} == {
        (Hop.ARRIVED, Hop.RECEIVED), (Hop.RECEIVED, Hop.DIAGNOSED), (Hop.DIAGNOSED, Hop.REPAIRED),
        (Hop.APPROVED, Hop.REPAIRED), (Hop.REPAIRED, Hop.QC_PASSED), (Hop.DECLINED, Hop.QC_PASSED),
        (Hop.QC_PASSED, Hop.SHIPPED)}
    assert list(after.values()).count(Hop.QUOTED) == 1  # the customer's to answer
    assert len(lines) == 8 and all(" Bench WO-" in line for line in lines)
    assert sum("shipped back with sf waybill SF" in line for line in lines) == 1
