"""Start-up wiring of feedback (imported by core.apps.CoreConfig.ready): a completed order gets its survey; a
reworked order's callback ends and the order closes."""

from __future__ import annotations

from core import outbox
from feedback import desk, surveys
from workorders.rework import rework_opened


def send_survey(event) -> None:
    """The outbox sink of ``order.completed``: idempotent, a retry finds the survey already sent."""
    if event.work_order_id is not None:
        surveys.send_survey(order_id=event.work_order_id)


outbox.sinks.register(outbox.Sink(name="feedback.survey", kinds=frozenset({"order.completed"}), deliver=send_survey))
rework_opened.connect(desk.rework_ended_callback)
