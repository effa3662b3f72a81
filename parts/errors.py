"""The refusals of parts and stock, each with a stable code and status (core/errors.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class InsufficientStock(DomainError):
    """Fewer units than asked for: the compare-and-set found the balance short, and nothing was written."""

    code = "insufficient_stock"
    status = 409
    default_message = _("Not enough stock.")


class NoWarehouse(DomainError):
    """The outlet has no store, or the technician no van, yet: a set-up gap, not bad input."""

    code = "no_warehouse"
    status = 409
    default_message = _("There is no warehouse for this yet.")


class AlreadyDecided(DomainError):
    code = "already_decided"
    status = 409
    default_message = _("This has already been dealt with.")
