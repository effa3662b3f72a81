"""The callbacks (回访): the survey after completion, its link, the desk's calls and review, and the order's close."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.principal import principal_of
from complaints.models import Complaint
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from customers.choices import Segment
from feedback import desk, surveys
from feedback.choices import CallbackReason, CallbackStatus, Decision, Outcome
from feedback.models import Callback, CallbackAttempt, Rating, Survey, SurveyPolicy
from feedback.sweep import sweep
from workorders import workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def no_sampling(world, **kw):
    return SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False, **kw)


def completed(world, **kw):
    return make_order(world, status=Status.COMPLETED, **kw)


def link_path(survey: Survey) -> str:
    return "/" + surveys.link_for(survey).split("/", 3)[3]


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_a_completed_order_gets_one_survey_with_the_brands_questions(world):
    no_sampling(world, questions=["solved", "nps"])
    order = completed(world)
    survey = surveys.send_survey(order_id=order.pk)
    again = surveys.send_survey(order_id=order.pk)
    assert again.pk == survey.pk and Survey.objects.count() == 1
    assert survey.questions == ["solved", "nps"] and survey.customer_id == world.customer.pk
    assert survey.expires_at - survey.sent_at == dt.timedelta(days=7)
    assert not Callback.objects.exists()


@pytest.mark.parametrize("status", [Status.ON_SITE, Status.CANCELLED])
def test_an_unfinished_order_gets_no_survey(world, status):
    assert surveys.send_survey(order_id=make_order(world, status=status).pk) is None
    assert not Survey.objects.exists()


def test_premium_customers_orders_are_sampled_for_a_call(world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=True)
    world.customer.segment = Segment.PREMIUM
    world.customer.save()
    order = completed(world)
    surveys.send_survey(order_id=order.pk)
    callback = Callback.objects.get(work_order=order)
    assert (callback.reason, callback.status) == (CallbackReason.SAMPLED, CallbackStatus.DUE)


def test_the_link_takes_two_stars_not_solved_once_and_sends_the_order_to_review(world):
    no_sampling(world)
    order = completed(world)
    survey = surveys.send_survey(order_id=order.pk)
    path = link_path(survey)
    assert path.startswith("/portal/acme/survey/")
    page = english().get(path)
    assert page.status_code == 200 and b"How did we do?" in page.content

    answered = english().post(path, {"overall": "2", "solved": "no", "on_time": "yes", "comment": "还是漏水"})
    assert answered.status_code == 200 and b"Our service desk will call you soon" in answered.content
    survey.refresh_from_db()
    assert (survey.overall, survey.solved, survey.on_time, survey.comment, survey.answered_via) == (
        2, False, True, "还是漏水", "link")
    assert Rating.objects.get(work_order=order).score == 2
    callback = Callback.objects.get(work_order=order)
    assert (callback.reason, callback.status) == (CallbackReason.NOT_SOLVED, CallbackStatus.REVIEW)

    used = english().post(path, {"overall": "5", "solved": "yes"})
    assert used.status_code == 409 and b"already been answered" in used.content
    survey.refresh_from_db()
    assert survey.overall == 2


def test_a_bad_answer_after_the_callback_is_done_promises_no_call(world):
    no_sampling(world)
    order = completed(world)
    survey = surveys.send_survey(order_id=order.pk)
    now = timezone.now()
    Callback.objects.create(work_order=order, brand_id=order.brand_id, reason=CallbackReason.SAMPLED,
                            status=CallbackStatus.DONE, created_at=now, due_at=now, next_call_at=now)

    answered = english().post(link_path(survey), {"overall": "1", "solved": "no"})

    assert answered.status_code == 200 and b"will call you" not in answered.content
    assert Survey.objects.get(pk=survey.pk).solved is False


def test_the_link_refuses_forged_expired_and_another_brands_address(world):
    no_sampling(world)
    survey = surveys.send_survey(order_id=completed(world).pk)
    forged = english().get(f"/portal/acme/survey/{signing.dumps(survey.pk, salt='other')}/")
    assert forged.status_code == 404 and b"This link does not work" in forged.content
    token = surveys.token_for(survey)
    assert english().get(f"/portal/rival/survey/{token}/").status_code == 404
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = english().post(f"/portal/acme/survey/{token}/", {"overall": "5", "solved": "yes"})
    assert expired.status_code == 410 and b"This survey has closed" in expired.content
    assert Survey.objects.get(pk=survey.pk).answered_at is None


def test_a_missing_answer_is_said_beside_the_question_and_changes_nothing(world):
    no_sampling(world)
    survey = surveys.send_survey(order_id=completed(world).pk)
    response = english().post(link_path(survey), {"solved": "yes"})
    assert response.status_code == 422 and b'id="error-overall"' in response.content
    assert Survey.objects.get(pk=survey.pk).answered_at is None and not Rating.objects.exists()


def test_the_customer_answers_through_the_api_and_only_their_own(world, api_as):
    no_sampling(world)
    order = completed(world)
    surveys.send_survey(order_id=order.pk)
    url = f"/api/v1/workorders/{order.pk}/survey"
    body = json.dumps({"overall": 5, "solved": True, "nps": 9})
    other = api_as("other_customer").post(url, body, content_type="application/json")
    assert other.status_code == 404 and Survey.objects.get().answered_at is None
    mine = api_as("customer").post(url, body, content_type="application/json")
    assert mine.status_code == 201, mine.content
    assert (mine.json()["overall"], mine.json()["nps"]) == (5, 9)
    assert not Callback.objects.exists()
    assert api_as("customer").post(url, body, content_type="application/json").status_code == 409


def test_an_expired_survey_is_refused_over_the_api_too(world, api_as):
    no_sampling(world)
    order = completed(world)
    survey = surveys.send_survey(order_id=order.pk)
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    body = json.dumps({"overall": 5, "solved": True})
    late = api_as("customer").post(f"/api/v1/workorders/{order.pk}/survey", body, content_type="application/json")
    assert late.status_code == 410 and late.json()["code"] == "survey_link_expired"
    assert Survey.objects.get(pk=survey.pk).answered_at is None and not Rating.objects.exists()


def test_a_star_rating_given_while_the_survey_is_answered_wins_and_the_answer_stays(world):
    no_sampling(world)
    order = completed(world)
    survey = surveys.send_survey(order_id=order.pk)
    seen = []

    def star_rating_in_between(execute, sql, params, many, context):
        """The other request's rating commits after the survey is marked answered, before its rating is written
        (after any check for one, before any savepoint of its own)."""
        statement = sql.lstrip().upper()
        if statement.startswith("UPDATE") and Survey._meta.db_table in sql:
            seen.append("answered")
        elif seen == ["answered"] and (statement.startswith("SAVEPOINT") or (
                statement.startswith("INSERT") and Rating._meta.db_table in sql)):
            seen.append("raced")
            Rating.objects.create(work_order=order, customer=world.customer, score=4, created_at=timezone.now())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(star_rating_in_between):
        surveys.answer_survey(survey=survey, answers={"overall": "1", "solved": "no"}, via="link")

    assert seen == ["answered", "raced"] and Rating.objects.get(work_order=order).score == 4
    survey.refresh_from_db()
    assert (survey.overall, survey.solved) == (1, False)
    assert Callback.objects.get(work_order=order).status == CallbackStatus.REVIEW


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overall=st.integers(-1, 7), solved=st.sampled_from(["yes", "no", "", "maybe"]),
       nps=st.sampled_from(["", "0", "10", "11", "x"]))
def test_an_answer_is_stored_whole_or_refused_untouched_and_reviewed_exactly_when_bad(world, overall, solved, nps):
    Callback.objects.all().delete()
    Rating.objects.all().delete()
    Survey.objects.all().delete()
    SurveyPolicy.objects.get_or_create(brand=world.brand, defaults={"sample_percent": 0, "sample_premium": False})
    order = WorkOrder.objects.filter(status=Status.COMPLETED).first() or completed(world)
    survey = surveys.send_survey(order_id=order.pk)
    answers = {"overall": str(overall), "solved": solved, "nps": nps}
    try:
        surveys.answer_survey(survey=survey, answers=answers, via="link")
    except InvalidInput:
        survey.refresh_from_db()
        assert survey.answered_at is None and not Rating.objects.exists() and not Callback.objects.exists()
        assert not (1 <= overall <= 5) or solved not in ("yes", "no") or nps not in ("", "0", "10")
        return
    survey.refresh_from_db()
    assert survey.overall == overall and survey.solved == (solved == "yes")
    assert Callback.objects.filter(status=CallbackStatus.REVIEW).exists() == (solved == "no" or overall <= 2)


def review_callback(world, **kw):
    no_sampling(world)
    order = completed(world, **kw)
    survey = surveys.send_survey(order_id=order.pk)
    surveys.answer_survey(survey=survey, answers={"overall": "1", "solved": "no"}, via="link")
    return Callback.objects.get(work_order=order)


def test_the_review_reopens_as_rework_to_another_outlet_and_the_original_closes(world):
    callback = review_callback(world)
    hotline = principal_of(world.hotline)
    desk.decide(callback=callback, actor=hotline, decision=Decision.REWORK, outlet=world.outlet_b,
                reason="滤芯还是漏水", version=callback.version)
    callback.refresh_from_db()
    rework = callback.rework_order
    assert (callback.status, callback.decision) == (CallbackStatus.DONE, Decision.REWORK)
    assert rework.is_rework and rework.rework_of_id == callback.work_order_id
    assert (rework.status, rework.outlet_id, rework.product_id) == (Status.ASSIGNED, world.outlet_b.pk,
                                                                     world.product.pk)
    original = WorkOrder.objects.get(pk=callback.work_order_id)
    assert original.status == Status.CLOSED and original.closed_at is not None
    assert original.events.filter(kind="rework", data__rework=rework.pk).exists()


def test_the_review_opens_a_complaint_through_the_complaints_hook(world):
    callback = review_callback(world)
    desk.decide(callback=callback, actor=principal_of(world.hotline), decision=Decision.COMPLAINT,
                reason="师傅态度差，问题没解决")
    callback.refresh_from_db()
    complaint = Complaint.objects.get(pk=callback.complaint_id)
    assert complaint.work_order_id == callback.work_order_id and complaint.customer_id == world.customer.pk
    assert WorkOrder.objects.get(pk=callback.work_order_id).status == Status.CLOSED


def test_a_decision_is_refused_to_an_outlet_a_stale_version_and_an_undecided_callback(world):
    callback = review_callback(world)
    with pytest.raises(PermissionDenied):
        desk.decide(callback=callback, actor=principal_of(world.manager_a), decision=Decision.CLOSE)
    with pytest.raises(StaleVersion):
        desk.decide(callback=callback, actor=principal_of(world.hotline), decision=Decision.CLOSE, version=99)
    with pytest.raises(InvalidInput):
        desk.decide(callback=callback, actor=principal_of(world.hotline), decision=Decision.REWORK, reason="x")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.REVIEW and WorkOrder.objects.filter(is_rework=True).count() == 0
    desk.decide(callback=callback, actor=principal_of(world.hotline), decision=Decision.CLOSE)
    with pytest.raises(IllegalTransition):
        desk.decide(callback=callback, actor=principal_of(world.hotline), decision=Decision.CLOSE)


def sampled_callback(world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=100, max_attempts=2, retry_hours=4)
    order = completed(world)
    surveys.send_survey(order_id=order.pk)
    return Callback.objects.get(work_order=order)


def test_an_unreached_customer_is_retried_then_given_up_and_the_order_closes(world):
    callback = sampled_callback(world)
    hotline = principal_of(world.hotline)
    now = timezone.now()
    desk.record_call(callback=callback, actor=hotline, outcome=Outcome.NOT_REACHED, now=now)
    assert (callback.status, callback.attempts, callback.next_call_at) == (
        CallbackStatus.DUE, 1, now + dt.timedelta(hours=4))
    assert WorkOrder.objects.get(pk=callback.work_order_id).status == Status.COMPLETED
    desk.record_call(callback=callback, actor=hotline, outcome=Outcome.NOT_REACHED, now=now)
    assert (callback.status, callback.attempts) == (CallbackStatus.DONE, 2)
    assert CallbackAttempt.objects.filter(callback=callback).count() == 2
    assert WorkOrder.objects.get(pk=callback.work_order_id).status == Status.CLOSED


def test_a_satisfied_customer_ends_the_callback_and_a_revisit_goes_to_review(world):
    callback = sampled_callback(world)
    desk.record_call(callback=callback, actor=principal_of(world.hotline), outcome=Outcome.NEEDS_REVISIT,
                     note="还有异响")
    assert callback.status == CallbackStatus.REVIEW
    desk.record_call(callback=callback, actor=principal_of(world.hotline), outcome=Outcome.SATISFIED)
    assert callback.status == CallbackStatus.DONE
    assert WorkOrder.objects.get(pk=callback.work_order_id).status == Status.CLOSED


def test_the_sweep_calls_the_silent_and_closes_the_quiet_and_a_second_run_does_nothing(world):
    no_sampling(world, answer_hours=48, close_after_days=7)
    silent, quiet = completed(world), completed(world)
    now = timezone.now()
    WorkOrder.objects.filter(pk=quiet.pk).update(completed_at=now - dt.timedelta(days=8))
    assert sweep(now=now) == {"surveys_sent": 1, "callbacks_due": 0, "orders_closed": 1}
    assert WorkOrder.objects.get(pk=quiet.pk).status == Status.CLOSED
    later = now + dt.timedelta(hours=49)
    assert sweep(now=later) == {"surveys_sent": 0, "callbacks_due": 1, "orders_closed": 0}
    assert Callback.objects.get(work_order=silent).reason == CallbackReason.NO_ANSWER
    assert sweep(now=later) == {"surveys_sent": 0, "callbacks_due": 0, "orders_closed": 0}
    # An order with its callback still open does not close by the days; it closes with its callback.
    assert sweep(now=later + dt.timedelta(days=30))["orders_closed"] == 0


def test_staff_cannot_close_an_order_by_hand(world):
    order = completed(world)
    with pytest.raises(PermissionDenied):
        workflow.transition(order, "close", actor=principal_of(world.dispatcher))
    assert "close" not in [a.name for a in workflow.available_actions(order, principal_of(world.hotline))]
    assert WorkOrder.objects.get(pk=order.pk).status == Status.COMPLETED


def test_the_desk_queue_and_outcome_over_the_api_are_scoped_to_the_outlet(world, api_as):
    callback = review_callback(world)
    queue = api_as("hotline").get("/api/v1/callbacks?status=review")
    assert queue.status_code == 200 and [c["id"] for c in queue.json()["items"]] == [callback.pk]
    assert queue.json()["items"][0]["survey"]["solved"] is False
    assert api_as("manager_a").get("/api/v1/callbacks?status=review").json()["count"] == 1
    assert api_as("manager_b").get("/api/v1/callbacks?status=review").json()["count"] == 0
    assert api_as("customer").get("/api/v1/callbacks?status=review").json()["count"] == 0
    url = f"/api/v1/callbacks/{callback.pk}/outcome"
    body = {"decision": "rework", "outlet_id": world.outlet_b.pk, "note": "仍漏水"}
    assert api_as("manager_b").post(url, body, content_type="application/json").status_code == 404
    assert api_as("manager_a").post(url, body, content_type="application/json").status_code == 403
    done = api_as("hotline").post(url, body, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["rework_order_id"]


def test_order_completed_through_the_outbox_sends_the_survey_once_with_its_link(world):
    from django.db import transaction

    from core import outbox
    from core.models import OutboxEvent

    no_sampling(world)
    order = completed(world)
    for _ in range(2):  # the event twice (a replay): one survey, one survey.sent
        with transaction.atomic():
            outbox.record("order.completed", brand_id=order.brand_id, work_order_id=order.pk,
                          subject=("workorder", order.pk))
        outbox.deliver_due(event_ids=list(OutboxEvent.objects.filter(kind="order.completed")
                                          .values_list("pk", flat=True)))
    survey = Survey.objects.get(work_order=order)
    sent = OutboxEvent.objects.get(kind="survey.sent")
    assert (sent.work_order_id, sent.subject_type, sent.subject_id) == (order.pk, "survey", survey.pk)
    assert sent.data["link"].startswith("http://127.0.0.1:8000/portal/acme/survey/")
    assert surveys.survey_from_token(sent.data["link"].rstrip("/").rsplit("/", 1)[1]).pk == survey.pk


def test_the_admin_shows_a_brand_its_own_surveys_callbacks_and_policies_only(world):
    callback = sampled_callback(world)
    number = WorkOrder.objects.get(pk=callback.work_order_id).number
    pages = ("/admin/feedback/survey/", "/admin/feedback/callback/", "/admin/feedback/surveypolicy/")
    seen = {}
    for user in (world.admin, world.rival_dispatcher):
        user.is_staff = user.is_superuser = True
        user.save()
        client = english()
        client.force_login(user)
        seen[user.username] = [client.get(page).content.decode() for page in pages]
    ours, rivals = seen[world.admin.username], seen[world.rival_dispatcher.username]
    assert number in ours[0] and number in ours[1] and "1 callback policy" in ours[2]
    assert all(number not in page for page in rivals[:2]) and "0 callback policies" in rivals[2]
