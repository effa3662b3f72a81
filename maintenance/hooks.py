"""Start-up wiring of maintenance (core/hooks.py autodiscovers it). Each sink is idempotent per event.

- a contract visit's order, when it ends, tells the visit (maintenance/visits.py): only an ordered visit moves;
- a finished visit restarts the schedules of what it replaced or serviced (maintenance/resets.py);
- a connected unit's report acts by the brand's rules: filter replaced, a predicted fault (maintenance/devices.py).
"""

from __future__ import annotations

from core import outbox
from integrations.services.iot import device_reported
from maintenance import devices, resets, visits


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
outbox.sinks.register(resets.sink())
device_reported.connect(devices.on_device_report)
