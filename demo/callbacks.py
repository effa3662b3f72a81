"""Demo callbacks (回访): ``seed_callbacks(brand, now=...)`` (called by the demo command; safe to run twice).

The brand's callback policy; a survey for every order finished within the sweep's window (sent as the outbox's sink
sends it, five minutes after completion) and for a few finished some days ago; of the recent ones the latest two
answered 2★ "not solved" (one waiting for review, one the review already sent back as a rework (返修): a new
order at another outlet), half the others answered well, the rest still to answer; the older ones never answered
and so due a call, one of which the hotline made (satisfied). Sampled orders are on the desk from their survey on.

``catch_up(brand, now=...)`` is the callbacks sweep (feedback/sweep.py) as it would have run every minute up to
``now``, each step at its own time: a survey for an order finished lately that has none, a call due when a survey
went unanswered for the brand's hours, an order closed the brand's days after completion without a callback. The
demo runs it last (demo/builder.py), so the sweep ``make run`` starts finds nothing left to do.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import Organisation, User
from accounts.principal import principal_of
from core.models import OutboxEvent
from core.sequences import next_value
from demo.common import align_outbox
from feedback import desk, surveys
from feedback.choices import CallbackReason, CallbackStatus, Decision, Outcome
from feedback.models import Callback, Survey, SurveyPolicy
from feedback.selectors import policy_for
from feedback.sweep import SEND_WINDOW, due_by_policy
from workorders.choices import EventKind, Status
from workorders.models import WorkOrder, WorkOrderEvent

# Orders finished some days ago whose survey was never answered: due a call.
SILENT = 4
HOUR = dt.timedelta(hours=1)
SENT_AFTER = dt.timedelta(minutes=5)  # the survey goes out when the completion's outbox event is delivered
GOOD = [{"overall": "5", "solved": "yes", "on_time": "yes", "tidy": "yes", "charge_as_quoted": "yes", "nps": "10",
         "comment": "师傅很专业，讲解也很清楚。"},
        {"overall": "4", "solved": "yes", "on_time": "no", "tidy": "yes", "charge_as_quoted": "yes", "nps": "8",
         "comment": "晚到了二十分钟，其他都好。"}]
BAD = {"overall": "2", "solved": "no", "on_time": "yes", "tidy": "yes", "charge_as_quoted": "yes", "nps": "3",
       "comment": "换完滤芯还是有异味，水流也很小。"}


def _finished(brand: Organisation, now: dt.datetime):
    return WorkOrder.objects.filter(brand=brand, status=Status.COMPLETED, completed_at__lte=now).exclude(outlet=None)


def seed_callbacks(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    SurveyPolicy.objects.get_or_create(brand=brand, service_type="", defaults={"sample_percent": 10})
    if Survey.objects.filter(brand=brand).exists():
        return {"surveys": Survey.objects.filter(brand=brand).count()}
    hotline = User.objects.filter(username="hotline").first()
    agent = principal_of(hotline) if hotline else None
    _send_surveys(brand, now=now)
    close_after = dt.timedelta(days=policy_for(brand.pk, "").close_after_days)
    for order in (_finished(brand, now).filter(completed_at__lt=now - SEND_WINDOW, completed_at__gt=now - close_after)
                  .order_by("-completed_at", "-pk")[:SILENT]):
        surveys.send_survey(order_id=order.pk, now=order.completed_at + SENT_AFTER)
    recent = list(Survey.objects.filter(brand=brand, sent_at__gte=now - SEND_WINDOW).select_related("work_order")
                  .order_by("-sent_at", "-pk"))
    # The latest two with the afternoon behind them: answered 2★ "not solved" two hours after the survey went out.
    bad = [s for s in recent if s.sent_at <= now - dt.timedelta(hours=6)][:2]
    for survey in bad:
        surveys.answer_survey(survey=survey, answers=BAD, via=surveys.VIA_LINK, now=survey.sent_at + 2 * HOUR)
    for index, survey in enumerate(s for s in recent if s not in bad):
        if index % 2 == 0:
            surveys.answer_survey(survey=survey, answers=GOOD[index // 2 % 2], via=surveys.VIA_LINK,
                                  now=min(survey.sent_at + HOUR, now))
    catch_up(brand, now=now)
    if agent is not None:
        _called(brand, agent, now=now)
        if len(bad) > 1:
            _rework(bad[1].work_order, agent, now=now)
    return {"surveys": Survey.objects.filter(brand=brand).count(),
            "callbacks": Callback.objects.filter(brand=brand).count()}



def _send_surveys(brand: Organisation, *, now: dt.datetime) -> int:
    """Every order finished within the sweep's window without a survey gets it, as when it was finished."""
    unsurveyed = (_finished(brand, now).filter(completed_at__gte=now - SEND_WINDOW, survey__isnull=True)
                  .order_by("completed_at", "pk"))
    return sum(surveys.send_survey(order_id=order.pk, now=min(order.completed_at + SENT_AFTER, now)) is not None
               for order in unsurveyed)


