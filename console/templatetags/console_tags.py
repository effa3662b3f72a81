"""Labels for stored codes (statuses, roles, actions) so templates show words, not identifiers."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.choices import SYSTEM, Role
from accounts.principal import principal_of
from console.views.bench import may_use_bench
from console.views.hotline import hotline_seat
from console.views.settlement import is_finance, sees_statements
from console.views.warranty_cards import reviewer
from core.names import display_name
from core.pages import is_staff
from customers.warranty_cards import review_required
from dispatch.services import may_dispatch
from exchange.services import may_import
from notifications.selectors import unread_count
from workorders.choices import HoldReason, SlaState, Status
from workorders.workflow import ACTIONS, RETIRED_LABELS

register = template.Library()


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


@register.filter
def asked_by(form, action) -> list:
    """The fields of a step's form its panel asks for (``action.needs``: one field's name, or several), in the
    form's own order (console/_partials/action_panel.html)."""
    needs = (action.needs,) if isinstance(action.needs, str) else tuple(action.needs or ())
    return [form[name] for name in form.fields if name in needs]


@register.filter
def status_label(value: str) -> str:
    return _label(Status, value)


@register.filter
def role_label(value: str) -> str:
    # Periodic jobs and integrations act as the brand's system, which is no membership role.
    if value == SYSTEM:
        return _("Automatic")
    return _label(Role, value)


@register.filter
def sla_label(value: str) -> str:
    return _label(SlaState, value)


@register.filter
def hold_reason_label(value: str) -> str:
    return _label(HoldReason, value)


@register.filter
def action_label(value: str) -> str:
    action = ACTIONS.get(value)
    return str(action.label) if action else str(RETIRED_LABELS.get(value, value))


@register.filter
def get_item(mapping, key) -> str:
    """A dict's value in a template (an imported row's cell by column key); blank when absent."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def person(user) -> str:
    return display_name(user)


@register.simple_tag
def seat_of(user) -> str:
    """The signed-in user's role, as the top bar shows it."""
    principal = principal_of(user)
    return _label(Role, principal.role) if principal else ""


@register.simple_tag
def console_links(user, path: str = "") -> list[dict]:
    """The sections this staff user may open, for the top bar: a technician's own pages, the desks' queues."""
    principal = principal_of(user)
    if not is_staff(principal):
        return []
    sections: list[tuple[str, str, str]] = []  # (key, url name, label)
    if principal.is_technician:
        sections.append(("field", "field:jobs", gettext("My jobs")))
    sections.append(("orders", "console:orders", gettext("Work orders")))
    if hotline_seat(principal):
        sections.append(("hotline", "console:hotline", gettext("Hotline desk")))
    if may_dispatch(principal):
        sections.append(("dispatch", "console:dispatch", gettext("Dispatch board")))
    if may_import(principal):
        sections.append(("imports", "console:imports", gettext("Installed base")))
    if principal.is_brand_staff or principal.is_outlet_staff:
        sections.append(("callbacks", "console:callbacks", gettext("Callbacks")))
    if reviewer(principal) and review_required(principal.brand_id):
        sections.append(("cards", "console:warranty-cards", gettext("Warranty cards")))
    if principal.is_technician:
        sections.append(("van", "field:van", gettext("My van")))
        sections.append(("earnings", "field:earnings", gettext("Earnings")))
    else:
        sections.append(("parts", "console:parts-requests", gettext("Parts")))
        if may_use_bench(principal):  # issue 17: the repair centre's bench (mail-in repairs)
            sections.append(("bench", "console:bench", gettext("Repair bench")))
        if principal.is_brand_staff or principal.is_outlet_staff:
            sections.append(("leads", "console:leads", gettext("Leads")))
            sections.append(("complaints", "console:complaints", gettext("Complaints")))
        if principal.is_brand_staff:
            sections.append(("contracts", "console:contracts", gettext("Contracts")))
            sections.append(("shop", "console:shop-orders", gettext("Shop orders")))
        if is_finance(principal):  # issue 18: the finance desk; an outlet's manager sees its own statements
            sections.append(("settlement", "console:settlement", gettext("Finance desk")))
        elif sees_statements(principal):
            sections.append(("settlement", "console:settlement", gettext("Statements")))
    sections.append(("notifications", "console:notifications", gettext("Notifications")))
    urls = [reverse(name) for _key, name, _label in sections]
    # A section covers the pages under its address (the parts desk: all of /parts/).
    prefixes = [url.rsplit("requests/", 1)[0] if key == "parts" else url
                for (key, _name, _label), url in zip(sections, urls, strict=True)]
    links = []
    for (key, _name, label), url, prefix in zip(sections, urls, prefixes, strict=True):
        # The longest matching prefix wins: the hotline desk and the board live under the console's list.
        longer = [p for p in prefixes if p != prefix and p.startswith(prefix) and path.startswith(p)]
        links.append({"key": key, "url": url, "label": label, "current": path.startswith(prefix) and not longer})
    links[-1]["count"] = unread_count(user)
    return links
