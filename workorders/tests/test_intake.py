"""workorders.intake: preview, submit_request and the customer's later changes, on the real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.principal import principal_of, system_principal
from catalog.models import Symptom
from core.errors import InvalidInput, PermissionDenied
from core.images import ImageTooLarge, InvalidImage
from core.models import Counter
from customers.tests.factories import InstalledProductFactory, SiteFactory
from dispatch.selectors import offer_slots
from pricing.models import PriceList
from workorders import intake, services, workflow
from workorders.attachments import TooManyPhotos, files_rolled_back, store_photo
from workorders.choices import EventKind, Status
from workorders.models import IntakePolicy, WorkOrder, WorkOrderAttachment, WorkOrderEvent
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import only_outlet_a_with_one_job_per_window, photo_bytes, prepare_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_intake(world)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def nothing_written() -> tuple:
    return (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), WorkOrderAttachment.objects.count(),
            list(Counter.objects.values_list("key", "value")))


def first_slot(w, service_type="repair"):
    offers = offer_slots(product=w.product, service_type=service_type)
    assert offers, "the intake world should offer slots"
    return offers[0]


def later_slots(w):
    """Offers a day or more ahead: beyond any change cut-off, whatever the time of day the test runs."""
    since = timezone.now() + dt.timedelta(days=1)
    return [o for o in offer_slots(product=w.product, service_type="repair") if o.start > since]


def submit(w, actor=None, **kw):
    kw.setdefault("customer", w.customer)
    kw.setdefault("product", w.product)
    kw.setdefault("service_type", "repair")
    kw.setdefault("channel", "portal")
    return intake.submit_request(actor=actor or principal_of(w.customer.user), **kw)


# --- preview -------------------------------------------------------------------------------------------


def test_preview_shows_the_quote_the_slots_and_no_duplicates(w):
    found = intake.preview(product=w.product, service_type="repair", symptom_code="no-water")

    assert found.symptom.code == "no-water"
    assert found.quote is not None and found.quote_unavailable is None
    assert found.quote.warranty.covered is True  # installed 95 days ago, 12 months' warranty
    assert found.quote.total == Decimal("0.00")
    assert [line.code for line in found.quote.lines] == ["repair", "callout"]
    assert found.duplicates == []
    assert found.mail_in_allowed is False
    assert found.slots and all(s.outlet_id == w.outlet_a.pk for s in found.slots)  # same distance: lower id


def test_preview_refuses_a_symptom_of_another_category_or_unknown(w):
    with pytest.raises(InvalidInput) as unknown:
        intake.preview(product=w.product, service_type="repair", symptom_code="no-such-thing")
    assert unknown.value.field == "symptom_code"
    with pytest.raises(InvalidInput):
        intake.preview(product=w.product, service_type="teleport")


def test_preview_without_a_price_list_says_why_and_still_offers_slots(w):
    PriceList.objects.filter(brand=w.brand).delete()

    found = intake.preview(product=w.product, service_type="repair")

    assert found.quote is None
    assert found.quote_unavailable.code == "no_price_list"
    assert found.quote_reason
    assert found.slots


def test_preview_lists_open_and_recently_completed_orders_of_the_product(w):
    now = timezone.now()
    open_order = make_order(w, status=Status.ASSIGNED)
    recent = make_order(w, status=Status.COMPLETED)
    old = make_order(w, status=Status.CLOSED)
    WorkOrder.objects.filter(pk=old.pk).update(completed_at=now - dt.timedelta(days=40))
    make_order(w, status=Status.CANCELLED)

    found = intake.preview(product=w.product, service_type="repair")

    assert [o.pk for o in found.duplicates] == [recent.pk, open_order.pk]


def test_preview_does_not_show_a_former_owners_orders(w):
    make_order(w, status=Status.ASSIGNED)
    w.product.customer = w.other_customer
    w.product.site = SiteFactory(customer=w.other_customer, region=w.region)
    w.product.save()

    assert intake.preview(product=w.product, service_type="repair").duplicates == []


def test_mail_in_only_where_the_category_allows_it_and_no_pickup_window_without_a_repair_centre(w):
    with pytest.raises(intake.MailInNotAllowed) as refused:
        intake.preview(product=w.product, service_type="mail_in")
    assert refused.value.code == "mail_in_not_allowed"

    w.category.mail_in_allowed = True
    w.category.save()
    found = intake.preview(product=w.product, service_type="mail_in")
    assert found.mail_in_allowed is True
    assert found.slots == []
    assert found.quote.total == Decimal("0.00") and found.quote.warranty.covered  # mail-in in warranty: free


# --- submit --------------------------------------------------------------------------------------------


def test_submit_with_a_slot_creates_books_and_stores_the_estimate(w, media):
    slot = first_slot(w)

    order = submit(w, symptom_code="leak", description="  橱柜底部有水  ", slot=(slot.start, slot.end))

    order.refresh_from_db()
    assert order.channel == "portal" and order.type == "repair"
    assert order.symptom == "橱柜底部有水"
    assert order.reported_symptom == Symptom.objects.get(category=w.category, code="leak")
    assert (order.slot_start, order.slot_end) == (slot.start, slot.end)
    assert order.status == Status.ASSIGNED and order.outlet_id == slot.outlet_id
    events = list(order.events.order_by("pk").values_list("kind", "action", "actor_role", "actor"))
    assert events == [(EventKind.CREATED, "", "customer", w.customer.user.pk),
                      (EventKind.TRANSITION, "assign", "system", None)]
    estimate = order.estimate
    assert estimate["available"] is True
    assert estimate["warranty"]["covered"] is True and estimate["warranty"]["code"] == "in_warranty"
    assert estimate["price_list"]["name"] == "标准服务价目表"
    assert [(line["code"], line["covered"], line["customer_pays"]) for line in estimate["lines"]] == [
        ("repair", True, "0.00"), ("callout", True, "0.00")]
    assert estimate["lines"][0]["gross"] == "80.00"
    assert set(estimate["lines"][0]["description"]) == {"zh-hans", "en"}
    assert estimate["lines"][0]["description"]["en"] == "Labour: Repair"
    assert estimate["total"] == "0.00" and order.estimate_total == Decimal("0.00")
    assert estimate["computed_at"]


def test_an_out_of_warranty_estimate_charges_the_customer(w, media):
    w.product.install_date = w.product.purchase_date = timezone.localdate() - dt.timedelta(days=800)
    w.product.save()

    order = submit(w, symptom_code="noisy")

    assert order.estimate["warranty"]["covered"] is False
    total = sum(Decimal(line["customer_pays"]) for line in order.estimate["lines"])
    assert order.estimate_total == total == Decimal(order.estimate["total"]) > 0
    assert order.status == Status.NEW and order.outlet_id is None  # no slot, nothing booked


def test_a_misuse_symptom_voids_the_warranty_in_the_estimate(w, media):
    order = submit(w, symptom_code="frozen")

    assert order.estimate["warranty"]["covered"] is False
    assert order.estimate["warranty"]["code"] == "excluded"
    assert order.estimate_total == Decimal("80.00")


def test_submit_without_a_price_list_stores_why(w, media):
    PriceList.objects.filter(brand=w.brand).delete()

    order = submit(w)

    assert order.estimate["available"] is False and order.estimate["code"] == "no_price_list"
    assert set(order.estimate["reason"]) == {"zh-hans", "en"}
    assert order.estimate_total is None


def test_submit_keeps_photos_cleaned_and_scoped_to_the_order(w, media):
    photos = [SimpleUploadedFile("a.png", photo_bytes("PNG", size=(3000, 1000)), content_type="image/png"),
              SimpleUploadedFile("b.jpg", photo_bytes("JPEG"), content_type="image/jpeg")]

    order = submit(w, photos=photos)

    attachments = list(order.attachments.order_by("pk"))
    assert [(a.kind, a.content_type, a.width, a.height) for a in attachments] == [
        ("photo", "image/jpeg", 1600, 533), ("photo", "image/jpeg", 1600, 1200)]
    assert all(a.uploaded_by == w.customer.user and a.customer_visible for a in attachments)
    stored = files_in(media)
    assert len(stored) == 2 and all(p.suffix == ".jpg" and p.read_bytes()[:3] == b"\xff\xd8\xff" for p in stored)
    assert {a.size for a in attachments} == {p.stat().st_size for p in stored}


def test_a_hotline_agent_submits_for_a_customer_and_the_channel_is_recorded(w, media):
    slot = first_slot(w)

    order = submit(w, actor=principal_of(w.hotline), channel="hotline", slot=(slot.start, slot.end),
                   priority="high")

    assert (order.channel, order.priority, order.created_by) == ("hotline", "high", w.hotline)
    assert order.status == Status.ASSIGNED


def test_an_integration_submits_as_the_system(w, media):
    order = submit(w, actor=system_principal(w.brand.pk), channel="iot", description="E3 fault")

    assert (order.channel, order.created_by, order.status) == ("iot", None, Status.NEW)
    assert order.events.get().actor_role == "system"


def test_booking_the_last_unit_of_a_window_removes_it_from_the_offers(w, media):
    only_outlet_a_with_one_job_per_window(w)
    slot = first_slot(w)
    assert slot.free == 1

    submit(w, slot=(slot.start, slot.end))

    assert (slot.start, slot.end) not in [(s.start, s.end) for s in offer_slots(product=w.product,
                                                                                 service_type="repair")]
    before = nothing_written()
    with pytest.raises(intake.SlotUnavailable) as taken:
        submit(w, slot=(slot.start, slot.end))
    assert (taken.value.code, taken.value.status) == ("slot_unavailable", 409)
    assert nothing_written() == before


@pytest.mark.parametrize("case", [
    "unknown_symptom", "too_many_photos", "text_named_jpg", "huge_photo", "unaligned_slot", "past_slot",
    "naive_slot", "slot_without_product", "mail_in_not_allowed", "mail_in_without_repair_centre", "others_product",
    "others_site", "rival_customer", "bad_channel", "long_description", "analyst",
])
def test_refusals_leave_no_order_no_event_no_file(w, media, case):
    slot = first_slot(w)
    w.category.mail_in_allowed = case == "mail_in_without_repair_centre"
    w.category.save()
    kwargs, expected = {}, InvalidInput
    if case == "unknown_symptom":
        kwargs = {"symptom_code": "no-such"}
    elif case == "too_many_photos":
        kwargs, expected = {"photos": [photo_bytes() for _ in range(6)]}, TooManyPhotos
    elif case == "text_named_jpg":
        kwargs = {"photos": [photo_bytes(), SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")]}
        expected = InvalidImage
    elif case == "huge_photo":
        kwargs = {"photos": [SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))]}
        expected = ImageTooLarge
    elif case == "unaligned_slot":
        kwargs = {"slot": (slot.start + dt.timedelta(minutes=30), slot.end + dt.timedelta(minutes=30))}
    elif case == "past_slot":
        kwargs = {"slot": (slot.start - dt.timedelta(days=8), slot.end - dt.timedelta(days=8))}
    elif case == "naive_slot":
        kwargs = {"slot": (slot.start.replace(tzinfo=None), slot.end.replace(tzinfo=None))}
    elif case == "slot_without_product":
        kwargs = {"product": None, "slot": (slot.start, slot.end)}
    elif case == "mail_in_not_allowed":
        kwargs, expected = {"service_type": "mail_in"}, intake.MailInNotAllowed
    elif case == "mail_in_without_repair_centre":
        kwargs, expected = {"service_type": "mail_in", "slot": (slot.start, slot.end)}, intake.NoRepairCentre
    elif case == "others_product":
        kwargs = {"product": w.other_product}
    elif case == "others_site":
        kwargs = {"site": w.other_product.site}
    elif case == "rival_customer":
        kwargs = {"customer": w.rival_customer, "product": None}
    elif case == "bad_channel":
        kwargs = {"channel": "fax"}
    elif case == "long_description":
        kwargs = {"description": "x" * 2001}
    actor = principal_of(w.analyst if case == "analyst" else w.hotline)
    if case == "analyst":
        expected = PermissionDenied
    before, files_before = nothing_written(), files_in(media)

    with pytest.raises(expected):
        submit(w, actor=actor, **kwargs)

    assert nothing_written() == before
    assert files_in(media) == files_before


def test_a_customer_cannot_submit_for_someone_else(w, media):
    with pytest.raises(PermissionDenied):
        submit(w, customer=w.other_customer, product=w.other_product)
    assert WorkOrder.objects.count() == 0


def test_files_written_in_a_failed_transaction_are_deleted(w, media):
    order = make_order(w)
    from core.images import accept_photo
    photo = accept_photo(photo_bytes())

    with pytest.raises(RuntimeError), files_rolled_back() as stored:
        from django.db import transaction

        with transaction.atomic():
            store_photo(order=order, photo=photo, stored=stored)
            assert len(files_in(media)) == 1
            raise RuntimeError("after the file was written")

    assert files_in(media) == []
    assert WorkOrderAttachment.objects.count() == 0


# --- the customer's later changes ------------------------------------------------------------------------


def booked_order(w, hours_ahead: float, **kw):
    """An order of the customer's with a slot starting ``hours_ahead`` from now (no offer needed)."""
    start = timezone.now() + dt.timedelta(hours=hours_ahead)
    return make_order(w, slot_start=start, slot_end=start + dt.timedelta(hours=2), **kw)


