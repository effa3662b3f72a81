"""Pricing's domain errors (STYLE.md §7); each says which configuration is missing or in conflict."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class NoPriceList(DomainError):
    code = "no_price_list"
    status = 422
    default_message = _("No published price list is valid on this date.")


class PriceListOverlap(DomainError):
    code = "price_list_overlap"
    status = 409
    default_message = _("Another published price list of this brand is valid on some of these days.")


class PriceNotListed(DomainError):
    code = "price_not_listed"
    status = 422
    default_message = _("The price list has no price for this item.")


class BeyondCalloutBands(DomainError):
    code = "beyond_callout_bands"
    status = 422
    default_message = _("The site is farther from the outlet than any call-out band of the price list.")


class TermDoesNotFit(DomainError):
    """The extended warranty term cannot be sold for this unit; ``reason`` says why (a stable code)."""

    code = "term_does_not_fit"
    status = 422
    default_message = _("This extended warranty cannot be sold for this unit.")


class ExtendedWarrantyOverlap(DomainError):
    code = "extended_warranty_overlap"
    status = 409
    default_message = _("This unit already has an active extended warranty for some of these days.")


class ReferenceReused(DomainError):
    code = "reference_reused"
    status = 409
    default_message = _("This reference was already used to sell another extended warranty.")
