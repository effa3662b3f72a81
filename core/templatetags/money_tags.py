from __future__ import annotations

from django import template

from core.money import yuan as format_yuan

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """{{ amount|yuan }} → ¥1,234.50, or −¥5.00 for a deduction; empty for no amount."""
    return format_yuan(amount)
