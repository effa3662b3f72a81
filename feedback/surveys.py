"""The survey after completion (回访问卷): who gets one, its signed link, and its answers (STYLE.md §1).

A survey goes out once per completed order (the outbox's ``order.completed`` reaches ``send_survey``, and the
periodic sweep catches any it missed). Its link needs no password: a signed token naming the survey, which
expires with the brand's ``link_days`` and is spent by the first answer. The answers write the order's
``Rating`` too, and a low score or "not solved" puts the order on the callback desk for review.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core import outbox
from core.errors import DomainError, InvalidInput, NotFound
from customers.choices import Segment
from feedback import desk
from feedback.choices import CallbackReason, CallbackStatus, Question
from feedback.models import Callback, Rating, Survey, SurveyPolicy
from feedback.selectors import policy_for
from workorders import events
from workorders.choices import Status
from workorders.models import WorkOrder

SALT = "feedback.survey"
COMMENT_MAX = 500
# The link's token carries only the survey's id; the signature and the survey row say the rest.
VIA_LINK, VIA_PORTAL, VIA_API = "link", "portal", "api"


class SurveyLinkForged(DomainError):
    code = "survey_link_invalid"
    status = 404
    default_message = _("This survey link is not valid. Please use the link from your message.")


class SurveyLinkExpired(DomainError):
    code = "survey_link_expired"
    status = 410
    default_message = _("This survey link has expired. Thank you all the same.")


class SurveyAnswered(DomainError):
    code = "survey_answered"
    status = 409
    default_message = _("This survey has already been answered. Thank you!")


def sampled(order: WorkOrder, policy: SurveyPolicy) -> bool:
    """Whether the brand's sampling rule puts this order on the callback desk whatever the answers: every premium
    customer's, every order with a rework history, and a fixed share of the others (the same orders each run)."""
    if policy.sample_premium and order.customer.segment == Segment.PREMIUM:
        return True
    if policy.sample_rework and (order.is_rework or order.rework_of_id
                                 or WorkOrder.objects.filter(rework_of_id=order.pk).exists()):
        return True
    return zlib.crc32(order.number.encode()) % 100 < policy.sample_percent  # the same orders on every run


def token_for(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SALT, compress=False)


