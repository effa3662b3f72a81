"""Phase 3: work orders with their timelines; the same order maker serves the bulk loader (scale.py)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from accounts.choices import Role
from accounts.models import Membership, Organisation
from catalog.models import ProductCategory, ProductModel, ServiceStandard
from customers.choices import ProductStatus
from customers.installation import install_unit
from customers.models import InstalledProduct, Site
from demo import data
from demo.common import allocate_numbers, historical_timestamps, weighted
from demo.timeline import Job, Network, Tech, plan_order
from dispatch.gather import weekday_shift
from network.models import Region, Technician
from workorders.choices import Channel, EventKind, Priority, Status, WorkOrderType
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla import Terms, due_times, sla_terms

if TYPE_CHECKING:
    from demo.builder import Builder, World
    from demo.population import People

S = Status
# How the base data set's orders end up; a rework (返修) ends so, after its first order was done and closed.
STATUS_WEIGHTS = {S.NEW: 5, S.ASSIGNED: 5, S.DISPATCHED: 5, S.ACCEPTED: 4, S.EN_ROUTE: 3, S.ON_SITE: 3,
                  S.ON_HOLD: 4, S.COMPLETED: 10, S.CLOSED: 52, S.CANCELLED: 9}
REWORK_WEIGHTS = {S.ASSIGNED: 2, S.DISPATCHED: 2, S.ON_SITE: 1, S.ON_HOLD: 1, S.COMPLETED: 3, S.CLOSED: 8}
# How long ago an order in each status was opened, in days (open ones are recent).
AGE_DAYS = {S.NEW: (0.02, 1.5), S.ASSIGNED: (0.05, 3), S.DISPATCHED: (0.1, 3), S.ACCEPTED: (0.2, 4),
            S.EN_ROUTE: (0.2, 4), S.ON_SITE: (0.2, 4), S.ON_HOLD: (1, 14), S.COMPLETED: (0.5, 10),
            S.CLOSED: (3, 120), S.CANCELLED: (0.5, 120)}
CHANNEL_WEIGHTS = {Channel.HOTLINE: 60, Channel.WECHAT: 25, Channel.IOT: 10, Channel.IMPORT: 5}
PRIORITY_WEIGHTS = {Priority.LOW: 10, Priority.NORMAL: 65, Priority.HIGH: 20, Priority.URGENT: 5}
ON_SITE_TYPES = frozenset(WorkOrderType.values) - {WorkOrderType.MAIL_IN}
# The featured logins' own orders: the customer's, and more for the technician.
CUSTOMER_ORDERS = [S.NEW, S.DISPATCHED, S.ON_SITE, S.COMPLETED, S.CLOSED, S.CLOSED]
TECH_ORDERS = [S.DISPATCHED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE, S.ON_HOLD, S.COMPLETED, S.CLOSED,
               S.CLOSED, S.CLOSED]


@dataclass
class Context:
    """Everything an order needs, read once from the database (so scale runs work on an old data set)."""

    brand_id: int
    net: Network
    models: dict[int, tuple[int, str]]  # product model id → (category id, category code)
    category_ids: dict[str, int]
    standards: dict[tuple[int, str], tuple[int, int | None]]  # (model id, type) → (minutes, skill id)
    hotline: tuple[int, str]
    dispatcher: tuple[int, str]
    tz: dt.tzinfo
    sla: dict[tuple, Terms] = field(default_factory=dict)
    at_doors: dict[tuple[int, dt.date], int] = field(default_factory=dict)  # (technician, day) → jobs at the door
    # The day the data set is built on, in the brand's zone: the day whose technicians are at doors. Not the
    # date of the last event (a minute earlier): built at midnight, that is yesterday, whose roster differs.
    today: dt.date | None = None

    def sla_for(self, region_id: int | None, segment: str, priority: str) -> Terms:
        key = (region_id, segment, priority)
        if key not in self.sla:
            self.sla[key] = sla_terms(brand_id=self.brand_id, region_id=region_id, segment=segment,
                                      priority=priority)
        return self.sla[key]


def _shifts(working_hours) -> tuple[tuple[int, int, int], ...]:
    found = []
    for weekday in range(7):
        shift = weekday_shift(working_hours, weekday)
        if shift is not None:
            found.append((weekday, shift[0] // 60, shift[1] // 60))
    return tuple(found)


def load_context(brand: Organisation, tz: dt.tzinfo) -> Context:
    members = Membership.objects.filter(is_active=True).values_list("user_id", "role", "organisation_id")
    brand_members = [(u, r) for u, r, org in members.filter(organisation=brand)]
    desk: dict[int, list[tuple[int, str]]] = {}
    for user_id, role, org in members.filter(organisation__brand=brand,
                                             role__in=(Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER)):
        desk.setdefault(org, []).append((user_id, role))
    techs: dict[int, list[Tech]] = {}
    for t in Technician.objects.filter(outlet__brand=brand, is_active=True).prefetch_related("skills").order_by("pk"):
        techs.setdefault(t.outlet_id, []).append(Tech(t.pk, t.user_id, t.name, frozenset(s.pk for s in t.skills.all()),
                                                      shifts=_shifts(t.working_hours),
                                                      daily_capacity=t.daily_capacity))
    serving: dict[int, set[int]] = {}
    for region_id, outlet_id in Region.outlets.through.objects.filter(region__brand=brand).values_list(
            "region_id", "organisation_id"):
        serving.setdefault(region_id, set()).add(outlet_id)
    names = dict(Organisation.objects.filter(brand=brand, is_active=True).values_list("pk", "name"))
    categories = dict(brand_categories(brand))
    outlets_for = {}
    for cat_id in categories.values():
        authorised = set(Organisation.objects.filter(authorised_categories=cat_id).values_list("pk", flat=True))
        for region_id, outlets in serving.items():
            ok = sorted(o for o in outlets & authorised if o in names and techs.get(o))
            outlets_for[(region_id, cat_id)] = [(o, names[o]) for o in ok]
    models = {pk: (cat, code) for pk, cat, code in ProductModel.objects.filter(category__brand=brand)
              .values_list("pk", "category_id", "category__code")}
    standards = {(m, s): (minutes, skill) for m, s, minutes, skill in ServiceStandard.objects.filter(
        product_model__category__brand=brand).values_list("product_model_id", "service_type", "standard_minutes",
                                                          "required_skill_id")}
    pick = {role: (u, role) for u, role in sorted(brand_members)}
    return Context(
        brand_id=brand.pk, models=models, category_ids=categories, standards=standards, tz=tz,
        hotline=pick[Role.HOTLINE_AGENT], dispatcher=pick[Role.DISPATCHER],
        net=Network(front=[pick[Role.HOTLINE_AGENT], pick[Role.HOTLINE_AGENT], pick[Role.DISPATCHER]],
                    brand_desk=[pick[Role.DISPATCHER]], outlet_desk=desk, outlets_for=outlets_for, techs=techs,
                    reasons=data.REASONS),
    )


def brand_categories(brand: Organisation) -> list[tuple[str, int]]:
    return list(ProductCategory.objects.filter(brand=brand).order_by("code").values_list("code", "pk"))


def make_order(
    rng: random.Random, ctx: Context, *, customer: tuple[int, str, int | None], site: tuple[int, int],
    product: tuple[int, int] | None, status: str, created_at: dt.datetime, latest: dt.datetime,
    rework: bool = False, prefer_outlet: int | None = None, prefer_tech: Tech | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], tuple[dict[str, Any], list[dict[str, Any]]] | None]:
    """One order's row (WorkOrder field → value, without its number) and its events, and for a rework the row and
    events of the first order it does again (the loader links the two).

    customer = (id, segment, portal user id), site = (id, region id), product = (id, model id) or
    None for a site survey ahead of a sale.
    """
    customer_id, segment, user_id = customer
    site_id, region_id = site
    if product is None:
        category_id, category = ctx.category_ids["hvac"], "hvac"
        type_, model_id = WorkOrderType.SITE_SURVEY, None
    else:
        model_id = product[1]
        category_id, category = ctx.models[model_id]
        type_ = weighted(rng, data.ORDER_TYPE_WEIGHTS[category])
        type_ = WorkOrderType.REPAIR if type_ == WorkOrderType.SITE_SURVEY else type_
    minutes, skill_id = ctx.standards.get((model_id, type_), (90, None))
    if user_id and rng.random() < 0.6:
        channel, creator = Channel.PORTAL, (user_id, Role.CUSTOMER)
    else:
        channel = weighted(rng, CHANNEL_WEIGHTS)
        creator = ctx.hotline if channel in (Channel.HOTLINE, Channel.WECHAT) else ctx.dispatcher
    priority = weighted(rng, PRIORITY_WEIGHTS)
    symptoms = data.SYMPTOMS[type_]
    symptom = rng.choice(symptoms[category] if isinstance(symptoms, dict) else symptoms)
    job = Job(region_id=region_id, category_id=category_id, skill_id=skill_id, service_minutes=minutes,
              creator=creator, channel=channel, customer_user_id=user_id, prefer_outlet=prefer_outlet,
              prefer_tech=prefer_tech,
              # On the way or on site: the technician works today (whoever is off today is not at a door).
              works_on=(ctx.today or latest.astimezone(ctx.tz).date()) if status in AT_THE_DOOR else None)
    planned = plan_order(rng, ctx.net, job, status=status, created_at=created_at, latest=latest, rework=rework)
    if status in AT_THE_DOOR and not _room_at_the_door(ctx, planned.fields["technician_id"], job.works_on):
        # Nobody of the outlet is on shift today with room left: the technician has accepted it for a later day.
        job = replace(job, works_on=None)
        planned = plan_order(rng, ctx.net, job, status=Status.ACCEPTED, created_at=created_at, latest=latest,
                             rework=rework)
    row = planned.fields
    created = row["created_at"]
    terms = ctx.sla_for(region_id, segment, priority)
    common = dict(brand_id=ctx.brand_id, priority=priority, customer_id=customer_id, site_id=site_id,
                  product_id=product[0] if product else None, region_id=region_id)
    first = None
    if planned.original is not None:
        # The first order, done and closed: booked no window; the rework is a repair the desk opened.
        done = planned.original.fields
        done.update(common, type=type_, channel=channel, symptom=symptom, slot_start=None, slot_end=None,
                    created_by_id=creator[0])
        done["response_due"], done["onsite_due"] = due_times(terms, opened_at=done["created_at"], slot_end=None)
        first = (done, planned.original.events)
        type_, channel = WorkOrderType.REPAIR, Channel.HOTLINE
        symptom, creator = f"{planned.rework_reason}\n{symptom}", (planned.events[0]["actor_id"], "")
    slot_start = slot_end = None
    if type_ in ON_SITE_TYPES and rng.random() < 0.5:
        local = created.astimezone(ctx.tz) + dt.timedelta(days=rng.randint(1, 3))
        slot_start = local.replace(hour=rng.choice((9, 13, 16)), minute=0, second=0, microsecond=0)
        slot_end = slot_start + dt.timedelta(hours=2)
    row.update(common, type=type_, channel=channel, symptom=symptom, slot_start=slot_start, slot_end=slot_end,
               created_by_id=creator[0])
    row["response_due"], row["onsite_due"] = due_times(terms, opened_at=created, slot_end=slot_end)
    return row, planned.events, first


ON_A_DAY = (Status.ASSIGNED, Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)
AT_THE_DOOR = (Status.EN_ROUTE, Status.ON_SITE)
OUTLET_SHARE = 0.3  # of an outlet's daily capacity the generated open orders may fill: the rest is for new work
TECH_ROOM = 2  # jobs a day each technician keeps free for new work
FIT_DAYS = 21
WINDOW_HOURS = (9, 11, 13, 15)


def _room_at_the_door(ctx: Context, tech_id: int | None, day: dt.date) -> bool:
    tech = next((t for crew in ctx.net.techs.values() for t in crew if t.id == tech_id), None)
    if tech is None or tech.shift_on(day) is None:
        return False
    taken = ctx.at_doors.get((tech.id, day), 0)
    if taken >= max(1, tech.daily_capacity - TECH_ROOM):
        return False
    ctx.at_doors[(tech.id, day)] = taken + 1
    return True


def _fit_to_rosters(rows: list[dict[str, Any]], terms: list[Terms], ctx: Context, now: dt.datetime,
                    quiet_outlet: int | None = None) -> None:
    """Open orders on days their technicians work, within the technicians' and the outlets' daily capacity.

    An open order with an outlet is on the dispatch board of its booked day (today when it has no slot or its
    slot has passed). The planner books days without looking at rosters or loads: here each such order moves to
    the first day from its own on which its technician is on shift and both the technician and the outlet
    have room, at a window inside the shift. Orders already on the way or on site stay today. ``quiet_outlet``
    (the featured one) gets none today and tomorrow: demo.dispatch_day books those days through the product.
    """
    tz = ctx.tz
    today = now.astimezone(tz).date()
    techs = {t.id: t for crew in ctx.net.techs.values() for t in crew}
    caps = dict(Organisation.objects.filter(pk__in=list(ctx.net.techs)).values_list("pk", "daily_capacity"))
    outlet_load: dict[tuple[int, dt.date], int] = {}
    tech_load: dict[tuple[int, dt.date], int] = {}
    open_rows = [(k, r) for k, r in enumerate(rows) if r["status"] in ON_A_DAY and r["outlet_id"] is not None
                 and r["type"] in ON_SITE_TYPES]
    open_rows.sort(key=lambda kr: (kr[1]["status"] not in AT_THE_DOOR, kr[1]["created_at"]))
    for k, row in open_rows:
        tech = techs.get(row["technician_id"])
        outlet = row["outlet_id"]
        booked = row["slot_start"].astimezone(tz).date() if row["slot_start"] else None
        first = today if booked is None or booked < today else booked
        day = first
        if row["status"] not in AT_THE_DOOR:
            for offset in range(FIT_DAYS):
                day = first + dt.timedelta(days=offset)
                if outlet_load.get((outlet, day), 0) >= int(caps.get(outlet, 40) * OUTLET_SHARE):
                    continue
                if outlet == quiet_outlet and (day - today).days < 2:
                    continue
                if tech is not None and (tech.shift_on(day) is None or
                                         tech_load.get((tech.id, day), 0) >= max(1, tech.daily_capacity - TECH_ROOM)):
                    continue
                if not _windows(tech, day, row["created_at"], tz):
                    continue  # the order was opened after that day's last window
                break
        outlet_load[(outlet, day)] = outlet_load.get((outlet, day), 0) + 1
        if tech is not None:
            tech_load[(tech.id, day)] = tech_load.get((tech.id, day), 0) + 1
        if row["status"] in AT_THE_DOOR:
            if booked is not None and booked > today:  # at a door today on a visit booked for a later day: none
                row["slot_start"] = row["slot_end"] = None
                row["response_due"], row["onsite_due"] = due_times(terms[k], opened_at=row["created_at"],
                                                                   slot_end=None)
            continue
        if day == booked and day >= today:
            continue
        hours = _windows(tech, day, row["created_at"], tz)
        hour = hours[(k + len(hours)) % len(hours)] if hours else WINDOW_HOURS[0]
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        row["slot_start"], row["slot_end"] = start, start + dt.timedelta(hours=2)
        row["response_due"], row["onsite_due"] = due_times(terms[k], opened_at=row["created_at"],
                                                           slot_end=row["slot_end"])


def _windows(tech: Tech | None, day: dt.date, created_at: dt.datetime, tz: dt.tzinfo) -> list[int]:
    """The hours a booked window may start on ``day``: inside the technician's shift, and not before the order
    was opened (a window booked before the order existed would be its deadline before it began)."""
    shift = tech.shift_on(day) if tech is not None else None
    return [h for h in WINDOW_HOURS if (shift is None or (shift[0] <= h * 60 and h * 60 + 120 <= shift[1]))
            and dt.datetime.combine(day, dt.time(h), tzinfo=tz) >= created_at]


def order_created_at(rng: random.Random, now: dt.datetime, status: str) -> dt.datetime:
    low, high = AGE_DAYS[status]
    return now - dt.timedelta(days=rng.uniform(low, high))


def build_orders(b: Builder, w: World, people: People) -> None:
    rng, now = b.rng, b.now
    ctx = load_context(w.brand, b.tz)
    ctx.today = now.astimezone(b.tz).date()
    latest = now - dt.timedelta(minutes=1)
    featured_outlet = w.outlets[data.FEATURED_OUTLET].pk
    tech_user = w.users["tech"].pk
    featured_tech = next(t for t in ctx.net.techs[featured_outlet] if t.user_id == tech_user)
    hangzhou = w.regions["hangzhou"].pk
    by_customer: dict[int, list[Any]] = {}
    for p in people.products:
        by_customer.setdefault(p.customer.pk, []).append(p)
    local_products = [p for p in people.products if p.site.region_id == hangzhou and p.customer.pk !=
                      people.customers[0].pk]
    plan: list[tuple[Any, Any, str, bool, dict[str, Any]]] = []
    me = people.customers[0]
    for k, status in enumerate(CUSTOMER_ORDERS):
        product = by_customer[me.pk][k % len(by_customer[me.pk])]
        plan.append((me, product, status, False, {"prefer_outlet": featured_outlet, "prefer_tech": featured_tech}))
    for status in TECH_ORDERS:
        product = rng.choice(local_products)
        plan.append((product.customer, product, status, False,
                     {"prefer_outlet": featured_outlet, "prefer_tech": featured_tech}))
    while len(plan) < b.sizes.orders:
        rework = rng.random() < 0.03
        status = weighted(rng, REWORK_WEIGHTS if rework else STATUS_WEIGHTS)
        customer = people.customers[rng.randrange(len(people.customers))]
        # Some enterprise orders are site surveys for a system not bought yet.
        if customer.kind == "enterprise" and rng.random() < 0.1:
            plan.append((customer, None, status, rework, {}))
        else:
            product = rng.choice(by_customer.get(customer.pk) or people.products)
            plan.append((product.customer, product, status, rework, {}))

    rows, timelines, terms = [], [], []
    reworks: list[tuple[int, int]] = []  # (first order's index, its rework's index) in rows
    for customer, product, status, rework, prefer in plan:
        site = product.site if product is not None else rng.choice(people.sites[customer.pk])
        row, events, first = make_order(
            rng, ctx, customer=(customer.pk, customer.segment, customer.user_id), site=(site.pk, site.region_id),
            product=(product.pk, product.product_model_id) if product is not None else None, status=status,
            created_at=order_created_at(rng, now, status), latest=latest, rework=rework, **prefer,
        )
        for one, its_events in ([first] if first else []) + [(row, events)]:
            rows.append(one)
            timelines.append(its_events)
            terms.append(ctx.sla_for(one["region_id"], customer.segment, one["priority"]))
        if first:
            reworks.append((len(rows) - 2, len(rows) - 1))
    _fit_to_rosters(rows, terms, ctx, now, quiet_outlet=featured_outlet)
    numbers = allocate_numbers(w.brand.pk, [r["created_at"] for r in rows], b.tz)
    order = sorted(range(len(rows)), key=lambda i: numbers[i])
    with historical_timestamps():
        saved = WorkOrder.objects.bulk_create(
            [WorkOrder(number=numbers[i], **rows[i]) for i in order], batch_size=500)
    events = [WorkOrderEvent(work_order_id=wo.pk, **e) for wo, i in zip(saved, order, strict=True)
              for e in timelines[i]]
    WorkOrderEvent.objects.bulk_create(events, batch_size=1000)
    _link_reworks({i: wo for wo, i in zip(saved, order, strict=True)}, reworks, timelines)
    _installs_follow_orders(people, rows, b.tz)
    b.counts.update(work_orders=len(saved), work_order_events=len(events),
                    rework_orders=sum(r["is_rework"] for r in rows))


def _link_reworks(saved: dict[int, WorkOrder], pairs: list[tuple[int, int]],
                  timelines: list[list[dict[str, Any]]]) -> None:
    """Each rework names the order it does again, and both timelines say so, as workorders.rework records it."""
    reworks, marks = [], []
    for first_index, rework_index in pairs:
        first, rework = saved[first_index], saved[rework_index]
        rework.rework_of_id = first.pk
        reworks.append(rework)
        created, assigned = timelines[rework_index][:2]
        common = {"kind": EventKind.REWORK, "actor_id": created["actor_id"], "actor_role": created["actor_role"],
                  "reason": assigned["reason"], "customer_visible": True, "created_at": assigned["created_at"]}
        marks.append(WorkOrderEvent(work_order_id=first.pk, data={
            "rework": rework.pk, "rework_number": rework.number, "outlet": assigned["data"]["outlet"]}, **common))
        marks.append(WorkOrderEvent(work_order_id=rework.pk, data={
            "rework_of": first.pk, "rework_of_number": first.number}, **common))
    WorkOrder.objects.bulk_update(reworks, ["rework_of"], batch_size=500)
    WorkOrderEvent.objects.bulk_create(marks, batch_size=1000)


def _installs_follow_orders(people: People, rows: list[dict[str, Any]], tz: dt.tzinfo) -> None:
    """An install order's product was sold just before the order, and installed when the order completed.

    The sale is the demo's to invent (bought two days before, sold, not installed); the installation is the
    product's own (customers.installation.install_unit, as a technician's completion does it), so the
    install date, status and warranty start come from the one place that sets them.
    """
    products = {p.pk: p for p in people.products}
    sold: dict[int, InstalledProduct] = {}
    installs = []
    for row in sorted(rows, key=lambda r: r["created_at"]):
        product = products.get(row["product_id"])
        if row["type"] != WorkOrderType.INSTALL or product is None or product.pk in sold:
            continue
        product.purchase_date = (row["created_at"] - dt.timedelta(days=2)).astimezone(tz).date()
        product.install_date = None
        product.status = ProductStatus.SOLD
        product.warranty_end = product.compute_warranty_end()
        sold[product.pk] = product
        done = row["completed_at"] or row["closed_at"]
        if done:
            installs.append((product, done.astimezone(tz).date(), row["site_id"]))
    if sold:
        InstalledProduct.objects.bulk_update(
            list(sold.values()), ["purchase_date", "install_date", "status", "warranty_end"], batch_size=200)
    sites = Site.objects.in_bulk({site_id for _p, _d, site_id in installs if site_id})
    for product, day, site_id in installs:
        install_unit(product=product, serial=product.serial, install_date=day, site=sites.get(site_id))