def test_change_rules_with_the_default_policy(w):
    assert intake.customer_change_rules(booked_order(w, 48)) == (True, True, "")
    late = intake.customer_change_rules(booked_order(w, 3))
    assert late[:2] == (False, False) and "4" in late.reason
    assert intake.customer_change_rules(booked_order(w, 48, status=Status.DISPATCHED))[:2] == (True, False)
    assert intake.customer_change_rules(booked_order(w, 48, status=Status.EN_ROUTE))[:2] == (False, False)
    with translation.override("en"):
        assert intake.customer_change_rules(booked_order(w, 48, status=Status.CLOSED)) == (
            False, False, "This order is finished.")


def test_change_rules_follow_the_brands_policy(w):
    IntakePolicy.objects.create(brand=w.brand, change_cutoff_hours=72, max_reschedules=0)

    assert intake.customer_change_rules(booked_order(w, 48))[:2] == (False, False)
    rules = intake.customer_change_rules(booked_order(w, 100))
    assert rules[:2] == (True, False) and "0" in rules.reason


def test_the_customer_cancels_within_the_policy(w):
    order = booked_order(w, 48, status=Status.ASSIGNED)

    cancelled = intake.cancel_by_customer(order=order, actor=principal_of(w.customer.user), reason="不需要了")

    assert cancelled.status == Status.CANCELLED and cancelled.cancel_reason == "不需要了"
    assert cancelled.events.last().actor_role == "customer"