def link_for(survey: Survey) -> str:
    """The survey's address for a message (SMS, WeChat): this site's root, the brand's portal, the token."""
    path = reverse("portal:survey", kwargs={"brand": survey.work_order.brand.code, "token": token_for(survey)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send_survey(*, order_id: int, now: dt.datetime | None = None) -> Survey | None:
    """Send the completed order its survey, once; sampled orders go on the desk too. None when the order is not
    (or no longer) completed. Safe to call twice at once: the second finds the first's survey."""
    return send_survey_once(order_id=order_id, now=now)[0]


def send_survey_once(*, order_id: int, now: dt.datetime | None = None) -> tuple[Survey | None, bool]:
    """``send_survey``, and whether this call sent it (not: sent before, or by another process at the same
    moment)."""
    now = now or timezone.now()
    order = WorkOrder.objects.select_related("customer", "brand").filter(pk=order_id).first()
    if order is None or order.status != Status.COMPLETED:
        return None, False
    existing = Survey.objects.filter(work_order_id=order_id).first()
    if existing is not None:
        return existing, False
    policy = policy_for(order.brand_id, order.type)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                work_order=order, brand_id=order.brand_id, customer_id=order.customer_id,
                questions=[q for q in policy.questions if q in Question.values], sent_at=now,
                expires_at=now + dt.timedelta(days=policy.link_days))
            outbox.record("survey.sent", brand_id=order.brand_id, work_order_id=order.pk,
                          subject=("survey", survey.pk),
                          data={"link": link_for(survey), "expires_at": survey.expires_at.isoformat()}, at=now)
            if sampled(order, policy):
                desk.open_callback(order=order, reason=CallbackReason.SAMPLED, policy=policy, now=now)
    except IntegrityError:  # sent by another worker at the same moment
        return Survey.objects.filter(work_order_id=order_id).first(), False
    return survey, True


def survey_from_token(token: str, *, now: dt.datetime | None = None) -> Survey:
    """The survey a link names, or the refusal a person can read: forged (404), expired (410), answered (409)."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise SurveyLinkForged() from None
    survey = (Survey.objects.select_related("work_order__brand", "work_order__product__product_model", "customer")
              .filter(pk=pk).first() if isinstance(pk, int) else None)
    if survey is None:
        raise SurveyLinkForged()
    if survey.answered_at is not None:
        raise SurveyAnswered()
    if (now or timezone.now()) >= survey.expires_at:
        raise SurveyLinkExpired()
    return survey


def survey_of_customer(*, order: WorkOrder, actor: Principal, now: dt.datetime | None = None) -> Survey:
    """A signed-in customer's own survey of ``order`` (fetched through visible_to): another's is a 404."""
    if not actor.is_customer or order.customer_id != actor.customer_id:
        raise NotFound()
    survey = Survey.objects.scoped_for(actor).filter(work_order_id=order.pk).first()
    if survey is None:
        raise NotFound(_("This order has no survey yet."))
    if survey.answered_at is not None:
        raise SurveyAnswered()
    if (now or timezone.now()) >= survey.expires_at:
        raise SurveyLinkExpired()
    return survey


def _yes_no(answers: dict[str, Any], key: str, asked: bool) -> bool | None:
    value = answers.get(key)
    if not asked or value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if value in ("yes", "true", "1", 1):
        return True
    if value in ("no", "false", "0", 0):
        return False
    raise InvalidInput(_("Answer yes or no."), field=key)


def _clean(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    asked = set(survey.questions)
    overall = answers.get("overall")
    try:
        overall = int(overall) if not isinstance(overall, bool) else None
    except (TypeError, ValueError):
        overall = None
    if overall is None or not 1 <= overall <= 5:
        raise InvalidInput(_("Choose 1 to 5 stars."), field="overall")
    cleaned: dict[str, Any] = {"overall": overall}
    for key, field in ((Question.SOLVED, "solved"), (Question.ON_TIME, "on_time"), (Question.TIDY, "tidy"),
                       (Question.CHARGE, "charge_as_quoted")):
        cleaned[field] = _yes_no(answers, field, key in asked)
    if Question.SOLVED in asked and cleaned["solved"] is None:
        raise InvalidInput(_("Tell us whether the problem is solved."), field="solved")
    nps = answers.get("nps")
    if Question.NPS in asked and nps not in (None, ""):
        try:
            nps = int(nps) if not isinstance(nps, bool) else -1
        except (TypeError, ValueError):
            nps = -1
        if not 0 <= nps <= 10:
            raise InvalidInput(_("Choose 0 to 10."), field="nps")
        cleaned["nps"] = nps
    else:
        cleaned["nps"] = None
    comment = (answers.get("comment") or "").strip() if Question.COMMENT in asked else ""
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(_("Keep the comment under 500 characters."), field="comment", max_length=COMMENT_MAX)
    cleaned["comment"] = comment
    return cleaned


def answer_survey(*, survey: Survey, answers: dict[str, Any], via: str, actor: Principal | None = None,
                  now: dt.datetime | None = None) -> Survey:
    """Record the answers, once (compare-and-set on "not yet answered"), with the order's rating and its timeline
    event; a low score or "not solved" sends the order to the callback desk's review. Refusals change nothing."""
    now = now or timezone.now()
    cleaned = _clean(survey, answers)
    order = WorkOrder.objects.select_related("customer").get(pk=survey.work_order_id)
    policy = policy_for(order.brand_id, order.type)
    with transaction.atomic():
        if not Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
                answered_at=now, answered_via=via, **cleaned):
            raise SurveyAnswered()
        survey.refresh_from_db()
        try:  # a star rating given at the same moment wins; the survey answer stays
            with transaction.atomic():
                Rating.objects.create(work_order=order, customer_id=order.customer_id, score=cleaned["overall"],
                                      comment=cleaned["comment"], created_at=now)
        except IntegrityError:
            pass
        else:
            events.rated(order=order, actor=actor, score=cleaned["overall"], comment=cleaned["comment"],
                         at=now)
        outbox.record("survey.answered", brand_id=order.brand_id, work_order_id=order.pk,
                      subject=("survey", survey.pk),
                      data={"overall": survey.overall, "solved": survey.solved, "nps": survey.nps, "via": via},
                      at=now)
        reason = review_reason(survey, policy)
        if reason:
            desk.open_callback(order=order, reason=reason, policy=policy, now=now)
    return survey


def review_reason(survey: Survey, policy: SurveyPolicy) -> str | None:
    """Why an answered survey goes to review (回访审核): "not solved" first, then a low score; else None."""
    if survey.solved is False:
        return CallbackReason.NOT_SOLVED
    if survey.overall is not None and survey.overall <= policy.low_score:
        return CallbackReason.LOW_SCORE
    return None


def goes_to_review(survey: Survey) -> bool:
    """Whether the answer put the order on the desk's review, so someone will call: not when its callback was
    already done (the order closed) before the answer came."""
    order = survey.work_order
    return (review_reason(survey, policy_for(order.brand_id, order.type)) is not None
            and Callback.objects.filter(work_order_id=order.pk, status=CallbackStatus.REVIEW).exists())
