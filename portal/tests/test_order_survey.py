"""The signed-in customer's order page offers the order's survey while it waits for an answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from feedback import surveys
from feedback.models import SurveyPolicy
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def survey_link_on(client: Client, order) -> str | None:
    html = client.get(f"/portal/acme/orders/{order.pk}/").content.decode()
    if 'id="survey-link"' not in html:
        return None
    return html.split('id="survey-link" href="', 1)[1].split('"', 1)[0]


def test_the_order_page_links_to_the_unanswered_survey_and_the_link_opens_it(world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False)
    order = make_order(world, status=Status.COMPLETED)
    me = signed_in(world.customer.user)
    assert survey_link_on(me, order) is None  # no survey sent yet
    survey = surveys.send_survey(order_id=order.pk)
    link = survey_link_on(me, order)
    # The token is signed with the second it was made in: read it back rather than make another to compare.
    assert link.startswith("/portal/acme/survey/") and link.endswith("/")
    assert surveys.survey_from_token(link.removeprefix("/portal/acme/survey/").rstrip("/")) == survey
    assert me.get(link).status_code == 200
    answered = surveys.answer_survey(survey=survey, answers={"overall": "5", "solved": "yes", "on_time": "yes",
                                                             "tidy": "yes", "charge": "yes", "nps": "9"},
                                     via=surveys.VIA_LINK)
    assert answered.answered_at is not None
    assert survey_link_on(me, order) is None  # answered: nothing more to ask


def test_an_expired_survey_is_not_offered(world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False)
    order = make_order(world, status=Status.COMPLETED)
    survey = surveys.send_survey(order_id=order.pk)
    survey.expires_at = timezone.now() - dt.timedelta(minutes=1)
    survey.save(update_fields=["expires_at"])
    assert survey_link_on(signed_in(world.customer.user), order) is None
