"""Mail-in repair in the portal (issue 17): booking with a pickup window, the refusal where no repair centre takes the
product, the tracking page (hops, parcels and their route, the courier's state), the quote answered from the order
page and from the message's one-tap page, and cancelling refused once the courier has the unit."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from core.couriers import Stage
from customers.tests.factories import InstalledProductFactory
from dispatch.selectors import slot_windows
from logistics import bench, booking
from logistics.choices import Hop, ShipmentStatus
from logistics.models import MailIn, Shipment
from logistics.tests.setup import book, collected_and_arrived, inbound, prepare_mail_in, push
from portal.slotpicker import slot_value
from workorders import intake
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
REPORT = "/portal/acme/report/"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.brand.phone = "400-800-1234"
    world.brand.save(update_fields=["phone"])
    return prepare_mail_in(world)


@pytest.fixture
def client(w):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(w.customer.user)
    return c


@pytest.fixture
def old_unit(w):
    """The customer's second unit, long out of warranty: its repair is quoted."""
    return InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                   site=w.product.site, purchase_date=dt.date(2020, 1, 5),
                                   install_date=dt.date(2020, 1, 10))


def windows(product) -> list[str]:
    return [slot_value(s.start, s.end) for s in intake.preview(product=product, service_type="mail_in").slots]


def written() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), MailIn.objects.count(), Shipment.objects.count()


def page(client, case) -> str:
    response = client.get(f"/portal/acme/orders/{case.work_order_id}/")
    assert response.status_code == 200
    return response.content.decode()


def hop_states(body: str) -> dict[str, str]:
    return dict((hop, state) for state, hop in re.findall(r'<li class="(\w+)" data-hop="(\w+)"', body))


def quoted(w, product, customer=None) -> MailIn:
    """A unit out of warranty at the bench, diagnosed and quoted: labour 60 + pump 260 + courier 30."""
    case = collected_and_arrived(w, book(w, product=product, customer=customer))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial=product.serial)
    case = bench.diagnose(mail_in=case, actor=desk, finding="增压泵损坏", parts=[("booster-pump", 1)])
    return bench.quote(mail_in=case, actor=desk)


# --- booking ---------------------------------------------------------------------------------------------------------


def test_choosing_mail_in_shows_the_pickup_windows_the_estimate_and_the_courier_fee(client, w, old_unit):
    body = client.get(REPORT, {"product": old_unit.pk, "symptom_code": "leak", "service_type": "mail_in",
                               "seen": "1"}, HTTP_HX_REQUEST="true").content.decode()

    offered = windows(old_unit)
    assert offered and re.findall(r'name="slot" value="([^"]+)"', body) == offered
    assert 'class="pickup-windows"' in body and "When should the courier collect it?" in body
    assert w.product.site.address in body and "杭州中央维修中心" in body
    preview = intake.preview(product=old_unit, service_type="mail_in", symptom_code="leak")
    assert "Not covered by warranty" in body
    assert re.search(r'id="courier-line">\s*<td>Courier, both ways<span class="why">A fixed fee out of warranty'
                     r'</span></td>\s*<td class="amount">¥30.00</td>', body)
    assert f'id="quote-total">¥{preview.quote.total + Decimal("30.00"):,.2f}' in body
    # The choice's note is swapped in beside the choice (htmx out of band), empty here.
    assert '<div id="service-note" hx-swap-oob="true">' in body and 'id="error-service_type"' not in body


def test_in_warranty_the_courier_is_free(client, w):
    body = client.get(REPORT, {"product": w.product.pk, "symptom_code": "leak", "service_type": "mail_in",
                               "seen": "1"}).content.decode()
    assert "Covered by warranty" in body and "Free while in warranty" in body
    assert 'id="quote-total">¥0.00' in body


def test_booking_with_the_chosen_pickup_window(client, w):
    chosen = windows(w.product)[3]

    response = client.post(REPORT, {"product": w.product.pk, "symptom_code": "leak", "service_type": "mail_in",
                                    "description": "不出水", "slot": chosen})

    order = WorkOrder.objects.get()
    case = MailIn.objects.get(work_order=order)
    assert response.status_code == 302 and response["Location"] == f"/portal/acme/orders/{order.pk}/"
    assert (order.type, order.channel, order.outlet_id) == ("mail_in", "portal", w.centre.pk)
    assert slot_value(case.pickup_start, case.pickup_end) == chosen
    assert (inbound(case).window_start, inbound(case).window_end) == (case.pickup_start, case.pickup_end)