def test_a_late_cancel_is_refused_and_changes_nothing(w):
    order = booked_order(w, 2, status=Status.ASSIGNED)
    version = order.version

    with pytest.raises(intake.ChangeNotAllowed) as refused:
        intake.cancel_by_customer(order=order, actor=principal_of(w.customer.user), reason="late")

    assert refused.value.status == 409
    order.refresh_from_db()
    assert (order.status, order.version) == (Status.ASSIGNED, version)


def test_only_the_orders_customer_cancels_through_the_policy(w):
    order = booked_order(w, 48)
    for user in (w.other_customer.user, w.hotline):
        with pytest.raises(PermissionDenied):
            intake.cancel_by_customer(order=order, actor=principal_of(user), reason="x")
    assert WorkOrder.objects.get(pk=order.pk).status == Status.NEW


def test_the_customer_reschedules_to_another_offered_slot(w, media):
    first, second, third, fourth = later_slots(w)[:4]
    order = submit(w, slot=(first.start, first.end))
    customer = principal_of(w.customer.user)
    outlet_id, version = order.outlet_id, order.version
    assert order.onsite_due == first.end  # the booked window is the on-site commitment

    moved = intake.reschedule(order=order, actor=customer, slot=(second.start, second.end))

    assert (moved.slot_start, moved.slot_end) == (second.start, second.end)
    assert moved.onsite_due == second.end  # ... and it moves with the booking
    assert moved.outlet_id == outlet_id and moved.status == Status.ASSIGNED
    assert moved.version == version + 1
    event = moved.events.get(kind=EventKind.RESCHEDULED)
    assert event.customer_visible and event.actor == w.customer.user
    assert event.data == {"from": [t.astimezone(dt.UTC).isoformat() for t in (first.start, first.end)],
                          "to": [t.astimezone(dt.UTC).isoformat() for t in (second.start, second.end)]}
    moved = intake.reschedule(order=moved, actor=customer, slot=(third.start, third.end))
    # The default policy allows two moves.
    with pytest.raises(intake.ChangeNotAllowed):
        intake.reschedule(order=moved, actor=customer, slot=(fourth.start, fourth.end))
    assert WorkOrder.objects.get(pk=order.pk).slot_start == third.start


