"""Work-order business actions; each is one transaction (STYLE.md §1)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import ORDER_CREATORS, Role
from accounts.principal import Principal
from catalog.choices import ServiceType
from catalog.models import Symptom
from core import outbox
from core.errors import (
    FieldNotAllowed,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
    PreconditionFailed,
    StaleVersion,
)
from core.inserts import insert_params, insert_sql, returned_fields, returning, set_returned
from core.models import OutboxEvent
from core.prepared import hot_cursor
from core.sequences import next_value, upsert_sql
from customers.choices import ProductStatus
from customers.models import Customer, InstalledProduct, Site
from workorders import events
from workorders.choices import DONE_STATUSES, Channel, Priority, Status, WorkOrderType
from workorders.models import REASON_MAX, SYMPTOM_MAX, WorkOrder, WorkOrderEvent
from workorders.sla import due_times, sla_terms
from workorders.sla_clock import rebooked_clocks

EDITABLE_FIELDS = ("priority", "symptom", "slot_start", "slot_end", "site")
# A booking further ahead than this is a typing error (the year 2099), not a plan.
SLOT_HORIZON = dt.timedelta(days=366)
EDITOR_ROLES = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT, Role.OUTLET_MANAGER,
                          Role.OUTLET_DISPATCHER})


def _check_slot(slot_start: dt.datetime | None, slot_end: dt.datetime | None) -> None:
    if (slot_start is None) != (slot_end is None):
        raise InvalidInput(_("Give both the start and the end of the time slot."), field="slot_end")
    if slot_start and slot_end and slot_end <= slot_start:
        raise InvalidInput(_("The time slot must end after it starts."), field="slot_end")
    if slot_start and slot_start > timezone.now() + SLOT_HORIZON:
        raise InvalidInput(_("Book a time slot within the next twelve months."), field="slot_start")


@functools.cache
def _values_of(choices) -> frozenset[str]:
    return frozenset(choices.values)


def _check_choice(value: str, choices, field: str) -> None:
    if value not in _values_of(choices):
        raise InvalidInput(_("Choose a valid option."), field=field, allowed=list(choices.values))


# The channels a customer's own request arrives by: their self-service (the portal, or its API with a token
# the portal issued) and the brand's WeChat account. The hotline, IoT and imports are the brand's doing.
CUSTOMER_CHANNELS = frozenset({Channel.PORTAL, Channel.WECHAT})


def customer_priority(customer: Customer) -> str:
    """The priority a customer's own request gets. Urgency is the brand's to raise (the hotline, a dispatcher,
    an IoT fault mapping, an enterprise contract's deadlines per priority), never the customer's to claim."""
    return Priority.NORMAL


def caller_terms(*, actor: Principal, customer: Customer, priority: str | None,
                 channel: str | None) -> tuple[str, str]:
    """The priority and channel of a new order, by the caller's role: a customer sends neither (403
    field_not_allowed naming the field); staff choose both, by default normal and the hotline."""
    if actor.is_customer:
        for field, value in (("priority", priority), ("channel", channel)):
            if value is not None:
                raise FieldNotAllowed(field=field)
        return customer_priority(customer), Channel.PORTAL
    return priority or Priority.NORMAL, channel or Channel.HOTLINE


def ensure_may_create(actor: Principal) -> None:
    if actor.role not in ORDER_CREATORS:
        raise PermissionDenied(_("Your role may not open work orders."))


class ProductExchanged(InvalidInput):
    code = "product_exchanged"
    default_message = _("This unit was exchanged at the repair centre: report the fault on the unit that replaced it.")


def check_new_order(*, actor: Principal, customer: Customer, type: str, channel: str, priority: str,
                    description: str, product: InstalledProduct | None, site: Site | None,
                    type_field: str = "type", description_field: str = "symptom") -> str:
    """The checks every new order passes, from any channel: whether the actor may open it for this customer,
    the choices, the product and site being the customer's, the description's length. ``type_field`` and
    ``description_field`` name the caller's own inputs in the errors. Returns the description, stripped."""
    ensure_may_create(actor)
    if actor.is_customer and customer.pk != actor.customer_id:
        raise PermissionDenied()
    if customer.brand_id != actor.brand_id:
        raise InvalidInput(_("Unknown customer."), field="customer")
    _check_choice(type, WorkOrderType, type_field)
    _check_choice(channel, Channel, "channel")
    _check_choice(priority, Priority, "priority")
    if actor.is_customer and priority != customer_priority(customer):
        raise FieldNotAllowed(field="priority")
    if actor.is_customer and channel not in CUSTOMER_CHANNELS:
        raise FieldNotAllowed(field="channel")
    if site is not None and site.customer_id != customer.pk:
        raise InvalidInput(_("The site belongs to another customer."), field="site")
    if product is not None and product.customer_id != customer.pk:
        raise InvalidInput(_("The product belongs to another customer."), field="product")
    if product is not None and product.status == ProductStatus.EXCHANGED:
        # The unit went back to the brand in a mail-in exchange: the customer's unit now is the one that replaced it.
        raise ProductExchanged(field="product")
    description = (description or "").strip()
    if len(description) > SYMPTOM_MAX:
        raise InvalidInput(_("The description is too long."), field=description_field, max_length=SYMPTOM_MAX)
    return description


