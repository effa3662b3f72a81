"""Demo complaints: ``seed_complaints(brand, now=...)`` (called by the demo command; safe to run twice).

The brand's own complaint clocks (``ComplaintClock``, per severity, in service minutes) and its ladder; then a
complaint about every 25th finished order (by number, so the same orders each time; more often in a small demo, so
that every state is there), each taken through the lifecycle to one of its states in turn: received,
acknowledged, investigating, escalated up the ladder by its watch, resolved (upheld, partly, not upheld, with
remedies and compensation), reopened, appealed by the outlet and arbitrated; and one complaint of the demo
customer about their last finished visit, so the portal and the technician's view of that customer show it. The
brand's ladder names the dispatcher for the region's rung and the admin as service director.

Every complaint is where its clocks say it would be at the load's ``now``, so the ladder's watch finds nothing to
do when ``make run`` starts it: each step is taken inside the clock it answers (in service time, as a desk works),
a complaint still being worked was opened recently enough that its next clock runs out at least ``MARGIN`` after
``now``, and an escalated one was opened long enough ago that its rungs ran out, each then moved up by the watch
itself at the minute it would have run (``catch_up``), so each rung's notice was sent once, at its time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from accounts.principal import principal_of, system_principal
from complaints import services, sla, watch, workflow
from complaints.choices import ACTIVE_STATUSES, ContactRole, LadderLevel, Severity
from complaints.models import Complaint, ComplaintClock, LadderContact
from customers.models import Customer
from demo import data
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.service_time import ServiceCalendar
from workorders.sla import calendar_for

EVERY = 25
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
# An open complaint's next clock runs out at least this long after the load's now: the anchor is on the hour, so
# `make run` starts the watch up to an hour later, and it must not find the seeded complaints late.
MARGIN = dt.timedelta(hours=1)
# (acknowledge, resolve, each rung) in service minutes: tighter than the built-in defaults (complaints/sla.py), as a
# brand that takes complaints seriously sets them in the admin.
CLOCKS = {Severity.CRITICAL: (30, 4 * 60, 60), Severity.HIGH: (60, 12 * 60, 2 * 60),
          Severity.NORMAL: (2 * 60, 24 * 60, 4 * 60), Severity.LOW: (4 * 60, 48 * 60, 8 * 60)}
TEXTS = [
    ("no_show", "high", "约好上午十点，师傅下午一点才到，也没有提前打电话。",
     "已向客户致歉，网点对师傅进行了准时培训。"),
    ("quality", "normal", "换完滤芯第二天接头处又开始滴水。", "安排返修，免费更换接头并检查水压。"),
    ("overcharge", "normal", "上门费事先没说清楚，结账时才知道要收 30 元。", "已退还上门费，并提醒网点事先说明收费。"),
    ("attitude", "low", "师傅进门没有穿鞋套，地板弄脏了。", "已致电道歉，网点重申上门服务规范。"),
    ("damage", "critical", "师傅搬动机器时把橱柜门划坏了。", "网点照价赔偿橱柜门，并书面致歉。"),
    ("parts", "high", "更换的增压泵不是原厂配件。", "核实配件批次后为客户更换原厂增压泵。"),
]
# The state each complaint is taken to, in turn; the appeal and its decision need an outlet with a manager.
STATES = ["received", "acknowledged", "investigating", "escalated", "resolved", "not_upheld", "reopened",
          "appealed", "arbitrated", "partly"]
NEEDS_MANAGER = {"appealed", "arbitrated"}
# Still being worked on their first clocks: opened lately, so they go to the latest of the chosen orders.
RECENT = ("received", "acknowledged", "investigating", "escalated")
# Waiting on the acknowledge clock at the load's now: a severity whose clock leaves the MARGIN.
SLOW = (Severity.NORMAL, Severity.LOW)


@dataclass(frozen=True)
class Clocks:
    """One complaint's clocks, worked out before it is opened (the same sums as complaints/sla.py)."""

    calendar: ServiceCalendar
    clock: sla.Clock

    def add(self, start: dt.datetime, minutes: float) -> dt.datetime:
        return self.calendar.add(start, minutes * 60)

    def rung_reached(self, opened: dt.datetime, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        """The rung a complaint opened at ``opened`` and never answered stands on at ``now``, and when that rung
        runs out (None on the last), as the watch moves it at the first minute past each clock."""
        resolve_due = self.add(opened, self.clock.resolve_minutes)
        level, runs_out = LadderLevel.DESK, self.add(opened, self.clock.acknowledge_minutes)
        while level < LadderLevel.DIRECTOR and runs_out < now:
            moved = min(tick(runs_out), now)
            level += 1
            runs_out = max(self.add(moved, self.clock.rung_minutes), resolve_due)
        return level, runs_out if level < LadderLevel.DIRECTOR else None


def tick(moment: dt.datetime) -> dt.datetime:
    """The first minute the watch (every minute) runs after ``moment``."""
    return (moment + MINUTE).replace(second=0, microsecond=0)


def clocks_of(order: WorkOrder, severity: str) -> Clocks:
    return Clocks(calendar_for(order.brand_id, region_id=order.region_id, outlet_id=order.outlet_id),
                  sla.clock_for(order.brand_id, severity))


def _clocks(brand: Organisation) -> None:
    for severity, (acknowledge, resolve, rung) in CLOCKS.items():
        ComplaintClock.objects.get_or_create(brand=brand, severity=severity, defaults=dict(
            acknowledge_minutes=acknowledge, resolve_minutes=resolve, rung_minutes=rung))


def _user(username: str):
    return User.objects.filter(username=username).first()


def _seat(username: str, brand: Organisation):
    user = _user(username)
    return (principal_of(user) if user else None) or system_principal(brand.pk)


def _manager(outlet_id: int | None):
    seat = (Membership.objects.filter(organisation_id=outlet_id, role=Role.OUTLET_MANAGER, is_active=True)
            .select_related("user").order_by("pk").first())
    return principal_of(seat.user) if seat else None


def _ladder(brand: Organisation) -> None:
    for role, username in ((ContactRole.REGION, "dispatcher"), (ContactRole.DIRECTOR, "admin"),
                           (ContactRole.ARBITER, "admin")):
        user = _user(username)
        if user is not None:
            LadderContact.objects.get_or_create(brand=brand, role=role, region=None, user=user)


def _take(complaint: Complaint, state: str, *, desk, admin, manager, outcome_text: str, now: dt.datetime) -> None:
    """Walk ``complaint`` to ``state``: each step inside the clock it answers, in service time from the opening (as
    a desk that keeps its clocks works), never after ``now``; the escalated one is left to ``catch_up``."""
    clocks = clocks_of(complaint.work_order, complaint.severity)
    opened, clock = complaint.opened_at, clocks.clock
    at = opened

    def step(action: str, actor, when: dt.datetime, **kw) -> None:
        nonlocal at
        at = max(at, min(when, now))
        workflow.transition(complaint, action, actor=actor, at=at, **kw)

    if state in ("received", "escalated"):
        return
    step("acknowledge", manager or desk, clocks.add(opened, clock.acknowledge_minutes / 2),
         note="已电话联系客户，正在核实。")
    if state == "acknowledged":
        return
    step("investigate", manager or desk, clocks.add(opened, clock.resolve_minutes / 4), note="调取上门记录与师傅沟通。")
    if state == "investigating":
        return
    outcome = {"not_upheld": "not_upheld", "partly": "partly"}.get(state, "upheld")
    remedies = {"upheld": ("apology", "compensation"), "partly": ("apology", "coupon"), "not_upheld": ()}[outcome]
    step("resolve", desk, clocks.add(opened, clock.resolve_minutes * 0.6), note=outcome_text,
         verdict=workflow.Verdict(
             outcome=outcome, remedies=remedies, compensation="50.00" if "compensation" in remedies else None,
             responsible={"upheld": "technician", "partly": "outlet", "not_upheld": ""}[outcome]))
    if state == "reopened":  # lately, in the desk's hours: its new acknowledge clock still runs
        step("reopen", desk, _lately_open(clocks, clock.acknowledge_minutes, after=at, now=now),
             note="客户来电：问题仍未解决。")
    elif state in NEEDS_MANAGER:
        step("appeal", manager, at + dt.timedelta(hours=5),
             note="客户临时改约了上门时间，师傅是按改约后的时间到达的，有短信记录为证。")
        if state == "arbitrated":
            step("arbitrate", admin, at + dt.timedelta(days=1),
                 note="短信记录证实客户改约，但网点未及时告知客户，部分成立。",
                 verdict=workflow.Verdict(outcome="partly"))


def _opened(order: WorkOrder, state: str, severity: str, *, index: int, rung: int, now: dt.datetime) -> dt.datetime:
    """When the complaint about ``order`` came in, for it to stand in ``state`` at ``now`` with its clocks right;
    never before the order was finished."""
    clocks = clocks_of(order, severity)
    clock = clocks.clock
    if state == "received":  # a moment ago: its acknowledge clock has most of its time left
        wanted = now - dt.timedelta(minutes=8 + 7 * (index % 7))
    elif state in ("acknowledged", "investigating"):
        # The latest moment from which the desk's steps (in its hours) were taken by now and the resolve clock
        # still has the MARGIN: a while ago in the day, or the last evening the desk was open when loaded at night.
        last = clock.acknowledge_minutes / 2 if state == "acknowledged" else clock.resolve_minutes / 4
        wanted = now - min(5 * HOUR, dt.timedelta(minutes=clock.resolve_minutes * 0.4))
        for tenths in range(3 + index % 9, 6 * 24 * 4):
            candidate = now - tenths * dt.timedelta(minutes=10)
            if clocks.add(candidate, clock.resolve_minutes) < now + MARGIN:
                break
            if clocks.add(candidate, last) <= now - dt.timedelta(minutes=10):
                wanted = candidate
                break
    elif state == "escalated":
        # Long enough ago that the watch moved it up to rung ``rung`` by now, its next rung still some way off.
        wanted = now - HOUR
        for half_hours in range(2, 24 * 2 * 21):
            candidate = now - half_hours * dt.timedelta(minutes=30)
            level, runs_out = clocks.rung_reached(candidate, now)
            if level == rung and (runs_out is None or runs_out >= now + MARGIN):
                wanted = candidate
                break
    else:  # decided, some days ago
        wanted = min(order.completed_at + dt.timedelta(days=1, hours=index % 7), now - dt.timedelta(days=6))
    return max(wanted, order.completed_at)


def _lately_open(clocks: Clocks, minutes: int, *, after: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The latest moment of the desk's hours shortly before ``now`` from which a clock of ``minutes`` still has the
    MARGIN left at ``now`` (a customer's call the desk took: in its hours)."""
    for tenths in range(2, 6 * 24 * 4):
        candidate = now - tenths * dt.timedelta(minutes=10)
        if candidate <= after or clocks.add(candidate, minutes) < now + MARGIN:
            break
        if clocks.calendar.is_open(candidate):
            return candidate
    return max(now - dt.timedelta(minutes=20), after)


def _text_for(state: str, index: int) -> tuple[str, str, str, str]:
    """The complaint's words; one waiting for its acknowledgement (or again so) is of a severity whose clock is
    longer than the MARGIN."""
    for shift in range(len(TEXTS)):
        text = TEXTS[(index + shift) % len(TEXTS)]
        if state not in ("received", "reopened") or text[1] in SLOW:
            return text
    return TEXTS[index % len(TEXTS)]


def catch_up(brand: Organisation, *, now: dt.datetime) -> int:
    """The ladder's watch as it would have run every minute up to ``now``: the watch itself, run at the first minute
    past each clock that ran out, so every rung hears of its complaint once, then. How many moves it made."""
    moved = 0
    while True:
        due = (Complaint.objects.filter(brand=brand, status__in=sorted(ACTIVE_STATUSES), escalate_at__lt=now,
                                        escalation_level__lt=LadderLevel.DIRECTOR)
               .order_by("escalate_at").values_list("escalate_at", flat=True).first())
        if due is None:
            return moved
        step = watch.sweep(now=min(tick(due), now))["escalated"]
        if not step:
            return moved  # refused (never in the demo): stop rather than ask again
        moved += step


def seed_complaints(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    if Complaint.objects.filter(brand=brand).exists():
        return {"complaints": Complaint.objects.filter(brand=brand).count()}
    _clocks(brand)
    _ladder(brand)
    desk, admin = _seat("hotline", brand), _seat("admin", brand)
    finished = list(WorkOrder.objects.filter(brand=brand, status__in=[Status.COMPLETED, Status.CLOSED],
                                             completed_at__isnull=False, completed_at__lte=now).exclude(outlet=None)
                    .select_related("customer").order_by("number"))
    others = [s for s in STATES if s not in NEEDS_MANAGER]
    chosen = finished[::max(1, min(EVERY, len(finished) // len(STATES)))]
    # The ones still on their first clocks about the latest of the chosen orders, the decided ones about older.
    states = sorted((others[i % len(others)] for i in range(len(chosen))), key=lambda s: s in RECENT)
    plan = list(zip(chosen, states, strict=True))
    # The appeal and the arbitration: orders of an outlet with a manager, not complained about already.
    managers: dict[int, object] = {}
    for order in finished[1::2]:
        if len([p for p in plan if p[1] in NEEDS_MANAGER]) == len(NEEDS_MANAGER):
            break
        if order.outlet_id not in managers:
            managers[order.outlet_id] = _manager(order.outlet_id)
        if managers[order.outlet_id] and all(order is not p[0] for p in plan):
            plan.append((order, sorted(NEEDS_MANAGER - {p[1] for p in plan})[0]))
    escalated = 0
    for index, (order, state) in enumerate(plan):
        if order.outlet_id not in managers:
            managers[order.outlet_id] = _manager(order.outlet_id)
        manager = managers[order.outlet_id]
        category, severity, text, outcome_text = _text_for(state, index)
        # The escalated ones climb in turn to the outlet's manager, the brand region and the service director.
        rung = LadderLevel.OUTLET + escalated % 3
        escalated += state == "escalated"
        opened = _opened(order, state, severity, index=index, rung=rung, now=now)
        complaint = services.open_complaint(actor=desk, customer=order.customer, order=order, category=category,
                                            severity=severity, description=text, opened_at=opened)
        _take(complaint, state, desk=desk, admin=admin, manager=manager, outcome_text=outcome_text, now=now)
    _own(brand, finished, now=now)
    return {"complaints": Complaint.objects.filter(brand=brand).count(), "complaint_escalations": catch_up(
        brand, now=now)}


def _own(brand: Organisation, finished: list[WorkOrder], *, now: dt.datetime) -> None:
    """The demo customer's complaint about their last visit, from the portal a few hours ago; their outlet has
    acknowledged it and the resolve clock runs."""
    me = Customer.objects.filter(brand=brand, phone=data.CUSTOMER_PHONE).first()
    last = next((o for o in reversed(finished) if me is not None and o.customer_id == me.pk), None)
    if last is None or Complaint.objects.filter(work_order=last).exists():
        return
    category, _severity, text, _outcome = TEXTS[0]
    severity = Severity.NORMAL  # a customer's complaint is of normal severity until the desk grades it
    complaint = services.open_complaint(
        actor=_seat("customer", brand) if _user("customer") else _seat("hotline", brand), customer=me, order=last,
        category=category, severity=severity, description=text,
        opened_at=_opened(last, "acknowledged", severity, index=0, rung=0, now=now))
    _take(complaint, "acknowledged", desk=_seat("hotline", brand), admin=None, manager=_manager(last.outlet_id),
          outcome_text="", now=now)
