"""Demo settlement with the network (结算): ``seed_settlement(brand, now=...)`` (called by the demo command after the
orders, complaints, callbacks, sales on site and the technician's day; safe to run twice).

- The brand's published tariff for this year (fee rows per service type, per category where it matters, a
  distance band, the own centres' rows at cost; travel, night, holiday and remote surcharges; the technicians'
  piece rate of 30 %; transfer prices of the demo's parts) and its rules (rework, complaint, SLA breach,
  missing signature, part not returned, satisfaction bonus).
- Last month's statements, made as finance makes them: the month's completed orders signed by their customers
  (a few not), two of them carrying the same photo; the fraud checks (settlement.fraud.run_checks), then the
  generation (settlement.services.generate); then each outlet's statement moved through settlement.workflow to
  one of the states in turn: the Hangzhou own centre's (the ``outlet_manager`` login's) sent, for the demo login
  to confirm or dispute; the statement with the reused photo held in draft; one disputed (a line, with its
  reason), one confirmed, one approved, one paid with its payment reference. The outlets whose statement the
  outlet confirms or disputes get a manager login (``manager_<city>``, password demo1234) when they have none.

Deterministic for a brand and an anchor time: one ``random.Random(SEED)``, orders taken in number order.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db.models import Q
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from accounts.principal import principal_of
from catalog.choices import ServiceType
from catalog.models import Part, ProductCategory
from core.dates import add_months, brand_tz
from customers.models import InstalledProduct
from demo import data, settlement_facts
from demo.common import allocate_numbers, historical_timestamps, mobile, person_name
from demo.orders import load_context, make_order
from demo.pricing import PARTS
from network.models import Region
from settlement import disputes, flags, fraud, services, workflow
from settlement.arithmetic import money
from settlement.choices import FlagState, RuleKind, StatementState
from settlement.models import (
    FraudFlag,
    LineDispute,
    SettlementLine,
    SettlementRule,
    Statement,
    Tariff,
    TariffFee,
    TariffPart,
)
from workorders.attachments import files_rolled_back, store_attachment
from workorders.choices import Status, WorkOrderType
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment, WorkOrderEvent

SEED = 18
S = StatementState
# service type, category code (None: any), outlet type ("": any), km from, km to (None: no end), fee
FEES = [
    (ServiceType.INSTALL, None, "", "0", None, "100.00"),
    (ServiceType.INSTALL, "purifier", "", "0", None, "120.00"),
    (ServiceType.INSTALL, "appliance", "", "0", None, "150.00"),
    (ServiceType.INSTALL, "hvac", "", "0", None, "800.00"),
    (ServiceType.REPAIR, None, "", "0", "30", "80.00"),
    (ServiceType.REPAIR, None, "", "30", None, "100.00"),
    (ServiceType.REPAIR, "hvac", "", "0", None, "220.00"),
    (ServiceType.MAINTENANCE, None, "", "0", None, "60.00"),
    (ServiceType.MAINTENANCE, "hvac", "", "0", None, "180.00"),
    (ServiceType.INSPECTION, None, "", "0", None, "50.00"),
    (ServiceType.INSPECTION, "hvac", "", "0", None, "120.00"),
    (ServiceType.SITE_SURVEY, None, "", "0", None, "150.00"),
    (ServiceType.MAIL_IN, None, "", "0", None, "90.00"),
    # The brand's own centres at cost (what a job costs it there), for the jobs not priced per category.
    (ServiceType.INSTALL, None, "own", "0", None, "80.00"),
    (ServiceType.REPAIR, None, "own", "0", None, "65.00"),
    (ServiceType.MAINTENANCE, None, "own", "0", None, "45.00"),
    (ServiceType.INSPECTION, None, "own", "0", None, "40.00"),
]
REMOTE_REGIONS = ("xian", "chongqing")
TRANSFER_SHARE = Decimal("0.60")  # a part's transfer price: this share of its list price (demo.pricing.PARTS)
# kind, amount, share (%), threshold, days, minimum ratings
RULES = [
    (RuleKind.REWORK, "50.00", None, None, 30, None),
    (RuleKind.COMPLAINT, "50.00", None, None, None, None),
    (RuleKind.SLA_BREACH, None, "10.00", None, None, None),
    (RuleKind.MISSING_SIGNATURE, "20.00", None, None, None, None),
    # The part's transfer price; this amount only for a part the tariff has no transfer price for.
    (RuleKind.PART_NOT_RETURNED, "100.00", None, None, 15, None),
    (RuleKind.SATISFACTION_BONUS, "5.00", None, "4.50", None, 5),
]
# The states the other outlets' statements are taken to, in turn (the main outlet's is sent, the one with the
# reused photo stays a draft); past these, the rest cycle through LATER.
STATES = [S.DISPUTED, S.CONFIRMED, S.APPROVED, S.PAID]
LATER = [S.SENT, S.CONFIRMED, S.PAID]
NEEDS_MANAGER = {S.DISPUTED, S.CONFIRMED, S.APPROVED, S.PAID}
UNSIGNED_EVERY = 7  # about one completed order in seven of the month has no customer's signature
# What an outlet says about a line it disputes, by the line's kind (else the fee's).
DISPUTE_REASONS = {
    RuleKind.MISSING_SIGNATURE.value: ("客户在纸质工单上签了字，照片已补传，请核实后撤销扣款。", "0.00"),
    RuleKind.SLA_BREACH.value: ("客户临时改约导致超时，有通话记录为证，不应扣款。", "0.00"),
}
FEE_DISPUTE = "现场为高层无电梯搬运，且路程比系统计算的远，服务费应按 {amount} 元结算。"
CLEARED = "已与客户电话核实，上门与签字属实。"


def seed_settlement(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(SEED)
    today = now.astimezone(brand_tz()).date()
    period = add_months(today.replace(day=1), -1)
    _tariff(brand, period, today)
    _rules(brand, period)
    finance = User.objects.filter(username="finance").first()
    if finance is not None and not Statement.objects.filter(brand=brand, period=period).exists():
        _top_up(brand, period, now, rng)
        _statements(brand, period, principal_of(finance), rng)
    statements = Statement.objects.filter(brand=brand)
    return {"settlement_tariffs": Tariff.objects.filter(brand=brand).count(),
            "settlement_rules": SettlementRule.objects.filter(brand=brand).count(),
            "statements": statements.count(),
            "settlement_lines": SettlementLine.objects.filter(statement__in=statements).count(),
            "fraud_flags": FraudFlag.objects.filter(brand=brand).count(),
            "line_disputes": LineDispute.objects.filter(statement__in=statements).count()}


# ------------------------------------------------------------------------------------------- tariff and rules


def _holidays(years: set[int]) -> list[str]:
    days = []
    for year in sorted(years):
        days += [dt.date(year, 1, 1).isoformat()]
        days += [dt.date(year, 5, d).isoformat() for d in range(1, 6)]
        days += [dt.date(year, 10, d).isoformat() for d in range(1, 8)]
    return days


def _tariff(brand: Organisation, period: dt.date, today: dt.date) -> Tariff:
    """This year's published tariff (from the first of last month's year: in January, last month is December)."""
    name = f"{today.year} 年服务结算标准"
    tariff = Tariff.objects.filter(brand=brand, name=name).first()
    if tariff is not None:
        return tariff
    tariff = Tariff.objects.create(
        brand=brand, name=name, valid_from=dt.date(period.year, 1, 1), valid_to=dt.date(today.year, 12, 31),
        is_published=True, free_km=Decimal("15.0"), per_km=Decimal("1.20"), travel_cap=Decimal("60.00"),
        night_from_hour=22, night_to_hour=6, night_surcharge=Decimal("30.00"), holiday_surcharge=Decimal("25.00"),
        high_floor_surcharge=Decimal("20.00"), remote_surcharge=Decimal("20.00"), failed_visit_fee=Decimal("30.00"),
        holidays=_holidays({period.year, today.year}), technician_share=Decimal("30.00"))
    tariff.remote_regions.set(Region.objects.filter(brand=brand, code__in=REMOTE_REGIONS).order_by("code"))
    categories = dict(ProductCategory.objects.filter(brand=brand).values_list("code", "pk"))
    TariffFee.objects.bulk_create([
        TariffFee(tariff=tariff, service_type=service, category_id=categories.get(category) if category else None,
                  outlet_type=outlet_type, km_from=Decimal(km_from), km_to=Decimal(km_to) if km_to else None,
                  fee=Decimal(fee))
        for service, category, outlet_type, km_from, km_to, fee in FEES
        if category is None or category in categories])
    prices = {code: Decimal(price) for code, _n, _e, _f, _c, price in PARTS}
    TariffPart.objects.bulk_create([
        TariffPart(tariff=tariff, part=part, transfer_price=money(prices[part.code] * TRANSFER_SHARE))
        for part in Part.objects.filter(brand=brand, code__in=list(prices)).order_by("code")])
    return tariff


def _rules(brand: Organisation, period: dt.date) -> None:
    if SettlementRule.objects.filter(brand=brand).exists():
        return
    SettlementRule.objects.bulk_create([
        SettlementRule(brand=brand, kind=kind, amount=Decimal(amount) if amount else None,
                       share=Decimal(share) if share else None, threshold=Decimal(threshold) if threshold else None,
                       days=days, min_ratings=ratings, valid_from=dt.date(period.year, 1, 1))
        for kind, amount, share, threshold, days, ratings in RULES])


# ------------------------------------------------------------------------------------------- last month's orders


MIN_ORDERS = 2  # an outlet's statement of the month has at least this many orders


def _top_up(brand: Organisation, period: dt.date, now: dt.datetime, rng: random.Random) -> int:
    """Closed orders in last month when the demo has too few (the main outlet and enough others, with
    ``MIN_ORDERS`` each, for every state): made as the base data set makes its orders (demo.orders)."""
    main = Organisation.objects.get(brand=brand, code=data.FEATURED_OUTLET)
    wanted_outlets = len(STATES) + 2  # and the main one's, and the draft with the reused photo

    def enough() -> tuple[bool, bool]:
        counts = Counter(fraud.month_orders(brand.pk, period).values_list("outlet_id", flat=True))
        busy = sum(1 for outlet, n in counts.items() if n >= MIN_ORDERS and outlet != main.pk)
        return counts.get(main.pk, 0) >= MIN_ORDERS, busy >= wanted_outlets - 1

    main_ok, others_ok = enough()
    if main_ok and others_ok:
        return 0
    tz = brand_tz()
    ctx = load_context(brand, tz)
    ctx.today = now.astimezone(tz).date()
    start, end = services.month_bounds(period)
    latest = min(end, now) - dt.timedelta(minutes=1)
    products = (InstalledProduct.objects.filter(brand=brand).select_related("customer", "site")
                .exclude(site__isnull=True).order_by("serial"))
    local = list(products.filter(site__region__outlets=main)[:40]) if not main_ok else []
    anywhere = list(products[:400]) if not others_ok else []
    plan = ([(p, main.pk) for p in local[:MIN_ORDERS * 2]]
            + [(p, None) for p in rng.sample(anywhere, min(60, len(anywhere)))])
    rows, timelines = [], []
    for product, outlet in plan:
        customer = product.customer
        span = max(60.0, (latest - start).total_seconds() - 3 * 86400)
        row, events, _first = make_order(
            rng, ctx, customer=(customer.pk, customer.segment, customer.user_id),
            site=(product.site_id, product.site.region_id), product=(product.pk, product.product_model_id),
            status=Status.CLOSED, created_at=start + dt.timedelta(seconds=rng.uniform(0, span)), latest=latest,
            prefer_outlet=outlet)
        if row["type"] == WorkOrderType.INSTALL or row["completed_at"] is None or row["outlet_id"] is None:
            continue  # an installation would be of a unit not installed yet: not made up here
        rows.append(row)
        timelines.append(events)
    if not rows:
        return 0
    numbers = allocate_numbers(brand.pk, [r["created_at"] for r in rows], tz)
    order = sorted(range(len(rows)), key=lambda i: numbers[i])
    with historical_timestamps():
        saved = WorkOrder.objects.bulk_create([WorkOrder(number=numbers[i], **rows[i]) for i in order])
    WorkOrderEvent.objects.bulk_create([WorkOrderEvent(work_order_id=wo.pk, **e)
                                        for wo, i in zip(saved, order, strict=True) for e in timelines[i]])
    return len(saved)


def _picture(rng: random.Random) -> bytes:
    """A photo of a job (blocks of grey and colour: plenty of detail for a perceptual hash)."""
    image = Image.new("RGB", (960, 720), (200, 205, 210))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(0, 900), rng.randrange(0, 660)
        w, h = rng.randrange(60, 260), rng.randrange(60, 260)
        shade = rng.randrange(20, 235)
        draw.rectangle([x, y, x + w, y + h], fill=(shade, (shade * 3) % 256, 255 - shade))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _signature() -> bytes:
    image = Image.new("RGBA", (640, 200), (255, 255, 255, 255))
    ImageDraw.Draw(image).line([(40, 150), (110, 55), (165, 145), (230, 60), (310, 150), (430, 70), (600, 115)],
                               fill=(12, 27, 58, 255), width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _attach(order: WorkOrder, content: bytes, *, kind: str, name: str, content_type: str, size: tuple[int, int],
            stored: list) -> WorkOrderAttachment:
    user = order.technician.user if order.technician_id else None
    attachment = store_attachment(order=order, content=ContentFile(content, name=name), kind=kind,
                                  content_type=content_type, uploaded_by=user, width=size[0], height=size[1],
                                  stored=stored)
    WorkOrderAttachment.objects.filter(pk=attachment.pk).update(created_at=order.completed_at)
    return attachment


def _evidence(orders: list[WorkOrder], reused: tuple[WorkOrder, WorkOrder], rng: random.Random) -> None:
    """The customers' signatures on the month's completed orders (but about one in ``UNSIGNED_EVERY``), and one
    photo taken on one order and sent again on another."""
    signature = _signature()
    photo = _picture(rng)
    with files_rolled_back() as stored:
        for index, order in enumerate(orders):
            if order.type != ServiceType.MAIL_IN and index % UNSIGNED_EVERY != UNSIGNED_EVERY - 1:
                _attach(order, signature, kind=AttachmentKind.SIGNATURE, name="signature.png",
                        content_type="image/png", size=(640, 200), stored=stored)
        for order in reused:
            _attach(order, photo, kind=AttachmentKind.PHOTO, name="after.jpg", content_type="image/jpeg",
                    size=(960, 720), stored=stored)


# ------------------------------------------------------------------------------------------- the statements


def _manager(outlet: Organisation, rng: random.Random, password: str, phones: set[str]):
    seat = (Membership.objects.filter(organisation=outlet, role=Role.OUTLET_MANAGER, is_active=True)
            .select_related("user").order_by("pk").first())
    if seat is not None:
        return principal_of(seat.user)
    name = person_name(rng)
    user = User.objects.create(username=f"manager_{outlet.code.split('-')[0]}", first_name=name[1:],
                               last_name=name[0], password=password, phone=mobile(rng, phones),
                               email=f"manager_{outlet.code.split('-')[0]}@aqualife.example")
    Membership.objects.create(user=user, organisation=outlet, role=Role.OUTLET_MANAGER)
    return principal_of(user)


def _statements(brand: Organisation, period: dt.date, finance, rng: random.Random) -> None:
    main = Organisation.objects.get(brand=brand, code=data.FEATURED_OUTLET)
    orders = list(fraud.month_orders(brand.pk, period).select_related("technician__user").order_by("number"))
    per_outlet = Counter(order.outlet_id for order in orders)
    codes = dict(Organisation.objects.filter(pk__in=list(per_outlet)).values_list("pk", "code"))
    # The reused photo: on two orders of the busiest other outlet, whose statement then waits in draft.
    held = min((o for o in per_outlet if o != main.pk and per_outlet[o] >= 2),
               key=lambda o: (-per_outlet[o], codes[o]), default=None)
    pair = [order for order in orders if order.outlet_id == held][:2]
    _evidence(orders, (pair[0], pair[1]) if len(pair) == 2 else (), rng)
    settlement_facts.add_month_facts(orders, rng, spare={held})
    fraud.run_checks(brand.pk, period)
    services.generate(brand=brand, period=period)

    outlets = Statement.objects.filter(brand=brand, period=period, technician__isnull=True).select_related("outlet")
    others = sorted((s for s in outlets if s.outlet_id not in (main.pk, held)), key=lambda s: s.outlet.code)
    plan = [(s, STATES[i] if i < len(STATES) else LATER[(i - len(STATES)) % len(LATER)])
            for i, s in enumerate(others)]
    plan += [(s, S.SENT) for s in outlets if s.outlet_id == main.pk]
    # The other users' phones and the demo's password, for the managers made here.
    password = (User.objects.filter(username="outlet_manager").values_list("password", flat=True).first()
                or make_password(data.PASSWORD))
    phones = set(User.objects.exclude(phone="").values_list("phone", flat=True))
    paid = 0
    for statement, state in plan:
        manager = _manager(statement.outlet, rng, password, phones) if state in NEEDS_MANAGER else None
        statement = workflow.act(statement, "send", actor=finance)
        if state == S.DISPUTED:
            _dispute(statement, manager)
        elif state in (S.CONFIRMED, S.APPROVED, S.PAID):
            statement = workflow.act(statement, "confirm", actor=manager, reason="已核对，无异议。")
            if state in (S.APPROVED, S.PAID):
                _clear_flags(statement, finance)
                statement = workflow.act(statement, "approve", actor=finance)
            if state == S.PAID:
                paid += 1
                workflow.act(statement, "pay", actor=finance,
                             payment_reference=f"CMB{period:%Y%m}{paid:04d}")


def _dispute(statement: Statement, manager) -> None:
    """The outlet disputes one line: a deduction when it has one, else its dearest fee."""
    lines = list(statement.lines.order_by("amount", "pk"))
    line = next((x for x in lines if x.amount < 0 and x.kind in DISPUTE_REASONS), None)
    if line is not None:
        reason, claimed = DISPUTE_REASONS[line.kind]
    else:
        line = max((x for x in lines if x.kind == "fee"), key=lambda x: (x.amount, -x.pk), default=None)
        if line is None:
            return
        claimed = str(line.amount + Decimal("30.00"))
        reason = FEE_DISPUTE.format(amount=claimed)
    disputes.raise_dispute(line, actor=manager, reason=reason, claimed_amount=claimed)


def _clear_flags(statement: Statement, finance) -> None:
    """Finance looked into the statement's flags and cleared them (an approval needs every flag decided)."""
    waiting = FraudFlag.objects.filter(brand_id=statement.brand_id, state=FlagState.OPEN).filter(
        Q(work_order_id__in=statement.lines.values("work_order_id"))).order_by("pk")
    for flag in waiting:
        flags.decide(flag, actor=finance, upheld=False, note=CLEARED)
