"""The technician app's actions (STYLE.md §1): keyword-only, each one transaction, refusals write nothing.

Lifecycle steps, through workorders.workflow.transition — .steps:
    accept(*, order, actor) / decline(*, order, actor, reason)
    depart(*, order, actor, where=None, at=None)      "on my way"; the position becomes the last known location
    arrive(*, order, actor, where=None, at=None)      check in; distance from the site recorded
    hold(*, order, actor, hold_reason, reason) / resume(*, order, actor)
Work on site (the job must be on site and the technician's) — .work:
    answer_checklist(*, order, actor, answers=[(item_id, value)])
    add_visit_photo(*, order, actor, upload, requirement="", at=None)
    record_diagnosis(*, order, actor, fault_code="", symptom_code="", note="")
    use_parts(*, order, actor, lines=[(part_id, quantity)], idempotency_key)   parts.services.consume_on_job
    record_payment(*, order, actor, method, amount, reference="")
    sign(*, order, actor, upload, signer="")
Completion and check-out — .completion:
    complete(*, order, actor, at=None, shown_total=None)

``order`` comes from ``WorkOrder.objects.visible_to(actor.user)``; ``at`` is when the phone says it happened
(queued offline), kept between the previous step and now.
"""

from field.services.completion import complete
from field.services.steps import accept, arrive, decline, depart, hold, resume
from field.services.work import add_visit_photo, answer_checklist, record_diagnosis, record_payment, sign, use_parts

__all__ = ["accept", "add_visit_photo", "answer_checklist", "arrive", "complete", "decline", "depart", "hold",
           "record_diagnosis", "record_payment", "resume", "sign", "use_parts"]
