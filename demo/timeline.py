"""One demo order's life, planned in memory: no queries, so the bulk loader can call it a million times.

The plan walks ``workflow.ACTIONS`` step by step and applies the same field changes as
``workflow.transition`` (decline clears the technician, cancel keeps it, and so on), so every
planned event is an edge of ``workflow.ALLOWED`` taken by a role the action admits, and the
order's fields end where the real service would have left them.

A rework (返修) is planned as the real one happens (workorders/rework.py): the first order is done and closed,
and the desk opens a new order for the same fault, assigned at once to the outlet; the new one is the planned
order (``Planned.original`` is the first, which the loader links it to).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from accounts.choices import SYSTEM
from workorders.choices import Channel, EventKind, HoldReason, Status
from workorders.workflow import ACTIONS, ALLOWED

S = Status
Actor = tuple[int | None, str]  # (user id, role); no user for the system
REWORK = "rework"  # not a step: the path's mark where the desk opens the rework as a new order

FORWARD = ["assign", "dispatch", "accept", "depart", "arrive", "complete", "close"]
STEPS_TO = {S.NEW: 0, S.ASSIGNED: 1, S.DISPATCHED: 2, S.ACCEPTED: 3, S.EN_ROUTE: 4, S.ON_SITE: 5,
            S.COMPLETED: 6, S.CLOSED: 7}
CANCEL_FROM = ([S.NEW, S.ASSIGNED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.ON_HOLD], [40, 25, 14, 8, 4, 9])
HOLD_FROM = ([S.ASSIGNED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE], [10, 10, 25, 10, 45])
TECH_HOLDS = frozenset({S.ACCEPTED, S.EN_ROUTE, S.ON_SITE})
# Minutes between one step and the next: (low, high), drawn uniformly.
GAPS = {
    "assign": (3, 90), "return_to_brand": (30, 480), "dispatch": (10, 300), "accept": (2, 90),
    "decline": (5, 120), "recall": (30, 480), "depart": (30, 1440), "arrive": (15, 80), "hold": (10, 180),
    "resume": (120, 4320), "close": (60, 4320), "cancel": (10, 2880), REWORK: (1440, 10080),
}
HOLD_REASONS = ([HoldReason.WAITING_PARTS, HoldReason.WAITING_CUSTOMER, HoldReason.OTHER], [55, 35, 10])
TIMESTAMP_FIELDS = {"accept": "accepted_at", "arrive": "arrived_at", "complete": "completed_at", "close": "closed_at"}


@dataclass(frozen=True)
class Tech:
    id: int
    user_id: int
    name: str
    skills: frozenset[int]
    # (weekday, start minute, end minute) of each working day; the roster a job must fall in
    shifts: tuple[tuple[int, int, int], ...] = ()
    daily_capacity: int = 6

    def shift_on(self, day: dt.date) -> tuple[int, int] | None:
        return next(((start, end) for weekday, start, end in self.shifts if weekday == day.weekday()), None)


@dataclass
class Network:
    """Who may act on orders, read from the database once before planning."""

    front: list[Actor]  # hotline and dispatcher: assign, close, cancel, rework
    brand_desk: list[Actor]  # brand dispatcher: dispatch/recall/hold where the outlet has no desk user
    outlet_desk: dict[int, list[Actor]]
    outlets_for: dict[tuple[int, int], list[tuple[int, str]]]  # (region, category) → [(outlet id, name)]
    techs: dict[int, list[Tech]]  # outlet id → technicians
    reasons: dict[str, Any]


@dataclass
class Job:
    """What one order is about, as the planner needs it."""

    region_id: int
    category_id: int
    skill_id: int | None
    service_minutes: int
    creator: Actor
    channel: str
    customer_user_id: int | None = None
    prefer_outlet: int | None = None
    prefer_tech: Tech | None = None
    works_on: dt.date | None = None  # the job is done that day: its technician must be on shift then


@dataclass
class Planned:
    fields: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    original: Planned | None = None  # a rework's first order, done and closed
    rework_reason: str = ""


def choose_path(rng: random.Random, status: str, rework: bool = False) -> list[str]:
    """The actions that take a new order to ``status`` (after a first order, done and closed, if rework)."""
    if status == S.CANCELLED:
        source = rng.choices(*CANCEL_FROM)[0]
        path = choose_path(rng, source) + ["cancel"]
    elif status == S.ON_HOLD:
        path = choose_path(rng, rng.choices(*HOLD_FROM)[0]) + ["hold"]
    else:
        path = _with_detours(rng, FORWARD[: STEPS_TO[status]])
    if rework:
        # The rework is opened assigned to the outlet, so its own round starts after the assign.
        tail = path[1:] if path[:1] == ["assign"] else path
        path = _with_detours(rng, list(FORWARD)) + [REWORK] + tail
    return path


def _with_detours(rng: random.Random, path: list[str]) -> list[str]:
    out: list[str] = []
    for action in path:
        if action == "assign" and rng.random() < 0.03:
            out += ["assign", "return_to_brand"]
        elif action == "dispatch" and rng.random() < 0.06:
            out += ["dispatch", "decline"]
        elif action == "accept" and rng.random() < 0.03:
            out += ["accept", "recall", "dispatch"]
        elif action == "complete" and rng.random() < 0.12:
            out += ["hold", "resume"]
        out.append(action)
    return out


def plan_order(
    rng: random.Random, net: Network, job: Job, *, status: str, created_at: dt.datetime, latest: dt.datetime,
    rework: bool = False,
) -> Planned:
    """Plan the fields and timeline of one order created at ``created_at``; no step is later than ``latest``."""
    path = choose_path(rng, status, rework)
    gaps = [_gap(rng, action, job) for action in path]
    total = sum(gaps)
    # Two seconds a step at least, so the times strictly increase however tight the window.
    created_at = min(created_at, latest - dt.timedelta(seconds=2 * len(path) + 1))
    room = (latest - created_at).total_seconds()
    factor = min(1.0, room / total) if total else 1.0

    state: dict[str, Any] = {
        "status": S.NEW, "outlet_id": None, "technician_id": None, "held_from": "", "hold_reason": "",
        "is_rework": False, "cancel_reason": "", "accepted_at": None, "arrived_at": None, "completed_at": None,
        "closed_at": None,
    }
    planned = Planned(fields=state)
    planned.events.append({
        "kind": EventKind.CREATED, "action": "", "from_status": "", "to_status": S.NEW,
        "actor_id": job.creator[0], "actor_role": job.creator[1], "reason": "", "customer_visible": True,
        "data": {"channel": job.channel}, "created_at": created_at,
    })
    walk = _Walk(rng, net, job, state)
    when = created_at
    for action, gap in zip(path, gaps, strict=True):
        when = when + dt.timedelta(seconds=max(2.0, gap * factor))
        if action == REWORK:
            planned = walk.rework(planned, when, created_at)
            continue
        planned.events.append(walk.step(action, when))
    state.update(version=len(planned.events), created_at=planned.events[0]["created_at"],
                 updated_at=planned.events[-1]["created_at"])
    return planned


def _gap(rng: random.Random, action: str, job: Job) -> float:
    if action == "complete":
        return job.service_minutes * rng.uniform(0.7, 1.6) * 60
    low, high = GAPS[action]
    return rng.uniform(low, high) * 60


class _Walk:
    """Applies one action at a time to the order's state, as workflow.transition does."""

    def __init__(self, rng: random.Random, net: Network, job: Job, state: dict[str, Any]) -> None:
        self.rng, self.net, self.job, self.state = rng, net, job, state
        self.tech: Tech | None = None
        self.outlet_name = ""
        self.refused_outlets: set[int] = set()
        self.refused_techs: set[int] = set()

    def step(self, name: str, when: dt.datetime) -> dict[str, Any]:
        rng, state, action = self.rng, self.state, ACTIONS[name]
        source = state["status"]
        target = action.target or state["held_from"]
        actor, reason, data = self._actor(name, source), "", {}
        if name == "assign":
            outlet_id, self.outlet_name = self._pick_outlet()
            state["outlet_id"] = outlet_id
            data["outlet"] = self.outlet_name
        elif name == "dispatch":
            self.tech = self._pick_tech()
            state["technician_id"] = self.tech.id
            data["technician"] = self.tech.name
        elif name in ("decline", "recall"):
            self.refused_techs.add(state["technician_id"])
            state["technician_id"], self.tech = None, None
        elif name == "return_to_brand":
            self.refused_outlets.add(state["outlet_id"])
            state.update(outlet_id=None, technician_id=None)
            self.tech = None
        elif name == "hold":
            hold_reason = rng.choices(*HOLD_REASONS)[0]
            state.update(held_from=source, hold_reason=hold_reason)
            reason, data["hold_reason"] = self.net.reasons["hold"][hold_reason], hold_reason
        elif name == "resume":
            state.update(held_from="", hold_reason="")
        elif name in TIMESTAMP_FIELDS:
            state[TIMESTAMP_FIELDS[name]] = when
        if action.reason_required and not reason:
            reason = rng.choice(self.net.reasons[name])
        if name == "cancel":
            state.update(cancel_reason=reason, held_from="", hold_reason="")
        # The plan must only take steps the real workflow would accept.
        assert target in ALLOWED[source] and source in action.sources_for(actor[1]), (name, source, actor)
        state["status"] = target
        return {
            "kind": EventKind.TRANSITION, "action": name, "from_status": source, "to_status": target,
            "actor_id": actor[0], "actor_role": actor[1], "reason": reason,
            "customer_visible": action.customer_visible, "data": data, "created_at": when,
        }

    def rework(self, first: Planned, when: dt.datetime, created_at: dt.datetime) -> Planned:
        """The desk sends the closed order's fault back: ``first`` is done, and a new order, opened at ``when`` by
        the desk and assigned at once to the same outlet, goes on from here (the same draws as the step did)."""
        state = self.state
        first.fields = dict(state, version=len(first.events), created_at=created_at,
                            updated_at=first.events[-1]["created_at"])
        actor = self.rng.choice(self.net.front)
        reason = self.rng.choice(self.net.reasons[REWORK])
        state.update(status=S.ASSIGNED, is_rework=True, technician_id=None, accepted_at=None, arrived_at=None,
                     completed_at=None, closed_at=None)
        self.tech = None
        rework = Planned(fields=state, original=first, rework_reason=reason)
        rework.events.append({
            "kind": EventKind.CREATED, "action": "", "from_status": "", "to_status": S.NEW, "actor_id": actor[0],
            "actor_role": actor[1], "reason": "", "customer_visible": True, "data": {"channel": Channel.HOTLINE},
            "created_at": when,
        })
        rework.events.append({
            "kind": EventKind.TRANSITION, "action": "assign", "from_status": S.NEW, "to_status": S.ASSIGNED,
            "actor_id": actor[0], "actor_role": actor[1], "reason": reason, "customer_visible": True,
            "data": {"outlet": self.outlet_name}, "created_at": when + dt.timedelta(seconds=1),
        })
        return rework

    def _actor(self, name: str, source: str) -> Actor:
        rng, net = self.rng, self.net
        if name in ("accept", "decline", "depart", "arrive", "complete") or (
            name in ("hold", "resume") and self.tech is not None
            and (source if name == "hold" else self.state["held_from"]) in TECH_HOLDS and rng.random() < 0.7
        ):
            assert self.tech is not None
            return (self.tech.user_id, "technician")
        if name in ("dispatch", "recall", "hold", "resume", "return_to_brand"):
            desk = net.outlet_desk.get(self.state["outlet_id"] or 0)
            if desk and (name == "return_to_brand" or rng.random() < 0.8):
                return rng.choice(desk)
            return rng.choice(net.brand_desk)
        if name == "close":  # orders close by themselves after their callback (feedback.desk), never by hand
            return (None, SYSTEM)
        if name == "cancel" and self.job.customer_user_id and source in (S.NEW, S.ASSIGNED, S.DISPATCHED) \
                and rng.random() < 0.5:
            return (self.job.customer_user_id, "customer")
        return rng.choice(net.front)

    def _pick_outlet(self) -> tuple[int, str]:
        job = self.job
        candidates = self.net.outlets_for[(job.region_id, job.category_id)]
        fresh = [c for c in candidates if c[0] not in self.refused_outlets] or candidates
        for outlet in fresh:
            if outlet[0] == job.prefer_outlet:
                return outlet
        return self.rng.choice(fresh)

    def _pick_tech(self) -> Tech:
        techs = self.net.techs[self.state["outlet_id"]]
        preferred = self.job.prefer_tech
        day = self.job.works_on
        if preferred is not None and preferred in techs and preferred.id not in self.refused_techs \
                and (day is None or preferred.shift_on(day) is not None):
            return preferred
        fresh = [t for t in techs if t.id not in self.refused_techs] or techs
        if day is not None:
            fresh = [t for t in fresh if t.shift_on(day) is not None] or fresh
        skilled = [t for t in fresh if self.job.skill_id in t.skills]
        return self.rng.choice(skilled or fresh)
