"""settlement.fraud: the checks that flag an order, holding its lines, and the reviewer's decision."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from PIL import Image, ImageDraw

from accounts.principal import principal_of
from catalog.choices import ServiceType
from catalog.models import ServiceStandard
from conftest import build_world, race
from core.dates import brand_tz
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from field.models import Visit
from settlement import fingerprints, flags, fraud, services, workflow
from settlement.choices import FlagCheck, FlagState, LineKind, StatementState
from settlement.models import FraudFlag, PhotoFingerprint, SettlementLine, Statement
from settlement.tests.setup import PERIOD, completed, prepare_settlement
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

pytestmark = pytest.mark.django_db
D = Decimal
TZ = brand_tz()
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def w(world):
    return prepare_settlement(world)


# ------------------------------------------------------------------------------------------------ helpers


def picture(seed: int, size=(640, 480)) -> Image.Image:
    """A photo-like picture of its own: a gradient under random shapes (the same seed, the same picture)."""
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        draw.line([(0, y), (size[0], y)], fill=(rng.randrange(60, 90), 90 + y * 100 // size[1], 120))
    for _ in range(25):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        dx, dy = rng.randrange(30, 200), rng.randrange(30, 200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + dx, y + dy], fill=colour)
    return image


def encoded(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def attach(order, content: bytes, kind=AttachmentKind.PHOTO, name="p.jpg") -> WorkOrderAttachment:
    return WorkOrderAttachment.objects.create(work_order=order, kind=kind, content_type="image/jpeg", size=len(content),
                                              file=ContentFile(content, name=name))


def sign(*orders) -> None:
    for order in orders:
        attach(order, encoded(Image.new("RGB", (40, 20), "white"), "PNG"), kind=AttachmentKind.SIGNATURE,
               name="s.png")


def flagged(kind: str) -> set[int]:
    return set(FraudFlag.objects.filter(kind=kind).values_list("work_order_id", flat=True))


def visit(order, **fields) -> Visit:
    return Visit.objects.create(work_order=order, technician=order.technician, completed_at=order.completed_at,
                                checked_in_at=order.arrived_at, **fields)


def finance(w):
    return principal_of(w.finance)


def agree(statement: Statement) -> None:
    """A statement's total and line count are its lines'."""
    statement.refresh_from_db()
    total = statement.lines.aggregate(total=Sum("amount"))["total"] or D("0.00")
    assert (statement.total, statement.line_count) == (total, statement.lines.count())


def drafts_of(statements) -> dict[int, int]:
    return {s.outlet_id: s.pk for s in statements}


# ------------------------------------------------------------------------------------------------ the hash


def test_the_hash_survives_a_reencoded_or_resized_copy_and_tells_photos_apart():
    original = picture(1)
    base = fingerprints.fingerprint(io.BytesIO(encoded(original, quality=95)))
    assert len(base) == 16 and int(base, 16) >= 0
    copies = [encoded(original, quality=35),  # re-compressed hard
              encoded(original.resize((320, 240)), quality=80),  # halved
              encoded(original.resize((1024, 768)), "PNG"),  # enlarged, another format
              encoded(original.convert("L"), quality=70)]  # grey
    for copy in copies:
        assert fingerprints.hamming(base, fingerprints.fingerprint(io.BytesIO(copy))) <= fraud.REUSED_PHOTO_BITS
    others = [fingerprints.fingerprint(io.BytesIO(encoded(picture(seed), quality=95))) for seed in range(2, 12)]
    for other in others:
        assert fingerprints.hamming(base, other) > 3 * fraud.REUSED_PHOTO_BITS
    assert not any(fingerprints.featureless(h) for h in [base, *others])
    assert fingerprints.featureless(fingerprints.fingerprint(io.BytesIO(encoded(Image.new("RGB", (64, 64), "black")))))


def test_hamming_counts_the_bits_that_differ():
    assert fingerprints.hamming("0000000000000000", "0000000000000000") == 0
    assert fingerprints.hamming("0000000000000000", "000000000000000f") == 4
    assert fingerprints.hamming("ffffffffffffffff", "0000000000000000") == 64


def test_photos_are_fingerprinted_once_and_an_unreadable_file_is_skipped(w):
    order = completed(w)
    first, second = attach(order, encoded(picture(1))), attach(order, encoded(picture(2)))
    attach(order, b"not an image at all")
    sign(order)  # not a photo: never fingerprinted

    assert fingerprints.fingerprint_photos(w.brand.pk, [order.pk]) == 2
    assert fingerprints.fingerprint_photos(w.brand.pk, [order.pk]) == 0
    assert set(PhotoFingerprint.objects.values_list("attachment_id", "work_order_id", "brand_id")) == {
        (first.pk, order.pk, w.brand.pk), (second.pk, order.pk, w.brand.pk)}
    assert fingerprints.fingerprint_photos(w.other_brand.pk, [order.pk]) == 0  # not that brand's order


# ------------------------------------------------------------------------------------------------ the checks


def test_a_photo_reused_on_another_order_flags_both_orders_with_both_photos(w):
    october = completed(w, at=dt.datetime(2026, 10, 20, 10, 0, tzinfo=TZ))
    again = completed(w)
    honest = completed(w)
    original = attach(october, encoded(picture(7), quality=92))
    reused = attach(again, encoded(picture(7).resize((480, 360)), quality=50))
    attach(honest, encoded(picture(8)))

    raised = fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.REUSED_PHOTO) == {october.pk, again.pk}
    assert {f.kind for f in raised} >= {FlagCheck.REUSED_PHOTO}
    flag = FraudFlag.objects.get(work_order=again, kind=FlagCheck.REUSED_PHOTO)
    evidence = flag.evidence
    assert (evidence["photo"]["attachment"], evidence["other"]["attachment"]) == (reused.pk, original.pk)
    assert (evidence["photo"]["order"], evidence["other"]["order"]) == (again.pk, october.pk)
    assert (evidence["photo"]["number"], evidence["other"]["number"]) == (again.number, october.number)
    assert evidence["distance"] == fingerprints.hamming(evidence["photo"]["phash"], evidence["other"]["phash"]) <= 4
    assert flag.outlet_id == w.outlet_a.pk and flag.state == FlagState.OPEN
    shown = fraud.evidence_for(flag)
    assert shown["photo_url"].endswith(f"/{reused.pk}") or str(reused.pk) in shown["photo_url"]
    assert str(original.pk) in shown["other_url"]
    other_side = FraudFlag.objects.get(work_order=october, kind=FlagCheck.REUSED_PHOTO).evidence
    assert (other_side["photo"]["attachment"], other_side["other"]["attachment"]) == (original.pk, reused.pk)


def test_two_photos_of_one_order_alike_are_no_reuse(w):
    order = completed(w)
    attach(order, encoded(picture(3)))
    attach(order, encoded(picture(3), quality=40))

    fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.REUSED_PHOTO) == set()


def test_a_checkin_far_from_the_site_is_flagged_with_both_points(w):
    near, far, unmeasured, no_fix = (completed(w) for _ in range(4))
    visit(near, checkin_latitude=D("30.000000"), checkin_longitude=D("120.000000"), checkin_distance_m=300)
    visit(far, checkin_latitude=D("30.020000"), checkin_longitude=D("120.000000"), checkin_distance_m=2224,
          checkin_accuracy_m=25)
    # No distance measured at check-in (the site had no point then): worked out from the site's point now.
    site = unmeasured.site
    site.latitude, site.longitude = D("30.000000"), D("120.000000")
    site.save(update_fields=["latitude", "longitude"])
    visit(unmeasured, checkin_latitude=D("30.010000"), checkin_longitude=D("120.000000"))
    visit(no_fix)

    fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.FAR_CHECKIN) == {far.pk, unmeasured.pk}
    evidence = FraudFlag.objects.get(work_order=far, kind=FlagCheck.FAR_CHECKIN).evidence
    assert evidence["checkin"] == {"latitude": "30.020000", "longitude": "120.000000"}
    assert (evidence["distance_m"], evidence["accuracy_m"], evidence["threshold_m"]) == (2224, 25, 1000)
    computed = FraudFlag.objects.get(work_order=unmeasured, kind=FlagCheck.FAR_CHECKIN).evidence
    assert computed["site"] == {"latitude": "30.000000", "longitude": "120.000000"}
    assert computed["distance_m"] == 1112


def test_a_serial_read_off_the_nameplate_that_is_not_the_units_is_flagged(w):
    wrong, right, spaced, unread = (completed(w) for _ in range(4))
    visit(wrong, serial_seen="SN-X-9999")
    visit(right, serial_seen="SN-A-0001")
    visit(spaced, serial_seen=" sn-a-0001 ")  # as printed: the same serial
    visit(unread)

    fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.SERIAL_MISMATCH) == {wrong.pk}
    evidence = FraudFlag.objects.get(work_order=wrong, kind=FlagCheck.SERIAL_MISMATCH).evidence
    assert (evidence["seen"], evidence["unit_serial"], evidence["product"]) == ("SN-X-9999", "SN-A-0001",
                                                                                 w.product.pk)


def test_a_second_order_for_the_same_unit_within_days_is_flagged_but_not_its_linked_rework(w):
    first = completed(w)
    repeat = completed(w)
    rework = completed(w)
    later = completed(w)
    elsewhere = completed(w, customer=w.other_customer, product=w.other_product)
    day = dt.datetime(2026, 11, 1, 9, 0, tzinfo=TZ)
    WorkOrder.objects.filter(pk=first.pk).update(created_at=day)
    WorkOrder.objects.filter(pk=repeat.pk).update(created_at=day + dt.timedelta(days=3))
    WorkOrder.objects.filter(pk=rework.pk).update(created_at=day + dt.timedelta(days=4), is_rework=True,
                                                  rework_of=repeat)
    WorkOrder.objects.filter(pk=later.pk).update(created_at=day + dt.timedelta(days=20))
    WorkOrder.objects.filter(pk=elsewhere.pk).update(created_at=day + dt.timedelta(days=1))

    fraud.run_checks(w.brand.pk, PERIOD)

    # The rework is 1 day after ``first`` too, and not linked to it: that is a repeat of ``first``.
    assert flagged(FlagCheck.REPEAT_ORDER) == {repeat.pk, rework.pk}
    evidence = FraudFlag.objects.get(work_order=repeat, kind=FlagCheck.REPEAT_ORDER).evidence
    assert (evidence["other_order"], evidence["other_number"], evidence["days"]) == (first.pk, first.number, 3)
    assert FraudFlag.objects.get(work_order=rework, kind=FlagCheck.REPEAT_ORDER).evidence["other_order"] == first.pk


def test_labour_far_below_the_standard_is_flagged(w):
    quick = completed(w, standard_minutes=300)  # 60 minutes on site (setup): 20 %
    fair = completed(w, standard_minutes=120)  # 50 %
    unknown = completed(w)  # no standard anywhere: not checked
    WorkOrder.objects.filter(pk__in=[quick.pk, fair.pk]).update(standard_minutes=None)
    WorkOrder.objects.filter(pk=quick.pk).update(standard_minutes=300)
    WorkOrder.objects.filter(pk=fair.pk).update(standard_minutes=120)

    fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.SHORT_LABOUR) == {quick.pk}
    evidence = FraudFlag.objects.get(work_order=quick, kind=FlagCheck.SHORT_LABOUR).evidence
    assert evidence == {"minutes": 60, "standard_minutes": 300, "ratio": "0.20", "threshold": "0.30",
                        "timing": "order", "arrived_at": evidence["arrived_at"],
                        "completed_at": evidence["completed_at"]}
    assert unknown.pk not in flagged(FlagCheck.SHORT_LABOUR)


def test_the_visits_own_labour_and_the_models_standard_count_first(w):
    ServiceStandard.objects.create(product_model=w.model, service_type=ServiceType.REPAIR, standard_minutes=90)
    rushed = completed(w)  # the order says 60 minutes; the phone says 12
    steady = completed(w)  # 60 of 90 minutes
    visit(rushed, labour_minutes=12)

    fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.SHORT_LABOUR) == {rushed.pk}
    evidence = FraudFlag.objects.get(work_order=rushed, kind=FlagCheck.SHORT_LABOUR).evidence
    assert (evidence["minutes"], evidence["standard_minutes"], evidence["timing"]) == (12, 90, "visit")
    assert steady.pk not in flagged(FlagCheck.SHORT_LABOUR)


def test_a_completion_without_signature_is_flagged_but_not_a_mail_in(w):
    signed, unsigned, mailed = completed(w), completed(w), completed(w)
    sign(signed)
    WorkOrder.objects.filter(pk=mailed.pk).update(type=ServiceType.MAIL_IN)
    completed(w, at=dt.datetime(2026, 12, 2, 10, 0, tzinfo=TZ))  # another month

    fraud.run_checks(w.brand.pk, PERIOD)

    assert flagged(FlagCheck.NO_SIGNATURE) == {unsigned.pk}


def test_running_twice_raises_nothing_new_and_never_reopens_a_decided_flag(w):
    one, two = completed(w), completed(w, customer=w.other_customer, product=w.other_product)
    first = fraud.run_checks(w.brand.pk, PERIOD)
    assert {(f.work_order_id, f.kind) for f in first} == {(one.pk, FlagCheck.NO_SIGNATURE),
                                                         (two.pk, FlagCheck.NO_SIGNATURE)}
    flags.decide(first[0], actor=finance(w), upheld=False, note="signed on paper")

    assert fraud.run_checks(w.brand.pk, PERIOD) == []

    assert FraudFlag.objects.count() == 2
    assert FraudFlag.objects.get(pk=first[0].pk).state == FlagState.CLEARED


def test_the_checks_read_set_wise(w):
    def queries() -> int:
        FraudFlag.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            fraud.run_checks(w.brand.pk, PERIOD)
        return len(captured)

    for _ in range(2):
        order = completed(w)
        attach(order, encoded(picture(order.pk)))
    few = queries()
    for _ in range(5):
        order = completed(w)
        attach(order, encoded(picture(order.pk)))
        visit(order, checkin_latitude=D("30.0"), checkin_longitude=D("120.0"), checkin_distance_m=5000)
    PhotoFingerprint.objects.all().delete()

    assert queries() <= few + 1  # the insert of the new flags may take one more batch, never one per order


def test_a_period_must_be_the_first_of_a_month(w):
    with pytest.raises(InvalidInput):
        fraud.run_checks(w.brand.pk, dt.date(2026, 11, 2))


# ------------------------------------------------------------------------------------------------ holding


def flag(order, kind=FlagCheck.FAR_CHECKIN) -> FraudFlag:
    return FraudFlag.objects.create(brand=order.brand, outlet_id=order.outlet_id, work_order=order, kind=kind,
                                    raised_at=dt.datetime(2026, 12, 1, tzinfo=TZ))


def held(statement: Statement) -> set[int]:
    return set(statement.lines.filter(held=True).values_list("work_order_id", flat=True))


def generated(w, period=PERIOD) -> dict[int, int]:
    """Generate the month (which holds the flagged lines itself), then hold again: nothing more changes."""
    statements = drafts_of(services.generate(brand=w.brand, period=period))
    flags.hold_lines(w.brand.pk, period, statements)
    return statements


def test_hold_lines_holds_exactly_the_lines_of_orders_with_an_open_flag(w):
    flagged, clean, cleared = completed(w), completed(w), completed(w)
    other_outlet = completed(w, outlet=w.outlet_b)
    flag(flagged)
    flag(other_outlet, FlagCheck.NO_SIGNATURE)
    done = flag(cleared)
    FraudFlag.objects.filter(pk=done.pk).update(state=FlagState.CLEARED)

    statements = generated(w)

    a, b = Statement.objects.get(pk=statements[w.outlet_a.pk]), Statement.objects.get(pk=statements[w.outlet_b.pk])
    assert held(a) == {flagged.pk} and held(b) == {other_outlet.pk}
    assert a.lines.filter(work_order=flagged).count() == a.lines.filter(work_order=flagged, held=True).count()
    assert clean.pk not in held(a)
    agree(a)
    agree(b)


def test_the_technicians_piece_rate_on_a_flagged_order_is_held_too(w):
    w.tariff.technician_share = D("10.00")
    w.tariff.save(update_fields=["technician_share"])
    flagged, clean = completed(w), completed(w)
    flag(flagged)

    generated(w)

    technicians = Statement.objects.get(brand=w.brand, period=PERIOD, technician=w.tech_a)
    assert technicians.lines.filter(kind=LineKind.PIECE_RATE).count() == 2
    assert held(technicians) == {flagged.pk} and clean.pk not in held(technicians)


def test_an_upheld_order_is_reversed_for_the_outlet_and_its_piece_rate_stays_held(w):
    w.tariff.technician_share = D("10.00")
    w.tariff.save(update_fields=["technician_share"])
    flagged = completed(w)
    raised = flag(flagged)
    generated(w)

    flags.decide(raised, actor=finance(w), upheld=True, note="no such visit")
    statements = generated(w)  # rebuilt after the decision: both drafts emptied and made again

    outlet = Statement.objects.get(pk=statements[w.outlet_a.pk])
    technicians = Statement.objects.get(brand=w.brand, period=PERIOD, technician=w.tech_a)
    assert sorted(outlet.lines.values_list("kind", "amount", "held")) == [
        ("fee", D("100.00"), False), ("reversal", D("-100.00"), False)]
    assert list(technicians.lines.values_list("kind", "amount", "held")) == [("piece_rate", D("10.00"), True)]
    agree(outlet)
    agree(technicians)


def test_hold_lines_leaves_a_statement_past_draft_alone(w):
    order = completed(w)
    statements = drafts_of(services.generate(brand=w.brand, period=PERIOD))
    statement = workflow.transition(Statement.objects.get(pk=statements[w.outlet_a.pk]), StatementState.SENT,
                                    actor=finance(w))
    flag(order)

    flags.hold_lines(w.brand.pk, PERIOD, statements)

    assert held(statement) == set()


# ------------------------------------------------------------------------------------------------ deciding


def test_clearing_releases_the_orders_lines(w):
    order = completed(w)
    raised = flag(order)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])
    before = (statement.total, statement.line_count)
    assert held(statement) == {order.pk}

    decided = flags.decide(raised, actor=finance(w), upheld=False, note="")

    assert (decided.state, decided.version, decided.decided_by_id) == (FlagState.CLEARED, 2, w.finance.pk)
    assert decided.decided_at is not None
    assert held(statement) == set()
    statement.refresh_from_db()
    assert (statement.total, statement.line_count) == before


def test_clearing_one_flag_keeps_the_lines_held_while_another_is_open(w):
    order = completed(w)
    one, two = flag(order), flag(order, FlagCheck.NO_SIGNATURE)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])

    flags.decide(one, actor=finance(w), upheld=False)
    assert held(statement) == {order.pk}
    flags.decide(two, actor=principal_of(w.admin), upheld=False)
    assert held(statement) == set()


def test_upholding_reverses_each_line_in_the_same_draft_and_the_total_follows(w):
    order = completed(w, at=dt.datetime(2026, 11, 10, 23, 30, tzinfo=TZ))  # a fee and a night surcharge
    keep = completed(w)
    raised = flag(order)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])
    version = statement.version
    originals = {line.pk: line.amount for line in statement.lines.filter(work_order=order)}
    assert sorted(originals.values()) == [D("30.00"), D("100.00")]

    decided = flags.decide(raised, actor=finance(w), upheld=True, note="  same photo as last month ")

    assert decided.state == FlagState.UPHELD and decided.note == "same photo as last month"
    reversals = list(statement.lines.filter(kind=LineKind.REVERSAL))
    assert {(r.adjustment_of_id, r.amount) for r in reversals} == {(pk, -a) for pk, a in originals.items()}
    assert all(r.basis["flag"] == raised.pk and r.basis["note"] == "same photo as last month" for r in reversals)
    assert all(r.work_order_id == order.pk and not r.held for r in reversals)
    assert held(statement) == set()
    agree(statement)
    statement.refresh_from_db()
    assert statement.total == D("100.00") and statement.version == version + 1  # ``keep``'s fee only
    assert keep.pk not in {r.work_order_id for r in reversals}


def test_a_regenerated_draft_keeps_the_upheld_reversal(w):
    order = completed(w)
    raised = flag(order)
    generated(w)
    flags.decide(raised, actor=finance(w), upheld=True, note="not there")

    statements = generated(w)  # the draft is emptied and rebuilt

    statement = Statement.objects.get(pk=statements[w.outlet_a.pk])
    assert list(statement.lines.order_by("kind").values_list("kind", "amount", "held")) == [
        ("fee", D("100.00"), False), ("reversal", D("-100.00"), False)]
    agree(statement)
    assert statement.total == D("0.00")
    generated(w)
    assert statement.lines.count() == 2


def test_an_approved_statement_never_changes_the_reversal_goes_to_the_next_month(w):
    order = completed(w)
    raised = flag(order)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])
    for to in (StatementState.SENT, StatementState.CONFIRMED, StatementState.APPROVED):
        statement = workflow.transition(statement, to, actor=finance(w))
    before = (statement.version, statement.total, statement.line_count,
              list(statement.lines.values_list("pk", "amount", "held", "kind")))

    flags.decide(raised, actor=finance(w), upheld=True, note="checked in from home")

    statement.refresh_from_db()
    assert (statement.version, statement.total, statement.line_count,
            list(statement.lines.values_list("pk", "amount", "held", "kind"))) == before
    december = Statement.objects.get(brand=w.brand, outlet=w.outlet_a, technician=None, period=DECEMBER)
    assert december.state == StatementState.DRAFT
    [reversal] = december.lines.all()
    assert (reversal.kind, reversal.amount, reversal.work_order_id) == (LineKind.REVERSAL, D("-100.00"), order.pk)
    assert reversal.adjustment_of.statement_id == statement.pk and reversal.basis["period"] == "2026-11-01"
    agree(december)

    generated(w, DECEMBER)  # December is rebuilt: its reversal is made again

    assert list(december.lines.values_list("kind", "amount")) == [(LineKind.REVERSAL, D("-100.00"))]
    agree(december)


def test_the_reversal_skips_a_next_month_already_sent(w):
    order = completed(w)
    raised = flag(order)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])
    for to in (StatementState.SENT, StatementState.CONFIRMED, StatementState.APPROVED):
        workflow.transition(statement, to, actor=finance(w))
        statement.refresh_from_db()
    december = Statement.objects.create(brand=w.brand, outlet=w.outlet_a, period=DECEMBER, state=StatementState.SENT)

    flags.decide(raised, actor=finance(w), upheld=True, note="x")

    assert december.lines.count() == 0
    january = Statement.objects.get(outlet=w.outlet_a, technician=None, period=dt.date(2027, 1, 1))
    assert january.total == D("-100.00")
    agree(january)


def test_upholding_needs_a_note(w):
    raised = flag(completed(w))
    with pytest.raises(InvalidInput) as refused:
        flags.decide(raised, actor=finance(w), upheld=True, note="   ")
    assert refused.value.field == "note"
    assert FraudFlag.objects.get(pk=raised.pk).state == FlagState.OPEN


@pytest.mark.parametrize("persona", ["dispatcher", "analyst", "manager_a", "hotline", "tech_a", "customer"])
def test_only_the_brands_finance_or_admin_may_decide(w, persona):
    raised = flag(completed(w))
    user = getattr(w, persona)
    user = getattr(user, "user", user)

    with pytest.raises(PermissionDenied):
        flags.decide(raised, actor=principal_of(user), upheld=False)
    with pytest.raises(PermissionDenied):
        flags.decide(raised, actor=None, upheld=False)

    assert FraudFlag.objects.get(pk=raised.pk).state == FlagState.OPEN


def test_another_brands_finance_may_not_decide(w):
    raised = flag(completed(w))
    rival = principal_of(w.rival_dispatcher)
    rival_finance = type(rival)(user=rival.user, role="finance", brand_id=w.other_brand.pk,
                                organisation_id=w.other_brand.pk)
    with pytest.raises(PermissionDenied):
        flags.decide(raised, actor=rival_finance, upheld=False)


def test_a_stale_or_decided_flag_is_refused(w):
    order = completed(w)
    raised = flag(order)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])
    FraudFlag.objects.filter(pk=raised.pk).update(version=2)  # someone else touched it since

    with pytest.raises(StaleVersion):
        flags.decide(raised, actor=finance(w), upheld=True, note="x")
    assert statement.lines.filter(kind=LineKind.REVERSAL).count() == 0 and held(statement) == {order.pk}

    fresh = FraudFlag.objects.get(pk=raised.pk)
    flags.decide(fresh, actor=finance(w), upheld=False)
    with pytest.raises(IllegalTransition):
        flags.decide(fresh, actor=finance(w), upheld=True, note="x")  # the copy read before: open, version 2
    fresh.refresh_from_db()
    with pytest.raises(IllegalTransition):
        flags.decide(fresh, actor=finance(w), upheld=True, note="x")
    assert SettlementLine.objects.filter(kind=LineKind.REVERSAL).count() == 0


def test_two_flags_of_one_order_upheld_reverse_its_lines_once(w):
    order = completed(w)
    one, two = flag(order), flag(order, FlagCheck.SHORT_LABOUR)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])

    flags.decide(one, actor=finance(w), upheld=True, note="a")
    flags.decide(two, actor=finance(w), upheld=True, note="b")

    assert statement.lines.filter(kind=LineKind.REVERSAL).count() == 1
    agree(statement)
    assert Statement.objects.get(pk=statement.pk).total == D("0.00")


# ------------------------------------------------------------------------------------------------ two at once


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_decision_stands_and_lines_are_reversed_once():
    w = prepare_settlement(build_world())
    order = completed(w)
    raised = flag(order)
    statement = Statement.objects.get(pk=generated(w)[w.outlet_a.pk])
    reviewer = finance(w)

    def decide(i):
        return flags.decide(FraudFlag.objects.get(pk=raised.pk), actor=reviewer, upheld=i % 2 == 0, note=f"r{i}")

    results = race(decide, 4)

    decided = [r for r in results if isinstance(r, FraudFlag)]
    assert len(decided) == 1, results
    assert all(isinstance(r, (StaleVersion, IllegalTransition)) for r in results if r not in decided), results
    final = FraudFlag.objects.get(pk=raised.pk)
    assert (final.state, final.version) == (decided[0].state, 2)
    reversals = statement.lines.filter(kind=LineKind.REVERSAL).count()
    assert reversals == (1 if final.state == FlagState.UPHELD else 0)
    agree(statement)
