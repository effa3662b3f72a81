"""Read paths for dispatch: the plain data of dispatch.candidates and dispatch.day, one query per kind of data.

Whatever the number of technicians and jobs, a ranking reads: the service standard, the brand's rule,
the outlets serving the region, their technicians (with the skill flag), those technicians'
certificates for the skill, and the outlets' jobs of the day (with each job's standard minutes and
planned visit joined in). The board and the day's plan read the same way.

A job is on a day when its booked slot starts that day; on today also when it has no slot, or its
slot was on an earlier day and it is still open (overdue work stays on today's plate).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import Exists, FloatField, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.choices import OrgKind, OutletType
from accounts.models import Organisation
from catalog.choices import ServiceType
from core.dates import brand_tz
from customers.models import InstalledProduct, Site
from dispatch import conf, masters
from dispatch.candidates import JobFacts, OutletFacts, Rule, TechFacts
from dispatch.day import Lunch, Point, Stop, TechDay, certificate_on, weekday_shift
from dispatch.models import Visit
from network.models import Certification, Technician
from workorders.choices import Status
from workorders.models import WorkOrder

S = Status
ON_A_TECHNICIANS_DAY = (S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE)
WITH_OUTLET = (S.ASSIGNED, *ON_A_TECHNICIANS_DAY)
PINNED = (S.ACCEPTED, S.EN_ROUTE, S.ON_SITE)  # the technician has said yes: the job stays theirs


@dataclass(frozen=True)
class Clock:
    """The day being planned in the brand's zone, and now."""

    day: dt.date
    tz: dt.tzinfo
    now: dt.datetime

    @cached_property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time.min, tzinfo=self.tz)

    @cached_property
    def start_utc(self) -> dt.datetime:
        # The database hands out UTC: with the same tzinfo on both sides, a subtraction skips the zone maths.
        return self.start.astimezone(dt.UTC)

    @cached_property
    def end(self) -> dt.datetime:
        return (self.start + dt.timedelta(days=1)).astimezone(dt.UTC)

    @cached_property
    def length(self) -> int:
        """Seconds in the day (a day with a clock change is not 86,400)."""
        return int((self.end - self.start_utc).total_seconds())

    @cached_property
    def start_epoch(self) -> int:
        return int(self.start_utc.timestamp())

    @cached_property
    def is_today(self) -> bool:
        return self.now.astimezone(self.tz).date() == self.day

    @cached_property
    def not_before(self) -> int:
        """Nothing is planned in the past: today starts now; a past day is over."""
        if self.is_today:
            return self.seconds(self.now)
        return 0 if self.day > self.now.astimezone(self.tz).date() else 86400

    def seconds(self, moment: dt.datetime) -> int:
        return int((moment - self.start_utc).total_seconds())

    def at(self, seconds: int) -> dt.datetime:
        return self.start + dt.timedelta(seconds=int(seconds))


def clock(day: dt.date | None = None, now: dt.datetime | None = None) -> Clock:
    tz = brand_tz()
    now = now or timezone.now()
    return Clock(day=day or now.astimezone(tz).date(), tz=tz, now=now)


def point(lat, lon) -> Point | None:
    return None if lat is None or lon is None else (float(lat), float(lon))


def rule_of(brand_id: int) -> Rule:
    return masters.rule(brand_id)


def lunch() -> Lunch | None:
    """The lunch break of every technician's day; None when LUNCH_MINUTES is 0 (no break is planned)."""
    minutes = int(conf.get("LUNCH_MINUTES"))
    if minutes <= 0:
        return None
    return Lunch(window=(conf.seconds_of_day(conf.get("LUNCH_FROM")), conf.seconds_of_day(conf.get("LUNCH_UNTIL"))),
                 duration=minutes * 60)


def shift_of(working_hours, day: dt.date) -> tuple[int, int] | None:
    """The day's shift as seconds, read as dispatch.slots.parse_hours reads it (a malformed day is a day off),
    for the one weekday only."""
    return weekday_shift(working_hours, day.weekday())


def shift_in(tech: dict, day: dt.date) -> tuple[int, int] | None:
    """A technician row's shift on the day: the ``shift`` dispatch.masters.Crew worked out once, else read."""
    return tech["shift"] if "shift" in tech else shift_of(tech["working_hours"], day)


# --- one order ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderFacts:
    job: JobFacts
    brand_id: int
    status: str
    outlet_id: int | None
    technician_id: int | None
    region_id: int | None
    category_id: int | None
    version: int


