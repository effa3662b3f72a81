"""Demo stock for a brand: ``seed_parts(brand, now=...)`` (called by the demo command after the price lists).

A central warehouse stocked with every part of the brand (demo.pricing.PARTS), a store per outlet with
the parts of the categories it is authorised for, a van per technician with the everyday parts of the
categories they are skilled for; then, on the open orders, a few part requests (open, transferred,
refused) and parts used on site, whose replaced pieces are owed back (some already handed in).
Everything goes through parts.services, as in real use, and the records are dated before ``now``.
Deterministic: one ``random.Random`` seeded with the brand's code, a fixed order of everything.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.utils import timezone

from accounts.choices import OrgKind, Role
from accounts.models import Membership, Organisation
from accounts.principal import principal_of
from catalog.models import Part, ProductCategory
from network.models import Technician
from parts import services
from parts.choices import NOT_RETURNED_FAMILIES, REQUESTABLE_STATUSES, MoveKind, RequestStatus
from parts.errors import InsufficientStock
from parts.models import Consumption, DefectiveReturn, PartRequest, StockMove, Warehouse
from parts.services import Line
from workorders.choices import Status
from workorders.models import WorkOrder

# family → units in the central warehouse, in a store, in a van (0: vans do not carry it)
LEVELS = {
    "filter": (1200, 40, 6), "consumable": (600, 20, 4), "refrigerant": (500, 15, 3), "valve": (260, 8, 2),
    "ignition": (300, 10, 2), "pump": (200, 6, 1), "heating": (130, 4, 1), "pcb": (100, 3, 0),
    "motor": (70, 2, 0), "compressor": (30, 1, 0),
}
DEFAULT_LEVELS = (120, 4, 0)
# The skill that says a technician works on a category (demo.data.CATEGORY_SKILLS, first of each).
CATEGORY_SKILL = {"purifier": "ro", "appliance": "appliance", "hvac": "refrigerant"}
REFUSALS = ["总部直发新件，请勿从网点库领取", "该型号主板需先返回旧件再申领"]


def seed_parts(brand: Organisation, *, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    if Warehouse.objects.filter(brand=brand).exists():
        return _counts(brand)
    rng = random.Random(f"parts:{brand.code}")
    parts = list(Part.objects.filter(brand=brand, is_active=True).select_related("category").order_by("code"))
    if not parts:
        return _counts(brand)
    clerk = _actor(brand, Role.PARTS_CLERK) or _actor(brand, Role.BRAND_ADMIN)
    central = services.ensure_central(brand)
    for part in parts:
        units = _vary(rng, _levels(part)[0])
        _stamp([services.receive_stock(warehouse=central, part=part, quantity=units, actor=clerk,
                                       reason="工厂入库")], now - dt.timedelta(days=45, hours=rng.randint(0, 48)))
    outlets = Organisation.objects.filter(brand=brand, kind=OrgKind.OUTLET).order_by("code")
    for outlet in outlets:
        store = services.ensure_store(outlet)
        categories = set(ProductCategory.objects.filter(authorised_outlets=outlet).values_list("pk", flat=True))
        in_central = {b.part_id: b.available for b in central.balances.all()}
        lines = [Line(p, min(_vary(rng, _levels(p)[1]), in_central.get(p.pk, 0) // 2))
                 for p in parts if p.category_id in categories]
        lines = [line for line in lines if line.quantity > 0]
        if lines:
            _stamp(services.transfer_stock(source=central, target=store, lines=lines, actor=clerk, reason="月度补货"),
                   now - dt.timedelta(days=30, hours=rng.randint(0, 72)))
        desk = _actor(outlet, Role.OUTLET_DISPATCHER) or _actor(outlet, Role.OUTLET_MANAGER) or clerk
        for tech in Technician.objects.filter(outlet=outlet, is_active=True).order_by("user__username"):
            van = services.ensure_van(tech)
            skills = set(tech.skills.values_list("code", flat=True))
            # What they are skilled for, and what their open jobs need (a job may be outside the main skill).
            jobs = set(WorkOrder.objects.filter(technician=tech, status__in=sorted(REQUESTABLE_STATUSES))
                       .values_list("product__product_model__category_id", flat=True))
            carried = [p for p in parts if p.category_id in categories and _levels(p)[2]
                       and (CATEGORY_SKILL.get(p.category.code) in skills or p.category_id in jobs)]
            free = {b.part_id: b.available for b in store.balances.all()}
            van_lines = [Line(p, min(_vary(rng, _levels(p)[2]), free.get(p.pk, 0) // 2)) for p in carried]
            van_lines = [line for line in van_lines if line.quantity > 0]  # half the store's units at most
            if van_lines:
                _stamp(services.transfer_stock(source=store, target=van, lines=van_lines, actor=desk,
                                               reason="车载库备货"),
                       now - dt.timedelta(days=rng.randint(3, 12), hours=rng.randint(0, 10)))
    _requests_and_use(brand, parts, rng, now)
    return _counts(brand)


def _requests_and_use(brand: Organisation, parts: list[Part], rng: random.Random, now: dt.datetime) -> None:
    by_category: dict[int, list[Part]] = {}
    for part in parts:
        by_category.setdefault(part.category_id, []).append(part)
    orders = list(WorkOrder.objects.filter(brand=brand, status__in=sorted(REQUESTABLE_STATUSES),
                                           technician__isnull=False, product__isnull=False)
                  .select_related("technician__user", "technician__outlet", "product__product_model")
                  .order_by("number"))
    featured = [o for o in orders if o.technician.user.username == "tech"]
    others = [o for o in orders if o.technician.user.username != "tech"]
    # Parts are used on site (most jobs there have used one); jobs not reached yet keep the van's stock.
    for order in orders:
        fitting = by_category.get(order.product.product_model.category_id, [])
        is_featured = order in featured
        if order.status == Status.ON_SITE and fitting and (is_featured or rng.random() < 0.85):
            at = min(order.updated_at + dt.timedelta(minutes=rng.randint(10, 60)), now - dt.timedelta(minutes=5))
            _use(order, principal_of(order.technician.user), fitting, rng, at, featured=is_featured)
    # Requests: every job of the featured technician not yet on site, and about a quarter of the others.
    chosen = [o for o in featured if o.status != Status.ON_SITE] + [o for o in others if rng.random() < 0.25]
    made = featured_made = 0
    for order in chosen:
        fitting = by_category.get(order.product.product_model.category_id, [])
        if not fitting:
            continue
        is_featured = order in featured
        tech = principal_of(order.technician.user)
        at = min(order.updated_at + dt.timedelta(minutes=rng.randint(10, 90)), now - dt.timedelta(minutes=5))
        picked = rng.sample(fitting, k=min(len(fitting), rng.choice((1, 1, 2))))
        try:
            request = services.request_parts(order=order, actor=tech, note=rng.choice(["", "", "客户急用，尽快配送"]),
                                             lines=[Line(p, rng.choice((1, 1, 2))) for p in picked])
        except InsufficientStock:
            continue
        _stamp(request.moves.all(), at)
        PartRequest.objects.filter(pk=request.pk).update(created_at=at, updated_at=at)
        outlet = order.technician.outlet
        desk = _actor(outlet, Role.OUTLET_DISPATCHER) or _actor(outlet, Role.OUTLET_MANAGER)
        # The featured technician's first request has arrived in the van, the rest wait; elsewhere a mix.
        if is_featured:
            outcome = "transfer" if featured_made == 0 else "open"
            featured_made += 1
        else:
            outcome = "refuse" if made % 6 == 0 else "transfer" if made % 3 == 1 else "open"
            made += 1
        if desk is None or outcome == "open":
            continue
        if outcome == "refuse":
            services.refuse_request(request=request, actor=desk, reason=rng.choice(REFUSALS))
        else:
            services.transfer_request(request=request, actor=desk)
        later = min(at + dt.timedelta(hours=rng.randint(1, 5)), now - dt.timedelta(minutes=1))
        _stamp(request.moves.filter(kind__in=[MoveKind.TRANSFER_OUT, MoveKind.TRANSFER_IN, MoveKind.RELEASE]), later)
        PartRequest.objects.filter(pk=request.pk).update(decided_at=later, updated_at=later)
    _hand_some_in(brand, rng, now)


def _use(order: WorkOrder, tech, fitting: list[Part], rng: random.Random, at: dt.datetime, *,
         featured: bool) -> None:
    van = Warehouse.objects.filter(technician_id=order.technician_id).first()
    in_van = {b.part_id: b.available for b in van.balances.all()} if van else {}
    usable = [p for p in fitting if in_van.get(p.pk, 0) > 0]
    if not usable:
        return
    # Mostly a part whose replaced piece goes back (a pump, a valve), so the outlet has returns to chase.
    returned = [p for p in usable if p.family not in NOT_RETURNED_FAMILIES]
    part = rng.choice(returned if returned and (featured or rng.random() < 0.7) else usable)
    used = services.consume_on_job(order=order, actor=tech, lines=[Line(part, 1)],
                                   idempotency_key=f"demo-{order.number}")
    Consumption.objects.filter(pk=used.pk).update(created_at=at)
    DefectiveReturn.objects.filter(consumption=used).update(created_at=at)
    _stamp(used.moves.all(), at)


def _hand_some_in(brand: Organisation, rng: random.Random, now: dt.datetime) -> None:
    """About a third of what is owed has been handed in already (never the featured technician's)."""
    owed = DefectiveReturn.objects.filter(brand=brand).exclude(technician__user__username="tech").select_related(
        "technician__outlet").order_by("created_at", "pk")
    for i, defective in enumerate(owed):
        if i % 3:
            continue
        desk = _actor(defective.technician.outlet, Role.OUTLET_DISPATCHER) or _actor(
            defective.technician.outlet, Role.OUTLET_MANAGER)
        if desk is None:
            continue
        done = services.receive_defective(defective=defective, actor=desk)
        at = min(defective.created_at + dt.timedelta(hours=rng.randint(4, 30)), now - dt.timedelta(minutes=1))
        DefectiveReturn.objects.filter(pk=done.pk).update(received_at=at)
        _stamp([done.received_move], at)


def _levels(part: Part) -> tuple[int, int, int]:
    return LEVELS.get(part.family, DEFAULT_LEVELS)


def _vary(rng: random.Random, units: int) -> int:
    return max(1, round(units * rng.uniform(0.6, 1.4)))


def _stamp(moves: Iterable[StockMove], at: dt.datetime) -> None:
    StockMove.objects.filter(pk__in=[m.pk for m in moves]).update(created_at=at)


def _actor(org: Organisation, role: str):
    membership = (Membership.objects.filter(organisation=org, role=role, is_active=True).select_related("user")
                  .order_by("pk").first())
    return principal_of(membership.user) if membership else None


def _counts(brand: Organisation) -> dict[str, int]:
    return {
        "warehouses": Warehouse.objects.filter(brand=brand).count(),
        "stock_moves": StockMove.objects.filter(warehouse__brand=brand).count(),
        "part_requests": PartRequest.objects.filter(brand=brand).count(),
        "open_part_requests": PartRequest.objects.filter(brand=brand, status=RequestStatus.OPEN).count(),
        "defective_parts_owed": DefectiveReturn.objects.filter(brand=brand, status="owed").count(),
    }
