"""The reminder job: what falls due gets one reminder per due date (and again while ignored), told once.

Set-based, so a million installed products cost one range scan of ``Schedule.due_on`` (index ``schedule_due``):

1. ``INSERT INTO reminder ... SELECT <the due items> ON CONFLICT DO NOTHING RETURNING id`` — the due items are
   active schedules due within their rule's (or plan's) ``lead_days``, of a unit in service, whose plan has not
   ended, of a customer who did not stop reminders (nor every channel), that have no reminder for this due date
   yet (sequence 1) or whose latest one was ignored for ``repeat_after_days`` (the next, up to
   ``max_reminders``); nothing is reminded once the customer acted on that due date.
2. ``INSERT INTO outbox_event ... SELECT`` one ``reminder.consumable`` / ``reminder.maintenance`` per reminder
   *this run inserted* (with what the message says: the unit, the part, the due date, the one-tap link), and
   its deliveries, so the customer messages sink (notifications) sends it through the customer's channels.

The unique (schedule, due_on, sequence) makes a second run, or two at once, insert and tell nothing twice: on
PostgreSQL the second insert waits for the first's row and then does nothing; on SQLite the writers queue.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from catalog.models import Part, ProductModel
from core import outbox
from core.dates import brand_tz
from core.models import Delivery, DeliveryStatus, OutboxEvent
from customers.choices import ProductStatus
from customers.models import Customer, InstalledProduct, Site
from maintenance.choices import ContractStatus, ReminderStatus, ScheduleKind
from maintenance.models import LEAD_DAYS_MAX, ConsumableRule, Contract, MaintenancePlan, Reminder, Schedule
from notifications.models import CustomerPreference

KINDS = {ScheduleKind.CONSUMABLE: "reminder.consumable", ScheduleKind.MAINTENANCE: "reminder.maintenance"}
# A schedule overdue longer than this is no longer reminded by the job (the console lists it as overdue): the
# range scan stays a window of days, not every unit never serviced since it was installed.
STALE_AFTER_DAYS = 90
# Up to this many reminders a run asks the outbox to deliver at once; more wait for its periodic pass.
PROMPT_MAX = 1000


@dataclass(frozen=True)
class Run:
    reminders: int
    events: int


def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    return {name: q(model._meta.db_table) for name, model in {
        "schedule": Schedule, "reminder": Reminder, "rule": ConsumableRule, "plan": MaintenancePlan,
        "contract": Contract, "product": InstalledProduct, "customer": Customer, "site": Site,
        "preference": CustomerPreference, "model": ProductModel, "part": Part, "org": Organisation,
        "event": OutboxEvent, "delivery": Delivery}.items()}


def _dialect() -> dict[str, str]:
    """The few expressions SQLite and PostgreSQL write differently (dates are ISO text in SQLite)."""
    if connection.vendor == "postgresql":
        return {"plus_days": "(CAST(%s AS date) + ({days}))",
                "minus_days_at": "(CAST(%s AS timestamptz) - ({days}) * INTERVAL '1 day')",
                # 20 hex digits of a random UUID (76 random bits): the one-tap key, unguessable
                "token": "substr(replace(CAST(gen_random_uuid() AS text), '-', ''), 1, 20)",
                "json": "jsonb_build_object", "text": "CAST(%s AS text)",
                "ids": "= ANY(%s)"}
    return {"plus_days": "date(%s, '+' || ({days}) || ' days')",
            "minus_days_at": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || ({days}) || ' days')",
            "token": "lower(hex(randomblob(10)))", "json": "json_object", "text": "%s",
            "ids": "IN (SELECT value FROM json_each(%s))"}


@functools.cache
def due_sql(vendor: str, only_schedules: bool) -> str:
    """The due items: (schedule, brand, customer, due_on, next sequence, segment, region). Parameters, in
    order: ``due_params``."""
    t, d = _tables(), _dialect()
    lead = "COALESCE(cr.lead_days, mp.lead_days)"
    repeat = "COALESCE(cr.repeat_after_days, mp.repeat_after_days)"
    most = "COALESCE(cr.max_reminders, mp.max_reminders)"
    same_due = "x.schedule_id = s.id AND x.due_on = s.due_on"
    only = f"AND s.id {d['ids']}" if only_schedules else ""
    return f"""
SELECT s.id AS schedule_id, s.brand_id, s.customer_id, s.due_on, COALESCE(last.sequence, 0) + 1 AS sequence,
       c.segment, st.region_id
FROM {t['schedule']} s
JOIN {t['product']} p ON p.id = s.product_id
JOIN {t['customer']} c ON c.id = s.customer_id
LEFT JOIN {t['site']} st ON st.id = p.site_id
LEFT JOIN {t['rule']} cr ON cr.id = s.rule_id
LEFT JOIN {t['plan']} mp ON mp.id = s.plan_id
LEFT JOIN {t['contract']} ct ON ct.id = s.contract_id
LEFT JOIN {t['preference']} cp ON cp.customer_id = s.customer_id
LEFT JOIN {t['reminder']} last ON last.schedule_id = s.id AND last.due_on = s.due_on
     AND NOT EXISTS (SELECT 1 FROM {t['reminder']} x WHERE {same_due} AND x.sequence > last.sequence)
