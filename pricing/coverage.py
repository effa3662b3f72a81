"""Who pays for a line: the extension point between the engine and every kind of coverage.

The engine asks each provider of the snapshot in turn. The base warranty is the only one today;
an extended warranty (延保) or a maintenance contract (维保合同) is one more provider the loader
puts in the snapshot, so callers of ``quote`` and ``estimate`` never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from catalog.choices import ExclusionReason, ServiceType
from core.dates import add_months
from core.text import render_lazy
from pricing.choices import CountedFrom, CoverageCode, LineKind
from pricing.facts import ExtensionFacts, PartFacts, ProductFacts, SymptomFacts, WarrantyRuleFacts

MESSAGES = {
    CoverageCode.IN_WARRANTY: _("In warranty until %(until)s"),
    CoverageCode.EXPIRED: _("Out of warranty since %(since)s"),
    CoverageCode.NOT_STARTED: _("Warranty starts on %(start)s"),
    CoverageCode.NO_START_DATE: _("No purchase or install date on record"),
    CoverageCode.NEVER_COVERED: _("Never covered by warranty"),
    CoverageCode.EXCLUDED: _("Excluded from warranty: %(exclusion)s"),
    CoverageCode.SERVICE_NOT_COVERED: _("Warranty does not cover this service: %(service)s"),
    CoverageCode.EXTENDED: _("Covered by extended warranty until %(until)s"),
}
NOT_COVERED = _("Not covered")

# The base warranty pays for putting a fault right, not for installing or servicing a unit.
WARRANTY_SERVICE_TYPES = frozenset({ServiceType.REPAIR, ServiceType.MAIL_IN, ServiceType.INSPECTION})


@dataclass(frozen=True)
class CoverageItem:
    """What is being paid for: a part, or (part None) the unit as a whole — labour and call-out."""

    kind: str
    part: PartFacts | None = None


@dataclass(frozen=True)
class CoverageContext:
    product: ProductFacts
    service_type: str
    symptom: SymptomFacts | None
    on: dt.date


@dataclass(frozen=True)
class CoverageVerdict:
    covered: bool
    code: str
    provider: str = ""
    start: dt.date | None = None
    until: dt.date | None = None  # last covered day, inclusive
    exclusion: str = ""
    service_type: str = ""

    @property
    def since(self) -> dt.date | None:
        """The first day without cover, for an expired term."""
        return self.until + dt.timedelta(days=1) if self.until and self.code == CoverageCode.EXPIRED else None

    @property
    def reason(self) -> Any:
        """Human text, translated when shown."""
        template = MESSAGES.get(self.code, NOT_COVERED)
        params = {
            "until": self.until.isoformat() if self.until else "",
            "since": self.since.isoformat() if self.since else "",
            "start": self.start.isoformat() if self.start else "",
            "exclusion": ExclusionReason(self.exclusion).label if self.exclusion else "",
            "service": ServiceType(self.service_type).label if self.service_type in ServiceType.values else "",
        }
        # A mapping fills only the placeholders a template has, so every template takes every param.
        return render_lazy(template, params)

    def as_dict(self) -> dict[str, Any]:
        """What a stored estimate, a charge and the API carry: the reason in the active language."""
        return {"covered": self.covered, "code": str(self.code), "reason": str(self.reason),
                "until": self.until.isoformat() if self.until else None}


class CoverageProvider(Protocol):
    name: str

    def verdict(self, item: CoverageItem, context: CoverageContext) -> CoverageVerdict | None:
        """This provider's verdict on the item, or None when it has nothing to say about it."""
        ...


def resolve(providers: Iterable[CoverageProvider], item: CoverageItem, context: CoverageContext) -> CoverageVerdict:
    """The first provider that covers the item wins; otherwise the first refusal explains why not."""
    refusal: CoverageVerdict | None = None
    for provider in providers:
        verdict = provider.verdict(item, context)
        if verdict is None:
            continue
        if verdict.covered:
            return verdict
        refusal = refusal or verdict
    return refusal or CoverageVerdict(covered=False, code=CoverageCode.NO_COVERAGE)


# The unit as a whole (its labour): what "in warranty or not" means for a visit, on every screen and the charge.
UNIT = CoverageItem(kind=LineKind.LABOUR)


def unit_verdict(providers: Iterable[CoverageProvider], context: CoverageContext) -> CoverageVerdict:
    """The headline verdict for the unit: the one the engine prices labour with and every surface shows."""
    return resolve(providers, UNIT, context)


# --- the base warranty ---------------------------------------------------------------------------

CATALOGUE_TERM = WarrantyRuleFacts(id=0, months=None, counted_from=CountedFrom.INSTALL, grace_days=0)


def _scope_rank(rule: WarrantyRuleFacts, product: ProductFacts) -> int | None:
    if rule.model_id is not None:
        return 2 if rule.model_id == product.model_id else None
    if rule.category_id is not None:
        return 1 if rule.category_id == product.category_id else None
    return 0


def _target_rank(rule: WarrantyRuleFacts, part: PartFacts | None) -> int | None:
    if rule.part_code:
        return 2 if part is not None and part.code == rule.part_code else None
    if rule.part_family:
        return 1 if part is not None and part.family == rule.part_family else None
    return 0


