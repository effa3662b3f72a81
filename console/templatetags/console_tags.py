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