WHERE s.is_active AND s.due_on >= %s AND s.due_on <= %s {only}
  AND s.due_on <= {d['plus_days'].format(days=lead)}
  AND p.status = %s
  AND (s.ends_on IS NULL OR s.ends_on >= %s)
  AND (ct.id IS NULL OR ct.status = %s)
  AND (cr.id IS NULL OR cr.is_active) AND (mp.id IS NULL OR mp.is_active)
  AND (cp.id IS NULL OR (cp.reminders AND (cp.sms OR cp.wechat OR cp.email)))
  AND (last.id IS NULL OR (last.sequence < {most}
       AND last.sent_at <= {d['minus_days_at'].format(days=repeat)}
       AND NOT EXISTS (SELECT 1 FROM {t['reminder']} x WHERE {same_due} AND x.status <> %s)))"""


def due_params(*, today: dt.date, now: dt.datetime, schedule_ids: list[int] | None) -> list:
    ops = connection.ops
    day = ops.adapt_datefield_value
    params = [day(today - dt.timedelta(days=STALE_AFTER_DAYS)), day(today + dt.timedelta(days=LEAD_DAYS_MAX))]
    if schedule_ids is not None:
        params.append(_ids(schedule_ids))
    return [*params, day(today), ProductStatus.ACTIVE, day(today), ContractStatus.ACTIVE,
            ops.adapt_datetimefield_value(now), ReminderStatus.SENT]


def _ids(ids: list[int]):
    return list(ids) if connection.vendor == "postgresql" else json.dumps(list(ids))


REMINDER_COLUMNS = ("brand_id", "customer_id", "schedule_id", "due_on", "sequence", "token", "status", "sent_at",
                    "segment", "region_id")
EVENT_COLUMNS = ("kind", "brand_id", "work_order_id", "subject_type", "subject_id", "data", "created_at")
DELIVERY_COLUMNS = ("event_id", "sink", "status", "attempts", "next_attempt_at", "lease_token", "last_error")


def _insert_reminders(vendor: str, only_schedules: bool) -> str:
    t, d = _tables(), _dialect()
    return (f"INSERT INTO {t['reminder']} ({', '.join(REMINDER_COLUMNS)}) "
            f"SELECT due.brand_id, due.customer_id, due.schedule_id, due.due_on, due.sequence, {d['token']}, %s, "
            f"%s, due.segment, due.region_id FROM ({due_sql(vendor, only_schedules)}) due WHERE 1 = 1 "
            "ON CONFLICT DO NOTHING")


def _events_from(source: str) -> str:
    """One event per reminder row of ``source`` (aliased r), with what its message says (notifications/texts.py)."""
    t, d = _tables(), _dialect()
    text = d["text"]
    data = (f"{d['json']}('customer_id', r.customer_id, 'reminder_id', r.id, 'schedule_id', s.id, "
            f"'product_id', s.product_id, 'serial', p.serial, 'unit', pm.name, 'part', pt.name, "
            f"'part_en', pt.name_en, 'plan', mp.name, 'due_on', r.due_on, 'sequence', r.sequence, "
            f"'link', {text} || o.code || {text} || r.token || '/')")
    kind = f"CASE WHEN s.kind = {text} THEN {text} ELSE {text} END"
    return (f"INSERT INTO {t['event']} ({', '.join(EVENT_COLUMNS)}) "
            f"SELECT {kind}, r.brand_id, NULL, {text}, r.id, {data}, %s "
            f"FROM {source} r JOIN {t['schedule']} s ON s.id = r.schedule_id "
            f"JOIN {t['product']} p ON p.id = s.product_id JOIN {t['model']} pm ON pm.id = p.product_model_id "
            f"JOIN {t['org']} o ON o.id = r.brand_id "
            f"LEFT JOIN {t['rule']} cr ON cr.id = s.rule_id LEFT JOIN {t['part']} pt ON pt.id = cr.part_id "
            f"LEFT JOIN {t['plan']} mp ON mp.id = s.plan_id")


def link_parts() -> tuple[str, str]:
    """The one-tap link around the brand's code and the token: SITE_URL/portal/<brand>/r/<token>/."""
    path = reverse("portal:reminder", kwargs={"brand": "BRAND", "token": "TOKEN"})
    head, tail = path.split("BRAND", 1)
    return settings.SITE_URL.rstrip("/") + head, tail.split("TOKEN", 1)[0]