def standard_of(brand_id: int, model_id: int | None, service_type: str) -> tuple[int, int | None, str]:
    """(standard minutes, required skill id, skill name) for a model and service type (the default without one)."""
    found = masters.standards(brand_id).get((model_id, service_type)) if model_id is not None else None
    return found or (int(conf.get("DEFAULT_JOB_MINUTES")), None, "")


def order_facts(order: WorkOrder, clk: Clock | None = None) -> OrderFacts:
    """``order`` fetched through visible_to with site and product model (dispatch.choose.fetch_order)."""
    site = order.site
    product = order.product
    model = product.product_model if product is not None else None
    minutes, skill_id, skill_name = standard_of(order.brand_id, model.pk if model else None, order.type)
    minutes = order.standard_minutes or minutes
    region_id = order.region_id or (site.region_id if site is not None else None)
    region_code = masters.region_codes(order.brand_id).get(region_id, "") if region_id else ""
    if clk is None:
        slot_day = order.slot_start.astimezone(brand_tz()).date() if order.slot_start else None
        today = timezone.localdate(timezone.now(), brand_tz())
        clk = clock(slot_day if slot_day and slot_day > today else None)
    window, passed = window_of(order.slot_start, order.slot_end, clk)
    job = JobFacts(
        order_id=order.pk, day=clk.day, point=point(site.latitude, site.longitude) if site else None,
        region=region_code, skill_id=skill_id, skill_name=skill_name, minutes=minutes,
        list_price=model.list_price if model else None, window=window, window_passed=passed,
        onsite_due=due_of(order.onsite_due, order.slot_end, clk),
    )
    return OrderFacts(job=job, brand_id=order.brand_id, status=order.status, outlet_id=order.outlet_id,
                      technician_id=order.technician_id, region_id=region_id,
                      category_id=model.category_id if model else None, version=order.version)


def due_of(onsite_due: dt.datetime | None, slot_end: dt.datetime | None, clk: Clock) -> int | None:
    """The on-site deadline as seconds of the day: the order's own ``onsite_due``, which for a booked order is
    already the end of its window (workorders.sla.due_times, the one rule). ``slot_end`` is kept for callers."""
    if onsite_due is None:
        return None
    return clk.seconds(onsite_due)


def window_of(start: dt.datetime | None, end: dt.datetime | None, clk: Clock) -> tuple[tuple[int, int] | None, bool]:
    """The slot as seconds of the day; (None, True) when it is over already, (None, False) with no slot that day."""
    return window_in(None if start is None else clk.seconds(start), None if end is None else clk.seconds(end), clk)


def window_in(start: int | None, end: int | None, clk: Clock) -> tuple[tuple[int, int] | None, bool]:
    """window_of on seconds of the day."""
    if start is None or end is None or start >= clk.length:
        return None, False
    if start < 0:
        return None, clk.is_today  # booked on an earlier day, still open: as soon as possible today
    if clk.is_today and end < clk.not_before:
        return None, True
    return (start, end), False