def catch_up(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    """The callbacks sweep as it would have run up to ``now`` (feedback/sweep.py's three rules, each at its time)."""
    sent = _send_surveys(brand, now=now)
    due = 0
    for survey in (Survey.objects.filter(brand=brand, answered_at__isnull=True, work_order__callback__isnull=True,
                                         work_order__status=Status.COMPLETED)
                   .select_related("work_order").order_by("sent_at", "pk")):
        policy = policy_for(brand.pk, survey.work_order.type)
        at = survey.sent_at + dt.timedelta(hours=policy.answer_hours)
        if at <= now:
            with transaction.atomic():
                desk.open_callback(order=survey.work_order, reason=CallbackReason.NO_ANSWER, policy=policy, now=at)
            due += 1
    closed = 0
    open_callbacks = Callback.objects.filter(status__in=desk.OPEN).values("work_order_id")
    quiet = _finished(brand, now).filter(due_by_policy(now, "close_after_days", "completed_at",
                                                       unit=dt.timedelta(days=1)))
    for order in quiet.exclude(pk__in=open_callbacks).order_by("completed_at", "pk"):
        at = order.completed_at + dt.timedelta(days=policy_for(brand.pk, order.type).close_after_days)
        if at <= now and desk.close_order(order.pk, now=at):
            closed += 1
    return {"surveys_sent": sent, "callbacks_due": due, "orders_closed": closed}


def _called(brand: Organisation, agent, *, now: dt.datetime) -> None:
    """The hotline made the earliest call due an hour after it came due: the customer was satisfied."""
    callback = (Callback.objects.filter(brand=brand, status=CallbackStatus.DUE, next_call_at__lte=now - HOUR)
                .order_by("next_call_at", "pk").first())
    if callback is not None:
        desk.record_call(callback=callback, actor=agent, outcome=Outcome.SATISFIED, note="客户表示已正常使用，很满意。",
                         now=callback.next_call_at + HOUR)


def _rework(order: WorkOrder, agent, *, now: dt.datetime) -> None:
    callback = getattr(WorkOrder.objects.get(pk=order.pk), "callback", None)
    other = (Organisation.objects.filter(kind=OrgKind.OUTLET, brand_id=order.brand_id, is_active=True,
                                         authorised_categories=order.product.product_model.category_id)
             .exclude(pk=order.outlet_id).order_by("code").first() if order.product_id else None)
    if callback is None or other is None:
        return
    at = min(order.completed_at + dt.timedelta(hours=5), now)
    desk.decide(callback=callback, actor=agent, decision=Decision.REWORK, outlet=other,
                reason="回访：换滤芯后仍有异味，转另一网点返修。", now=at)
    # The new order is stamped with the clock by its service; the demo's runs must be alike (demo/builder.py).
    callback.refresh_from_db()
    rework = callback.rework_order
    opened = at - dt.timedelta(minutes=1)
    local = timezone.localtime(opened)
    number = f"WO-{local:%Y%m}-{next_value(f'wo:{rework.brand_id}:{local:%Y%m}'):06d}"
    WorkOrder.objects.filter(pk=rework.pk).update(created_at=opened, updated_at=at, number=number)
    WorkOrderEvent.objects.filter(work_order=rework, kind=EventKind.CREATED).update(created_at=opened)
    for event in WorkOrderEvent.objects.filter(work_order=order, kind=EventKind.REWORK):  # it names the rework
        event.data = {**event.data, "rework_number": number}
        event.save(update_fields=["data"])
    for told in OutboxEvent.objects.filter(work_order_id=order.pk, kind="order.rework_opened"):
        told.data, told.created_at = {**told.data, "rework_number": number}, at
        told.save(update_fields=["data", "created_at"])
    align_outbox([rework.pk])