def test_rescheduling_into_a_full_window_is_refused(w, media):
    only_outlet_a_with_one_job_per_window(w)
    first, second = later_slots(w)[:2]
    mine = submit(w, slot=(first.start, first.end))
    submit(w, slot=(second.start, second.end))  # someone took the second window
    before = (mine.version, mine.slot_start, WorkOrderEvent.objects.count())

    with pytest.raises(intake.SlotUnavailable):
        intake.reschedule(order=mine, actor=principal_of(w.customer.user), slot=(second.start, second.end))

    mine.refresh_from_db()
    assert (mine.version, mine.slot_start, WorkOrderEvent.objects.count()) == before


def test_rescheduling_to_the_same_or_an_unaligned_slot_is_refused(w, media):
    first = later_slots(w)[0]
    order = submit(w, slot=(first.start, first.end))
    customer = principal_of(w.customer.user)

    for slot in [(first.start, first.end), (first.start + dt.timedelta(hours=1), first.end + dt.timedelta(hours=1))]:
        with pytest.raises(InvalidInput):
            intake.reschedule(order=order, actor=customer, slot=slot)
    assert WorkOrder.objects.get(pk=order.pk).version == order.version


def test_the_hotline_gives_an_unbooked_order_a_slot_which_assigns_it(w):
    order = make_order(w)  # NEW, no slot, no outlet
    slot = first_slot(w)

    moved = intake.reschedule(order=order, actor=principal_of(w.hotline), slot=(slot.start, slot.end))

    assert moved.status == Status.ASSIGNED and moved.outlet_id == slot.outlet_id
    assert moved.slot_start == slot.start
    assert [e.kind for e in moved.events.order_by("pk")] == ["created", "rescheduled", "transition"]


