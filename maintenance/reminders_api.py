"""Schedules and reminders over HTTP: thin adapters over maintenance.selectors and maintenance.booking.

- ``GET /api/v1/products/{id}/schedule``: the unit's plans and consumables with their due dates and why;
- ``GET /api/v1/reminders``: a customer's own, the brand's staff all of the brand's, with filters;
- ``POST /api/v1/reminders/{id}/book``: one-tap booking, by the signed-in customer (or the brand's staff
  booking for them) or by the reminder's token without signing in (the link's key).
Everything is fetched through ``visible_to`` (or by the token); what the caller may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router
from pydantic import BaseModel

from core.api import AUTH, ApiDateTime, get_visible, page_params, principal
from core.errors import InvalidInput
from core.schema import Day, Id, Input, Int, Moment
from customers.models import InstalledProduct
from maintenance import booking
from maintenance import schedule_selectors as selectors
from maintenance.choices import ReminderStatus, ScheduleKind
from maintenance.models import Reminder

products_router = Router(tags=["maintenance"], auth=AUTH)
router = Router(tags=["maintenance"], auth=AUTH)

StatusLit = Literal[tuple(ReminderStatus.values)]  # type: ignore[valid-type]
KindLit = Literal[tuple(ScheduleKind.values)]  # type: ignore[valid-type]


class ScheduleItemOut(BaseModel):
    schedule_id: int
    kind: str
    name: str = Field(description="The consumable (in the caller's language) or the plan.")
    part_id: int | None
    plan_id: int | None
    contract_id: int | None
    due_on: dt.date | None
    due_by: str = Field(description="What decided the due date: time, litres or hours (empty: unknown).")
    why: list[str] = Field(description="The reasons, the deciding one first "
                           "(\"every 6 months, counted from June 20\").")
    last_done_on: dt.date | None
    last_done_via: str
    litres_per_day: str | None
    hours_per_day: str | None
    ends_on: dt.date | None
    self_replaceable: bool


class ProductScheduleOut(BaseModel):
    product_id: int
    serial: str
    items: list[ScheduleItemOut]


class ReminderOut(BaseModel):
    id: int
    kind: str
    status: str
    sequence: int
    due_on: dt.date
    sent_at: ApiDateTime
    acted_at: ApiDateTime | None
    schedule_id: int
    product_id: int
    serial: str
    customer_id: int
    name: str
    work_order_id: int | None
    work_order_number: str | None


class ReminderPage(BaseModel):
    count: int
    page: int
    page_size: int
    items: list[ReminderOut]


class ReminderFilters(Input):
    status: StatusLit | None = None
    kind: KindLit | None = None
    product_id: Id | None = None
    customer_id: Id | None = None
    due_from: Day | None = None
    due_to: Day | None = None
    page: Int = 1
    page_size: Int = 50


class BookIn(Input):
    slot_start: Moment = Field(description="The window's start, as offered (portal slot picker / intake).")
    slot_end: Moment
    token: str | None = Field(None, max_length=20, description="The link's key: books without signing in.")


class BookedOut(BaseModel):
    reminder_id: int
    status: str
    work_order_id: int
    work_order_number: str
    slot_start: ApiDateTime | None
    slot_end: ApiDateTime | None


def _item(line: selectors.Line) -> ScheduleItemOut:
    s = line.schedule
    return ScheduleItemOut(
        schedule_id=s.pk, kind=s.kind, name=line.name, part_id=line.part_id, plan_id=line.plan_id,
        contract_id=s.contract_id, due_on=s.due_on, due_by=s.due_by, why=line.why, last_done_on=s.last_done_on,
        last_done_via=s.last_done_via, litres_per_day=None if s.litres_per_day is None else str(s.litres_per_day),
        hours_per_day=None if s.hours_per_day is None else str(s.hours_per_day), ends_on=s.ends_on,
        self_replaceable=line.self_replaceable)


@products_router.get("/{product_id}/schedule", response=ProductScheduleOut,
                     summary="A unit's plans and consumables: when each is next due, and why")
def product_schedule(request, product_id: Id):
    product = get_visible(InstalledProduct.objects, request, product_id)
    return ProductScheduleOut(product_id=product.pk, serial=product.serial,
                              items=[_item(x) for x in selectors.product_schedule(product)])


def _reminder(r: Reminder) -> ReminderOut:
    s = r.schedule
    name = selectors.line(s).name
    return ReminderOut(id=r.pk, kind=s.kind, status=r.status, sequence=r.sequence, due_on=r.due_on,
                       sent_at=r.sent_at, acted_at=r.acted_at, schedule_id=s.pk, product_id=s.product_id,
                       serial=s.product.serial, customer_id=r.customer_id, name=name,
                       work_order_id=r.work_order_id,
                       work_order_number=r.work_order.number if r.work_order_id else None)


@router.get("", response=ReminderPage, summary="Service reminders: a customer's own, the brand's all")
def list_reminders(request, filters: Query[ReminderFilters]):
    page, size = page_params(filters.page, filters.page_size)
    principal(request)
    qs = selectors.reminders_of(request.user)
    for name, lookup in (("status", "status"), ("kind", "schedule__kind"), ("product_id", "schedule__product_id"),
                         ("customer_id", "customer_id"), ("due_from", "due_on__gte"), ("due_to", "due_on__lte")):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{lookup: value})
    count = qs.count()
    return ReminderPage(count=count, page=page, page_size=size,
                        items=[_reminder(r) for r in qs[(page - 1) * size: page * size]])


def anyone(request) -> bool:
    """No sign-in needed when the body carries the reminder's token (checked in the route)."""
    return True


@router.post("/{reminder_id}/book", response={201: BookedOut}, auth=[*AUTH, anyone],
             summary="Book the reminder's visit in one tap (signed in, or with the link's token)")
def book(request, reminder_id: Id, payload: BookIn):
    if payload.token:
        found = Reminder.objects.filter(pk=reminder_id).first()
        if found is None or not hmac.compare_digest(found.token, payload.token):
            raise Http404
        actor = None
    else:
        if not request.user.is_authenticated:
            raise Http404
        found = get_visible(Reminder.objects, request, reminder_id)
        actor = principal(request)
    found = selectors.reminder_by_token(brand_id=found.brand_id, token=found.token)
    if payload.slot_end <= payload.slot_start:
        raise InvalidInput(field="slot_end")
    order = booking.book_from_reminder(reminder=found, actor=actor, slot=(payload.slot_start, payload.slot_end))
    return 201, BookedOut(reminder_id=found.pk, status=found.status, work_order_id=order.pk,
                          work_order_number=order.number, slot_start=order.slot_start, slot_end=order.slot_end)
