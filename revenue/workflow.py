"""A lead's life as a table (STYLE.md §3): new → contacted → won or lost; one ``transition`` applies a step
by compare-and-set on (status, version), so a lead is won once and its commission paid once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.bounds import money_input
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from pricing.choices import SoldVia
from pricing.extended import sell_extended_warranty
from pricing.models import WarrantyExtensionTerm
from revenue import events
from revenue.choices import LeadKind, LeadQueue, LeadStatus
from revenue.commission import commission_amount
from revenue.models import REASON_MAX, VALUE_MAX, Commission, Lead
from revenue.selectors import rule_in_force

S = LeadStatus
ZERO = Decimal("0.00")

# Who works each queue.
WORKERS = {
    LeadQueue.BRAND: frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT}),
    LeadQueue.OUTLET: frozenset({Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER}),
}


@dataclass(frozen=True)
class LeadAction:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    needs: str | tuple[str, ...] | None = None  # "value" (won) or "reason" (lost); the fields the form asks for
    danger: bool = False


ACTIONS: dict[str, LeadAction] = {
    a.name: a
    for a in [
        LeadAction("contact", _("Mark contacted"), frozenset({S.NEW}), S.CONTACTED),
        LeadAction("win", _("Mark won"), frozenset({S.NEW, S.CONTACTED}), S.WON, needs="value"),
        LeadAction("lose", _("Mark lost"), frozenset({S.NEW, S.CONTACTED}), S.LOST, needs="reason", danger=True),
    ]
}
ALLOWED: dict[str, set[str]] = {s: {a.target for a in ACTIONS.values() if s in a.sources} for s in S.values}


def may_work(lead: Lead, principal: Principal | None) -> bool:
    return principal is not None and principal.role in WORKERS[lead.queue]


def sells_warranty(lead: Lead, action: LeadAction) -> bool:
    """Winning an extended-warranty lead sells the warranty (pricing.extended) for the order's unit."""
    return lead.kind == LeadKind.EXTENDED_WARRANTY and action.target == S.WON


def available_actions(lead: Lead, principal: Principal | None) -> list[LeadAction]:
    if not may_work(lead, principal):
        return []
    return [replace(a, needs=("term", "value")) if sells_warranty(lead, a) else a
            for a in ACTIONS.values() if lead.status in a.sources]


def parse_value(raw: Any) -> Decimal:
    """A won lead's value: a positive amount in yuan with at most two decimals."""
    value = money_input(raw, field="value", message=_("Enter the value as an amount, e.g. 1280.00."))
    if value <= 0:
        raise InvalidInput(_("The value must be more than zero."), field="value")
    if value > VALUE_MAX:
        raise InvalidInput(_("The value is too large."), field="value", max=VALUE_MAX)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(_("Give the value to the fen at most (two decimals)."), field="value")
    return value.quantize(Decimal("0.01"))


def _warranty_term(lead: Lead, term_id: Any) -> WarrantyExtensionTerm | None:
    """The term a won extended-warranty lead sells. Without one named, a unit the brand sells terms for is
    refused (say which was sold); a brand that sells none in Aftersales records the value alone."""
    product = lead.work_order.product
    if not term_id:
        if product is not None and WarrantyExtensionTerm.objects.filter(
                brand_id=lead.brand_id, is_active=True).filter(
                Q(product_model_id=product.product_model_id) | Q(category_id=product.product_model.category_id)
        ).exists():
            raise InvalidInput(_("Choose the extended warranty sold."), field="term")
        return None
    if product is None:
        raise InvalidInput(_("The lead's order names no unit to extend the warranty of."), field="term")
    term = WarrantyExtensionTerm.objects.filter(brand_id=lead.brand_id, pk=term_id).first()
    if term is None:
        raise InvalidInput(_("Choose an extended warranty from the list."), field="term")
    return term


