"""The callback desk's page (回访台) as the hotline agent reads it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from accounts.tests.factories import OutletFactory
from feedback import desk, surveys
from feedback.choices import CallbackStatus, Outcome
from feedback.models import Callback, SurveyPolicy
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_the_desk_asks_how_its_own_call_went_not_an_incoming_ones(world):
    # Every order sampled: the completed order is due a call.
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=100)
    order = make_order(world, status=Status.COMPLETED)
    surveys.send_survey(order_id=order.pk)
    agent = Client()
    agent.force_login(world.hotline)

    page = agent.get("/console/callbacks/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    form = page[page.index('class="callback-form outcome-form"'):]
    assert order.number in page and "回访结果" in form
    assert "来电结果" not in form  # 来电: a call that came in, the hotline's word
    english = agent.get("/console/callbacks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Call outcome" in english[english.index('class="callback-form outcome-form"'):]


def test_a_finished_callback_says_when_it_was_done_not_when_to_call(world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=100)
    order = make_order(world, status=Status.COMPLETED)
    surveys.send_survey(order_id=order.pk)
    callback = Callback.objects.get(work_order=order)
    desk.record_call(callback=callback, actor=principal_of(world.hotline), outcome=Outcome.SATISFIED)
    callback.refresh_from_db()
    agent = Client()
    agent.force_login(world.hotline)

    page = agent.get("/console/callbacks/?status=done", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    card = page[page.index(f'data-callback="{callback.pk}"'):]
    done = timezone.localtime(callback.done_at)
    assert f"已于 {done.year}年{done.month}月{done.day}日 {done:%H:%M} 完成" in card
    assert "前回访" not in card  # "call by …": a finished callback is due nothing


@pytest.mark.parametrize("outlet", ["rival", "9" * 30])
def test_a_review_reworks_only_to_an_outlet_the_desk_offers(world, outlet):
    """Another brand's outlet, or an id past any row's, is no outlet: refused on the page, nothing changes."""
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=100)
    order = make_order(world, status=Status.COMPLETED)
    surveys.send_survey(order_id=order.pk)
    callback = Callback.objects.get(work_order=order)
    desk.record_call(callback=callback, actor=principal_of(world.hotline), outcome=Outcome.NEEDS_REVISIT)
    callback.refresh_from_db()
    rival = OutletFactory(brand=world.other_brand, code="rival-outlet", name="Rival outlet")
    agent = Client()
    agent.force_login(world.hotline)

    page = agent.get("/console/callbacks/?status=review").content.decode()
    assert "Rival outlet" not in page and world.outlet_b.name in page
    resp = agent.post(f"/console/callbacks/{callback.pk}/decision/", {
        "decision": "rework", "outlet": str(rival.pk) if outlet == "rival" else outlet, "reason": "still leaking",
        "version": "9" * 30})
    assert 400 <= resp.status_code < 500
    callback.refresh_from_db()
    order.refresh_from_db()
    assert (callback.status, order.status) == (CallbackStatus.REVIEW, Status.COMPLETED)
    assert not WorkOrder.objects.filter(rework_of=order).exists()
