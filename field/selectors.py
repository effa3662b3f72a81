"""Reads for the technician app, each through ``visible_to`` (STYLE.md §5).

    my_jobs(user, now=None) -> Day                 today's and upcoming jobs in route order, and today's done
    get_job(user, pk) -> WorkOrder                 the technician's own job (WorkOrder.DoesNotExist otherwise)
    job_card(order) -> Job                         the order with the customer's profile and map links
    job_state(user, order) -> dict                 everything the job page shows and works offline from
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.principal import principal_of
from catalog.choices import ServiceType
from catalog.models import FaultCodeMapping, Part, Symptom
from core.hooks import Provider
from field import charges
from field.geo import FAR_FROM_SITE_M, distance_text
from field.jobtemplates import template_for
from field.models import Visit
from field.navigation import MapLink, map_links
from field.profile import CustomerProfile, customer_profile
from field.services.common import current_visit, latest_visit
from field.services.completion import MISSING_TEXT, missing_for, parts_used
from parts import selectors as parts_selectors
from workorders import workflow
from workorders.choices import Status
from workorders.estimates import localized
from workorders.models import WorkOrder

IN_HAND = (Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE, Status.ON_HOLD)
TECH_STEPS = ("accept", "decline", "depart", "arrive", "hold", "resume", "complete")
# (user, order) -> the download link of the order's service report, or None while there is none or the user
# may not see it; reports registers it (reports/hooks.py).
service_report_url: Provider[Callable[[Any, WorkOrder], str | None]] = Provider("field.selectors.service_report_url")
RELATED = ("customer", "site", "product__product_model__category", "outlet", "reported_symptom", "technician")


@dataclass
class Job:
    order: WorkOrder
    profile: CustomerProfile
    links: list[MapLink]

    @property
    def address(self) -> str:
        site = self.order.site
        return site.address if site else ""


@dataclass
class Day:
    today: list[Job] = field(default_factory=list)
    upcoming: list[Job] = field(default_factory=list)
    done: list[Job] = field(default_factory=list)

    def __iter__(self):
        yield from self.today
        yield from self.upcoming


def _technician_orders(user) -> QuerySet[WorkOrder]:
    seat = principal_of(user)
    if seat is None or not seat.is_technician:
        return WorkOrder.objects.none()
    return WorkOrder.objects.visible_to(user).filter(technician_id=seat.technician_id)


def get_job(user, pk: Any) -> WorkOrder:
    return _technician_orders(user).select_related(*RELATED).get(pk=pk)


def job_card(order: WorkOrder) -> Job:
    site = order.site
    return Job(order=order, profile=customer_profile(order.customer),
               links=map_links(name=site.name if site else order.customer.name, address=site.address if site else "",
                               latitude=site.latitude if site else None, longitude=site.longitude if site else None))


def my_jobs(user, now: dt.datetime | None = None) -> Day:
    """Route order: appointment window start, then the SLA's on-site deadline (jobs without either last)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    orders = _technician_orders(user).select_related(*RELATED)
    open_ = orders.filter(status__in=IN_HAND).order_by(
        F("slot_start").asc(nulls_last=True), F("onsite_due").asc(nulls_last=True), "pk")
    day = Day()
    for order in open_:
        target = day.upcoming if order.slot_start is not None and order.slot_start >= tomorrow else day.today
        target.append(job_card(order))
    done = orders.filter(Q(status__in=[Status.COMPLETED, Status.CLOSED]), completed_at__gte=start_of_day).order_by(
        "-completed_at")
    day.done = [job_card(o) for o in done]
    return day


def _attachment_url(pk: int) -> str:
    return reverse("api:attachment-file", kwargs={"attachment_id": pk})


def _steps() -> dict[str, dict[str, Any]]:
    """The lifecycle table's technician steps, so the phone can move a job along while offline."""
    return {name: {"from": sorted(workflow.ACTIONS[name].sources_for(Role.TECHNICIAN)),
                   "to": workflow.ACTIONS[name].target}
            for name in TECH_STEPS}


