"""What the technician app supplies to the layers below it (core/hooks.py autodiscovers this module)."""

from __future__ import annotations

from django.db.models import QuerySet

from field.models import JobTemplate, Visit, VisitPhoto
from settlement.facts import VisitFacts, missing_photos, visits_of


@visits_of.register
def settlement_visits(orders: QuerySet) -> dict[int, VisitFacts]:
    """Each order's last completed visit as settlement reads it, in one query."""
    rows = (Visit.objects.filter(work_order__in=orders.values("pk"), completed_at__isnull=False)
            .order_by("work_order_id", "completed_at", "pk")
            .values_list("work_order_id", "pk", "technician_id", "checkin_latitude", "checkin_longitude",
                         "checkin_accuracy_m", "checkin_distance_m", "labour_minutes", "standard_minutes",
                         "charge", "serial_seen"))
    found: dict[int, VisitFacts] = {}
    for order_id, pk, technician_id, lat, lon, accuracy, distance, labour, standard, charge, serial_seen in rows:
        covered = tuple((line.get("code", ""), int(line.get("quantity") or 0))
                        for line in (charge or {}).get("lines", ())
                        if line.get("kind") == "part" and line.get("covered") and line.get("code"))
        # Ordered by completion: the last visit of an order is the one kept.
        found[order_id] = VisitFacts(visit_id=pk, technician_id=technician_id, checkin_latitude=lat,
                                     checkin_longitude=lon, checkin_accuracy_m=accuracy,
                                     checkin_distance_m=distance, labour_minutes=labour, standard_minutes=standard,
                                     covered_parts=covered, serial_seen=serial_seen or "")
    return found


@missing_photos.register
def settlement_missing_photos(orders: QuerySet) -> dict[int, tuple[str, ...]]:
    """The required photos each order's job template asks for that its last completed visit did not take: three
    queries (the templates, the orders, the photos taken), none per order (field.jobtemplates picks the same
    template: the service type's for the product's category, else for every category)."""
    rows = list(orders.values_list("pk", "brand_id", "type", "product__product_model__category_id"))
    if not rows:
        return {}
    required: dict[tuple[int, str, int | None], tuple[str, ...]] = {}
    for template in (JobTemplate.objects.filter(brand_id__in={row[1] for row in rows}, is_active=True)
                     .prefetch_related("photos")):
        required[(template.brand_id, template.service_type, template.category_id)] = tuple(
            photo.code for photo in template.photos.all() if photo.required)
    taken: dict[int, set[str]] = {}
    last_visit: dict[int, int] = {}
    for order_id, visit_id in (Visit.objects.filter(work_order__in=orders.values("pk"), completed_at__isnull=False)
                               .order_by("work_order_id", "completed_at", "pk").values_list("work_order_id", "pk")):
        last_visit[order_id] = visit_id
    for visit_id, code in VisitPhoto.objects.filter(visit_id__in=list(last_visit.values())).values_list(
            "visit_id", "requirement"):
        taken.setdefault(visit_id, set()).add(code)
    missing = {}
    for order_id, brand_id, service_type, category_id in rows:
        codes = required.get((brand_id, service_type, category_id), required.get((brand_id, service_type, None), ()))
        have = taken.get(last_visit.get(order_id), set())
        lacking = tuple(code for code in codes if code not in have)
        if lacking:
            missing[order_id] = lacking
    return missing
