"""The set-based generator: a month's tariff and rule lines for many outlets with INSERT … SELECT statements.

``insert_lines`` writes, for the period's settled orders of the outlets given (outlet id → draft statement id),
the same lines settlement.arithmetic makes one order at a time (``lines_for`` and ``rule_lines``, which the
independent recomputation in settlement/recompute.py still calls): no ORM object and no query per order.

How it goes (all on one connection, inside the caller's transaction):

1. ``stl_stmt``: the outlets and their statements (a temporary table of at most one row per outlet).
2. ``stl_ord``: one row of facts per order (a temporary table made by one SELECT): its local completion day and
   day number, the local hour the visit started, the product model and category, the outlet's type, the distance
   outlet → site in tenths of a km, the SLA breaches. The first order of each rework (same outlet, completed)
   is added with ``in_month = 0``: only its fee is worked out, the base of a share rework rule.
3. ``stl_day`` and ``stl_rule``: per local day met, the tariff valid on it (with its fixed terms in integer fen
   and tenths of a km, and whether the day is one of its holidays) and the rule of each kind in force
   (settlement.arithmetic.rules_on): a few dozen rows worked out in Python from the same plain data.
4. ``stl_fee``: each order's most specific fee row (ROW_NUMBER() over the matching rows, ordered as
   ``arithmetic.match_fee`` orders them).
5. One INSERT … SELECT per line kind.

Exactness: money is worked out in integers (fen, and micro-yuan for shares: fen × hundredths of a percent), so
SQLite's REAL never rounds an amount; each line is rounded once, half up (away from zero), to the fen. The
distance is the haversine of core.geo.distance with the same floating-point operations (RADIANS, SIN, COS,
POWER, SQRT, ASIN: libm on PostgreSQL and SQLite alike), then rounded to the tenth with FLOOR(km × 10 + 0.5);
core.geo.distance rounds the shortest decimal repr of the same float half up, which can differ only for a
distance within about 1e-14 km of a .x5 boundary (settlement_check would show such an order).

The ``basis`` of a set-based line keeps what it was computed from as far as SQL renders it plainly: ``order``,
``tariff_id`` or ``rule_id``, the fee row (``fee_row_id``, ``band``, ``exact``) or ``reason``, the facts
(``service_type``, ``category_id``, ``model_id``, ``outlet_type``, ``region_id``, ``distance_km``), the travel
terms (``free_km``, ``per_km``, ``cap``), the night hours, a rule's ``amount`` or ``share``, a rework's
``rework_of``, ``after_days`` and ``days``, the ``breaches``, the ratings; it leaves out the unrounded ``exact``
of computed amounts (travel and rules) and the complaint list. The compared fields (work order, kind, amount,
tariff, rule) are the same as the Python path's; settlement_check and the tests compare those.

The month's orders are those completed in it, and those cancelled in it after visits that failed through the
customer (services.FAILED_VISIT), which are settled for those visits alone (``cancelled = 1`` in ``stl_ord``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import Organisation
from catalog.choices import ServiceType
from catalog.models import ProductModel
from complaints.choices import COUNTED_OUTCOMES, DECIDED_STATUSES, ResponsibleParty
from complaints.models import Complaint
from core.dates import add_months, brand_tz
from core.geo.distance import EARTH_RADIUS_M
from customers.models import InstalledProduct, Site
from feedback.models import Rating
from settlement import arithmetic
from settlement.dialect import Dialect
from settlement.models import SettlementLine, SettlementRule, Tariff, TariffFee
from workorders.choices import HoldReason, SlaAlert, Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment, WorkOrderEvent

SETTLED = (Status.COMPLETED, Status.CLOSED)
NOT_THE_OUTLETS = (ResponsibleParty.BRAND, ResponsibleParty.PRODUCT, ResponsibleParty.CUSTOMER)
TEMP_TABLES = ("stl_stmt", "stl_ord", "stl_day", "stl_rule", "stl_fee", "stl_cmp", "stl_rating")
RULE_KINDS = (arithmetic.REWORK, arithmetic.COMPLAINT, arithmetic.SLA_BREACH, arithmetic.MISSING_SIGNATURE,
              arithmetic.SATISFACTION_BONUS)


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else int(arithmetic.money(value) * 100)


def _tenths(value: Decimal | None) -> int | None:
    return None if value is None else int(Decimal(value) * 10)


def _hundredths(value: Decimal | None) -> int | None:
    """A share (percent) or threshold with at most 2 places, in hundredths, exactly."""
    if value is None:
        return None
    scaled = Decimal(value) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 2 decimal places")
    return int(scaled)


def _table(model) -> str:
    return model._meta.db_table


def _execute(cursor, sql: str, params: Iterable = ()) -> None:
    cursor.execute(sql, list(params))


def _analyze(cursor, sql: Dialect, *tables: str) -> None:
    """PostgreSQL plans a temporary table blind until it is analysed (autovacuum never sees one)."""
    if sql.pg:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def _drop(cursor) -> None:
    for name in TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


MONTH, FIRST, CANCELLED = "month", "first", "cancelled"
DONE = "o.in_month = 1 AND o.cancelled = 0"  # the month's completed orders (not those cancelled after failed visits)


def _order_facts(sql: Dialect, rows: str) -> str:
    """The SELECT of one row of facts per order: ``rows`` MONTH (the month's completed orders), FIRST (the first
    orders of their reworks) or CANCELLED (the month's orders cancelled after failed visits)."""
    wo, ou, site, ip, pm, ev = (_table(WorkOrder), _table(Organisation), _table(Site), _table(InstalledProduct),
                                _table(ProductModel), _table(WorkOrderEvent))
    lat1, lon1 = "CAST(ou.latitude AS DOUBLE PRECISION)", "CAST(ou.longitude AS DOUBLE PRECISION)"
    lat2, lon2 = "CAST(s.latitude AS DOUBLE PRECISION)", "CAST(s.longitude AS DOUBLE PRECISION)"
    p1, p2 = f"RADIANS({lat1})", f"RADIANS({lat2})"
    dp, dl = f"({p2} - {p1})", f"RADIANS({lon2} - {lon1})"
    h = f"(POWER(SIN({dp} / 2), 2) + COS({p1}) * COS({p2}) * POWER(SIN({dl} / 2), 2))"
    metres = f"({2 * EARTH_RADIUS_M!r} * ASIN({sql.least('1.0', f'SQRT({h})')}))"
    d10 = (f"CASE WHEN s.latitude IS NULL OR s.longitude IS NULL OR ou.latitude IS NULL OR ou.longitude IS NULL "
           f"THEN NULL ELSE {sql.floor_int(f'{metres} / 1000 * 10 + 0.5')} END")
    breached = SlaAlert.BREACHED.value
    joins = (f"JOIN {ou} ou ON ou.id = o.outlet_id LEFT JOIN {site} s ON s.id = o.site_id "
             f"LEFT JOIN {ip} ip ON ip.id = o.product_id LEFT JOIN {pm} pm ON pm.id = ip.product_model_id")
    # services.FAILED_VISIT: on site, put on hold waiting for the customer.
    failed = (f"(SELECT COUNT(*) FROM {ev} e WHERE e.work_order_id = o.id AND e.action = 'hold' "
              f"AND e.from_status = '{Status.ON_SITE.value}' "
              f"AND {sql.json_text('e.data', 'hold_reason')} = '{HoldReason.WAITING_CUSTOMER.value}')")
    cancelled_at = (f"(SELECT MAX(e.created_at) FROM {ev} e WHERE e.work_order_id = o.id "
                    f"AND e.action = 'cancel')")
    settled, statement, in_month = "o.completed_at", "st.statement_id", 1
    if rows == FIRST:
        statement, in_month = "NULL", 0
        source = (f"FROM {wo} o {joins} WHERE o.completed_at IS NOT NULL AND EXISTS (SELECT 1 FROM stl_ord r "
                  f"WHERE r.in_month = 1 AND r.is_rework = 1 AND r.rework_of_id = o.id AND r.outlet_id = o.outlet_id)")
    elif rows == CANCELLED:
        # An order cancelled in the month was last written in it: updated_at narrows the search first.
        settled = "c.at"
        source = (f"FROM (SELECT o.*, {cancelled_at} AS at FROM {wo} o WHERE o.brand_id = %s AND o.status = "
                  f"'{Status.CANCELLED.value}' AND o.outlet_id IS NOT NULL AND o.updated_at >= %s) c "
                  f"JOIN {wo} o ON o.id = c.id JOIN stl_stmt st ON st.outlet_id = o.outlet_id {joins} "
                  f"WHERE c.at >= %s AND c.at < %s AND {failed} > 0")
    else:
        source = (f"FROM {wo} o JOIN stl_stmt st ON st.outlet_id = o.outlet_id {joins} "
                  f"WHERE o.brand_id = %s AND o.status IN (%s, %s) AND o.completed_at >= %s AND o.completed_at < %s")
    return (f"SELECT o.id AS id, {in_month} AS in_month, o.number AS number, "
            f"o.outlet_id AS outlet_id, {statement} AS statement_id, o.type AS type, o.region_id AS region_id, "
            f"pm.id AS model_id, pm.category_id AS category_id, ou.outlet_type AS outlet_type, {d10} AS d10, "
            f"{sql.local_hour('o.arrived_at')} AS hour, {sql.local_day(settled)} AS day, "
            f"{sql.local_dayno(settled)} AS dayno, {sql.local_dayno('o.created_at')} AS created_dayno, "
            f"(CASE WHEN o.response_alert = '{breached}' THEN 1 ELSE 0 END) + "
            f"(CASE WHEN o.onsite_alert = '{breached}' THEN 1 ELSE 0 END) AS breaches, "
            f"CASE WHEN o.is_rework THEN 1 ELSE 0 END AS is_rework, o.rework_of_id AS rework_of_id, "
            f"s.floor AS floor, CASE WHEN s.has_lift IS NULL THEN NULL WHEN s.has_lift THEN 1 ELSE 0 END AS lift, "
            f"{'0' if rows == FIRST else failed} AS failed, {1 if rows == CANCELLED else 0} AS cancelled {source}")


def _days(brand_id: int, days: list[str]) -> list[tuple]:
    """Per local day: the published tariff valid on it as integers (fen, tenths), and whether it is a holiday."""
    if not days:
        return []
    parsed = sorted(dt.date.fromisoformat(day) for day in days)
    tariffs = list(Tariff.objects.filter(brand_id=brand_id).published().overlapping(parsed[0], parsed[-1])
                   .order_by("valid_from"))
    rows = []
    for day in parsed:
        tariff = next((t for t in tariffs if t.valid_from <= day and (t.valid_to is None or day <= t.valid_to)),
                      None)
        if tariff is None:
            rows.append((day.isoformat(), None, 0, 22, 6, 0, 0, 0, 0, 0, 0, None, 0, 0, 0))
            continue
        rows.append((day.isoformat(), tariff.pk, int(day.isoformat() in set(tariff.holidays or ())),
                     tariff.night_from_hour, tariff.night_to_hour, _fen(tariff.night_surcharge),
                     _fen(tariff.holiday_surcharge), _fen(tariff.remote_surcharge), _tenths(tariff.free_km),
                     _fen(tariff.per_km), _fen(tariff.travel_cap) if tariff.travel_cap is not None else 0,
                     None if tariff.travel_cap is None else 1, _fen(tariff.high_floor_surcharge),
                     tariff.high_floor_from, _fen(tariff.failed_visit_fee)))
    return rows


def _rules(brand_id: int, period: dt.date) -> list[tuple]:
    """Per local day of the month and rule kind: the rule in force (arithmetic.rules_on), as integers."""
    last = add_months(period, 1) - dt.timedelta(days=1)
    rows = SettlementRule.objects.filter(brand_id=brand_id, is_active=True, valid_from__lte=last).exclude(
        valid_to__lt=period)
    rules = [arithmetic.Rule(id=r.pk, kind=r.kind, amount=r.amount, share=r.share, threshold=r.threshold,
                             days=r.days, min_ratings=r.min_ratings, valid_from=r.valid_from, valid_to=r.valid_to,
                             is_active=r.is_active) for r in rows]
    out = []
    day = period
    while day <= last:
        for kind, rule in sorted(arithmetic.rules_on(rules, day).items()):
            # A fixed amount in micro-yuan (fen × 10,000); a share in hundredths of a percent.
            out.append((day.isoformat(), kind, rule.id, None if rule.amount is None else _exact_fen(rule.amount),
                        _hundredths(rule.share if rule.share is not None else Decimal("0")),
                        _hundredths(rule.threshold), rule.days, rule.min_ratings,
                        None if rule.amount is None else str(rule.amount),
                        str(rule.share if rule.share is not None else Decimal("0")),
                        None if rule.threshold is None else str(rule.threshold)))
        day += dt.timedelta(days=1)
    return out


def _exact_fen(value: Decimal) -> int:
    scaled = Decimal(value) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 2 decimal places")
    return int(scaled)


def insert_lines(brand_id: int, period: dt.date, statements: dict[int, int]) -> None:
    """INSERT the tariff and rule lines of ``period``'s settled orders of the outlets in ``statements`` (outlet id
    → draft statement id) into those statements. The caller has emptied them and holds the transaction."""
    if not statements:
        return
    with _facts(brand_id, period, statements) as (cursor, sql):
        _lines(sql, _inserter(cursor, sql, brand_id))


def month_totals(brand_id: int, period: dt.date, outlet_ids: Iterable[int]) -> dict[int, Decimal]:
    """The same tariff and rule amounts as ``insert_lines`` writes, summed per outlet by one SELECT … GROUP BY over
    the same facts, writing no line: the bare SQL aggregation bench/settlement.py measures generation against."""
    outlets = {outlet_id: outlet_id for outlet_id in outlet_ids}
    if not outlets:
        return {}
    selects: list[str] = []

    def collect(kind: str, fen: str, tariff: str, rule: str, basis: str, source: str) -> None:
        selects.append(f"SELECT o.outlet_id AS outlet_id, {fen} AS fen {source}")

    with _facts(brand_id, period, outlets) as (cursor, sql):
        _lines(sql, collect)
        cursor.execute(f"SELECT outlet_id, SUM(fen) FROM ({' UNION ALL '.join(selects)}) u GROUP BY outlet_id", [])
        return {outlet_id: Decimal(int(fen)) / 100 for outlet_id, fen in cursor.fetchall()}


@contextmanager
def _facts(brand_id: int, period: dt.date, statements: dict[int, int]):
    """The temporary tables of the month's facts (``_build``) on one cursor, dropped afterwards."""
    start = dt.datetime.combine(period.replace(day=1), dt.time.min, tzinfo=brand_tz())
    end = dt.datetime.combine(add_months(period.replace(day=1), 1), dt.time.min, tzinfo=brand_tz())
    offset = start.utcoffset()
    sql = Dialect(int(offset.total_seconds() // 3600) if offset else 0)
    with connection.cursor() as cursor:
        _drop(cursor)
        _build(cursor, sql, brand_id, period, statements, start, end)
        try:
            yield cursor, sql
        finally:
            _drop(cursor)


def _build(cursor, sql: Dialect, brand_id: int, period: dt.date, statements: dict[int, int], start, end) -> None:
    temp = "CREATE TEMPORARY TABLE"
    _execute(cursor, f"{temp} stl_stmt (outlet_id BIGINT PRIMARY KEY, statement_id BIGINT NOT NULL)")
    cursor.executemany("INSERT INTO stl_stmt (outlet_id, statement_id) VALUES (%s, %s)",
                       sorted(statements.items()))
    adapt = connection.ops.adapt_datetimefield_value
    _execute(cursor, f"{temp} stl_ord AS {_order_facts(sql, MONTH)}",
             [brand_id, *SETTLED, adapt(start), adapt(end)])
    _execute(cursor, f"INSERT INTO stl_ord {_order_facts(sql, CANCELLED)}",
             [brand_id, adapt(start), adapt(start), adapt(end)])
    _execute(cursor, "CREATE INDEX stl_ord_id ON stl_ord (id, in_month)")
    _execute(cursor, "CREATE INDEX stl_ord_outlet ON stl_ord (outlet_id)")
    _analyze(cursor, sql, "stl_ord")
    _execute(cursor, f"INSERT INTO stl_ord {_order_facts(sql, FIRST)}")
    _analyze(cursor, sql, "stl_ord")
    cursor.execute("SELECT DISTINCT day FROM stl_ord")
    days = _days(brand_id, [row[0] for row in cursor.fetchall()])
    _execute(cursor, f"{temp} stl_day (day VARCHAR(10) PRIMARY KEY, tariff_id BIGINT, holiday INTEGER, "
                     "night_from INTEGER, night_to INTEGER, night_fen BIGINT, holiday_fen BIGINT, remote_fen BIGINT, "
                     "free10 BIGINT, per_fen BIGINT, cap_fen BIGINT, capped INTEGER, floor_fen BIGINT, "
                     "floor_from INTEGER, failed_fen BIGINT)")
    cursor.executemany(f"INSERT INTO stl_day VALUES ({', '.join(['%s'] * 15)})", days)
    _execute(cursor, f"{temp} stl_rule (day VARCHAR(10), kind VARCHAR(20), rule_id BIGINT, amount_fen BIGINT, "
                     "share100 BIGINT, threshold100 BIGINT, days INTEGER, min_ratings INTEGER, amount_text TEXT, "
                     "share_text TEXT, threshold_text TEXT, PRIMARY KEY (day, kind))")
    cursor.executemany("INSERT INTO stl_rule VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       _rules(brand_id, period))
    fee = _table(TariffFee)
    km_from, km_to = "CAST(ROUND(f.km_from * 10) AS BIGINT)", "CAST(ROUND(f.km_to * 10) AS BIGINT)"
    product = "CASE WHEN f.product_model_id IS NOT NULL THEN 2 WHEN f.category_id IS NOT NULL THEN 1 ELSE 0 END"
    _execute(cursor, f"""{temp} stl_fee AS SELECT id, in_month, fee_row_id, fee_fen, km_from10, km_to10 FROM (
        SELECT o.id AS id, o.in_month AS in_month, f.id AS fee_row_id,
               CAST(ROUND(f.fee * 100) AS BIGINT) AS fee_fen, {km_from} AS km_from10, {km_to} AS km_to10,
               ROW_NUMBER() OVER (PARTITION BY o.id, o.in_month ORDER BY {product} DESC,
                   CASE WHEN f.outlet_type <> '' THEN 1 ELSE 0 END DESC,
                   CASE WHEN f.region_id IS NOT NULL THEN 1 ELSE 0 END DESC,
                   CASE WHEN f.km_to IS NULL THEN 1 ELSE 0 END, {km_to} - {km_from}, {km_from}, f.id) AS rn
        FROM stl_ord o JOIN stl_day d ON d.day = o.day JOIN {fee} f ON f.tariff_id = d.tariff_id
        WHERE f.service_type = o.type
          AND (f.product_model_id IS NULL OR f.product_model_id = o.model_id)
          AND (f.category_id IS NULL OR f.category_id = o.category_id)
          AND (f.outlet_type = '' OR f.outlet_type = o.outlet_type)
          AND (f.region_id IS NULL OR f.region_id = o.region_id)
          AND {km_from} <= COALESCE(o.d10, 0) AND (f.km_to IS NULL OR COALESCE(o.d10, 0) < {km_to})
    ) ranked WHERE rn = 1""")
    _execute(cursor, "CREATE INDEX stl_fee_id ON stl_fee (id, in_month)")
    _analyze(cursor, sql, "stl_day", "stl_rule", "stl_fee")
    kinds = {row[1] for row in _rules(brand_id, period)}
    if arithmetic.COMPLAINT in kinds:
        _execute(cursor, f"""{temp} stl_cmp AS SELECT c.work_order_id AS id, COUNT(*) AS n,
                CAST(SUM(CAST(ROUND(c.compensation * 100) AS BIGINT) * 10000) AS BIGINT) AS set_units,
                CAST(SUM(CASE WHEN c.compensation = 0 THEN 1 ELSE 0 END) AS BIGINT) AS unset
            FROM {_table(Complaint)} c JOIN stl_ord o ON o.id = c.work_order_id AND o.in_month = 1
            WHERE c.outcome IN ({', '.join(['%s'] * len(COUNTED_OUTCOMES))})
              AND c.status IN ({', '.join(['%s'] * len(DECIDED_STATUSES))})
              AND c.responsible NOT IN (%s, %s, %s)
            GROUP BY c.work_order_id""", [*sorted(COUNTED_OUTCOMES), *sorted(DECIDED_STATUSES), *NOT_THE_OUTLETS])
    else:
        _execute(cursor, f"{temp} stl_cmp (id BIGINT, n BIGINT, set_units BIGINT, unset BIGINT)")
    _execute(cursor, f"""{temp} stl_rating AS SELECT o.outlet_id AS outlet_id, COUNT(*) AS n,
            CAST(SUM(r.score) AS BIGINT) AS total
            FROM {_table(Rating)} r JOIN stl_ord o ON o.id = r.work_order_id AND o.in_month = 1
            GROUP BY o.outlet_id""")


def _inserter(cursor, sql: Dialect, brand_id: int):
    """What ``_lines`` calls per kind of line: one INSERT … SELECT of its lines."""
    lines = _table(SettlementLine)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("brand_id, statement_id, outlet_id, technician_id, work_order_id, kind, amount, tariff_id, rule_id, "
               "basis, held, adjustment_of_id, created_at")
    amount = "CAST({fen} AS DECIMAL(14, 2)) / 100" if sql.pg else "CAST({fen} AS REAL) / 100"
    held = "FALSE" if sql.pg else "0"

    def insert(kind: str, fen: str, tariff: str, rule: str, basis: str, source: str) -> None:
        _execute(cursor, f"INSERT INTO {lines} ({columns}) SELECT %s, o.statement_id, o.outlet_id, NULL, o.id, "
                         f"{kind}, {amount.format(fen=fen)}, {tariff}, {rule}, {basis}, {held}, NULL, %s "
                         f"{source}", [brand_id, now])

    return insert


def _lines(sql: Dialect, insert) -> None:
    """Each kind of tariff and rule line as ``insert(kind, fen, tariff, rule, basis, source)``: its SQL
    expressions over the facts (the amount in integer fen) and its FROM … WHERE."""
    facts = (("service_type", "o.type"), ("category_id", "o.category_id"), ("model_id", "o.model_id"),
             ("outlet_type", "o.outlet_type"), ("region_id", "o.region_id"),
             ("distance_km", sql.tenths_text("o.d10")))
    base = ("FROM stl_ord o JOIN stl_day d ON d.day = o.day LEFT JOIN stl_fee fe ON fe.id = o.id "
            f"AND fe.in_month = 1 WHERE {DONE}")
    # The fee line: the matched row's fee, or 0 with the reason no_tariff (no tariff that day, or no row).
    priced = "d.tariff_id IS NOT NULL AND fe.fee_row_id IS NOT NULL"
    insert("'fee'", f"CASE WHEN {priced} THEN fe.fee_fen ELSE 0 END", "d.tariff_id", "NULL",
           f"CASE WHEN {priced} THEN "
           + sql.json(("order", "o.number"), *facts, ("tariff_id", "d.tariff_id"), ("fee_row_id", "fe.fee_row_id"),
                      ("exact", sql.fen_text("fe.fee_fen")),
                      ("band", sql.json_array(sql.tenths_text("fe.km_from10"), sql.tenths_text("fe.km_to10"))))
           + " ELSE " + sql.json(("order", "o.number"), *facts, ("reason", f"'{arithmetic.NO_TARIFF}'"),
                                 ("tariff_id", "d.tariff_id")) + " END", base)
    # Travel: past the free km at the rate per km, at most the cap; in thousandths of a yuan, exactly.
    mills = "(o.d10 - d.free10) * d.per_fen"
    capped = f"CASE WHEN d.capped = 1 AND d.cap_fen * 10 < {mills} THEN d.cap_fen * 10 ELSE {mills} END"
    insert("'travel'", sql.round_units(capped, 10), "d.tariff_id", "NULL",
           sql.json(("order", "o.number"), ("tariff_id", "d.tariff_id"), ("distance_km", sql.tenths_text("o.d10")),
                    ("free_km", sql.tenths_text("d.free10")), ("per_km", sql.fen_text("d.per_fen")),
                    ("cap", sql.fen_text("CASE WHEN d.capped = 1 THEN d.cap_fen END"))),
           base + " AND d.tariff_id IS NOT NULL AND o.d10 IS NOT NULL AND o.d10 > d.free10 "
                  f"AND ({capped}) <> 0")
    night = ("o.hour IS NOT NULL AND d.night_from <> d.night_to AND ((d.night_from < d.night_to AND "
             "o.hour >= d.night_from AND o.hour < d.night_to) OR (d.night_from > d.night_to AND "
             "(o.hour >= d.night_from OR o.hour < d.night_to)))")
    insert("'night'", "d.night_fen", "d.tariff_id", "NULL",
           sql.json(("order", "o.number"), ("started_hour", "o.hour"), ("night_from_hour", "d.night_from"),
                    ("night_to_hour", "d.night_to"), ("tariff_id", "d.tariff_id"),
                    ("exact", sql.fen_text("d.night_fen"))),
           base + f" AND d.tariff_id IS NOT NULL AND d.night_fen <> 0 AND {night}")
    insert("'holiday'", "d.holiday_fen", "d.tariff_id", "NULL",
           sql.json(("order", "o.number"), ("tariff_id", "d.tariff_id"), ("exact", sql.fen_text("d.holiday_fen"))),
           base + " AND d.tariff_id IS NOT NULL AND d.holiday = 1 AND d.holiday_fen <> 0")
    remote = _table(Tariff.remote_regions.through)
    insert("'remote'", "d.remote_fen", "d.tariff_id", "NULL",
           sql.json(("order", "o.number"), ("region_id", "o.region_id"), ("tariff_id", "d.tariff_id"),
                    ("exact", sql.fen_text("d.remote_fen"))),
           base + f" AND d.tariff_id IS NOT NULL AND d.remote_fen <> 0 AND o.region_id IS NOT NULL AND EXISTS "
                  f"(SELECT 1 FROM {remote} rr WHERE rr.tariff_id = d.tariff_id AND rr.region_id = o.region_id)")
    insert("'high_floor'", "d.floor_fen", "d.tariff_id", "NULL",
           sql.json(("order", "o.number"), ("floor", "o.floor"), ("high_floor_from", "d.floor_from"),
                    ("tariff_id", "d.tariff_id"), ("exact", sql.fen_text("d.floor_fen"))),
           base + " AND d.tariff_id IS NOT NULL AND d.floor_fen <> 0 AND o.floor IS NOT NULL AND o.lift = 0 "
                  "AND o.floor >= d.floor_from")
    # Each visit that failed through the customer, also of an order cancelled after it (its only line).
    failed = "d.failed_fen * o.failed"
    insert("'failed_visit'", failed, "d.tariff_id", "NULL",
           sql.json(("order", "o.number"), ("tariff_id", "d.tariff_id"), ("visits", "o.failed"),
                    ("per_visit", sql.fen_text("d.failed_fen")), ("exact", sql.fen_text(failed))),
           "FROM stl_ord o JOIN stl_day d ON d.day = o.day WHERE o.in_month = 1 AND d.tariff_id IS NOT NULL "
           "AND o.failed > 0 AND d.failed_fen <> 0")
    _insert_rules(insert, sql)


def _insert_rules(insert, sql: Dialect) -> None:
    # The order's fee (0 without a tariff or a row), in fen; a charge in micro-yuan (fen × 10,000).
    fee = "(CASE WHEN d.tariff_id IS NOT NULL AND fe.fee_row_id IS NOT NULL THEN fe.fee_fen ELSE 0 END)"

    def charge(base: str, times: str = "1") -> str:
        return (f"(CASE WHEN r.amount_fen IS NOT NULL THEN r.amount_fen * 10000 * {times} "
                f"ELSE {base} * r.share100 * {times} END)")

    def rule_basis(*extra: tuple[str, str]) -> str:
        return sql.json(("order", "o.number"), ("rule_id", "r.rule_id"), *extra)

    terms = (("amount", "r.amount_text"), ("share", "CASE WHEN r.amount_fen IS NULL THEN r.share_text END"))
    base = ("FROM stl_ord o JOIN stl_day d ON d.day = o.day LEFT JOIN stl_fee fe ON fe.id = o.id "
            "AND fe.in_month = 1 JOIN stl_rule r ON r.day = o.day AND r.kind = '{kind}'")

    def deduct(kind: str, units: str, basis: str, source: str) -> None:
        insert(f"'{kind}'", f"-{sql.round_units(units, 10000)}", "NULL", "r.rule_id", basis,
               f"{base.format(kind=kind)} {source} AND ({units}) <> 0")

    # Rework: of a first order the same outlet completed (stl_ord, in_month 0), within the rule's days.
    first_fee = ("(CASE WHEN fd.tariff_id IS NOT NULL AND ff.fee_row_id IS NOT NULL THEN ff.fee_fen ELSE 0 END)")
    after = "(o.created_dayno - fo.dayno)"
    deduct(arithmetic.REWORK, charge(first_fee),
           rule_basis(*terms, ("rework_of", "fo.id"), ("after_days", after), ("days", "r.days")),
           "JOIN stl_ord fo ON fo.id = o.rework_of_id AND fo.in_month = 0 JOIN stl_day fd ON fd.day = fo.day "
           "LEFT JOIN stl_fee ff ON ff.id = fo.id AND ff.in_month = 0 "
           f"WHERE {DONE} AND o.is_rework = 1 AND (r.days IS NULL OR {after} <= r.days)")
    # Complaints: what the verdicts set, and the rule's charge for each verdict that sets none.
    deduct(arithmetic.COMPLAINT, f"(c.set_units + c.unset * {charge(fee)})",
           rule_basis(*terms, ("upheld_complaints", "c.n")), f"JOIN stl_cmp c ON c.id = o.id WHERE {DONE}")
    deduct(arithmetic.SLA_BREACH, charge(fee, "o.breaches"), rule_basis(*terms, ("breaches", "o.breaches")),
           f"WHERE {DONE} AND o.breaches > 0")
    signature = (f"SELECT 1 FROM {_table(WorkOrderAttachment)} a WHERE a.work_order_id = o.id "
                 f"AND a.kind = '{AttachmentKind.SIGNATURE.value}'")
    deduct(arithmetic.MISSING_SIGNATURE, charge(fee), rule_basis(*terms),
           f"WHERE {DONE} AND o.type <> '{ServiceType.MAIL_IN.value}' AND NOT EXISTS ({signature})")
    # The satisfaction bonus: the outlet's month average (sum / count) at or above the threshold, compared in
    # integers (sum × 100 ≥ threshold in hundredths × count), with at least the rule's number of ratings.
    units = charge(fee)
    bonus = arithmetic.SATISFACTION_BONUS
    insert(f"'{bonus}'", sql.round_units(units, 10000), "NULL", "r.rule_id",
           rule_basis(*terms, ("ratings", "g.n"), ("threshold", "r.threshold_text"), ("at_least", "r.min_ratings")),
           f"{base.format(kind=bonus)} JOIN stl_rating g ON g.outlet_id = o.outlet_id WHERE {DONE} AND g.n > 0 "
           f"AND r.threshold100 IS NOT NULL AND g.total * 100 >= r.threshold100 * g.n "
           f"AND g.n >= COALESCE(r.min_ratings, 0) AND ({units}) <> 0")