@pytest.mark.parametrize("slot", ["", "tomorrow morning", "off-grid"])
def test_a_pickup_window_not_chosen_or_not_offered_is_refused_beside_the_field(client, w, slot):
    if slot == "off-grid":
        start = timezone.localtime(intake.preview(product=w.product, service_type="mail_in").slots[0].start)
        slot = slot_value(start + dt.timedelta(minutes=30), start + dt.timedelta(hours=2, minutes=30))

    response = client.post(REPORT, {"product": w.product.pk, "symptom_code": "leak", "service_type": "mail_in",
                                    "slot": slot})

    body = response.content.decode()
    assert response.status_code == 422 and 'id="error-slot"' in body
    assert 'class="pickup-windows"' in body  # offered again
    assert written() == (0, 0, 0)


def test_no_repair_centre_says_so_beside_the_choice_and_offers_a_visit(client, w):
    w.centre.is_repair_centre = False
    w.centre.save(update_fields=["is_repair_centre"])
    params = {"product": w.product.pk, "symptom_code": "leak", "service_type": "mail_in", "seen": "1"}

    partial = client.get(REPORT, params, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'<div id="service-note" hx-swap-oob="true">\s*<p class="field-error" id="error-service_type" '
                     r'role="alert">No repair centre takes mail-in repairs of this product yet', partial)
    assert '<label class="btn btn-primary visit-instead" for="service-repair" id="visit-instead">' in partial
    assert 'name="slot"' not in partial and 'id="confirm"' not in partial

    # A window of the brand's grid, as a page shown before the centre closed would send it.
    response = client.post(REPORT, {**params, "slot": slot_value(*slot_windows(days=intake.OFFER_DAYS)[0])})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="error-service_type"' in body and 'id="visit-instead"' in body
    assert 'id="service-repair"' in body  # the visit the button picks
    assert written() == (0, 0, 0)


# --- tracking ----------------------------------------------------------------------------------------------------


def test_the_order_page_tracks_the_unit_hop_by_hop_with_the_couriers_route(client, w):
    case = collected_and_arrived(w, book(w))

    body = page(client, case)

    states = hop_states(body)
    assert list(states) == [Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED, Hop.RECEIVED,
                            Hop.DIAGNOSED, Hop.REPAIRED, Hop.QC_PASSED, Hop.SHIPPED, Hop.DELIVERED]  # in warranty
    assert [states[h] for h in (Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED, Hop.RECEIVED)] == [
        "done", "done", "done", "current", "todo"]
    assert re.search(r'data-hop="collected">.*?Collected by the courier.*?<div class="when"><time [^>]+>[\d-]+ '
                     r'[\d:]+</time> · 杭州</div>', body, re.S)
    # The courier never said "in transit": behind the unit, without a time.
    assert not re.search(r'data-hop="in_transit">(?:(?!</li>).)*class="when"', body, re.S)
    assert re.search(r'data-hop="arrived" aria-current="step">.*?Arrived at the repair centre <span class="badge '
                     r'badge-brand now">Now</span>', body, re.S)
    assert 'id="order-status">Arrived at the repair centre<' in body
    parcel = re.search(r'<div class="parcel" id="parcel-inbound".*?</ul>', body, re.S).group(0)
    assert "To the repair centre" in parcel and '<span class="mono waybill">SF1000000000001</span>' in parcel
    assert re.findall(r'<strong class="place">(.*?)</strong></div>\s*<div class="route-text">(.*?)</div>', parcel) == [
        ("杭州", "delivered @ 杭州"), ("杭州", "collected @ 杭州")]  # newest first
    assert 'id="inbound-courier-state"' not in body


