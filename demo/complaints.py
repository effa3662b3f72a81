"""Demo complaints: ``seed_complaints(brand, now=...)`` (called by the demo command; safe to run twice).

A complaint about every 25th finished order (by number, so the same orders each time; more often in a
small demo, so that every state is there), each taken through the
lifecycle to one of its states in turn: received, acknowledged, investigating, escalated up the ladder by its
watch, resolved (upheld, partly, not upheld, with remedies and compensation), reopened, appealed by the outlet
and arbitrated; and one complaint of the demo customer about their last finished visit, so the portal and the
technician's view of that customer show it. The brand's ladder names the dispatcher for the region's rung and
the admin as service director.
"""

from __future__ import annotations

import datetime as dt

from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from accounts.principal import principal_of, system_principal
from complaints import services, workflow
from complaints.choices import ContactRole
from complaints.models import Complaint, LadderContact
from customers.models import Customer
from demo import data
from workorders.choices import Status
from workorders.models import WorkOrder

EVERY = 25
HOUR = dt.timedelta(hours=1)
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
    """Walk ``complaint`` to ``state``, each step an hour or a day after the one before, never after ``now``."""
    at = complaint.opened_at

    def step(action: str, actor, after: dt.timedelta, **kw) -> None:
        nonlocal at
        at = min(at + after, now)
        workflow.transition(complaint, action, actor=actor, at=at, **kw)

    if state == "received":
        return
    if state == "escalated":  # as the ladder's watch does when the acknowledge clock runs out
        step("escalate", system_principal(complaint.brand_id), complaint.acknowledge_due - at + HOUR)
        return
    step("acknowledge", manager or desk, HOUR, note="已电话联系客户，正在核实。")
    if state == "acknowledged":
        return
    step("investigate", manager or desk, 2 * HOUR, note="调取上门记录与师傅沟通。")
    if state == "investigating":
        return
    outcome = {"not_upheld": "not_upheld", "partly": "partly"}.get(state, "upheld")
    remedies = {"upheld": ("apology", "compensation"), "partly": ("apology", "coupon"), "not_upheld": ()}[outcome]
    step("resolve", desk, dt.timedelta(days=1), note=outcome_text, verdict=workflow.Verdict(
        outcome=outcome, remedies=remedies, compensation="50.00" if "compensation" in remedies else None,
        responsible={"upheld": "technician", "partly": "outlet", "not_upheld": ""}[outcome]))
    if state == "reopened":
        step("reopen", desk, dt.timedelta(days=1), note="客户来电：问题仍未解决。")
    elif state in NEEDS_MANAGER:
        step("appeal", manager, dt.timedelta(hours=5),
             note="客户临时改约了上门时间，师傅是按改约后的时间到达的，有短信记录为证。")
        if state == "arbitrated":
            step("arbitrate", admin, dt.timedelta(days=1),
                 note="短信记录证实客户改约，但网点未及时告知客户，部分成立。",
                 verdict=workflow.Verdict(outcome="partly"))


def seed_complaints(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    if Complaint.objects.filter(brand=brand).exists():
        return {"complaints": Complaint.objects.filter(brand=brand).count()}
    _ladder(brand)
    desk, admin = _seat("hotline", brand), _seat("admin", brand)
    finished = list(WorkOrder.objects.filter(brand=brand, status__in=[Status.COMPLETED, Status.CLOSED],
                                             completed_at__isnull=False).exclude(outlet=None)
                    .select_related("customer").order_by("number"))
    others = [s for s in STATES if s not in NEEDS_MANAGER]
    chosen = finished[::max(1, min(EVERY, len(finished) // len(STATES)))]
    plan = [(order, others[i % len(others)]) for i, order in enumerate(chosen)]
    # The appeal and the arbitration: orders of an outlet with a manager, not complained about already.
    managers: dict[int, object] = {}
    for order in finished[1::2]:
        if len([p for p in plan if p[1] in NEEDS_MANAGER]) == len(NEEDS_MANAGER):
            break
        if order.outlet_id not in managers:
            managers[order.outlet_id] = _manager(order.outlet_id)
        if managers[order.outlet_id] and all(order is not p[0] for p in plan):
            plan.append((order, sorted(NEEDS_MANAGER - {p[1] for p in plan})[0]))
    for index, (order, state) in enumerate(plan):
        if order.outlet_id not in managers:
            managers[order.outlet_id] = _manager(order.outlet_id)
        manager = managers[order.outlet_id]
        category, severity, text, outcome_text = TEXTS[index % len(TEXTS)]
        # The open ones are recent (their clocks still run) unless escalated; the decided ones older.
        ago = dt.timedelta(hours=1) if state in ("received", "acknowledged", "investigating") else dt.timedelta(days=6)
        opened = max(min(order.completed_at + dt.timedelta(days=1, hours=index % 7), now - ago), order.completed_at)
        complaint = services.open_complaint(actor=desk, customer=order.customer, order=order, category=category,
                                            severity=severity, description=text, opened_at=opened)
        _take(complaint, state, desk=desk, admin=admin, manager=manager, outcome_text=outcome_text, now=now)
    me = Customer.objects.filter(brand=brand, phone=data.CUSTOMER_PHONE).first()
    if me is not None:
        last = next((o for o in reversed(finished) if o.customer_id == me.pk), None)
        if last is not None and not Complaint.objects.filter(work_order=last).exists():
            category, _severity, text, _outcome = TEXTS[0]
            services.open_complaint(actor=_seat("customer", brand) if _user("customer") else desk, customer=me,
                                    order=last, category=category, description=text,
                                    opened_at=min(last.completed_at + dt.timedelta(hours=3), now))
    return {"complaints": Complaint.objects.filter(brand=brand).count()}