def transition(lead: Lead, action_name: str, *, actor: Principal, version: int | None = None,
               value: Any = None, reason: str = "", term_id: int | None = None) -> Lead:
    """Take one step, or refuse it having changed nothing. ``lead`` was fetched through ``visible_to``.

    Winning an extended-warranty lead sells the term ``term_id`` for the order's unit in the same transaction
    (its price: ``value``, else the term's price for the customer); a term that does not fit refuses the win
    (``_warranty_term``: when the term must be named)."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise InvalidInput(_("Unknown action."), field="action", action=action_name)
    if not may_work(lead, actor):
        raise PermissionDenied(_("Your role may not work leads."), action=action_name)
    expected = lead.version if version is None else version
    if expected != lead.version:
        raise StaleVersion(current_version=lead.version)
    if lead.status not in action.sources:
        raise IllegalTransition(_("This step is not allowed from the lead's current status."),
                                from_status=lead.status, action=action_name,
                                allowed=sorted(ALLOWED.get(lead.status, ())))
    reason = (reason or "").strip()
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    now = timezone.now()
    term = _warranty_term(lead, term_id) if sells_warranty(lead, action) else None
    if action.needs == "value" and not (term is not None and value in (None, "")):
        changes["value"] = parse_value(value)
        data["value"] = f"{changes['value']:.2f}"
    if action.needs == "reason":
        if not reason:
            raise InvalidInput(_("Say why the lead was lost."), field="reason")
        changes["lost_reason"] = reason
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long."), field="reason", max_length=REASON_MAX)
    if action.name == "contact":
        changes["contacted_at"] = now
    else:
        changes["closed_at"] = now

    with transaction.atomic():
        if term is not None:
            # Sold first, so its price is the lead's value; a lost race below rolls the sale back with it.
            sold = sell_extended_warranty(product=lead.work_order.product, term=term, actor_or_channel=actor,
                                          sold_via=SoldVia.LEAD, price=changes.get("value"), lead=lead.pk)
            changes["value"] = sold.price
            data.update(value=f"{sold.price:.2f}", extended_warranty_id=sold.pk, term_id=term.pk)
        # The compare-and-set: of two clerks marking the same lead won, one updates a row, the other none.
        updated = Lead.objects.filter(pk=lead.pk, status=lead.status, version=expected).update(
            status=action.target, version=F("version") + 1, worked_by=actor.user, updated_at=now, **changes)
        if not updated:
            current = Lead.objects.filter(pk=lead.pk).values("status", "version").first() or {}
            if current.get("status") not in action.sources:
                raise IllegalTransition(_("This step is not allowed from the lead's current status."),
                                        from_status=current.get("status", ""), action=action_name)
            raise StaleVersion(current_version=current.get("version"))
        if action.target == S.WON:
            commission = _pay(lead, value=changes["value"], at=now)
            data["commission"] = f"{commission.amount:.2f}"
        events.transitioned(lead=lead, action=action.name, from_status=lead.status, to_status=action.target,
                            actor=actor, note=reason, data=data, at=now)
    lead.refresh_from_db()
    return lead


def _pay(lead: Lead, *, value: Decimal, at) -> Commission:
    """The technician's commission, by the rule in force on the day the lead was captured: the promise they
    worked under. Its figures are copied onto the row, so a changed rule never rewrites it."""
    captured = timezone.localdate(lead.created_at)
    rule = rule_in_force(brand_id=lead.brand_id, kind=lead.kind, day=captured)
    percent = rule.percent if rule else ZERO
    fixed = rule.fixed_amount if rule else ZERO
    return Commission.objects.create(
        lead=lead, brand_id=lead.brand_id, outlet_id=lead.outlet_id, technician_id=lead.technician_id, rule=rule,
        base_value=value, percent=percent, fixed_amount=fixed,
        amount=commission_amount(value=value, percent=percent, fixed=fixed), earned_at=at,
    )


def win_by_sale(lead: Lead, *, value: Decimal, actor: Principal, note: str = "") -> Commission | None:
    """The customer bought what the lead was about (the shop, the hotline): the lead is won with the sale's value
    and its technician earns the rule's share, as when a clerk marks it won. Unlike ``transition`` the actor may be
    the system (a payment callback); a lead already closed is left as it is (None). In the caller's transaction."""
    value = parse_value(value)
    now = timezone.now()
    updated = Lead.objects.filter(pk=lead.pk, status__in=(S.NEW, S.CONTACTED)).update(
        status=S.WON, version=F("version") + 1, value=value, closed_at=now, updated_at=now)
    if not updated:
        return None
    commission = _pay(lead, value=value, at=now)
    events.transitioned(lead=lead, action="win", from_status=lead.status, to_status=S.WON, actor=actor, note=note,
                        data={"value": f"{value:.2f}", "commission": f"{commission.amount:.2f}"}, at=now)
    return commission