def test_the_customer_sees_their_own_steps_only(client, w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    case = bench.diagnose(mail_in=case, actor=desk, finding="进水阀卡滞")
    case = bench.repair(mail_in=case, actor=desk, note="清洗进水阀")
    bench.check_quality(mail_in=case, actor=desk, checks={p: p != "no_leak" for p in bench.QC_POINTS},
                        note="接头渗水，内部")

    body = page(client, case)

    assert "进水阀卡滞" in body  # the diagnosis is the customer's to know
    assert "接头渗水" not in body  # the failed check is the bench's
    states = hop_states(body)
    assert states[Hop.REPAIRED] == "current" and states[Hop.QC_PASSED] == "todo"


def test_a_pickup_being_arranged_and_a_courier_that_refused_are_said_plainly(client, w):
    case = book(w)
    later = timezone.now() + dt.timedelta(minutes=5)
    Shipment.objects.filter(pk=inbound(case).pk).update(last_error="courier down", attempts=2, next_try_at=later)

    body = page(client, case)
    state = re.search(r'id="inbound-courier-state" data-state="arranging".*?</div>', body, re.S).group(0)
    assert "We are arranging the courier to collect your unit." in state
    assert "system is busy, we try again automatically. You need not do anything." in state
    assert f"Next try at {timezone.localtime(later):%H:%M}." in state
    assert "courier down" not in body  # the courier's error is for the staff
    assert re.search(r'Courier pickup: <strong id="slot-text">', body)

    Shipment.objects.filter(pk=inbound(case).pk).update(last_error="address out of area", next_try_at=None)
    body = page(client, case)
    state = re.search(r'id="inbound-courier-state" data-state="refused" role="alert">.*?</div>', body, re.S).group(0)
    assert "The courier could not accept the pickup of your unit." in state
    assert "Please call our hotline 400-800-1234" in state and 'href="tel:400-800-1234"' in state


def test_another_customers_mail_in_order_is_a_404_and_untouched(client, w, old_unit):
    theirs = quoted(w, InstalledProductFactory(customer=w.other_customer, brand=w.brand, product_model=w.model,
                                               serial="SN-THEIRS", purchase_date=dt.date(2020, 1, 5),
                                               install_date=dt.date(2020, 1, 10)), customer=w.other_customer)
    base = f"/portal/acme/orders/{theirs.work_order_id}/"

    assert client.get(base).status_code == 404
    assert client.get(base + "status/").status_code == 404
    assert client.post(base + "quote/", {"decision": "approved"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.hop, theirs.decision, theirs.version) == (Hop.QUOTED, "", theirs.version)


def test_polling_follows_the_hops_and_the_parcels(client, w):
    case = book(w)
    token = re.search(r'data-token="([^"]+)"', page(client, case)).group(1)
    status = f"/portal/acme/orders/{case.work_order_id}/status/"
    assert client.get(status, {"since": token}, HTTP_HX_REQUEST="true").status_code == 204

    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))
    fresh = client.get(status, {"since": token}, HTTP_HX_REQUEST="true")
    assert fresh.status_code == 200 and "SF1000000000001" in fresh.content.decode()
    token = re.search(r'data-token="([^"]+)"', fresh.content.decode()).group(1)

    push(inbound(case), Stage.COLLECTED)
    fresh = client.get(status, {"since": token}, HTTP_HX_REQUEST="true").content.decode()
    assert hop_states(fresh)[Hop.COLLECTED] == "current" and "collected @ 杭州" in fresh
    token = re.search(r'data-token="([^"]+)"', fresh).group(1)
    assert client.get(status, {"since": token}, HTTP_HX_REQUEST="true").status_code == 204


def test_cancel_is_offered_until_the_courier_collects_then_hidden_with_the_reason(client, w):
    case = book(w)
    assert 'id="cancel-box"' in page(client, case)
    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))
    push(inbound(case), Stage.COLLECTED)

    body = page(client, case)

    assert 'id="cancel-box"' not in body and 'id="reschedule-link"' not in body
    assert ('id="change-reason">The courier has already collected the unit, so the repair cannot be cancelled '
            "online. Please call the hotline.<") in body


def test_a_cancelled_mail_in_ends_its_hops_at_the_cancellation(client, w):
    case = book(w)
    response = client.post(f"/portal/acme/orders/{case.work_order_id}/cancel/", {"reason": "mistake"})
    assert response.status_code == 302

    body = page(client, case)

    assert hop_states(body) == {Hop.PICKUP_BOOKED: "done", Hop.CANCELLED: "cancelled"}
    assert 'id="parcels"' not in body  # the pickup was called off


# --- the quote ---------------------------------------------------------------------------------------------------


def test_the_quote_card_and_approving_it_on_the_order_page(client, w, old_unit):
    case = quoted(w, old_unit)
    body = page(client, case)
    card = re.search(r'<section class="card quote-card" id="quote-card">.*?</section>', body, re.S).group(0)
    assert '<strong class="quote-total" id="quote-total">¥350.00</strong>' in card and "增压泵损坏" in card
    assert re.search(r'<td class="amount">¥260.00</td>', card)  # the pump
    assert re.search(r'id="quote-courier"><td>Courier, both ways</td><td class="amount">¥30.00</td>', card)
    assert f'action="/portal/acme/orders/{case.work_order_id}/quote/"' in card
    assert 'value="approved" id="approve"' in card and 'value="declined" id="decline"' in card
    assert hop_states(body)[Hop.QUOTED] == "current"

    response = client.post(f"/portal/acme/orders/{case.work_order_id}/quote/", {"decision": "approved"})

    case.refresh_from_db()
    assert response.status_code == 302 and (case.hop, case.decision, case.charge_total) == (
        Hop.APPROVED, "approved", Decimal("350.00"))
    body = client.get(response["Location"]).content.decode()
    assert "Thank you: you approved the quote. We are repairing your unit." in body
    assert 'id="quote-card"' not in body and "You approved the quote of ¥350.00." in body
    states = hop_states(body)
    assert (states[Hop.QUOTED], states[Hop.APPROVED], states[Hop.REPAIRED]) == ("done", "current", "todo")
    assert re.search(r'data-hop="quoted">.*?Quote sent</div>', body, re.S)