def _fitting(balances: list, order: WorkOrder) -> list:
    """The van's parts that fit the order's unit (its category, and its model when the part names models)."""
    model = order.product.product_model if order.product_id else None
    fits = Part.fitting_ids({b.part_id for b in balances}, model)
    return [b for b in balances if b.part_id in fits]


def _fault_codes(order: WorkOrder) -> list[dict[str, str]]:
    if not order.product_id:
        return []
    model = order.product.product_model
    rows = FaultCodeMapping.objects.filter(brand_id=order.brand_id, is_active=True).filter(
        Q(product_model_id=model.pk) | Q(category_id=model.category_id)).order_by("fault_code")
    seen: dict[str, str] = {}
    for row in rows:
        seen.setdefault(row.fault_code, row.label)
    return [{"code": code, "label": label} for code, label in seen.items()]


def job_state(user, order: WorkOrder) -> dict[str, Any]:
    """The job as the phone works with it: the status and the steps from it, checklist, photos, diagnosis,
    van stock, parts used, a price sheet for the charge, payment, signature, and what completion still needs."""
    seat = principal_of(user)
    visit = current_visit(order, seat.technician_id) if order.status in IN_HAND else None
    if visit is None and order.status in (Status.COMPLETED, Status.CLOSED):
        visit = latest_visit(order, seat.technician_id)
    template = template_for(order)
    answers = {a.item_id: a.value for a in visit.answers.all()} if visit else {}
    photos = list(visit.photos.select_related("attachment")) if visit else []
    van = parts_selectors.my_van(user)
    stock = _fitting(list(parts_selectors.stock(user, van, in_stock_only=True)), order) if van else []
    used = parts_used(visit) if visit else []
    names = {p.code: p for p in Part.objects.filter(brand_id=order.brand_id, code__in=[c for c, _q in used])}
    category_id = order.product.product_model.category_id if order.product_id else None
    completed = visit is not None and visit.completed_at is not None
    state: dict[str, Any] = {
        "id": order.pk, "number": order.number, "status": order.status, "held_from": order.held_from,
        "version": order.version, "type": order.type, "steps": _steps(),
        "checklist": [{"id": item.pk, "label": str(item.display_label), "kind": item.kind, "unit": item.unit,
                       "required": item.required, "value": answers.get(item.pk, "")}
                      for item in (template.items.all() if template else [])],
        "photos": [{"code": p.code, "label": str(p.display_label), "required": p.required,
                    "taken": [{"id": ph.attachment_id, "url": _attachment_url(ph.attachment_id)}
                              for ph in photos if ph.requirement == p.code]}
                   for p in (template.photos.all() if template else [])],
        "extra_photos": [{"id": ph.attachment_id, "url": _attachment_url(ph.attachment_id)}
                         for ph in photos if not ph.requirement or template is None
                         or ph.requirement not in {p.code for p in template.photos.all()}],
        "diagnosis": {"fault_code": visit.fault_code if visit else "",
                      "symptom_code": visit.symptom.code if visit and visit.symptom_id else "",
                      "note": visit.diagnosis if visit else ""},
        "reported_symptom": order.reported_symptom.code if order.reported_symptom_id else "",
        "symptoms": [{"code": s.code, "label": str(s.display_name)}
                     for s in Symptom.objects.filter(category_id=category_id, is_active=True)],
        "fault_codes": _fault_codes(order),
        "van": [{"part_id": b.part_id, "code": b.part.code, "name": str(b.part.display_name),
                 "available": b.available} for b in stock],
        "used": [{"code": code, "name": str(names[code].display_name) if code in names else code,
                  "quantity": qty} for code, qty in used],
        "payment": ({"method": visit.payment_method, "amount": str(visit.payment_amount),
                     "reference": visit.payment_reference} if visit and visit.payment_method else None),
        "signature": ({"url": _attachment_url(visit.signature_id), "signer": visit.signed_by}
                      if visit and visit.signature_id else None),
        "departed_at": visit.departed_at.isoformat() if visit and visit.departed_at else None,
        "checked_in_at": visit.checked_in_at.isoformat() if visit and visit.checked_in_at else None,
        "distance_m": visit.checkin_distance_m if visit else None,
        "distance": distance_text(visit.checkin_distance_m) if visit else "",
        "far_m": FAR_FROM_SITE_M,
        "completed": completed,
        "install": _install_state(order),
        "nameplate": _nameplate_state(order, visit),
    }
    if completed:
        state["charge"] = _frozen_charge(visit)
        state["labour"] = {"minutes": visit.labour_minutes, "standard": visit.standard_minutes,
                           "variance": visit.labour_variance_minutes}
        state["report_url"] = service_report_url(user, order)
        state["price_sheet"] = None
        state["missing"] = []
    else:
        state["charge"] = None
        codes = {b.part.code for b in stock} | {code for code, _q in used}
        state["price_sheet"] = charges.price_sheet(order, part_codes=codes) if order.status in IN_HAND else None
        state["missing"] = _missing(order, visit)
    return state


