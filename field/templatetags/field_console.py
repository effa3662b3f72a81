"""What the dispatcher sees of the technician's visit in the console's order detail."""

from __future__ import annotations

from django import template

from field.geo import FAR_FROM_SITE_M, distance_text
from field.selectors import console_visit

register = template.Library()


@register.inclusion_tag("field/_partials/console_visit.html", takes_context=True)
def field_visit(context, order):
    request = context.get("request")
    visit = console_visit(request.user, order) if request is not None else None
    far = visit is not None and visit.checkin_distance_m is not None and visit.checkin_distance_m > FAR_FROM_SITE_M
    return {"visit": visit, "far": far, "far_m": FAR_FROM_SITE_M}


@register.filter
def distance(metres: int | None) -> str:
    return distance_text(metres)