def test_answering_twice_changes_nothing(client, w, old_unit):
    case = quoted(w, old_unit)
    url = f"/portal/acme/orders/{case.work_order_id}/quote/"
    client.post(url, {"decision": "declined"})
    case.refresh_from_db()
    before = (case.hop, case.decision, case.charge_total, case.version)

    again = client.post(url, {"decision": "approved"})

    case.refresh_from_db()
    assert again.status_code == 409 and (case.hop, case.decision, case.charge_total, case.version) == before
    assert before[:3] == (Hop.DECLINED, "declined", Decimal("30.00"))
    assert ('id="error-quote" role="alert">You have already declined this quote, so nothing was changed.<'
            in again.content.decode())


def test_no_choice_is_refused_beside_the_buttons(client, w, old_unit):
    case = quoted(w, old_unit)
    response = client.post(f"/portal/acme/orders/{case.work_order_id}/quote/", {"decision": "maybe"})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="error-quote" role="alert">Choose approve or decline.<' in body
    assert 'id="approve"' in body
    case.refresh_from_db()
    assert (case.hop, case.decision) == (Hop.QUOTED, "")


def test_the_one_tap_quote_page(w, old_unit):
    case = quoted(w, old_unit)
    anyone = Client(HTTP_ACCEPT_LANGUAGE="en")  # the message's link: no sign-in
    url = f"/portal/acme/quote/{case.quote_token}/"

    body = anyone.get(url).content.decode()
    assert '<strong class="quote-total" id="quote-total">¥350.00</strong>' in body and "增压泵损坏" in body
    assert 'id="quote-courier"' in body and 'id="approve"' in body and 'id="decline"' in body
    assert "If you decline, we send the unit back unrepaired and you pay ¥30.00 for the courier and the check." in body

    answered = anyone.post(url, {"decision": "approved"})
    case.refresh_from_db()
    body = answered.content.decode()
    assert answered.status_code == 200 and (case.hop, case.decision) == (Hop.APPROVED, "approved")
    assert 'id="quote-answered" data-decision="approved"' in body and 'id="approve"' not in body
    assert "Thank you: you approved the quote. We are repairing your unit." in body

    version = case.version
    again = anyone.post(url, {"decision": "declined"})
    case.refresh_from_db()
    assert again.status_code == 409 and (case.hop, case.decision, case.version) == (Hop.APPROVED, "approved", version)
    assert "You have already approved this quote, so nothing was changed." in again.content.decode()
    assert 'id="quote-answered" data-decision="approved"' in anyone.get(url).content.decode()


def test_a_quote_link_with_a_wrong_key_or_brand_is_a_404(w, old_unit):
    case = quoted(w, old_unit)
    anyone = Client()
    assert anyone.get("/portal/acme/quote/not-a-key/").status_code == 404
    assert anyone.post("/portal/acme/quote/not-a-key/", {"decision": "approved"}).status_code == 404
    assert anyone.post(f"/portal/rival/quote/{case.quote_token}/", {"decision": "approved"}).status_code == 404
    case.refresh_from_db()
    assert (case.hop, case.decision) == (Hop.QUOTED, "")


def test_the_pages_in_chinese(w, old_unit):
    case = quoted(w, old_unit)
    customer = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    customer.force_login(w.customer.user)
    body = customer.get(f"/portal/acme/orders/{case.work_order_id}/").content.decode()
    assert "已报价，等待您确认" in body and "同意并维修" in body and "往返快递费" in body
    quote_page = customer.get(f"/portal/acme/quote/{case.quote_token}/").content.decode()
    assert "您的维修报价" in quote_page and "拒绝：不维修，寄回" in quote_page


def test_a_courier_booking_state_is_gone_once_booked(client, w):
    case = book(w)
    assert 'data-state="arranging"' in page(client, case)
    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))
    body = page(client, case)
    assert 'data-state="arranging"' not in body
    assert inbound(case).status == ShipmentStatus.BOOKED and 'data-status="booked"' in body
