"""Demo for the technician app: ``seed_field(brand, now=...)`` (called by the demo command after parts; safe
to run twice).

- A job template for every service type (checklists and required photos in Chinese and English), editable
  in the admin under *Technician app*.
- The demo technician's (``tech``) day: their open jobs get today's appointment windows in route order (the
  one on site first, then the one on the way, then the accepted and dispatched ones), the job on hold moves to
  tomorrow; the job on the way has set off from a known position (the customer's tracking ETA starts there)
  and the one on site is checked in with part of its checklist ticked.
- One job done this morning through the real services end to end, as a technician does it offline and syncs
  later: accept, on my way, check in near the site, checklist, photos, a filter from the van, the engine's
  charge, WeChat Pay, the customer's signature, completion; its service report is rendered on commit.

Deterministic for a brand and an anchor time: no randomness, orders taken in number order.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.models import Membership, Organisation
from accounts.principal import principal_of
from catalog.choices import ServiceType
from catalog.models import Symptom
from core.geo.distance import distance_m
from customers.models import InstalledProduct
from demo.common import align_outbox, allocate_numbers
from field import charges, services
from field.choices import ItemKind
from field.geo import Position
from field.models import ChecklistAnswer, ChecklistItem, JobTemplate, PhotoRequirement, Visit
from field.services.completion import parts_used
from network.models import Technician
from parts.errors import NoWarehouse
from parts.selectors import stock
from parts.services import van_of
from workorders import services as orders
from workorders import workflow
from workorders.choices import Channel, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla import due_times_of

C, Y, N, T = ItemKind.CHECK, ItemKind.YES_NO, ItemKind.NUMBER, ItemKind.TEXT
# service type → (name, checklist [(label, English, kind, unit, required)], photos [(code, label, English, required)])
TEMPLATES = {
    ServiceType.INSTALL: ("安装作业", [
        ("确认安装位置与进水条件", "Installation spot and water supply checked", C, "", True),
        ("管路连接无渗漏", "No leak at the connections", Y, "", True),
        ("进水压力", "Inlet water pressure", N, "MPa", True),
        ("出水 TDS 值", "TDS of the output water", N, "ppm", False),
        ("已向客户讲解使用与保养", "Use and care explained to the customer", C, "", True),
    ], [("serial", "机身铭牌（序列号）", "Serial plate", True), ("installed", "安装完成整机", "Installed unit", True),
        ("pressure", "水压表读数", "Water pressure reading", True)]),
    ServiceType.REPAIR: ("维修作业", [
        ("断电断水后检修", "Power and water off before work", C, "", True),
        ("故障已排除，试机正常", "Fault cleared, test run normal", Y, "", True),
        ("旧件已贴标待返还", "Replaced part tagged for return", C, "", False),
        ("备注", "Remarks", T, "", False),
    ], [("before", "维修前", "Before the repair", True), ("after", "维修后", "After the repair", True),
        ("old-part", "更换下的旧件", "The replaced part", False)]),
    ServiceType.MAINTENANCE: ("保养作业", [
        ("清洗或更换滤芯", "Filters cleaned or replaced", C, "", True),
        ("出水 TDS 值", "TDS of the output water", N, "ppm", True),
        ("整机运行正常", "Unit runs normally", Y, "", True),
    ], [("before", "保养前", "Before the service", True), ("after", "保养后", "After the service", True)]),
    ServiceType.INSPECTION: ("巡检作业", [
        ("外观与管路检查", "Casing and pipes inspected", C, "", True),
        ("运行参数记录", "Operating readings", T, "", True),
        ("需要安排维修", "A repair is needed", Y, "", True),
    ], [("unit", "整机外观", "The whole unit", True)]),
    ServiceType.MAIL_IN: ("寄修检测", [
        ("外观与随附配件核对", "Casing and accessories checked on arrival", C, "", True),
        ("故障可复现", "Fault reproduced", Y, "", True),
    ], [("arrival", "收货外观", "As it arrived", True), ("serial", "机身铭牌（序列号）", "Serial plate", True)]),
    ServiceType.SITE_SURVEY: ("现场勘测", [
        ("安装位置尺寸", "Measurements of the installation spot", T, "", True),
        ("电源与排水条件满足", "Power and drainage available", Y, "", True),
        ("初步方案", "Proposed solution", T, "", False),
    ], [("spot", "安装位置", "Installation spot", True), ("utilities", "电源与排水口", "Power and drain", False)]),
}
# Today's windows in route order (hour, minute); two hours each.
WINDOWS = [(9, 0), (10, 30), (13, 0), (14, 30), (16, 0), (17, 30)]
ROUTE_ORDER = [Status.ON_SITE, Status.EN_ROUTE, Status.ACCEPTED, Status.DISPATCHED]


def seed_field(brand: Organisation, *, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    for service_type, (name, items, photos) in TEMPLATES.items():
        _template(brand, service_type, name, items, photos)
    tech = Technician.objects.filter(user__username="tech", outlet__brand=brand).select_related("user").first()
    if tech is not None and not Visit.objects.filter(technician=tech).exists():
        _plan_the_day(tech, now)
        _morning_job(brand, tech, now)
    return {"job_templates": JobTemplate.objects.filter(brand=brand).count(),
            "visits": Visit.objects.filter(work_order__brand=brand).count()}


def _template(brand, service_type, name, items, photos) -> JobTemplate:
    template, made = JobTemplate.objects.get_or_create(brand=brand, service_type=service_type, category=None,
                                                       defaults={"name": name})
    if made:
        ChecklistItem.objects.bulk_create([
            ChecklistItem(template=template, label=label, label_en=label_en, kind=kind, unit=unit, required=required,
                          sort_order=n * 10) for n, (label, label_en, kind, unit, required) in enumerate(items)])
        PhotoRequirement.objects.bulk_create([
            PhotoRequirement(template=template, code=code, label=label, label_en=label_en, required=required,
                             sort_order=n * 10) for n, (code, label, label_en, required) in enumerate(photos)])
    return template


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _event_time(order: WorkOrder, action: str) -> dt.datetime | None:
    return (WorkOrderEvent.objects.filter(work_order=order, action=action).order_by("-created_at")
            .values_list("created_at", flat=True).first())


def _plan_the_day(tech: Technician, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    tomorrow = today + dt.timedelta(days=1)
    jobs = list(WorkOrder.objects.filter(technician=tech, status__in=[*ROUTE_ORDER, Status.ON_HOLD])
                .select_related("site", "product__product_model").order_by("number"))
    route = sorted((j for j in jobs if j.status in ROUTE_ORDER), key=lambda j: ROUTE_ORDER.index(j.status))
    later = [j for j in jobs if j.status == Status.ON_HOLD]
    for index, job in enumerate(route + later):
        day, (hour, minute) = ((today, WINDOWS[index]) if index < len(WINDOWS) and job.status != Status.ON_HOLD
                               else (tomorrow, WINDOWS[(index - len(route)) % len(WINDOWS)]))
        start = _at(day, hour, minute)
        end = start + dt.timedelta(hours=2)
        # The booked window is the commitment, also of a job already on site (its card no longer shows it).
        WorkOrder.objects.filter(pk=job.pk).update(slot_start=start, slot_end=end,
                                                   onsite_due=due_times_of(job, slot_end=end)[1])
    for job in route:
        site = job.site
        if job.status == Status.EN_ROUTE:
            departed = _event_time(job, "depart") or now
            Visit.objects.create(work_order=job, technician=tech, departed_at=departed)
            if site is not None and site.latitude is not None:
                # Set off from about three kilometres away: the customer's tracking shows the ETA from here.
                Technician.objects.filter(pk=tech.pk).update(
                    last_latitude=site.latitude + Decimal("0.020000"),
                    last_longitude=site.longitude - Decimal("0.018000"), last_located_at=departed)
        elif job.status == Status.ON_SITE:
            arrived = _event_time(job, "arrive") or now
            departed = _event_time(job, "depart") or arrived
            visit = Visit.objects.create(work_order=job, technician=tech, departed_at=departed, checked_in_at=arrived)
            if site is not None and site.latitude is not None:
                lat, lon = site.latitude + Decimal("0.000400"), site.longitude + Decimal("0.000300")
                Visit.objects.filter(pk=visit.pk).update(
                    checkin_latitude=lat, checkin_longitude=lon, checkin_accuracy_m=12,
                    checkin_distance_m=distance_m((lat, lon), (site.latitude, site.longitude)))
            # Parts used on it before (parts' demo) belong to this visit: it began when the job was accepted.
            Visit.objects.filter(pk=visit.pk).update(created_at=job.accepted_at or job.created_at)
            template = JobTemplate.objects.filter(brand_id=job.brand_id, service_type=job.type).first()
            items = list(template.items.all()[:2]) if template else []
            ChecklistAnswer.objects.bulk_create([
                ChecklistAnswer(visit=visit, item=item, label=item.label, answered_by=tech.user, answered_at=arrived,
                                value={C: "done", Y: "yes", N: "0.3", T: "正常"}[item.kind]) for item in items])


def _picture(colour: tuple[int, int, int], label: str) -> bytes:
    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([320, 180, 880, 760], outline=(250, 250, 250), width=14)
    draw.text((360, 200), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _signature() -> bytes:
    image = Image.new("RGBA", (640, 200), (255, 255, 255, 255))
    ImageDraw.Draw(image).line([(40, 140), (120, 60), (170, 150), (240, 50), (300, 140), (420, 80), (600, 120)],
                               fill=(12, 27, 58, 255), width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _morning_job(brand: Organisation, tech: Technician, now: dt.datetime) -> None:
    """A repair done this morning, through the services as the phone sends them (the phone's times)."""
    try:
        van = van_of(tech.pk)
    except NoWarehouse:
        return
    dispatcher = Membership.objects.filter(organisation=brand, role=Role.DISPATCHER, is_active=True).order_by(
        "pk").select_related("user").first()
    if dispatcher is None:
        return
    desk, actor = principal_of(dispatcher.user), principal_of(tech.user)
    carried = {b.part.category_id: b.part for b in stock(tech.user, van, in_stock_only=True)
               if b.part.family == "filter" and b.part.category_id}
    product = (InstalledProduct.objects.filter(brand=brand, site__region__outlets=tech.outlet,
                                               product_model__category_id__in=list(carried),
                                               product_model__category__authorised_outlets=tech.outlet)
               .filter(~Q(customer__work_orders__status__in=[Status.DISPATCHED, Status.ACCEPTED]))
               .select_related("customer", "site", "product_model").order_by("serial").first())
    if product is None:
        return
    symptom = Symptom.objects.filter(category_id=product.product_model.category_id, excludes_warranty="",
                                     is_active=True).order_by("sort_order").first()
    order = orders.create_work_order(actor=desk, customer=product.customer, product=product, type=ServiceType.REPAIR,
                                     channel=Channel.HOTLINE, symptom=symptom.name if symptom else "",
                                     reported_symptom=symptom)
    started = now - dt.timedelta(hours=4)
    start = _at(timezone.localdate(now), 8, 0)
    slot = start if start < now - dt.timedelta(hours=2) else started
    # Booked the evening before: the phone's times below are later than that, so the services keep them.
    WorkOrder.objects.filter(pk=order.pk).update(created_at=started - dt.timedelta(hours=14), slot_start=slot,
                                                 slot_end=slot + dt.timedelta(hours=2))
    order.refresh_from_db()
    order = workflow.transition(order, "assign", actor=desk, outlet=tech.outlet)
    order = workflow.transition(order, "dispatch", actor=desk, technician=tech)
    services.accept(order=order, actor=actor)
    site = product.site
    here = Position(site.latitude + Decimal("0.000300"), site.longitude, 15) if site and site.latitude else None
    services.depart(order=order, actor=actor, at=started)
    services.arrive(order=order, actor=actor, where=here, at=started + dt.timedelta(minutes=25))
    order.refresh_from_db()
    template = JobTemplate.objects.get(brand=brand, service_type=ServiceType.REPAIR, category=None)
    answers = {C: "done", Y: "yes", N: "0.3", T: "滤芯堵塞，已更换"}
    services.answer_checklist(order=order, actor=actor,
                              answers=[(item.pk, answers[item.kind]) for item in template.items.all()])
    for code, colour in (("before", (120, 130, 140)), ("after", (60, 140, 90))):
        services.add_visit_photo(order=order, actor=actor, upload=_picture(colour, code), requirement=code,
                                 at=started + dt.timedelta(minutes=40))
    part = carried[product.product_model.category_id]
    services.use_parts(order=order, actor=actor, lines=[(part.pk, 1)], idempotency_key=f"demo-{order.number}")
    services.record_diagnosis(order=order, actor=actor, fault_code="E1", symptom_code=symptom.code if symptom else "",
                              note="前置滤芯堵塞导致出水慢，已更换并冲洗")
    visit = Visit.objects.get(work_order=order, completed_at__isnull=True)
    quote = charges.price(order, symptom_code=charges.effective_symptom_code(order, visit.symptom),
                          parts=parts_used(visit))
    if quote.total > 0:
        services.record_payment(order=order, actor=actor, method="wechat", amount=str(quote.total),
                                reference=f"WX{timezone.localdate(now):%Y%m%d}0001")
    services.sign(order=order, actor=actor, upload=_signature(), signer=product.customer.name)
    services.complete(order=order, actor=actor, at=started + dt.timedelta(minutes=95), shown_total=str(quote.total))
    _as_it_happened(order, started)


def _as_it_happened(order: WorkOrder, started: dt.datetime) -> None:
    """Put the timeline at the times the steps were taken (the demo is anchored, the services stamp the clock):
    booked the evening before, dispatched, then the phone's times. Deterministic for an anchor."""
    order.refresh_from_db()
    created = started - dt.timedelta(hours=14)
    times = {"": created, "assign": created + dt.timedelta(minutes=5), "dispatch": created + dt.timedelta(minutes=20),
             "accept": started - dt.timedelta(minutes=30), "depart": started,
             "arrive": started + dt.timedelta(minutes=25), "complete": started + dt.timedelta(minutes=95)}
    for event in WorkOrderEvent.objects.filter(work_order=order):
        if event.action in times:
            WorkOrderEvent.objects.filter(pk=event.pk).update(created_at=times[event.action])
    number = order.number
    if created.astimezone(timezone.get_default_timezone()).strftime("%Y%m") != number[3:9]:
        number = allocate_numbers(order.brand_id, [created], timezone.get_default_timezone())[0]
    WorkOrder.objects.filter(pk=order.pk).update(
        number=number, created_at=created, **dict(zip(("response_due", "onsite_due"),
                                                      due_times_of(order, opened_at=created), strict=True)),
        accepted_at=times["accept"], arrived_at=times["arrive"],
        completed_at=times["complete"], updated_at=times["complete"])
    Visit.objects.filter(work_order=order).update(created_at=times["accept"], completed_at=times["complete"])
    align_outbox([order.pk])