def create_work_order(
    *,
    actor: Principal,
    customer: Customer,
    type: str,
    channel: str,
    symptom: str = "",
    priority: str = Priority.NORMAL,
    site: Site | None = None,
    product: InstalledProduct | None = None,
    slot_start: dt.datetime | None = None,
    slot_end: dt.datetime | None = None,
    reported_symptom: Symptom | None = None,
    estimate: dict[str, Any] | None = None,
    estimate_total: Decimal | None = None,
    standard_minutes: int | None = None,
) -> WorkOrder:
    """Open a work order. Every intake channel ends here.

    ``standard_minutes`` is the job's own length when what opens it knows it (a maintenance plan's visit);
    dispatch plans with it instead of the model's service standard.

    ``customer``, ``site`` and ``product`` must come from ``visible_to(actor.user)``. The symptom and
    the estimate are what workorders.intake.submit_request has already checked and computed.
    """
    symptom = check_new_order(actor=actor, customer=customer, type=type, channel=channel, priority=priority,
                              description=symptom, product=product, site=site)
    if site is None and product is not None and product.site_id:
        site = product.site
    _check_slot(slot_start, slot_end)

    now = timezone.now()
    region_id = site.region_id if site else None
    terms = sla_terms(
        brand_id=customer.brand_id, region_id=region_id, segment=customer.segment, priority=priority,
        customer_id=customer.pk, day=timezone.localdate(now),
    )
    response_due, onsite_due = due_times(terms, opened_at=now, slot_end=slot_end)
    if type == ServiceType.MAIL_IN:
        # Nobody responds on site: a mail-in unit's clocks are its hops' targets (logistics), not these.
        response_due = onsite_due = None
    local = timezone.localtime(now)
    order = WorkOrder(
        brand_id=customer.brand_id,
        type=type,
        channel=channel,
        priority=priority,
        status=Status.NEW,
        customer=customer,
        site=site,
        product=product,
        region_id=region_id,
        symptom=symptom,
        slot_start=slot_start,
        slot_end=slot_end,
        response_due=response_due,
        onsite_due=onsite_due,
        created_by=actor.user,
        reported_symptom=reported_symptom,
        estimate=estimate or {},
        estimate_total=estimate_total,
        standard_minutes=standard_minutes,
    )
    event = events.created(actor=actor, channel=channel, at=now)
    _insert_numbered(order, event, counter=f"wo:{customer.brand_id}:{local:%Y%m}", prefix=f"WO-{local:%Y%m}-")
    return order


NUMBER = WorkOrder._meta.get_field("number")
# The number as Python's f"{prefix}{value:06d}" writes it: zero-padded to six digits, longer if need be.
_NUMBER_SQL = "(SELECT %s || lpad(n.value::text, greatest(6, length(n.value::text)), '0') FROM n)"


@functools.cache
def _numbered_sql(using: str) -> str:
    """PostgreSQL: the counter, the order (returning what save() reads back, and its number), the event and
    the order's ``order.created`` in the outbox (with its deliveries)."""
    order = insert_sql(WorkOrder, using, (("number", _NUMBER_SQL),))
    event = insert_sql(WorkOrderEvent, using, (("work_order_id", "(SELECT id FROM o)"),))
    returned = returning((*returned_fields(WorkOrder), NUMBER), using)
    counter = upsert_sql(using)
    told = outbox.event_cte(using, "o", "o.id", "o.id",
                            "%s::jsonb || jsonb_build_object('number', o.number)")
    return (f"WITH n AS ({counter}), o AS ({order} {returned}), e AS ({event} RETURNING id), {told} "
            "SELECT o.*, outbox_event.id FROM o, e, outbox_event")


def _insert_numbered(order: WorkOrder, event: WorkOrderEvent, *, counter: str, prefix: str) -> None:
    """Insert the new order, numbered from the brand's monthly counter, its first event and its
    ``order.created`` in the outbox: one transaction.

    Opening an order is the busiest write there is, so its statements are built here rather than by
    ``Model.objects.create`` (see core/inserts.py). On PostgreSQL the counter, the order, the event
    and the outbox's rows are one statement (data-modifying CTEs), which is a transaction of its own: one
    round trip instead of seven (BEGIN, five statements, COMMIT). SQLite runs in this process and has no
    round trips to save, but no data-modifying CTEs either: five statements in a transaction.
    """
    connection = transaction.get_connection()  # the connection itself: core/inserts.py reads it field by field
    returned = returned_fields(WorkOrder)
    kind = "order.created"
    if connection.vendor == "postgresql":
        told = OutboxEvent._meta.get_field("data").get_db_prep_save(events.created_data(order), connection)
        params = [
            counter,
            *insert_params(order, connection, {"number": [prefix]}),
            *insert_params(event, connection, {"work_order_id": []}),
            *outbox.event_cte_params(kind, brand_id=order.brand_id, subject_type="workorder", data_params=[told],
                                     at=event.created_at, now=timezone.now()),
        ]
        with hot_cursor() as cursor:
            cursor.execute(_numbered_sql(connection.alias), params)
            *row, order.number, event_id = cursor.fetchone()
        set_returned(order, returned, row, connection)
        if outbox.sink_names(kind):
            outbox.ask_for_prompt_delivery(event_id)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        order.number = f"{prefix}{next_value(counter):06d}"
        cursor.execute(
            f"{insert_sql(WorkOrder, connection.alias)} {returning(returned, connection.alias)}",
            insert_params(order, connection),
        )
        set_returned(order, returned, cursor.fetchone(), connection)
        event.work_order_id = order.pk
        cursor.execute(insert_sql(WorkOrderEvent, connection.alias), insert_params(event, connection))
        events.publish(kind, order=order, data=events.created_data(order), at=event.created_at)


