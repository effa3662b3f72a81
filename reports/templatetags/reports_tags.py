"""``{% service_report_url order as url %}``: the download link of the order's report, or "" while there is none
(or the user may not see it). For the console's order page and the portal's tracking page."""

from __future__ import annotations

from django import template

from reports import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def service_report_url(context, order) -> str:
    request = context.get("request")
    if request is None or order is None:
        return ""
    return selectors.service_report_url(request.user, order) or ""