def test_roles_without_the_desk_cannot_reschedule(w):
    order = booked_order(w, 48)
    slot = first_slot(w)
    with pytest.raises(PermissionDenied):
        intake.reschedule(order=order, actor=principal_of(w.manager_a), slot=(slot.start, slot.end))


def test_a_rival_brand_product_is_not_served_by_this_brands_outlets(w):
    rival_product = InstalledProductFactory(customer=w.rival_customer, brand=w.other_brand)

    assert offer_slots(product=rival_product, service_type="repair") == []


def test_stale_reschedule_is_refused(w, media):
    first, second = later_slots(w)[:2]
    order = submit(w, slot=(first.start, first.end))
    stale = WorkOrder.objects.get(pk=order.pk)
    services.update_work_order(order=order, actor=principal_of(w.dispatcher), changes={"priority": "high"})

    from core.errors import StaleVersion
    with pytest.raises(StaleVersion):
        intake.reschedule(order=stale, actor=principal_of(w.customer.user), slot=(second.start, second.end))
    assert WorkOrder.objects.get(pk=order.pk).slot_start == first.start


def test_workflow_assign_by_the_system_is_on_the_timeline_without_a_user(w):
    order = make_order(w)
    order = workflow.transition(order, "assign", actor=system_principal(w.brand.pk), outlet=w.outlet_a)
    assert order.events.last().actor is None