def update_work_order(
    *, order: WorkOrder, actor: Principal, changes: dict[str, Any], version: int | None = None,
    if_match: bool = False, now: dt.datetime | None = None,
) -> WorkOrder:
    """Edit the order's details by compare-and-set on its version (``now`` set: the tests' time travel).

    Moving the booked window moves the on-site commitment with it (workorders.sla_clock.rebooked_clocks), and is
    a ``rescheduled`` step the customer sees and is told of (``order.booked`` / ``order.moved``), as when the
    portal or the hotline moves it (workorders.intake.reschedule).
    """
    if actor.role not in EDITOR_ROLES:
        raise PermissionDenied(_("Your role may not edit work orders."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("These fields cannot be edited."), field=sorted(unknown)[0])
    expected = order.version if version is None else version
    if expected != order.version:
        raise (PreconditionFailed if if_match else StaleVersion)(current_version=order.version)
    if order.status in DONE_STATUSES:
        raise IllegalTransition(_("A finished order cannot be edited."), from_status=order.status)
    if "priority" in changes:
        _check_choice(changes["priority"], Priority, "priority")
    if order.type == ServiceType.MAIL_IN and {"slot_start", "slot_end", "site"} & set(changes):
        # The window and the address are the courier's pickup, booked with the courier (logistics).
        raise InvalidInput(_("A mail-in repair's pickup is booked with the courier: its window and address cannot "
                             "be edited here."), field=sorted({"slot_start", "slot_end", "site"} & set(changes))[0])
    if "symptom" in changes:
        changes["symptom"] = (changes["symptom"] or "").strip()
        if len(changes["symptom"]) > SYMPTOM_MAX:
            raise InvalidInput(_("The description is too long."), field="symptom", max_length=SYMPTOM_MAX)
    if "site" in changes and changes["site"] is not None and changes["site"].customer_id != order.customer_id:
        raise InvalidInput(_("The site belongs to another customer."), field="site")
    _check_slot(changes.get("slot_start", order.slot_start), changes.get("slot_end", order.slot_end))
    if "site" in changes:
        changes["region_id"] = changes["site"].region_id if changes["site"] else None

    now = now or timezone.now()
    before = {f: _plain(getattr(order, f)) for f in changes if f in EDITABLE_FIELDS}
    window = (order.slot_start, order.slot_end)
    if "slot_end" in changes and changes["slot_end"] != order.slot_end:
        changes.update(rebooked_clocks(order, slot_end=changes["slot_end"], now=now))
    with transaction.atomic():
        if not WorkOrder.objects.filter(pk=order.pk, version=expected).exclude(status__in=DONE_STATUSES).update(
            version=F("version") + 1, updated_at=now, **changes
        ):
            raise StaleVersion(current_version=WorkOrder.objects.values_list("version", flat=True).get(pk=order.pk))
        order.refresh_from_db()
        after = {f: _plain(getattr(order, f)) for f in before}
        events.edited(order_id=order.pk, actor=actor, before=before, after=after, at=now)
        if (order.slot_start, order.slot_end) != window:
            events.rescheduled(order=order, actor=actor, before=utc_window(*window),
                               after=utc_window(order.slot_start, order.slot_end), at=now)
    return order


def utc_window(start: dt.datetime | None, end: dt.datetime | None) -> list[str] | None:
    """A booked window as an event keeps it: two UTC ISO times, or None for no window."""
    if start is None or end is None:
        return None
    return [t.astimezone(dt.UTC).isoformat() for t in (start, end)]


def add_note(*, order: WorkOrder, actor: Principal, text: str, customer_visible: bool = False) -> WorkOrderEvent:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Write a note."), field="text")
    if len(text) > REASON_MAX:
        raise InvalidInput(_("The note is too long."), field="text", max_length=REASON_MAX)
    if actor.is_customer:
        raise PermissionDenied()
    return events.noted(order_id=order.pk, actor=actor, text=text, customer_visible=customer_visible,
                        at=timezone.now())


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value
