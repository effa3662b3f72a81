"""Fraud checks before a settlement line is payable (docs/settlement.md, "Fraud checks").

Finance runs ``run_checks(brand_id, period)`` for a month *before* generating its statements (the console and the
API call it; ``settlement.services.generate`` does not). It looks at the brand's orders completed in that month
(Asia/Shanghai, ``settlement.services.month_bounds``), a query per check and none per order, and raises one
``FraudFlag`` per order and check that finds something, with the evidence a reviewer is shown side by side. It is
idempotent: a flag that exists (open or decided) is never raised again nor reopened.

What a flag then does to money (held lines, a reviewer's decision, reversals) is settlement/flags.py; the photos'
fingerprints are settlement/fingerprints.py.

The checks and what they read:

- ``far_checkin``: the check-in of the order's completed visit (the field app's, read through
  ``settlement.facts.visits_of``, which field/hooks.py supplies) more than ``FAR_CHECKIN_M`` from the site.
- ``reused_photo``: an order photo whose perceptual hash (``fingerprint``, a 64-bit difference hash) is within
  ``REUSED_PHOTO_BITS`` bits of a photo on another order of the brand, at any time. Both orders are flagged.
- ``serial_mismatch``: the serial the technician read off the nameplate on site (the visit's ``serial_seen``,
  through ``visits_of``) is not the unit's on record (both as printed: trimmed, upper case, no spaces). A unit
  recorded with a placeholder (a serial that does not fit its model's pattern) is not compared. Nameplate photos
  are not read (no OCR).
- ``repeat_order``: another order (not cancelled) for the same installed unit created within
  ``REPEAT_ORDER_DAYS`` days before this one. A rework linked to it (``rework_of``, either way) is no repeat: the
  rework rule already settles it.
- ``short_labour``: labour below ``SHORT_LABOUR_SHARE`` of the standard minutes. Labour is the visit's own
  (check-in to check-out, the phone's times), else the order's arrival to completion; the standard is the order's
  own (a maintenance visit's), else the one the visit recorded, else the model's service standard for the type.
  No standard or no timing: not checked.
- ``no_signature``: a completed order, other than a mail-in repair, with no attachment of kind signature.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from catalog import standards as catalog_standards
from catalog.choices import ServiceType
from catalog.models import ProductModel
from core.dates import brand_tz
from core.errors import InvalidInput
from core.geo.distance import distance_m
from customers.installation import clean_serial
from settlement import services
from settlement.choices import FlagCheck
from settlement.facts import VisitFacts, visits_of
from settlement.fingerprints import featureless, fingerprint_photos, hamming
from settlement.models import FraudFlag, PhotoFingerprint
from workorders.choices import Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

# A check-in this far from the site's coordinates (metres, great circle) is flagged. The field app already
# warns the dispatcher past field.geo.FAR_FROM_SITE_M (500 m); holding money needs a wider margin for a poor fix.
FAR_CHECKIN_M = 1_000
# Two photos whose difference hashes differ in at most this many of their 64 bits are one photo: a copy
# re-saved, re-compressed or resized differs by a bit or two, two different photos by about half of them.
REUSED_PHOTO_BITS = 4
# Another order for the same unit created at most this many days before this one.
REPEAT_ORDER_DAYS = 7
# Labour below this share of the standard minutes.
SHORT_LABOUR_SHARE = Decimal("0.30")

FOUND_ON = 12  # how many other photos' matches one order's evidence lists at most


# ---------------------------------------------------------------------------------------------------- checks


def _point(latitude: Any, longitude: Any) -> dict[str, str] | None:
    if latitude is None or longitude is None:
        return None
    return {"latitude": str(latitude), "longitude": str(longitude)}


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(brand_tz()).isoformat() if moment is not None else None


def _far_checkins(orders: list[dict], visits: dict[int, VisitFacts]) -> dict[int, dict]:
    found = {}
    for order in orders:
        visit = visits.get(order["pk"])
        if visit is None or visit.checkin_latitude is None or visit.checkin_longitude is None:
            continue
        checkin = _point(visit.checkin_latitude, visit.checkin_longitude)
        site = _point(order["site__latitude"], order["site__longitude"])
        metres = visit.checkin_distance_m  # as measured at check-in, against the site's point then
        if metres is None and site is not None:
            metres = distance_m((checkin["latitude"], checkin["longitude"]), (site["latitude"], site["longitude"]))
        if metres is None or metres <= FAR_CHECKIN_M:
            continue
        found[order["pk"]] = {"checkin": checkin, "site": site, "distance_m": metres,
                              "accuracy_m": visit.checkin_accuracy_m, "visit": visit.visit_id,
                              "threshold_m": FAR_CHECKIN_M}
    return found


def _photo(attachment_id: int, order_id: int, phash: str) -> dict[str, Any]:
    return {"attachment": attachment_id, "order": order_id, "phash": phash}


def _reused_photos(brand_id: int, month: QuerySet) -> dict[int, dict]:
    """Each order with a photo within REUSED_PHOTO_BITS of a photo of another order of the brand: the month's
    photos are indexed in memory by five pieces of their hash (two hashes that differ in at most four bits agree
    on at least one of five pieces), and every fingerprint of the brand is read past them once, in one query.

    Every photo of the brand not fingerprinted yet is fingerprinted first (not only the month's): a photo reused
    on an order of another month, earlier or later, is found too. Each photo is read once in its life."""
    fingerprint_photos(brand_id, WorkOrder.objects.filter(brand_id=brand_id).values("pk"))
    own = [(a, o, h) for a, o, h in PhotoFingerprint.objects.filter(brand_id=brand_id, work_order_id__in=month)
           .order_by("attachment_id").values_list("attachment_id", "work_order_id", "phash") if not featureless(h)]
    if not own:
        return {}
    pieces = ((0, 3), (3, 6), (6, 9), (9, 12), (12, 16))
    index: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for photo in own:
        for n, (start, end) in enumerate(pieces):
            index[(n, photo[2][start:end])].append(photo)
    pairs: dict[tuple[int, int], tuple[tuple, tuple, int]] = {}
    everyone = (PhotoFingerprint.objects.filter(brand_id=brand_id).order_by()
                .values_list("attachment_id", "work_order_id", "phash"))
    for other in everyone.iterator(chunk_size=5000):
        if featureless(other[2]):
            continue
        for n, (start, end) in enumerate(pieces):
            for photo in index.get((n, other[2][start:end]), ()):
                key = (min(photo[0], other[0]), max(photo[0], other[0]))
                if photo[1] == other[1] or key in pairs:
                    continue
                bits = hamming(photo[2], other[2])
                if bits <= REUSED_PHOTO_BITS:
                    pairs[key] = (photo, other, bits)
    matches: dict[int, list[dict]] = defaultdict(list)
    for photo, other, bits in pairs.values():
        for mine, theirs in ((photo, other), (other, photo)):
            matches[mine[1]].append({"photo": _photo(*mine), "other": _photo(*theirs), "distance": bits})
    found = {}
    for order_id, listed in matches.items():
        listed.sort(key=lambda m: (m["distance"], m["photo"]["attachment"], m["other"]["attachment"]))
        found[order_id] = {**listed[0], "matches": listed[:FOUND_ON], "count": len(listed),
                           "threshold_bits": REUSED_PHOTO_BITS}
    return found


def _serial_mismatches(orders: list[dict], visits: dict[int, VisitFacts], month: QuerySet) -> dict[int, dict]:
    models = {m.pk: m for m in ProductModel.objects.filter(pk__in=month.values("product__product_model_id"))}
    found = {}
    for order in orders:
        visit = visits.get(order["pk"])
        seen = clean_serial(visit.serial_seen if visit is not None else "")
        if not seen or order["product_id"] is None:
            continue
        recorded = clean_serial(order["product__serial"])
        model = models.get(order["product__product_model_id"])
        # A unit on record with a placeholder (a serial that does not fit its model) has nothing to compare with.
        if seen == recorded or not recorded or (model is not None and not model.serial_fits(recorded)):
            continue
        found[order["pk"]] = {"seen": seen, "unit_serial": recorded, "product": order["product_id"],
                              "visit": visit.visit_id}
    return found


def _repeat_orders(brand_id: int, orders: list[dict], month: QuerySet) -> dict[int, dict]:
    with_unit = [order for order in orders if order["product_id"] is not None]
    if not with_unit:
        return {}
    window = dt.timedelta(days=REPEAT_ORDER_DAYS)
    earliest = min(order["created_at"] for order in with_unit) - window
    latest = max(order["created_at"] for order in with_unit)
    by_unit: dict[int, list[dict]] = defaultdict(list)
    rows = (WorkOrder.objects.filter(brand_id=brand_id, product_id__in=month.values("product_id"),
                                     created_at__gte=earliest, created_at__lte=latest)
            .exclude(status=Status.CANCELLED).order_by("created_at", "pk")
            .values("pk", "number", "product_id", "created_at", "status", "rework_of_id"))
    for row in rows:
        by_unit[row["product_id"]].append(row)
    found = {}
    tz = brand_tz()
    for order in with_unit:
        before = [other for other in by_unit[order["product_id"]]
                  if other["pk"] != order["pk"] and order["created_at"] - window <= other["created_at"]
                  and (other["created_at"], other["pk"]) < (order["created_at"], order["pk"])
                  and order["rework_of_id"] != other["pk"] and other["rework_of_id"] != order["pk"]]
        if not before:
            continue
        other = before[-1]  # the nearest
        found[order["pk"]] = {
            "order": order["pk"], "number": order["number"], "created_at": _iso(order["created_at"]),
            "other_order": other["pk"], "other_number": other["number"], "other_created_at": _iso(other["created_at"]),
            "other_status": other["status"], "product": order["product_id"],
            "days": (order["created_at"].astimezone(tz).date() - other["created_at"].astimezone(tz).date()).days,
            "hours": round((order["created_at"] - other["created_at"]).total_seconds() / 3600, 1),
            "window_days": REPEAT_ORDER_DAYS, "others": [o["number"] for o in before]}
    return found


def _short_labour(brand_id: int, orders: list[dict], visits: dict[int, VisitFacts]) -> dict[int, dict]:
    known = catalog_standards.standards(brand_id=brand_id)
    found = {}
    for order in orders:
        visit = visits.get(order["pk"]) or VisitFacts(visit_id=0)
        if visit.labour_minutes is not None:
            minutes, source = visit.labour_minutes, "visit"
        elif order["arrived_at"] is not None and order["completed_at"] is not None:
            minutes = max(0, round((order["completed_at"] - order["arrived_at"]).total_seconds() / 60))
            source = "order"
        else:
            continue
        standard = order["standard_minutes"] or visit.standard_minutes
        if not standard:
            model_standard = known.get((order["product__product_model_id"], order["type"]))
            standard = model_standard.minutes if model_standard is not None else None
        if not standard:
            continue
        ratio = Decimal(minutes) / Decimal(standard)
        if ratio < SHORT_LABOUR_SHARE:
            found[order["pk"]] = {"minutes": minutes, "standard_minutes": standard,
                                  "ratio": str(ratio.quantize(Decimal("0.01"))),
                                  "threshold": str(SHORT_LABOUR_SHARE), "timing": source,
                                  "arrived_at": _iso(order["arrived_at"]), "completed_at": _iso(order["completed_at"])}
    return found


def _unsigned(orders: list[dict], month: QuerySet) -> dict[int, dict]:
    signed = set(WorkOrderAttachment.objects.filter(work_order_id__in=month, kind=AttachmentKind.SIGNATURE)
                 .order_by().values_list("work_order_id", flat=True).distinct())
    return {order["pk"]: {"type": order["type"], "completed_at": _iso(order["completed_at"])}
            for order in orders if order["type"] != ServiceType.MAIL_IN and order["pk"] not in signed}


def month_orders(brand_id: int, period: dt.date) -> QuerySet:
    """The brand's orders completed (or closed) in ``period``'s month that an outlet did: those settled."""
    if period.day != 1:
        raise InvalidInput(field="period")
    start, end = services.month_bounds(period)
    return WorkOrder.objects.filter(brand_id=brand_id, status__in=services.SETTLED_STATUSES, completed_at__gte=start,
                                    completed_at__lt=end, outlet__isnull=False)


def run_checks(brand_id: int, period: dt.date) -> list[FraudFlag]:
    """Raise the flags the month's orders call for that are not there yet; returns those raised now."""
    month = month_orders(brand_id, period)
    ids = month.order_by().values("pk")
    orders = list(month.order_by("pk").values(
        "pk", "number", "type", "outlet_id", "product_id", "created_at", "arrived_at", "completed_at",
        "standard_minutes", "rework_of_id", "site__latitude", "site__longitude", "product__product_model_id",
        "product__serial"))
    if not orders:
        return []
    visits = visits_of(month) if visits_of.registered else {}
    found: dict[str, dict[int, dict]] = {
        FlagCheck.FAR_CHECKIN: _far_checkins(orders, visits),
        FlagCheck.REUSED_PHOTO: _reused_photos(brand_id, ids),
        FlagCheck.SERIAL_MISMATCH: _serial_mismatches(orders, visits, month),
        FlagCheck.REPEAT_ORDER: _repeat_orders(brand_id, orders, month),
        FlagCheck.SHORT_LABOUR: _short_labour(brand_id, orders, visits),
        FlagCheck.NO_SIGNATURE: _unsigned(orders, ids),
    }
    outlets = {order["pk"]: order["outlet_id"] for order in orders}
    numbers = {order["pk"]: order["number"] for order in orders}
    # The other order of a reused photo may be of another month: its outlet and number, in one query.
    others = set(found[FlagCheck.REUSED_PHOTO]) - set(outlets)
    for pk, outlet_id, number in (WorkOrder.objects.filter(pk__in=others, brand_id=brand_id)
                                  .values_list("pk", "outlet_id", "number")):
        outlets[pk], numbers[pk] = outlet_id, number
    for match in found[FlagCheck.REUSED_PHOTO].values():
        for listed in (match, *match["matches"]):
            for side in ("photo", "other"):
                listed[side]["number"] = numbers.get(listed[side]["order"], "")
    wanted = {(order_id, kind) for kind, hits in found.items() for order_id in hits
              if outlets.get(order_id) is not None}
    if not wanted:
        return []
    flagged = set(FraudFlag.objects.filter(Q(work_order_id__in=ids) | Q(work_order_id__in=others), brand_id=brand_id)
                  .values_list("work_order_id", "kind"))
    now = timezone.now()
    new = [FraudFlag(brand_id=brand_id, outlet_id=outlets[order_id], work_order_id=order_id, kind=kind,
                     evidence=found[kind][order_id], raised_at=now)
           for order_id, kind in sorted(wanted - flagged)]
    if not new:
        return []
    # A run at the same time may raise the same flag: the unique (order, check) keeps one.
    FraudFlag.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return list(FraudFlag.objects.filter(brand_id=brand_id, raised_at=now).order_by("pk"))  # this run's


# ---------------------------------------------------------------------------------------------------- evidence


def _attachment_url(pk: int) -> str:
    return reverse("api:attachment-file", kwargs={"attachment_id": pk})


def evidence_for(flag: FraudFlag) -> dict[str, Any]:
    """What a reviewer's page shows of a flag: its evidence, with the two photos' addresses for a reused photo."""
    evidence = dict(flag.evidence or {})
    if flag.kind == FlagCheck.REUSED_PHOTO and evidence.get("photo") and evidence.get("other"):
        evidence["photo_url"] = _attachment_url(evidence["photo"]["attachment"])
        evidence["other_url"] = _attachment_url(evidence["other"]["attachment"])
    return {"check": flag.kind, "label": flag.get_kind_display(), "state": flag.state, **evidence}
