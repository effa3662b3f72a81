"""The callback desk's page (回访台) as the hotline agent reads it."""

from __future__ import annotations

import pytest
from django.test import Client

from feedback import surveys
from feedback.models import SurveyPolicy
from workorders.choices import Status
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
