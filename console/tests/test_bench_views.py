"""The repair centre's bench in the console (issue 17 part 4): the centre's manager walks cases through every step by
the pages, plain posts and htmx alike; refusals are said beside the field and change nothing; another's case is a
404; scan-to-find; the return label; the menu entry."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, OutletFactory, UserFactory
from core.couriers import Stage
from customers.tests.factories import InstalledProductFactory
from logistics import bench
from logistics.choices import Hop, ShipmentStatus
from logistics.models import MailIn, MailInStep, Shipment
from logistics.tests.setup import book, collected_and_arrived, inbound, outbound, prepare_mail_in, push
from parts.models import StockBalance
from parts.services.stock import ensure_store
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/console/bench/"}
ALL_CHECKS = {point: "on" for point in bench.QC_POINTS}


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


@pytest.fixture
def old_unit(w):
    return InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                   purchase_date=timezone.localdate().replace(year=2020),
                                   install_date=timezone.localdate().replace(year=2020))


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(case: MailIn, step: str = "") -> str:
    return f"/console/bench/{case.work_order_id}/" + (f"{step}/" if step else "")


def on_hand(w, part) -> int:
    return StockBalance.objects.get(warehouse=ensure_store(w.centre), part=part).on_hand


def state(case: MailIn) -> tuple:
    case.refresh_from_db()
    return (case.hop, case.version, case.diagnosis, case.received_serial, list(case.quote_parts),
            MailInStep.objects.filter(mail_in=case).count(), on_hand_all())


def on_hand_all() -> list:
    return list(StockBalance.objects.order_by("pk").values_list("pk", "on_hand"))


def error_beside(html: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="error-{field}">([^<]*)</span>', html)
    return found.group(1).strip() if found else ""


def text(response) -> str:
    return response.content.decode()


def test_the_centres_manager_walks_an_in_warranty_case_through_every_step_by_plain_posts(w):
    case = collected_and_arrived(w, book(w))
    desk = client_for(w.bench)

    queues = text(desk.get("/console/bench/"))
    assert f'data-case="{case.work_order_id}"' in queues and case.work_order.number in queues
    assert re.search(r'data-queue="arrived"[^>]*>\s*Arrived <span class="tab-count">1</span>', queues)
    assert 'name="q"' in queues and "autofocus" in queues[queues.index('id="id_scan_q"') - 200:]

    page = text(desk.get(url(case)))
    assert 'id="form-receive"' in page and "In warranty" in page and "SF1000000000001" in page

    steps = [
        ("receive", {"serial": "sn-a-0001", "condition": "外壳轻微划痕", "accessories": "电源线，滤芯\n说明书"},
         Hop.RECEIVED),
        ("diagnose", {"finding": "增压泵损坏", "parts-code": ["booster-pump", ""], "parts-qty": ["1", ""]},
         Hop.DIAGNOSED),
        ("repair", {"parts-code": ["booster-pump"], "parts-qty": ["1"], "note": "更换增压泵"}, Hop.REPAIRED),
        ("qc", {**ALL_CHECKS, "note": "试机正常"}, Hop.QC_PASSED),
    ]
    for step, data, hop in steps:
        case.refresh_from_db()
        response = desk.post(url(case, step), {"version": case.version, **data})
        assert response.status_code == 302, (step, text(response)[:2000])
        assert response["Location"] == url(case) + f"?done={step}"
        case.refresh_from_db()
        assert case.hop == hop, step
    assert (case.received_serial, case.serial_matches, case.accessories) == ("SN-A-0001", True,
                                                                            ["电源线", "滤芯", "说明书"])
    assert (case.diagnosis, case.quote_parts, on_hand(w, w.pump)) == ("增压泵损坏", [["booster-pump", 1]], 2)
    assert case.qc_checklist == {point: True for point in bench.QC_POINTS}
    page = text(desk.get(url(case) + "?done=qc"))
    assert "Quality check passed." in page and 'id="form-ship"' in page

    # Ship: the manual courier books nothing by itself, so the bench types the return waybill.
    assert desk.post(url(case, "ship"), {"version": case.version}).status_code == 302
    parcel = outbound(case)
    assert (parcel.status, parcel.waybill) == (ShipmentStatus.BOOKING, "")
    page = text(desk.get(url(case)))
    assert f'id="form-waybill-{parcel.pk}"' in page and "Waiting for a waybill typed by hand." in page
    assert desk.get(url(case, "label")).status_code == 404  # no waybill, no label
    response = desk.post(url(case, "waybill"), {"shipment": parcel.pk, "waybill": "sf2000000000002"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.hop == Hop.SHIPPED and outbound(case).waybill == "SF2000000000002"

    label = text(desk.get(url(case, "label")))
    assert "SF2000000000002" in label and w.centre.name in label
    assert '<svg viewBox="0 0 29 29" class="segno">' in label  # a full QR code (version 1), not a Micro QR
    assert case.contact_name in label and case.work_order.number in label and "SN-A-0001" in label
    assert "Print the return label" in text(desk.get(url(case)))

    push(outbound(case), Stage.DELIVERED)
    case.refresh_from_db()
    assert case.hop == Hop.DELIVERED
    assert WorkOrder.objects.get(pk=case.work_order_id).status == Status.COMPLETED
    assert list(MailInStep.objects.filter(mail_in=case).values_list("hop", flat=True)) == [
        Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.ARRIVED, Hop.RECEIVED, Hop.DIAGNOSED, Hop.REPAIRED, Hop.QC_PASSED,
        Hop.SHIPPED, Hop.DELIVERED]
    page = text(desk.get(url(case)))
    assert "Nothing more to do at the bench." in page and "<form" not in page[page.index('id="bench-step"'):
                                                                            page.index('id="case-facts"')]


def test_out_of_warranty_the_bench_quotes_with_htmx_and_repairs_once_approved(w, old_unit):
    case = collected_and_arrived(w, book(w, product=old_unit))
    desk = client_for(w.bench)
    assert case.in_warranty is False

    response = desk.post(url(case, "receive"), {"version": case.version, "serial": "SN-OLD-1"}, **HTMX)
    assert response.status_code == 200
    partial = text(response)
    assert partial.startswith("\n<div id=\"bench-case\"") or partial.lstrip().startswith('<div id="bench-case"')
    assert "<html" not in partial and 'id="form-diagnose"' in partial and "Received." in partial
    case.refresh_from_db()
    desk.post(url(case, "diagnose"), {"version": case.version, "finding": "主板烧毁", "parts-code": "booster-pump",
                                      "parts-qty": "1"}, **HTMX)
    case.refresh_from_db()
    partial = text(desk.get(url(case), **HTMX))
    assert 'id="form-quote"' in partial and 'id="form-repair"' not in partial

    partial = text(desk.post(url(case, "quote"), {"version": case.version}, **HTMX))

    case.refresh_from_db()
    # Labour 60 + the pump 260 + the courier both ways 30.
    assert case.hop == Hop.QUOTED and case.quote_total == Decimal("350.00")
    assert 'id="quote-total">¥350.00<' in partial and "Quote sent to the customer." in partial
    assert "Courier, both ways" in partial and "Waiting for the customer's answer" in partial
    assert "<form" not in partial[partial.index('id="bench-step"'):partial.index('id="case-facts"')]

    bench.decide(mail_in=case, actor=principal_of(w.customer.user), decision="approved")
    case.refresh_from_db()
    partial = text(desk.get(url(case), **HTMX))
    assert 'id="form-repair"' in partial and 'value="booster-pump"' in partial  # the diagnosed parts, prefilled
    assert re.search(r'data-part="booster-pump"><td>.*?</td><td class="num">3</td>', partial)
    response = desk.post(url(case, "repair"), {"version": case.version, "parts-code": "booster-pump",
                                               "parts-qty": "1"}, **HTMX)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.hop == Hop.REPAIRED and on_hand(w, w.pump) == 2


def test_a_declined_quote_is_checked_without_the_fault_point_and_a_failed_check_keeps_the_unit(w, old_unit):
    case = collected_and_arrived(w, book(w, product=old_unit))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-OLD-1")
    case = bench.diagnose(mail_in=case, actor=desk, finding="主板烧毁")
    case = bench.quote(mail_in=case, actor=desk)
    case = bench.decide(mail_in=case, actor=principal_of(w.customer.user), decision="declined")
    client = client_for(w.bench)

    page = text(client.get(url(case)))
    assert 'id="form-qc"' in page and 'name="fault_gone"' not in page and 'name="no_leak"' in page

    response = client.post(url(case, "qc"), {"version": case.version, **{p: "on" for p in ("powers_on", "clean")},
                                             "note": "外壳裂"})
    assert response.status_code == 302 and response["Location"].endswith("?done=qc_failed")
    case.refresh_from_db()
    assert case.hop == Hop.DECLINED
    page = text(client.get(response["Location"]))
    assert "The quality check did not pass: the unit stays at the bench." in page
    assert "Quality check not passed" in page and "No leak" in page  # on the timeline, with the points missed

    checks = {p: "on" for p in bench.QC_POINTS if p != "fault_gone"}
    assert client.post(url(case, "qc"), {"version": case.version, **checks}).status_code == 302
    case.refresh_from_db()
    assert case.hop == Hop.QC_PASSED


def test_refusals_are_said_beside_the_field_and_change_nothing(w):
    case = collected_and_arrived(w, book(w))
    desk = client_for(w.bench)

    before = state(case)
    response = desk.post(url(case, "receive"), {"version": case.version, "serial": ""})
    assert response.status_code == 422 and error_beside(text(response), "serial") == "This field is required."
    assert "<html" in text(response)  # a plain post gets the whole page back
    assert state(case) == before

    bench.receive(mail_in=case, actor=principal_of(w.bench), serial="SN-A-0001")
    case.refresh_from_db()
    before = state(case)
    response = desk.post(url(case, "diagnose"), {"version": case.version, "finding": "增压泵损坏",
                                                 "parts-code": "no-such-part", "parts-qty": "1"}, **HTMX)
    assert response.status_code == 422 and response["X-Domain-Error"] == "422"
    assert error_beside(text(response), "parts") == "Unknown part."
    assert 'value="no-such-part"' in text(response) and "增压泵损坏" in text(response)  # what was typed stays
    response = desk.post(url(case, "diagnose"), {"version": case.version, "finding": "x", "parts-code": "booster-pump",
                                                 "parts-qty": "abc"})
    assert error_beside(text(response), "parts") == "Give each quantity as a whole number from 1 to 99."
    assert state(case) == before

    bench.diagnose(mail_in=case, actor=principal_of(w.bench), finding="增压泵损坏", parts=[("booster-pump", 1)])
    case.refresh_from_db()
    before = state(case)
    response = desk.post(url(case, "repair"), {"version": case.version, "parts-code": "booster-pump",
                                               "parts-qty": "4"}, **HTMX)
    assert response.status_code == 409
    assert error_beside(text(response), "parts").startswith("Only 3 of")
    assert state(case) == before and on_hand(w, w.pump) == 3
    response = desk.post(url(case, "repair"), {"version": case.version, "exchange_serial": "SN-B-0001"})
    assert error_beside(text(response), "exchange_serial") == "This serial belongs to another unit already."
    assert state(case) == before


def test_a_step_on_a_page_someone_else_moved_on_is_refused_with_a_clear_message(w):
    case = collected_and_arrived(w, book(w))
    desk = client_for(w.bench)
    seen = case.version
    bench.receive(mail_in=case, actor=principal_of(w.bench), serial="SN-A-0001")  # a colleague, meanwhile
    case.refresh_from_db()
    before = state(case)

    response = desk.post(url(case, "receive"), {"version": seen, "serial": "SN-A-0001"}, **HTMX)

    assert response.status_code == 409
    page = text(response)
    assert "Someone else moved this case on since you opened it" in page and 'id="panel-error"' in page
    assert 'id="form-diagnose"' in page  # the page shows the case as it is now
    assert state(case) == before


def test_another_outlets_and_another_centres_staff_never_reach_the_case(w):
    case = collected_and_arrived(w, book(w))
    centre2 = OutletFactory(brand=w.brand, code="nb-centre", name="宁波维修中心", is_repair_centre=True)
    other_bench = UserFactory(username="bench2")
    MembershipFactory(user=other_bench, organisation=centre2, role=Role.OUTLET_MANAGER)
    before = state(case)

    for outsider in (w.manager_a, other_bench, w.rival_dispatcher):
        client = client_for(outsider)
        for step in ("", "label"):
            assert client.get(url(case, step)).status_code == 404, (outsider, step)
        for step in ("receive", "diagnose", "quote", "repair", "qc", "ship", "waybill"):
            assert client.post(url(case, step), {"version": case.version, "serial": "X"}).status_code == 404
            assert client.get(url(case, step)).status_code == 405
        assert client.get("/console/bench/scan/", {"q": "SF1000000000001"}).status_code in (200, 403)
    assert state(case) == before

    # The other centre's desk opens, with none of this centre's cases in its queues and its scan finding none.
    other = client_for(other_bench)
    page = text(other.get("/console/bench/"))
    assert f'data-case="{case.work_order_id}"' not in page and 'id="bench-empty"' in page
    assert re.findall(r'<span class="tab-count">(\d+)</span>', page) == ["0"] * 9
    scanned = other.get("/console/bench/scan/", {"q": "SF1000000000001"})
    assert scanned.status_code == 200 and "Nothing found for “SF1000000000001”" in text(scanned)
    # An outlet that is no repair centre has no bench at all.
    refused = client_for(w.manager_a).get("/console/bench/")
    assert refused.status_code == 403 and 'id="no-bench"' in text(refused)


def test_a_customer_cannot_open_the_bench_nor_their_own_case_there(w):
    case = collected_and_arrived(w, book(w))
    client = client_for(w.customer.user)
    assert client.get("/console/bench/").status_code == 403
    assert client.get(url(case)).status_code == 403  # their own case: seen through visible_to, but no seat
    assert client.get("/console/bench/turnaround/").status_code == 403
    before = state(case)
    assert client.post(url(case, "receive"), {"version": case.version, "serial": "SN-A-0001"}).status_code == 403
    assert state(case) == before
    anonymous = Client()
    assert anonymous.get("/console/bench/").status_code == 302


def test_brand_staff_see_every_centres_cases_and_only_the_admin_works_them(w):
    case = collected_and_arrived(w, book(w))
    dispatcher = client_for(w.dispatcher)
    assert f'data-case="{case.work_order_id}"' in text(dispatcher.get("/console/bench/"))
    page = text(dispatcher.get(url(case)))
    assert 'id="bench-readonly"' in page and 'id="form-receive"' not in page
    before = state(case)
    response = dispatcher.post(url(case, "receive"), {"version": case.version, "serial": "SN-A-0001"})
    assert response.status_code == 403
    assert "Only the repair centre&#x27;s staff may work on this unit." in text(response)
    assert state(case) == before

    admin = client_for(w.admin)
    assert 'id="form-receive"' in text(admin.get(url(case)))
    assert admin.post(url(case, "receive"), {"version": case.version, "serial": "SN-A-0001"}).status_code == 302
    case.refresh_from_db()
    assert case.hop == Hop.RECEIVED


def test_scan_opens_the_case_by_waybill_serial_or_number(w):
    case = collected_and_arrived(w, book(w), "SF1000000000001")
    desk = client_for(w.bench)
    for code in ("SF1000000000001", "sf1000000000001", "SN-A-0001", case.work_order.number):
        response = desk.get("/console/bench/scan/", {"q": code})
        assert (response.status_code, response["Location"]) == (302, url(case)), code
    bench.receive(mail_in=case, actor=principal_of(w.bench), serial="SN-X-42")
    assert desk.get("/console/bench/scan/", {"q": "sn-x-42"})["Location"] == url(case)

    missing = desk.get("/console/bench/scan/", {"q": "SF9999"})
    page = text(missing)
    assert missing.status_code == 200 and 'id="scan-not-found"' in page and "“SF9999”" in page
    assert 'id="bench-queue"' in page  # the desk, with its queues, to scan again
    assert 'id="scan-not-found"' not in text(desk.get("/console/bench/scan/", {"q": ""}))


def test_the_inbound_waybill_is_typed_at_the_bench_when_no_courier_booked_it(w):
    case = book(w)
    desk = client_for(w.bench)
    parcel = inbound(case)
    page = text(desk.get(url(case)))
    assert f'id="form-waybill-{parcel.pk}"' in page and 'id="form-receive"' in page

    taken = Shipment.objects.create(mail_in=case, direction="outbound", backend="manual", reference="X-OTHER",
                                    waybill="SF7000000000007", window_start=timezone.now(),
                                    window_end=timezone.now(), created_at=timezone.now(), status="booked")
    response = desk.post(url(case, "waybill"), {"shipment": parcel.pk, "waybill": "SF7000000000007"}, **HTMX)
    assert response.status_code == 422
    assert error_beside(text(response), "waybill") == "Another parcel already has this waybill."
    parcel.refresh_from_db()
    assert parcel.waybill == "" and parcel.status == ShipmentStatus.BOOKING
    taken.delete()

    response = desk.post(url(case, "waybill"), {"shipment": parcel.pk, "waybill": "SF7000000000008"}, **HTMX)
    assert response.status_code == 200 and "Waybill saved." in text(response)
    parcel.refresh_from_db()
    assert (parcel.status, parcel.waybill) == (ShipmentStatus.BOOKED, "SF7000000000008")
    booking_parcel_form = f'id="form-waybill-{parcel.pk}"'
    assert booking_parcel_form not in text(response)


def test_the_queues_flag_a_late_unit(w):
    case = collected_and_arrived(w, book(w))
    MailIn.objects.filter(pk=case.pk).update(hop_due=timezone.now() - timezone.timedelta(minutes=1))
    page = text(client_for(w.bench).get("/console/bench/?queue=arrived"))
    row = page[page.index(f'data-case="{case.work_order_id}"') - 10:]
    assert row.startswith(' class="is-late"') or 'class="is-late"' in page
    assert "late-flag" in row[:row.index("</tr>")]
    partial = text(client_for(w.bench).get("/console/bench/?queue=incoming", **HTMX))
    assert partial.lstrip().startswith('<div id="bench-queue"') and 'id="bench-empty"' in partial


def test_the_menu_offers_the_bench_to_the_roles_that_use_it(w):
    def has_bench(user) -> bool:
        return 'data-nav="bench"' in text(client_for(user).get("/console/notifications/"))

    assert has_bench(w.bench) and has_bench(w.dispatcher) and has_bench(w.admin)
    assert not has_bench(w.manager_a) and not has_bench(w.hotline) and not has_bench(w.tech_a.user)
    page = text(client_for(w.bench).get("/console/bench/turnaround/"))
    assert 'aria-current="page" data-nav="bench"' in page
