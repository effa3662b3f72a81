"""Demo callbacks (回访): ``seed_callbacks(brand, now=...)`` (called by the demo command; safe to run twice).

The brand's callback policy; a survey for each of the latest completed orders, a few answered well, one 2★
"not solved" waiting for review, a few silent past 48 hours and so due a call; and one order the review already
reopened as rework (返修) to another outlet.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import Organisation, User
from accounts.principal import principal_of
from core.sequences import next_value
from feedback import desk, surveys
from feedback.choices import CallbackReason, Decision
from feedback.models import Survey, SurveyPolicy
from feedback.selectors import policy_for
from workorders.choices import EventKind, Status
from workorders.models import WorkOrder, WorkOrderEvent

LATEST = 14
GOOD = [{"overall": "5", "solved": "yes", "on_time": "yes", "tidy": "yes", "charge_as_quoted": "yes", "nps": "10",
         "comment": "师傅很专业，讲解也很清楚。"},
        {"overall": "4", "solved": "yes", "on_time": "no", "tidy": "yes", "charge_as_quoted": "yes", "nps": "8",
         "comment": "晚到了二十分钟，其他都好。"}]
BAD = {"overall": "2", "solved": "no", "on_time": "yes", "tidy": "yes", "charge_as_quoted": "yes", "nps": "3",
       "comment": "换完滤芯还是有异味，水流也很小。"}


def seed_callbacks(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    SurveyPolicy.objects.get_or_create(brand=brand, service_type="", defaults={"sample_percent": 10})
    if Survey.objects.filter(brand=brand).exists():
        return {"surveys": Survey.objects.filter(brand=brand).count()}
    hotline = User.objects.filter(username="hotline").first()
    agent = principal_of(hotline) if hotline else None
    latest = list(WorkOrder.objects.filter(brand=brand, status=Status.COMPLETED, completed_at__isnull=False)
                  .exclude(outlet=None).order_by("-completed_at", "-pk")[:LATEST])
    for index, order in enumerate(latest):
        sent = min(order.completed_at + dt.timedelta(minutes=5), now)
        survey = surveys.send_survey(order_id=order.pk, now=sent)
        if survey is None:
            continue
        if index in (0, 1):  # the latest two: one not solved (to review), one to be reworked below
            surveys.answer_survey(survey=survey, answers=BAD, via=surveys.VIA_LINK, now=sent + dt.timedelta(hours=2))
        elif index % 3 == 0:
            surveys.answer_survey(survey=survey, answers=GOOD[index % 2], via=surveys.VIA_LINK,
                                  now=sent + dt.timedelta(hours=1))
        elif index % 3 == 1:
            with transaction.atomic():  # silent past the brand's hours: due a call (what the sweep does)
                desk.open_callback(order=order, reason=CallbackReason.NO_ANSWER,
                                   policy=policy_for(brand.pk, order.type), now=sent + dt.timedelta(hours=48))
    if agent is not None and len(latest) > 1:
        _rework(latest[1], agent)
    return {"surveys": Survey.objects.filter(brand=brand).count()}


def _rework(order: WorkOrder, agent) -> None:
    callback = getattr(WorkOrder.objects.get(pk=order.pk), "callback", None)
    other = (Organisation.objects.filter(kind=OrgKind.OUTLET, brand_id=order.brand_id, is_active=True,
                                         authorised_categories=order.product.product_model.category_id)
             .exclude(pk=order.outlet_id).order_by("code").first() if order.product_id else None)
    if callback is None or other is None:
        return
    at = order.completed_at + dt.timedelta(hours=5)
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
