"""Labels for stored codes (statuses, roles, actions) so templates show words, not identifiers."""

from __future__ import annotations

from django import template

from accounts.choices import Role
from accounts.principal import principal_of
from workorders.choices import HoldReason, SlaState, Status
from workorders.workflow import ACTIONS

register = template.Library()


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


@register.filter
def status_label(value: str) -> str:
    return _label(Status, value)


@register.filter
def role_label(value: str) -> str:
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
    return str(action.label) if action else value


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.simple_tag
def seat_of(user) -> str:
    """The signed-in user's role, as the top bar shows it."""
    principal = principal_of(user)
    return _label(Role, principal.role) if principal else ""


@register.simple_tag
def console_links(user, path: str = "") -> list[dict]:
    """The console's sections this user may open, for the top bar (the hotline desk for its seats)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from console.access import is_staff_principal
    from console.hotline import hotline_seat

    principal = principal_of(user)
    if not is_staff_principal(principal):
        return []
    orders, desk = reverse("console:orders"), reverse("console:hotline")
    links = [{"key": "orders", "url": orders, "label": gettext("Work orders"),
              "current": path.startswith(orders) and not path.startswith(desk)}]
    if hotline_seat(principal):
        links.append({"key": "hotline", "url": desk, "label": gettext("Hotline desk"),
                      "current": path.startswith(desk)})
    from dispatch.services import may_dispatch

    if may_dispatch(principal):
        board = reverse("dispatch:board")
        links[0]["current"] = links[0]["current"] and not path.startswith(board)
        links.append({"key": "dispatch", "url": board, "label": gettext("Dispatch board"),
                      "current": path.startswith(board)})
    from notifications.selectors import unread_count

    inbox = reverse("notifications:inbox")
    links.append({"key": "notifications", "url": inbox, "label": gettext("Notifications"),
                  "current": path.startswith(inbox), "count": unread_count(user)})
    return links