class Epoch(Func):
    """Whole seconds since 1970 of a datetime column, computed by the database: a ranking reads a few hundred
    of them, and parsing each into a datetime cost more than the query itself (SQLite keeps them as text)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return epoch_sql(sql, connection.vendor), params


def epoch_sql(column: str, vendor: str) -> str:
    """Epoch as SQL over ``column`` (SQLite or PostgreSQL), a literal % doubled as the backends expect."""
    if vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}))::bigint"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def seconds_in(row: dict, name: str, clk: Clock) -> int | None:
    """A row's datetime column as seconds of the day: from its Epoch annotation (``<name>_e``) when the query
    asked for one, else from the datetime."""
    if name + "_e" in row:
        value = row[name + "_e"]
        return None if value is None else value - clk.start_epoch
    value = row[name]
    return None if value is None else clk.seconds(value)


# --- outlets, technicians, jobs of the day --------------------------------------------------------

def outlets_serving(brand_id: int, region_id: int | None, category_id: int | None,
                    only: Iterable[int] | None = None) -> list[dict]:
    rows = Organisation.objects.filter(kind=OrgKind.OUTLET, brand_id=brand_id, is_active=True)
    if region_id is not None:
        rows = rows.filter(service_regions=region_id)
    if only is not None:
        rows = rows.filter(pk__in=list(only))
    if category_id is not None:
        authorised = Organisation.authorised_categories.through.objects.filter(
            organisation_id=OuterRef("pk"), productcategory_id=category_id)
        rows = rows.annotate(authorised=Exists(authorised))
    found = list(rows.order_by("pk").values("pk", "name", "outlet_type", "daily_capacity", "latitude", "longitude",
                                            *(("authorised",) if category_id is not None else ())))
    for row in found:
        row.setdefault("authorised", True)
    return found


def technicians_of(outlet_ids: Sequence[int], skill_id: int | None = None,
                   only: Iterable[int] | None = None, certified_on: dt.date | None = None) -> list[dict]:
    """The outlets' active technicians as rows; with a skill, whether each holds it, and with ``certified_on``
    also their certificate for it that day (row["certificate"], as certificate_on says it), in the same query."""
    rows = Technician.objects.filter(outlet_id__in=list(outlet_ids), is_active=True)
    if only is not None:
        rows = rows.filter(pk__in=list(only))
    if skill_id is not None:
        held = Technician.skills.through.objects.filter(technician_id=OuterRef("pk"), skill_id=skill_id)
        rows = rows.annotate(has_skill=Exists(held))
        if certified_on is not None:
            on_file = Certification.objects.filter(technician_id=OuterRef("pk"), skill_id=skill_id)
            current = on_file.filter(valid_from__lte=certified_on, expires_on__gte=certified_on)
            rows = rows.annotate(cert_on_file=Exists(on_file), cert_until=Subquery(
                current.order_by("-expires_on").values("expires_on")[:1]))
    rows = rows.annotate(home_lat=Cast("home_latitude", FloatField()), home_lon=Cast("home_longitude", FloatField()))
    extra = ("has_skill", "cert_on_file", "cert_until") if skill_id is not None and certified_on is not None else \
        ("has_skill",) if skill_id is not None else ()
    found = list(rows.order_by("name", "pk").values(
        "pk", "name", "outlet_id", "home_lat", "home_lon", "working_hours", "daily_capacity", *extra))
    for row in found:
        row.setdefault("has_skill", True)
        if "cert_on_file" in row:
            row["certificate"] = (row.pop("cert_until") or False) if row.pop("cert_on_file") else None
    return found


def certificates(tech_ids: Sequence[int], skill_id: int | None) -> dict[int, list[tuple[dt.date, dt.date]]]:
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    if skill_id is None or not tech_ids:
        return spans
    for tech_id, start, end in Certification.objects.filter(
            technician_id__in=list(tech_ids), skill_id=skill_id).order_by().values_list(
            "technician_id", "valid_from", "expires_on"):
        spans.setdefault(tech_id, []).append((start, end))
    return spans


JOB_COLUMNS = ("pk", "number", "status", "priority", "type", "outlet_id", "technician_id", "slot_start", "slot_end",
               "onsite_due", "arrived_at", "version", "region_id", "site_lat", "site_lon",
               "product__product_model_id", "product__product_model__category_id",
               "visit__technician_id", "visit__day", "visit__sequence", "visit__planned_start",
               "visit__planned_end", "visit__travel_seconds", "standard_minutes")


def on_the_day(clk: Clock) -> Q:
    on_day = Q(slot_start__gte=clk.start_utc, slot_start__lt=clk.end)
    if clk.is_today:
        on_day |= Q(slot_start__isnull=True) | Q(slot_start__lt=clk.start_utc)
    # A mail-in unit comes to the repair centre's bench by courier (logistics): it is on nobody's day.
    return on_day & ~Q(type=ServiceType.MAIL_IN)


def _with_floats(rows):
    # Coordinates as floats: the Decimal of every latitude and longitude is not needed for travel maths.
    return rows.annotate(site_lat=Cast("site__latitude", FloatField()), site_lon=Cast("site__longitude", FloatField()))


def _minutes(rows: list[dict], brand_id: int) -> list[dict]:
    """Each row's standard minutes: the order's own (a maintenance plan's visit), else its model's and service
    type's from the brand's standards (dispatch.masters)."""
    standards = masters.standards(brand_id)
    for row in rows:
        if row.get("standard_minutes"):
            row["minutes"] = row["standard_minutes"]
            continue
        found = standards.get((row["product__product_model_id"], row["type"]))
        row["minutes"] = found[0] if found else None
    return rows


# What placing a job in a technician's day reads (the ranking's hot path: fewer columns, fewer dates to parse).
STOP_COLUMNS = ("pk", "status", "type", "technician_id", "slot_start_e", "slot_end_e", "arrived_at_e", "site_lat",
                "site_lon", "product__product_model_id", "visit__technician_id", "visit__day", "visit__sequence",
                "visit__planned_start_e", "standard_minutes")
EPOCHS = {"slot_start_e": "slot_start", "slot_end_e": "slot_end", "arrived_at_e": "arrived_at",
          "visit__planned_start_e": "visit__planned_start"}


def day_jobs(brand_id: int, outlet_ids: Sequence[int], clk: Clock, *, statuses: Sequence[str] = WITH_OUTLET,
             exclude: int | None = None, technicians: Sequence[int] | None = None,
             columns: Sequence[str] = JOB_COLUMNS) -> list[dict]:
    """The outlets' open jobs of the day, with an outlet (index wo_outlet_status_created), as plain rows."""
    rows = WorkOrder.objects.filter(outlet_id__in=list(outlet_ids), status__in=list(statuses)).filter(on_the_day(clk))
    if technicians is not None:
        rows = rows.filter(technician_id__in=list(technicians))
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    epochs = {name: Epoch(EPOCHS[name]) for name in columns if name in EPOCHS}
    if epochs:
        rows = rows.annotate(**epochs)
    return _minutes(list(_with_floats(rows).order_by().values(*columns)), brand_id)


def outlet_load(outlet_ids: Sequence[int], clk: Clock, *, exclude: int | None = None) -> Counter:
    """How many open jobs each outlet has on the day (the outlet's daily capacity counts these)."""
    if not outlet_ids:
        return Counter()
    where, params = _day_where(outlet_ids, WITH_OUTLET, clk, exclude=exclude)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT w.outlet_id, COUNT(*) FROM {_table(WorkOrder)} w WHERE {where} GROUP BY w.outlet_id",
                       params)
        return Counter(dict(cursor.fetchall()))