def _install_state(order: WorkOrder) -> dict[str, Any] | None:
    """An installation: the unit it installs (the model's serial pattern, to check a scan on the phone) and,
    once installed, its state: in service since, warranty until."""
    if order.type != ServiceType.INSTALL or not order.product_id:
        return None
    unit = order.product
    model = unit.product_model
    return {"model": f"{model.code} {model.name}", "pattern": model.serial_pattern,
            "serial": unit.serial if model.serial_fits(unit.serial) else "",
            "status": unit.status, "status_label": str(unit.get_status_display()),
            "install_date": unit.install_date.isoformat() if unit.install_date else None,
            "warranty_end": unit.warranty_end.isoformat() if unit.warranty_end else None}


def _nameplate_state(order: WorkOrder, visit: Visit | None) -> dict[str, Any] | None:
    """Any other job on a unit: the serial on record (None when there is none, or only an import's placeholder
    that does not fit the model's pattern), for the phone's optional nameplate serial, and the one read so far."""
    if order.type == ServiceType.INSTALL or not order.product_id:
        return None
    unit = order.product
    model = unit.product_model
    return {"model": f"{model.code} {model.name}",
            "serial": unit.serial if unit.serial and model.serial_fits(unit.serial) else None,
            "seen": visit.serial_seen if visit else ""}


def _missing(order: WorkOrder, visit: Visit | None) -> list[dict[str, str]]:
    if visit is None or order.status != Status.ON_SITE:
        return []
    # The payment is judged on the phone against the charge it shows; here without it.
    return [{"code": m, "text": str(MISSING_TEXT[m])} for m in missing_for(order, visit, charge_total=None)]


def _frozen_charge(visit: Visit) -> dict[str, Any]:
    charge = visit.charge or {}
    if not charge.get("available"):
        return {"available": False, "reason": localized(charge.get("reason")), "lines": [], "total": None}
    return {
        "available": True, "total": charge.get("total"), "currency": charge.get("currency", "CNY"),
        "warranty": {"covered": charge["warranty"]["covered"], "reason": localized(charge["warranty"]["reason"])},
        "lines": [{"description": localized(ln["description"]), "quantity": ln["quantity"],
                   "unit_price": ln["unit_price"], "gross": ln["gross"], "covered": ln["covered"],
                   "reason": localized(ln["reason"]), "customer_pays": ln["customer_pays"],
                   "state": ln.get("state", "priced")}
                  for ln in charge.get("lines", [])],
    }


def console_visit(user, order: WorkOrder) -> Visit | None:
    """The visit the dispatcher sees beside the order (check-in distance, labour against standard)."""
    return Visit.objects.visible_to(user).filter(work_order=order).order_by("-created_at", "-pk").first()
