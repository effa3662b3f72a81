"""One mail-in unit's story in the demo, told through the real services (demo/mail_in.py tells them all).

``STORIES`` says what happened to each unit and when, in minutes before the demo's ``now``; ``Unit`` makes it
happen through intake, the SF Express backend, SF's route events and the bench, then dates each step at its time
in the story (the services stamp the real time), as the other phases date their history. ``bench_part`` and
``finding_for`` are the bench's choices, which `make run`'s bench robot makes too (demo/mail_in_live.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from accounts.principal import Principal, principal_of
from catalog.choices import ServiceType
from catalog.models import Part, Symptom
from core.couriers import RouteEvent
from core.couriers import sf_express as sf
from core.couriers.standin import HOURS, HOURS_AFAR, SF_CODES, SfExpressStandIn
from core.dates import brand_tz
from core.models import OutboxEvent
from customers.models import InstalledProduct
from demo.common import allocate_numbers
from dispatch.selectors import slot_windows
from logistics import bench, booking, routes, workflow
from logistics.choices import Direction, Hop
from logistics.models import MailIn, MailInPolicy, MailInStep, Shipment
from parts import services as parts
from parts.models import StockMove
from workorders import intake
from workorders import workflow as order_workflow
from workorders.choices import Channel
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.services import customer_priority

HAND_WAYBILL = "SF1299000000001"  # typed by the desk: a pickup booked by phone
STORE_FAMILIES = ("pump", "valve", "pcb", "heating", "ignition", "motor")  # what the bench fits
FINDINGS = {"pump": "增压泵损坏，出水压力不足", "valve": "进水电磁阀卡滞，不进水", "pcb": "电脑板故障，面板无显示",
            "heating": "加热管烧断，不加热", "ignition": "点火针积碳，打不着火", "motor": "电机轴承磨损，运行异响"}
CLEANED = "水路与传感器积垢，清洗后故障排除"
SYMPTOMS = {"purifier": ("no-water", "leak", "noisy", "error-code"),
            "appliance": ("no-heat", "display-dead", "noisy", "trips-breaker")}
H = 60  # the stories count in minutes before the demo's now


@dataclass(frozen=True)
class Story:
    """One unit, in minutes before ``now``: reported, its pickup booked, collected (SF's journey follows by
    itself up to now), its bench steps, shipped back (the return journey follows likewise), or cancelled."""

    name: str
    reported: int
    booked: int | None = None  # booked through SF's API
    outage: tuple[int, ...] = ()  # tries while SF is down
    by_hand: int | None = None  # the desk typed the waybill of a pickup booked by phone
    window: int = 0  # before collection: which of the grid's windows from now
    collected: int | None = None
    bench: tuple[tuple[int, str], ...] = ()
    shipped: int | None = None
    cancelled: int | None = None
    quote: bool = False
    afar: bool = False
    mine: bool = False  # the demo customer's


STORIES = [
    Story("pickup booked, its waybill typed after the outage", 2 * H, outage=(2 * H, 119, 114), by_hand=100),
    Story("pickup still being booked: SF is down", 25, outage=(25, 24, 19, 4), window=1),
    Story("pickup booked", 50, booked=50),
    Story("cancelled before the courier came", 3 * H, booked=3 * H, cancelled=2 * H),
    Story("collected", 20 * H, booked=20 * H, collected=40),
    Story("on the way from another province", 30 * H, booked=30 * H, collected=16 * H, afar=True),
    Story("arrived", 28 * H, booked=28 * H, collected=380),
    Story("received", 30 * H, booked=30 * H, collected=430, bench=((40, "receive"),)),
    Story("diagnosed", 31 * H, booked=31 * H, collected=480, bench=((100, "receive"), (30, "diagnose"))),
    Story("received hours ago: late", 32 * H, booked=32 * H, collected=11 * H, bench=((4 * H, "receive"),)),
    Story("quoted: waiting for the customer", 26 * H, booked=26 * H, collected=10 * H, quote=True, mine=True,
          bench=((210, "receive"), (150, "diagnose"), (120, "quote"))),
    Story("approved", 48 * H, booked=48 * H, collected=30 * H, quote=True,
          bench=((23 * H, "receive"), (22 * H, "diagnose"), (1290, "quote"), (60, "approve"))),
    Story("declined", 34 * H, booked=34 * H, collected=16 * H, quote=True,
          bench=((9 * H, "receive"), (8 * H, "diagnose"), (5 * H, "quote"), (45, "decline"))),
    Story("repaired", 30 * H, booked=30 * H, collected=11 * H,
          bench=((4 * H, "receive"), (2 * H, "diagnose"), (25, "repair"))),
    Story("quality checked", 32 * H, booked=32 * H, collected=12 * H,
          bench=((5 * H, "receive"), (4 * H, "diagnose"), (90, "repair"), (20, "check"))),
    Story("shipped back", 40 * H, booked=40 * H, collected=20 * H,
          bench=((13 * H, "receive"), (12 * H, "diagnose"), (10 * H, "repair"), (4 * H, "check")), shipped=3 * H),
    Story("delivered back", 72 * H, booked=72 * H, collected=50 * H,
          bench=((43 * H, "receive"), (42 * H, "diagnose"), (40 * H, "repair"), (2390, "check")), shipped=39 * H),
]



def bench_part(case: MailIn, model_id: int, choose: Callable[[list[Part]], Part]) -> Part | None:
    """A part the bench fits to the unit (``choose`` picks one): made for its model and in the centre's store."""
    stocked = set(parts.ensure_store(case.centre).balances.filter(on_hand__gt=0).values_list("part_id", flat=True))
    fits = [p for p in Part.objects.filter(brand_id=case.brand_id, family__in=STORE_FAMILIES, product_models=model_id)
            .order_by("code") if p.pk in stocked]
    return choose(fits) if fits else None