# --- the ranking's two reads, in SQL --------------------------------------------------------------
# For one order they run several times a second; building and compiling them through the ORM took three
# times as long as the database took to answer. The SQL is portable but for the epoch and the float cast,
# and test_gather checks both against the ORM's day_jobs on each database.

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _day_where(outlet_ids: Sequence[int], statuses: Sequence[str], clk: Clock, *, exclude: int | None = None,
               technicians: Iterable[int] | None = None) -> tuple[str, list]:
    """on_the_day and the filters of day_jobs as SQL over ``w`` (the orders' table)."""
    ops = connection.ops

    def marks(values) -> str:
        return ", ".join(["%s"] * len(values))

    outlets, states = list(outlet_ids), list(statuses)
    start, end = ops.adapt_datetimefield_value(clk.start_utc), ops.adapt_datetimefield_value(clk.end)
    on_day = "(w.slot_start >= %s AND w.slot_start < %s"
    params: list = [*outlets, *states, start, end]
    if clk.is_today:
        on_day += " OR w.slot_start IS NULL OR w.slot_start < %s"
        params.append(start)
    where = (f"w.outlet_id IN ({marks(outlets)}) AND w.status IN ({marks(states)}) AND {on_day})"
             " AND w.type <> %s")
    params.append(ServiceType.MAIL_IN.value)
    if technicians is not None:
        techs = list(technicians)
        where += f" AND w.technician_id IN ({marks(techs)})" if techs else " AND 1 = 0"
        params.extend(techs)
    if exclude is not None:
        where += " AND w.id <> %s"
        params.append(exclude)
    return where, params


def _float_sql(column: str) -> str:
    return f"CAST({column} AS {'double precision' if connection.vendor == 'postgresql' else 'REAL'})"


