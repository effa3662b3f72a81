"""Read paths of contracts and their visits, for the API, the console and the portal alike.

A visit's state as the customer and the brand read it is decided here once (``visit_state``): done; overdue (not
done and its target week is over); due (its order is open, or its week starts within the weeks orders are made
ahead); planned (later); cancelled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from maintenance.choices import VisitStatus
from maintenance.models import Contract, ContractVisit
from maintenance.visitplan import WEEK, monday_of
from maintenance.visits import weeks_ahead

DONE, DUE, OVERDUE, PLANNED, CANCELLED = "done", "due", "overdue", "planned", "cancelled"
OPEN = (VisitStatus.PLANNED, VisitStatus.ORDERED)


def visit_state(status: str, target_week: dt.date, today: dt.date) -> str:
    if status == VisitStatus.DONE:
        return DONE
    if status == VisitStatus.CANCELLED:
        return CANCELLED
    if target_week + WEEK <= today:
        return OVERDUE
    if status == VisitStatus.ORDERED or target_week <= monday_of(today) + weeks_ahead() * WEEK:
        return DUE
    return PLANNED


def _state_filters(today: dt.date) -> dict[str, Q]:
    """visit_state as filters over ContractVisit (prefix-free), for counting in the database."""
    overdue = Q(status__in=OPEN, target_week__lte=today - WEEK)
    due = Q(status__in=OPEN) & ~overdue & (Q(status=VisitStatus.ORDERED)
                                          | Q(target_week__lte=monday_of(today) + weeks_ahead() * WEEK))
    return {DONE: Q(status=VisitStatus.DONE), OVERDUE: overdue, DUE: due,
            PLANNED: Q(status=VisitStatus.PLANNED) & ~overdue & ~due, CANCELLED: Q(status=VisitStatus.CANCELLED)}


def with_counts(contracts: QuerySet[Contract], *, today: dt.date) -> QuerySet[Contract]:
    """Each contract annotated with ``n_done``, ``n_due``, ``n_overdue``, ``n_planned``, ``n_cancelled`` and
    ``n_units``, in the one query of the list."""
    counts = {f"n_{state}": Count("visits", filter=_prefixed(q, "visits"), distinct=True)
              for state, q in _state_filters(today).items()}
    return contracts.annotate(**counts, n_units=Count("units", distinct=True))


def _prefixed(q: Q, prefix: str) -> Q:
    """The same filter seen from a related model (``status`` -> ``visits__status``)."""
    children = [_prefixed(c, prefix) if isinstance(c, Q) else (f"{prefix}__{c[0]}", c[1]) for c in q.children]
    found = Q(*children, _connector=q.connector, _negated=q.negated)
    return found


@dataclass(frozen=True)
class VisitRow:
    visit: ContractVisit
    state: str


def visits_of(contract: Contract, *, today: dt.date) -> list[VisitRow]:
    """The contract's visits in target-week order with their unit, site and order, each with its state."""
    rows = (ContractVisit.objects.filter(contract=contract)
            .select_related("product__product_model", "product__site", "work_order")
            .order_by("target_week", "product__serial", "sequence"))
    return [VisitRow(visit=v, state=visit_state(v.status, v.target_week, today)) for v in rows]


def contracts_seen_by(user) -> QuerySet[Contract]:
    return Contract.objects.visible_to(user).select_related("customer", "plan")