def finding_for(part: Part | None) -> str:
    return FINDINGS.get(part.family, CLEANED) if part is not None else CLEANED


def _moments(collected: dt.datetime, afar: bool) -> list[tuple[str, dt.datetime]]:
    """SF's journey from collection, as its stand-in plans it (core/couriers/standin/)."""
    hours = HOURS_AFAR if afar else HOURS
    return [("collected", collected)] + [(step, collected + dt.timedelta(hours=h)) for step, h in hours.items()]


STAGES = {"collected": "collected", "departed": "in_transit", "arrived": "in_transit", "out": "out_for_delivery",
          "delivered": "delivered"}


@dataclass
class Unit:
    """One unit's story told through the services; each step then dated at its time in the story."""

    story: Story
    product: InstalledProduct
    desk: Principal
    hotline: Principal
    now: dt.datetime
    courier: SfExpressStandIn
    policy: MailInPolicy
    order: WorkOrder = field(init=False)
    case: MailIn = field(init=False)
    rng: random.Random = field(init=False)

    def at(self, minutes: int) -> dt.datetime:
        return self.now - dt.timedelta(minutes=minutes)

    def tell(self) -> None:
        s = self.story
        self.rng = random.Random(f"{s.name}:{self.product.serial}")
        self._report(self.at(s.reported))
        if s.booked is not None:
            self._step(self.at(s.booked), lambda: booking.book(self._parcel(Direction.INBOUND).pk))
            self._dated_shipment(Direction.INBOUND, booked_at=self.at(s.booked))
        if s.outage:
            self._outage([self.at(m) for m in s.outage])
        if s.by_hand is not None:
            when = self.at(s.by_hand)
            self._step(when, lambda: booking.record_waybill(shipment=self._parcel(Direction.INBOUND),
                                                            waybill=HAND_WAYBILL, actor=self.desk))
            self._dated_shipment(Direction.INBOUND, booked_at=when)
        if s.cancelled is not None:
            self._step(self.at(s.cancelled), lambda: order_workflow.transition(
                WorkOrder.objects.get(pk=self.order.pk), "cancel", actor=self.hotline,
                reason="客户来电：已自行解决，取消寄修"))
        if s.collected is not None:
            self._journey(Direction.INBOUND, self.at(s.collected), afar=s.afar)
        for minutes, step in s.bench:
            self._step(self.at(minutes), lambda step=step: self._bench(step))
        if s.shipped is not None:
            when = self.at(s.shipped)
            self._step(when, lambda: bench.ship(mail_in=self._fresh(), actor=self.desk))
            self._dated_shipment(Direction.OUTBOUND, booked_at=when, created_at=when,
                                 window=(when, when + dt.timedelta(hours=2)))
            self._journey(Direction.OUTBOUND, when + dt.timedelta(minutes=48), afar=False)
        last = WorkOrderEvent.objects.filter(work_order=self.order).order_by("-created_at", "-pk").first()
        WorkOrder.objects.filter(pk=self.order.pk).update(updated_at=last.created_at)
        WorkOrder.objects.filter(pk=self.order.pk, completed_at__isnull=False).update(completed_at=last.created_at)

    # --- the steps -----------------------------------------------------------------------------------------

    def _report(self, when: dt.datetime) -> None:
        product, customer = self.product, self.product.customer
        codes = SYMPTOMS.get(product.product_model.category.code, ())
        symptom = (Symptom.objects.filter(category_id=product.product_model.category_id, code__in=codes,
                                          is_active=True).order_by("code").first())
        caller = principal_of(customer.user) if self.story.mine else self.hotline
        self.order = intake.submit_request(
            actor=caller, customer=customer, service_type=ServiceType.MAIL_IN,
            channel=Channel.PORTAL if self.story.mine else Channel.HOTLINE, product=product, site=product.site,
            symptom_code=symptom.code if symptom else "", description=f"寄修：{symptom.name if symptom else '故障'}",
            priority=customer_priority(customer))
        self.case = MailIn.objects.get(work_order=self.order)
        number = allocate_numbers(self.order.brand_id, [when], brand_tz())[0]
        window = self._window(when)
        WorkOrder.objects.filter(pk=self.order.pk).update(number=number, created_at=when, slot_start=window[0],
                                                          slot_end=window[1])
        for n, event in enumerate(WorkOrderEvent.objects.filter(work_order=self.order).order_by("pk")):
            WorkOrderEvent.objects.filter(pk=event.pk).update(created_at=when + dt.timedelta(seconds=n))
        MailIn.objects.filter(pk=self.case.pk).update(created_at=when, pickup_start=window[0], pickup_end=window[1])
        MailInStep.objects.filter(mail_in=self.case).update(at=when)
        OutboxEvent.objects.filter(work_order_id=self.order.pk).update(created_at=when)
        self._dated_shipment(Direction.INBOUND, created_at=when, window=window, next_try_at=when)
        self._settle_hop(when)
        self.order.refresh_from_db()

    def _window(self, reported: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The pickup window: one the grid offers (from now) for a unit not collected yet; else the two hours on the
        hour around its collection."""
        s = self.story
        if s.collected is None:
            offered = slot_windows(days=intake.OFFER_DAYS, now=max(reported, self.now - dt.timedelta(hours=1)))
            return offered[min(s.window, len(offered) - 1)]
        collected = self.at(s.collected)
        start = collected.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
        return start, start + dt.timedelta(hours=2)

    def _outage(self, tries: list[dt.datetime]) -> None:
        """SF's system is down: each try fails, and the shipment waits for its next (the backoff of the service)."""
        pk = self._parcel(Direction.INBOUND).pk
        self.courier.down, self.courier.down_with = True, "busy"
        log = logging.getLogger("aftersales.logistics")
        level, log.level = log.level, logging.ERROR  # the story's outage: no warning in the demo's output
        try:
            delay = dt.timedelta(0)
            for when in tries:
                due = Shipment.objects.values_list("next_try_at", flat=True).get(pk=pk)
                probe = max(timezone.now(), due)  # the service's clock, on which the try is due
                with translation.override(settings.LANGUAGE_CODE):
                    self._step(when, lambda probe=probe: booking.book(pk, now=probe))
                delay = Shipment.objects.values_list("next_try_at", flat=True).get(pk=pk) - probe
            Shipment.objects.filter(pk=pk).update(next_try_at=tries[-1] + delay)
        finally:
            self.courier.down = False
            log.setLevel(level)

    def _journey(self, direction: str, collected: dt.datetime, *, afar: bool) -> None:
        """SF's route events of the parcel up to now, each pushed as it happened."""
        parcel = self._parcel(direction)
        centre, site = self.case.centre, self.product.site
        here, there = (site.region.name, centre.city) if direction == Direction.INBOUND else (centre.city,
                                                                                              site.region.name)
        hub = f"{there if afar else here}转运中心"
        places = {"collected": here, "departed": here, "arrived": hub.removesuffix("转运中心"), "out": there,
                  "delivered": there}
        texts = {"collected": "顺丰速运 已收取快件", "departed": f"快件在【{here}营业点】完成分拣，准备发往【{hub}】",
                 "arrived": f"快件到达【{hub}】", "out": "快件交给王师傅，正在派送途中（联系电话：13800138000）",
                 "delivered": "您的快件已签收，如有疑问请电联快递员【王师傅，电话：13800138000】，感谢您使用顺丰。"}
        for step, when in _moments(collected, afar):
            if when >= self.now - dt.timedelta(minutes=1):
                break
            accept = sf.sf_time(when)
            event = RouteEvent(waybill=parcel.waybill, event_id=sf.event_id(parcel.waybill, accept, SF_CODES[step]),
                               stage=STAGES[step], at=when, place=places[step], text=texts[step],
                               provider_code=SF_CODES[step])
            self._step(when, lambda event=event, when=when: routes.record(
                backend=parcel.backend, events=[event], now=when + dt.timedelta(seconds=4)))

    def _bench(self, step: str) -> Any:
        case, desk = self._fresh(), self.desk
        if step == "receive":
            return bench.receive(mail_in=case, actor=desk, serial=self.product.serial,
                                 condition=self.rng.choice(("外观完好", "外壳轻微划痕", "包装完好，机身无破损")),
                                 accessories=self.rng.choice((["电源线"], ["电源线", "遥控器"], [])))
        if step == "diagnose":
            part = bench_part(case, self.product.product_model_id, self.rng.choice)
            finding = finding_for(part)
            return bench.diagnose(mail_in=case, actor=desk, finding=finding, parts=[(part.code, 1)] if part else [])
        if step == "quote":
            return bench.quote(mail_in=case, actor=desk)
        if step in ("approve", "decline"):
            customer = principal_of(case.work_order.customer.user) if self.story.mine else None
            return bench.decide(mail_in=case, actor=customer, decision="approved" if step == "approve" else "declined")
        if step == "repair":
            used = [(Part.objects.get(brand_id=case.brand_id, code=code), n) for code, n in case.quote_parts]
            return bench.repair(mail_in=case, actor=desk, parts=used, note="更换故障件，通电试机正常" if used else "")
        if step == "check":
            return bench.check_quality(mail_in=case, actor=desk, checks={p: True for p in bench.QC_POINTS})
        raise ValueError(step)

    # --- dating what the services stamped ---------------------------------------------------------------------

    def _step(self, when: dt.datetime, call: Callable[[], Any]) -> Any:
        """Run a service call, then date what it wrote at ``when``: the unit's step and hop, its outbox events,
        the order's timeline, the parts it used."""
        marks = _last_ids()
        hop = MailIn.objects.values_list("hop", flat=True).get(pk=self.case.pk)
        result = call()
        MailInStep.objects.filter(mail_in=self.case, pk__gt=marks[MailInStep]).update(at=when)
        OutboxEvent.objects.filter(work_order_id=self.order.pk, pk__gt=marks[OutboxEvent]).update(created_at=when)
        WorkOrderEvent.objects.filter(work_order=self.order, pk__gt=marks[WorkOrderEvent]).update(created_at=when)
        StockMove.objects.filter(work_order=self.order, pk__gt=marks[StockMove]).update(created_at=when)
        moved = MailIn.objects.values_list("hop", flat=True).get(pk=self.case.pk)
        if moved in (Hop.APPROVED, Hop.DECLINED) and moved != hop:
            MailIn.objects.filter(pk=self.case.pk).update(decided_at=when)
        if moved != hop:
            self._settle_hop(when)
        return result

    def _settle_hop(self, when: dt.datetime) -> None:
        case = self._fresh()
        MailIn.objects.filter(pk=case.pk).update(hop_since=when,
                                                 hop_due=workflow.due_of(case, case.hop, when, self.policy))

    def _dated_shipment(self, direction: str, **fields: Any) -> None:
        window = fields.pop("window", None)
        if window is not None:
            fields.update(window_start=window[0], window_end=window[1])
        Shipment.objects.filter(pk=self._parcel(direction).pk).update(**fields)

    def _parcel(self, direction: str) -> Shipment:
        return Shipment.objects.filter(mail_in=self.case, direction=direction).order_by("-pk").first()

    def _fresh(self) -> MailIn:
        self.case = MailIn.objects.get(pk=self.case.pk)
        return self.case


MARKED = (MailInStep, OutboxEvent, WorkOrderEvent, StockMove)


def _last_ids() -> dict[type, int]:
    """The newest row of each table a step writes to, in one query (a step dates what is newer)."""
    tables = [f"(SELECT MAX({qn(m._meta.pk.column)}) FROM {qn(m._meta.db_table)})" for m in MARKED]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(tables))
        row = cursor.fetchone()
    return {model: last or 0 for model, last in zip(MARKED, row, strict=True)}


def qn(name: str) -> str:
    return connection.ops.quote_name(name)