def day_stops(brand_id: int, outlet_ids: Sequence[int], clk: Clock, *, technicians: Iterable[int],
              exclude: int | None = None) -> list[dict]:
    """day_jobs(statuses=ON_A_TECHNICIANS_DAY, columns=STOP_COLUMNS) in one hand-written query: the jobs on
    these technicians' days, as rows job_stop and tech_days read."""
    if not outlet_ids:
        return []
    where, params = _day_where(outlet_ids, ON_A_TECHNICIANS_DAY, clk, exclude=exclude, technicians=technicians)
    def _epoch(column: str) -> str:
        return epoch_sql(column, connection.vendor)

    sql = (f"SELECT w.id, w.status, w.type, w.technician_id, {_epoch('w.slot_start')}, "
           f"{_epoch('w.slot_end')}, {_epoch('w.arrived_at')}, {_float_sql('s.latitude')}, "
           f"{_float_sql('s.longitude')}, p.product_model_id, v.technician_id, v.day, v.sequence, "
           f"{_epoch('v.planned_start')}, w.standard_minutes "
           f"FROM {_table(WorkOrder)} w LEFT JOIN {_table(Visit)} v ON v.work_order_id = w.id "
           f"LEFT JOIN {_table(Site)} s ON s.id = w.site_id "
           f"LEFT JOIN {_table(InstalledProduct)} p ON p.id = w.product_id "
           f"WHERE {where}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(STOP_COLUMNS, found, strict=True)) for found in cursor.fetchall()]
    for row in rows:
        if isinstance(row["visit__day"], str):  # SQLite hands a date out as text
            row["visit__day"] = dt.date.fromisoformat(row["visit__day"])
    return _minutes(rows, brand_id)


def new_jobs(brand_id: int, region_ids: Sequence[int], clk: Clock) -> list[dict]:
    """Orders of the regions not yet with any outlet, on the day (index wo_brand_status_created)."""
    rows = WorkOrder.objects.filter(brand_id=brand_id, status=S.NEW, region_id__in=list(region_ids)) \
        .filter(on_the_day(clk))
    return _minutes(list(_with_floats(rows).order_by().values(*JOB_COLUMNS)), brand_id)


def job_stop(row: dict, clk: Clock) -> Stop:
    minutes = row["minutes"] or int(conf.get("DEFAULT_JOB_MINUTES"))
    duration = minutes * 60
    window, _passed = window_in(seconds_in(row, "slot_start", clk), seconds_in(row, "slot_end", clk), clk)
    started = row["status"] == S.ON_SITE and clk.is_today
    if started:
        arrived = seconds_in(row, "arrived_at", clk)
        done = max(0, clk.seconds(clk.now) - arrived) if arrived is not None else 0
        duration = max(int(conf.get("STARTED_MIN_MINUTES")) * 60, int(duration - done))
        window = None
    return Stop(key=row["pk"], point=point(row["site_lat"], row["site_lon"]), duration=duration,
                window=window, started=started, locked=started or row["status"] == S.EN_ROUTE)


def _placement(row: dict, clk: Clock) -> tuple:
    # The last plan's order when the visit still belongs to this technician and day; else the slot's.
    if row["status"] == S.ON_SITE:
        return (0, 0, row["pk"])
    if row["status"] == S.EN_ROUTE:
        return (1, 0, row["pk"])
    if row["visit__technician_id"] == row["technician_id"] and row["visit__day"] == clk.day:
        return (2, seconds_in(row, "visit__planned_start", clk), row["visit__sequence"], row["pk"])
    start = seconds_in(row, "slot_start", clk)
    return (2, start if start is not None and start >= 0 else 86400, 1 << 16, row["pk"])


def tech_days(techs: Sequence[dict], jobs: Sequence[dict], outlets: dict[int, dict], clk: Clock) -> dict[int, TechDay]:
    """Each technician's day: shift (None off that day), home (else the outlet), the day's jobs in order."""
    mine: dict[int, list[dict]] = {}
    for row in jobs:
        if row["technician_id"] is not None and row["status"] in ON_A_TECHNICIANS_DAY:
            mine.setdefault(row["technician_id"], []).append(row)
    the_lunch = lunch()
    found = {}
    for tech in techs:
        shift = shift_in(tech, clk.day) or (0, 0)
        outlet = outlets.get(tech["outlet_id"], {})
        home = point(tech["home_lat"], tech["home_lon"]) or point(outlet.get("latitude"),
                                                                            outlet.get("longitude"))
        rows = sorted(mine.get(tech["pk"], ()), key=lambda r: _placement(r, clk))
        found[tech["pk"]] = TechDay(shift=shift, home=home, stops=tuple(job_stop(r, clk) for r in rows),
                                    lunch=the_lunch, not_before=clk.not_before)
    return found


def outlet_facts(rows: Sequence[dict], booked: Counter) -> list[OutletFacts]:
    return [OutletFacts(outlet_id=o["pk"], name=o["name"], in_house=o["outlet_type"] == OutletType.OWN,
                        authorised=bool(o["authorised"]), daily_capacity=o["daily_capacity"], booked=booked[o["pk"]],
                        point=point(o["latitude"], o["longitude"])) for o in rows]


def tech_facts(techs: Sequence[dict], days_of: dict[int, TechDay], spans: dict, clk: Clock,
               skill_id: int | None) -> list[TechFacts]:
    return [TechFacts(
        technician_id=t["pk"], name=t["name"], outlet_id=t["outlet_id"], has_skill=bool(t["has_skill"]),
        certificate=(t["certificate"] if "certificate" in t else certificate_on(spans.get(t["pk"]), clk.day))
        if skill_id is not None else None,
        weekday_off=shift_in(t, clk.day) is None, daily_capacity=t["daily_capacity"],
        day=days_of[t["pk"]],
    ) for t in techs]