def applicable_rule(rules: Iterable[WarrantyRuleFacts], product: ProductFacts,
                    part: PartFacts | None) -> WarrantyRuleFacts:
    """The most specific rule: a part's own rule beats its family's, which beats the unit's; then a
    model's beats its category's, which beats the brand's. No rule: the catalogue term from install."""
    best: tuple[tuple[int, int, int], WarrantyRuleFacts] | None = None
    for rule in rules:
        target, scope = _target_rank(rule, part), _scope_rank(rule, product)
        if target is None or scope is None:
            continue
        rank = (target, scope, rule.id)
        if best is None or rank > best[0]:
            best = (rank, rule)
    return best[1] if best else CATALOGUE_TERM


def term_start(rule: WarrantyRuleFacts, product: ProductFacts) -> dt.date | None:
    """The day the term is counted from: the install date, or the purchase date plus the grace days.

    The grace is the usual allowance for delivery and installation (e.g. 15 days when there is no
    install record). Whichever date the rule counts from, the other stands in when it is missing.
    """
    purchase = product.purchase_date + dt.timedelta(days=rule.grace_days) if product.purchase_date else None
    if rule.counted_from == CountedFrom.PURCHASE:
        return purchase or product.install_date
    return product.install_date or purchase


@dataclass(frozen=True)
class BaseWarranty:
    """The manufacturer's warranty: the brand's rules by model and part, with the symptom's exclusions."""

    rules: tuple[WarrantyRuleFacts, ...] = ()
    service_types: frozenset[str] = WARRANTY_SERVICE_TYPES
    name: str = "warranty"

    def verdict(self, item: CoverageItem, context: CoverageContext) -> CoverageVerdict:
        product = context.product
        rule = applicable_rule(self.rules, product, item.part)
        months = product.catalogue_months if rule.months is None else rule.months

        def refuse(code: str, **extra: Any) -> CoverageVerdict:
            return CoverageVerdict(covered=False, code=code, provider=self.name, **extra)

        if months <= 0:
            return refuse(CoverageCode.NEVER_COVERED)
        if context.service_type not in self.service_types:
            return refuse(CoverageCode.SERVICE_NOT_COVERED, service_type=context.service_type)
        if context.symptom is not None and context.symptom.exclusion:
            return refuse(CoverageCode.EXCLUDED, exclusion=context.symptom.exclusion)
        start = term_start(rule, product)
        if start is None:
            return refuse(CoverageCode.NO_START_DATE)
        until = add_months(start, months)
        # Cover begins when the customer has the unit, even if the term is counted from a later day.
        first_day = min(d for d in (product.purchase_date, product.install_date, start) if d is not None)
        if context.on < first_day:
            return refuse(CoverageCode.NOT_STARTED, start=first_day, until=until)
        if context.on > until:
            return refuse(CoverageCode.EXPIRED, start=start, until=until)
        return CoverageVerdict(covered=True, code=CoverageCode.IN_WARRANTY, provider=self.name, start=start,
                               until=until)


# --- the extended warranty (延保) ------------------------------------------------------------------


def extension_covers(extension: ExtensionFacts, item: CoverageItem) -> bool:
    """Whether what the extension pays for includes the item: labour and call-out, or this part."""
    if item.part is None:
        return extension.covers_labour
    if not extension.covers_parts:
        return False
    return not extension.part_families or item.part.family in extension.part_families


@dataclass(frozen=True)
class ExtendedWarrantyProvider:
    """The extended warranties bought for units, by product id. It covers an item on a day within a
    warranty's days for what that warranty pays for, for the services the base warranty covers and not
    for an excluded fault; otherwise it says nothing, and the base warranty's refusal explains why not."""

    by_product: Mapping[int, tuple[ExtensionFacts, ...]] = field(default_factory=dict)
    service_types: frozenset[str] = WARRANTY_SERVICE_TYPES
    name: str = "extended_warranty"

    def verdict(self, item: CoverageItem, context: CoverageContext) -> CoverageVerdict | None:
        extensions = self.by_product.get(context.product.product_id) if context.product.product_id else None
        if not extensions or context.service_type not in self.service_types:
            return None
        if context.symptom is not None and context.symptom.exclusion:
            return None
        for extension in extensions:
            if extension.starts_on <= context.on <= extension.ends_on and extension_covers(extension, item):
                return CoverageVerdict(covered=True, code=CoverageCode.EXTENDED, provider=self.name,
                                       start=extension.starts_on, until=extension.ends_on)
        return None


class NotFit(ValueError):
    """A term does not fit a unit; its text is the reason's stable code."""


def extension_window(*, months: int, max_unit_age_months: int | None, months_after_expiry: int,
                     unit_start: dt.date | None, base_until: dt.date | None, base_code: str,
                     on: dt.date) -> tuple[dt.date, dt.date]:
    """The days (both inclusive) an extended warranty of ``months`` bought on ``on`` covers, or NotFit.

    It follows on from the base warranty (the day after ``base_until``) while that runs; after it ended (or
    for a unit never covered), only a term sold for ``months_after_expiry`` months after the end still fits,
    and then runs from ``on``. ``unit_start`` (installation, else purchase) is what its age is counted from.
    """
    if unit_start is None or base_code == CoverageCode.NO_START_DATE:
        raise NotFit("no_start_date")
    if max_unit_age_months is not None and on >= add_months(unit_start, max_unit_age_months):
        raise NotFit("unit_too_old")
    if base_until is not None and on <= base_until:
        starts_on = base_until + dt.timedelta(days=1)
    elif months_after_expiry and (base_until is None or on <= add_months(base_until, months_after_expiry)):
        starts_on = on
    else:
        raise NotFit("warranty_ended")
    return starts_on, add_months(starts_on, months) - dt.timedelta(days=1)
