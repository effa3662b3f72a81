"""Maintenance's domain errors (STYLE.md §7)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput


class PlanDoesNotFit(InvalidInput):
    code = "plan_does_not_fit"
    default_message = _("The plan is not one for this unit's model or category.")


class AlreadyUnderContract(DomainError):
    code = "already_under_contract"
    status = 409
    default_message = _("This unit is already under a maintenance contract for some of these dates.")


class TermWithoutWeek(InvalidInput):
    code = "term_without_week"
    default_message = _("The term must hold at least one whole week (a Monday) for its visits.")
