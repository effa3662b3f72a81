"""Start-up wiring of maintenance (core/hooks.py autodiscovers it): a contract visit's order, when it ends,
tells the visit (maintenance/visits.py). Each sink is idempotent per event: only an ordered visit moves."""

from __future__ import annotations

from core import outbox
from maintenance import visits


def contract_visit_done(event) -> None:
    if event.work_order_id is not None:
        visits.visit_done(work_order_id=event.work_order_id, at=event.created_at)


def contract_visit_cancelled(event) -> None:
    if event.work_order_id is not None:
        visits.visit_cancelled(work_order_id=event.work_order_id)


outbox.sinks.register(outbox.Sink(name="maintenance.contract_visit_done", kinds=frozenset({"order.completed"}),
                                  deliver=contract_visit_done))
outbox.sinks.register(outbox.Sink(name="maintenance.contract_visit_cancelled",
                                  kinds=frozenset({"order.cancelled"}), deliver=contract_visit_cancelled))
