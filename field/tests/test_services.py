"""The technician's day through the field services, on the real database, with the real lifecycle, parts
and pricing; every refusal also proves that nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core import outbox
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from core.images import InvalidImage
from field import services
from field.errors import InvalidSignature, JobFinished, NotOnSite, NotReadyToComplete
from field.geo import Position
from field.models import ChecklistAnswer, Visit, VisitPhoto
from field.tests.setup import (
    VAN_FILTERS,
    VAN_PUMPS,
    dispatched_job,
    on_site,
    photo,
    prepare_field,
    ready_to_complete,
    signature_png,
    tech,
)
from network.models import Technician
from parts.errors import InsufficientStock
from parts.models import DefectiveReturn, StockMove
from parts.tests.helpers import level
from parts.tests.helpers import snapshot as stock_snapshot
from workorders.choices import Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment, WorkOrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_field(world)


def everything(order) -> tuple:
    """What a refused action must leave as it was: the order, its visit, answers, photos, files, stock."""
    order.refresh_from_db()
    return (
        (order.status, order.version, order.technician_id),
        list(Visit.objects.order_by("pk").values()),
        list(ChecklistAnswer.objects.order_by("pk").values_list("pk", "item_id", "value")),
        list(VisitPhoto.objects.order_by("pk").values_list("pk", "attachment_id")),
        list(WorkOrderAttachment.objects.order_by("pk").values_list("pk", "kind")),
        WorkOrderEvent.objects.filter(work_order=order).count(),
        stock_snapshot(),
    )


def test_accept_opens_a_visit_and_decline_needs_a_reason(w):
    order = dispatched_job(w)
    actor = tech(w)
    before = everything(order)
    with pytest.raises(InvalidInput) as refused:
        services.decline(order=order, actor=actor, reason="  ")
    assert refused.value.field == "reason"
    assert everything(order) == before

    services.accept(order=order, actor=actor)
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED
    assert Visit.objects.filter(work_order=order, technician=w.tech_a, completed_at=None).count() == 1

    other = dispatched_job(w)
    services.decline(order=other, actor=actor, reason="车坏了")
    other.refresh_from_db()
    assert (other.status, other.technician_id) == (Status.ASSIGNED, None)
    assert WorkOrderEvent.objects.get(work_order=other, action="decline").reason == "车坏了"


def test_on_my_way_records_the_last_known_location_and_an_old_one_never_wins(w):
    order, other = dispatched_job(w), dispatched_job(w)
    WorkOrder.objects.filter(pk__in=[order.pk, other.pk]).update(created_at=timezone.now() - dt.timedelta(hours=1))
    order.refresh_from_db()
    other.refresh_from_db()
    actor = tech(w)
    services.accept(order=order, actor=actor)
    services.accept(order=other, actor=actor)
    later = timezone.now()
    services.depart(order=order, actor=actor, where=Position(Decimal("30.271000"), Decimal("120.150000"), 20),
                    at=later)
    technician = Technician.objects.get(pk=w.tech_a.pk)
    assert (technician.last_latitude, technician.last_longitude) == (Decimal("30.271000"), Decimal("120.150000"))
    assert technician.position_since(later - dt.timedelta(seconds=1)) == (Decimal("30.271000"),
                                                                         Decimal("120.150000"))
    assert technician.position_since(later + dt.timedelta(seconds=1)) is None
    assert Visit.objects.get(work_order=order).departed_at == later

    # A report made earlier on the phone but arriving later (queued offline) does not move the technician back.
    earlier = later - dt.timedelta(minutes=10)
    services.depart(order=other, actor=actor, where=Position(Decimal("31.000000"), Decimal("121.000000")),
                    at=earlier)
    technician.refresh_from_db()
    assert (technician.last_latitude, technician.last_located_at) == (Decimal("30.271000"), later)


def test_check_in_records_the_distance_from_the_site(w):
    near, far = dispatched_job(w), dispatched_job(w)
    on_site(w, near, where=Position(Decimal("30.280100"), Decimal("120.130100"), 8))
    on_site(w, far, where=Position(Decimal("30.290000"), Decimal("120.130000"), 15))
    assert Visit.objects.get(work_order=near).checkin_distance_m == 15
    far_visit = Visit.objects.get(work_order=far)
    assert far_visit.checkin_distance_m == 1112
    assert (far_visit.checkin_latitude, far_visit.checkin_accuracy_m) == (Decimal("30.290000"), 15)
    # Without a position (not allowed on the phone) the check-in still happens, with no distance.
    silent = dispatched_job(w)
    on_site(w, silent)
    visit = Visit.objects.get(work_order=silent)
    assert visit.checked_in_at is not None and visit.checkin_distance_m is None


def test_only_the_jobs_technician_may_act_on_it(w):
    order = dispatched_job(w)
    before = everything(order)
    for intruder in (tech(w, "tech_a2"), tech(w, "tech_b")):
        with pytest.raises(PermissionDenied):
            services.accept(order=order, actor=intruder)
    assert everything(order) == before
    on_site(w, order)
    before = everything(order)
    with pytest.raises(PermissionDenied):
        services.record_payment(order=order, actor=tech(w, "tech_a2"), method="cash", amount="10")
    assert everything(order) == before


def test_work_waits_for_the_check_in(w):
    order = dispatched_job(w)
    actor = tech(w)
    services.accept(order=order, actor=actor)
    before = everything(order)
    for attempt in (
        lambda: services.answer_checklist(order=order, actor=actor, answers=[(w.items.tick.pk, "done")]),
        lambda: services.add_visit_photo(order=order, actor=actor, upload=photo(), requirement="before"),
        lambda: services.use_parts(order=order, actor=actor, lines=[(w.filter.pk, 1)], idempotency_key="k1"),
        lambda: services.record_payment(order=order, actor=actor, method="cash", amount="10"),
        lambda: services.sign(order=order, actor=actor, upload=signature_png()),
        lambda: services.complete(order=order, actor=actor),
    ):
        with pytest.raises(NotOnSite):
            attempt()
        assert everything(order) == before


def test_checklist_answers_are_checked_by_kind(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    items = w.items
    before = everything(order)
    for answers, field in (
        ([(items.leak.pk, "maybe")], "answers"), ([(items.pressure.pk, "high")], "answers"),
        ([(items.tick.pk, "yes")], "answers"), ([(999999, "done")], "answers"), ([], "answers"),
        ([(items.pressure.pk, "Infinity")], "answers"),
    ):
        with pytest.raises(InvalidInput) as refused:
            services.answer_checklist(order=order, actor=actor, answers=answers)
        assert refused.value.field == field
        assert everything(order) == before
    services.answer_checklist(order=order, actor=actor, answers=[
        (items.tick.pk, "done"), (items.leak.pk, "no"), (items.pressure.pk, "0,30"), (items.remark.pk, "滤芯脏")])
    assert dict(ChecklistAnswer.objects.values_list("item_id", "value")) == {
        items.tick.pk: "done", items.leak.pk: "no", items.pressure.pk: "0.3", items.remark.pk: "滤芯脏"}
    # An empty answer takes a tick back.
    services.answer_checklist(order=order, actor=actor, answers=[(items.tick.pk, "")])
    assert not ChecklistAnswer.objects.filter(item=items.tick).exists()


def test_photos_are_checked_resized_and_kept_as_order_attachments(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    before = everything(order)
    with pytest.raises(InvalidImage):
        services.add_visit_photo(order=order, actor=actor, upload=b"GIF89a not really", requirement="before")
    with pytest.raises(InvalidInput) as refused:
        services.add_visit_photo(order=order, actor=actor, upload=photo(), requirement="selfie")
    assert refused.value.field == "requirement"
    assert everything(order) == before

    taken = services.add_visit_photo(order=order, actor=actor, upload=photo(size=(4000, 3000)), requirement="before")
    attachment = taken.attachment
    assert (attachment.work_order_id, attachment.kind, attachment.content_type) == (order.pk, AttachmentKind.PHOTO,
                                                                                   "image/jpeg")
    assert (attachment.width, attachment.height) == (1600, 1200)
    assert attachment.uploaded_by == w.tech_a.user
    assert taken.requirement == "before"


def test_parts_come_from_the_van_and_only_what_is_on_hand(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    before = everything(order)
    with pytest.raises(InsufficientStock):
        services.use_parts(order=order, actor=actor, lines=[(w.pump.pk, VAN_PUMPS + 1)], idempotency_key="too-many")
    assert everything(order) == before

    services.use_parts(order=order, actor=actor, lines=[(w.filter.pk, 2), (w.pump.pk, 1)], idempotency_key="k-1")
    # The same key again (a retry from the phone) does not take them twice.
    again = services.use_parts(order=order, actor=actor, lines=[(w.filter.pk, 2), (w.pump.pk, 1)],
                               idempotency_key="k-1")
    assert again.replayed
    assert level(w.van_a, w.filter)[0] == VAN_FILTERS - 2
    assert level(w.van_a, w.pump)[0] == VAN_PUMPS - 1
    # The replaced pump is owed back to the outlet; a used filter is waste.
    assert list(DefectiveReturn.objects.values_list("part__code", "quantity")) == [("booster-pump", 1)]


def test_completion_needs_checklist_photos_signature_and_payment(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    services.use_parts(order=order, actor=actor, lines=[(w.filter.pk, 1)], idempotency_key="filter")
    before = everything(order)
    with pytest.raises(NotReadyToComplete) as refused:
        services.complete(order=order, actor=actor)
    assert refused.value.detail["missing"] == ["checklist", "photos", "signature", "payment"]
    assert refused.value.status == 409
    assert everything(order) == before

    ready_to_complete(w, order)
    with pytest.raises(NotReadyToComplete) as refused:
        services.complete(order=order, actor=actor)
    assert refused.value.detail["missing"] == ["payment"]  # the filter is never covered: ¥39 to pay

    services.record_payment(order=order, actor=actor, method="wechat", amount="39.00", reference="WX-1")
    visit = services.complete(order=order, actor=actor, shown_total="39.00")
    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert visit.charge_total == Decimal("39.00") and visit.shown_total == Decimal("39.00")
    lines = {ln["code"]: (ln["covered"], ln["customer_pays"]) for ln in visit.charge["lines"]}
    assert lines == {"repair": (True, "0.00"), "callout": (True, "0.00"), "pp-cotton": (False, "39.00")}
    assert (visit.payment_method, visit.payment_amount) == ("wechat", Decimal("39.00"))
    assert WorkOrderEvent.objects.filter(work_order=order, action="complete").count() == 1


def test_a_job_that_costs_nothing_completes_without_a_payment(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    services.use_parts(order=order, actor=actor, lines=[(w.pump.pk, 1)], idempotency_key="pump")
    ready_to_complete(w, order)
    visit = services.complete(order=order, actor=actor)
    assert visit.charge_total == Decimal("0.00")
    assert not visit.payment_method


def test_the_diagnosed_symptom_prices_the_job(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    before = everything(order)
    with pytest.raises(InvalidInput) as refused:
        services.record_diagnosis(order=order, actor=actor, fault_code="E 1; drop", symptom_code="")
    assert refused.value.field == "fault_code"
    with pytest.raises(InvalidInput) as refused:
        services.record_diagnosis(order=order, actor=actor, symptom_code="no-cooling")  # another category's
    assert refused.value.field == "symptom_code"
    assert everything(order) == before

    services.record_diagnosis(order=order, actor=actor, fault_code="e3", symptom_code="frozen", note="冻裂")
    services.use_parts(order=order, actor=actor, lines=[(w.pump.pk, 1)], idempotency_key="pump")
    ready_to_complete(w, order)
    services.record_payment(order=order, actor=actor, method="cash", amount="340")
    visit = services.complete(order=order, actor=actor)
    # Frost damage is misuse: the warranty covers nothing, labour ¥80 and the pump ¥260 are the customer's.
    assert visit.fault_code == "E3"
    assert visit.charge_total == Decimal("340.00")
    assert {ln["code"]: ln["customer_pays"] for ln in visit.charge["lines"]} == {
        "repair": "80.00", "callout": "0.00", "booster-pump": "260.00"}


def test_labour_is_check_in_to_check_out_against_the_standard(w):
    order = dispatched_job(w)
    WorkOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(hours=5))
    order.refresh_from_db()
    actor = tech(w)
    start = timezone.now() - dt.timedelta(hours=2)
    services.accept(order=order, actor=actor)
    services.depart(order=order, actor=actor, at=start - dt.timedelta(minutes=20))
    services.arrive(order=order, actor=actor, at=start)
    order.refresh_from_db()
    ready_to_complete(w, order)
    visit = services.complete(order=order, actor=actor, at=start + dt.timedelta(minutes=75))
    # The phone's times count (a job done offline syncs later): 75 minutes against the standard 60.
    assert (visit.labour_minutes, visit.standard_minutes, visit.labour_variance_minutes) == (75, 60, 15)
    assert visit.checked_out_at == start + dt.timedelta(minutes=75)


def test_a_phone_clock_in_the_future_is_not_believed(w):
    order = dispatched_job(w)
    actor = tech(w)
    services.accept(order=order, actor=actor)
    services.depart(order=order, actor=actor)
    services.arrive(order=order, actor=actor, at=timezone.now() + dt.timedelta(days=3))
    assert Visit.objects.get(work_order=order).checked_in_at <= timezone.now()


def test_a_completed_job_refuses_every_change(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    services.use_parts(order=order, actor=actor, lines=[(w.filter.pk, 1)], idempotency_key="filter")
    ready_to_complete(w, order)
    services.record_payment(order=order, actor=actor, method="cash", amount="39.00")
    services.complete(order=order, actor=actor)
    order.refresh_from_db()
    before = everything(order)
    for attempt in (
        lambda: services.complete(order=order, actor=actor),
        lambda: services.record_payment(order=order, actor=actor, method="cash", amount="0.00"),
        lambda: services.use_parts(order=order, actor=actor, lines=[(w.pump.pk, 1)], idempotency_key="late"),
        lambda: services.record_diagnosis(order=order, actor=actor, symptom_code="frozen"),
        lambda: services.answer_checklist(order=order, actor=actor, answers=[(w.items.tick.pk, "")]),
        lambda: services.add_visit_photo(order=order, actor=actor, upload=photo(), requirement="after"),
        lambda: services.sign(order=order, actor=actor, upload=signature_png()),
    ):
        with pytest.raises(JobFinished):
            attempt()
        assert everything(order) == before
    with pytest.raises(IllegalTransition):
        services.hold(order=order, actor=actor, hold_reason="other", reason="x")
    assert everything(order) == before


def test_a_blank_or_fake_signature_is_refused(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    before = everything(order)
    for upload in (signature_png(ink=False), photo(), b"", b"\x89PNG\r\n\x1a\n broken"):
        with pytest.raises(InvalidSignature):
            services.sign(order=order, actor=actor, upload=upload)
        assert everything(order) == before
    visit = services.sign(order=order, actor=actor, upload=signature_png(), signer="王女士")
    first = visit.signature_id
    visit = services.sign(order=order, actor=actor, upload=signature_png(), signer="王先生")
    # Signing again replaces the signature: one signature attachment on the order.
    assert WorkOrderAttachment.objects.filter(work_order=order, kind=AttachmentKind.SIGNATURE).get().pk == \
        visit.signature_id != first
    assert visit.signature.content_type == "image/png" and visit.signed_by == "王先生"


def test_payment_is_recorded_as_decimal_and_checked(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    before = everything(order)
    for method, amount, field in (("bitcoin", "10", "method"), ("cash", "-1", "amount"), ("cash", "1.234", "amount"),
                                  ("cash", 10.5, "amount"), ("cash", "NaN", "amount"), ("cash", "abc", "amount"),
                                  ("cash", "1e3", "amount"), ("cash", "1E2", "amount"), ("cash", "Infinity", "amount"),
                                  ("cash", " 12.5e0", "amount"), ("cash", "1_000", "amount"), ("cash", "+5", "amount")):
        with pytest.raises(InvalidInput) as refused:
            services.record_payment(order=order, actor=actor, method=method, amount=amount)
        assert refused.value.field == field
        assert everything(order) == before
    visit = services.record_payment(order=order, actor=actor, method="transfer", amount="128.5", reference="B-77")
    assert Visit.objects.get(pk=visit.pk).payment_amount == Decimal("128.50")


def test_the_order_stays_in_the_lifecycle(w):
    """No field service changes status around workorders.workflow: every step is a transition event."""
    order = on_site(w, dispatched_job(w))
    ready_to_complete(w, order)
    services.complete(order=order, actor=tech(w))
    actions = list(WorkOrderEvent.objects.filter(work_order=order).exclude(action="").values_list("action", flat=True))
    assert actions == ["assign", "dispatch", "accept", "depart", "arrive", "complete"]
    assert WorkOrder.objects.get(pk=order.pk).completed_at is not None
    assert StockMove.objects.filter(work_order=order).count() == 0


def test_completion_queues_the_service_report_once(w, django_capture_on_commit_callbacks):
    from reports.models import ServiceReport

    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    with django_capture_on_commit_callbacks(execute=True) as refused:
        with pytest.raises(NotReadyToComplete):
            services.complete(order=order, actor=actor)
    assert refused == []  # a refused completion queues nothing
    ready_to_complete(w, order)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.complete(order=order, actor=actor)
    assert len([callback for callback in queued if not outbox.is_prompt_delivery(callback)]) == 1
    report = ServiceReport.objects.get(work_order=order)
    assert report.attachment.content_type == "application/pdf"


def test_on_hold_the_work_waits_and_resumes_where_it_was(w):
    order = on_site(w, dispatched_job(w))
    actor = tech(w)
    services.hold(order=order, actor=actor, hold_reason="waiting_parts", reason="缺少进水阀")
    order.refresh_from_db()
    assert (order.status, order.held_from) == (Status.ON_HOLD, Status.ON_SITE)
    before = everything(order)
    with pytest.raises(NotOnSite):
        services.answer_checklist(order=order, actor=actor, answers=[(w.items.tick.pk, "done")])
    assert everything(order) == before
    services.resume(order=order, actor=actor)
    order.refresh_from_db()
    assert order.status == Status.ON_SITE
    # The same visit goes on: its check-in still counts for the labour.
    visit = services.answer_checklist(order=order, actor=actor, answers=[(w.items.tick.pk, "done")])
    assert Visit.objects.filter(work_order=order).count() == 1 and visit.checked_in_at is not None