def _event_params(now: dt.datetime) -> list:
    prefix, suffix = link_parts()
    return [ScheduleKind.CONSUMABLE, KINDS[ScheduleKind.CONSUMABLE], KINDS[ScheduleKind.MAINTENANCE], "reminder",
            prefix, suffix, connection.ops.adapt_datetimefield_value(now)]


def _deliveries_from(source: str) -> str:
    """One delivery per event row of ``source`` (aliased e) and sink of its kind (the VALUES ``sinks``)."""
    t = _tables()
    return (f"INSERT INTO {t['delivery']} ({', '.join(DELIVERY_COLUMNS)}) "
            f"SELECT e.id, k.sink, %s, 0, %s, '', '' FROM {source} e JOIN sinks k ON k.kind = e.kind")


def _sinks() -> list[tuple[str, str]]:
    return [(kind, sink) for kind in KINDS.values() for sink in outbox.sink_names(kind)]


def _sinks_cte(pairs: list[tuple[str, str]]) -> tuple[str, list]:
    cast = "CAST(%s AS text)" if connection.vendor == "postgresql" else "%s"
    rows = ", ".join(f"({cast}, {cast})" for _ in pairs) or f"({cast}, {cast})"
    params = [v for pair in pairs for v in pair] or ["", ""]
    return f"sinks(kind, sink) AS (VALUES {rows})", params


@functools.cache
def pg_sql(only_schedules: bool, sinks: int) -> str:
    """PostgreSQL: the reminders, their events and deliveries in one statement (data-modifying CTEs): the events
    are made from exactly the rows this statement inserted (RETURNING), whatever another run does meanwhile."""
    sinks_sql = ", ".join(["(CAST(%s AS text), CAST(%s AS text))"] * max(sinks, 1))
    return (f"WITH sinks(kind, sink) AS (VALUES {sinks_sql}), "
            f"ins AS ({_insert_reminders('postgresql', only_schedules)} RETURNING *), "
            f"ev AS ({_events_from('ins')} RETURNING id, kind), "
            f"dl AS ({_deliveries_from('ev')} RETURNING event_id) "
            "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM ev), "
            "(SELECT array_agg(id) FROM (SELECT id FROM ev ORDER BY id LIMIT %s) first)")


def today_local(now: dt.datetime) -> dt.date:
    return timezone.localtime(now, brand_tz()).date()


def select_due(*, now: dt.datetime | None = None, schedule_ids: list[int] | None = None) -> list[tuple]:
    """The bare query: the due items the job would remind of now (the benchmark's yardstick)."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(due_sql(connection.vendor, schedule_ids is not None),
                       due_params(today=today_local(now), now=now, schedule_ids=schedule_ids))
        return cursor.fetchall()


def send_reminders(*, now: dt.datetime | None = None, schedule_ids: list[int] | None = None) -> Run:
    """The job: insert the due reminders (skipping any another run inserted) and one outbox event per reminder
    this run inserted, with its deliveries, in one transaction. ``schedule_ids`` limits it to those schedules
    (a device's rule)."""
    now = now or timezone.now()
    only = schedule_ids is not None
    at = connection.ops.adapt_datetimefield_value(now)
    due = due_params(today=today_local(now), now=now, schedule_ids=schedule_ids)
    pairs = _sinks()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(pg_sql(only, len(pairs)), [
                *([v for pair in pairs for v in pair] or ["", ""]), ReminderStatus.SENT, at, *due,
                *_event_params(now), DeliveryStatus.PENDING, at, PROMPT_MAX])
            reminders, events, first = cursor.fetchone()
            first = first or []
        else:
            # SQLite: the transaction took the write lock at BEGIN (IMMEDIATE), so the rows past the ids read
            # now are exactly this run's.
            t = _tables()
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t['reminder']}")
            last_reminder = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t['event']}")
            last_event = cursor.fetchone()[0]
            cursor.execute(_insert_reminders("sqlite", only), [ReminderStatus.SENT, at, *due])
            reminders = cursor.rowcount
            if not reminders:
                return Run(0, 0)
            cursor.execute(_events_from(f"(SELECT * FROM {t['reminder']} WHERE id > %s)"),
                           [*_event_params(now), last_reminder])
            events = cursor.rowcount
            sinks_sql, sinks_params = _sinks_cte(pairs)
            cursor.execute(f"WITH {sinks_sql} " + _deliveries_from(f"(SELECT id, kind FROM {t['event']} WHERE "
                                                                   "id > %s)"),
                           [*sinks_params, DeliveryStatus.PENDING, at, last_event])
            cursor.execute(f"SELECT id FROM {t['event']} WHERE id > %s ORDER BY id LIMIT %s",
                           [last_event, PROMPT_MAX])
            first = [row[0] for row in cursor.fetchall()]
        if pairs and events <= PROMPT_MAX:
            for event_id in first:
                outbox.ask_for_prompt_delivery(event_id)
    return Run(reminders, events)
