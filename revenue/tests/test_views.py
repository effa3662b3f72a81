"""The console's leads queue (htmx), the technician's earnings page and the lead form on a job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from revenue import workflow
from revenue.consent import consent_wording
from revenue.models import Commission, Lead
from revenue.tests.factories import RuleFactory, lead_on
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_each_queue_lists_its_own_and_filters_with_htmx(world):
    brand = lead_on(world, kind="extended_warranty")
    outlet = lead_on(world, kind="filter_subscription")
    desk = signed_in(world.hotline)
    page = desk.get("/console/leads/").content.decode()
    assert f"/console/leads/{brand.pk}/" in page and f"/console/leads/{outlet.pk}/" not in page
    assert 'id="lead-filters"' in page
    partial = desk.get("/console/leads/", {"kind": "upgrade"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert f"/console/leads/{brand.pk}/" not in partial.content.decode()
    manager = signed_in(world.manager_a).get("/console/leads/", {"status": "new"}).content.decode()
    assert f"/console/leads/{outlet.pk}/" in manager and f"/console/leads/{brand.pk}/" not in manager
    invalid = desk.get("/console/leads/", {"status": "bogus"}).content.decode()
    assert "Correct the filters" in invalid


def test_technicians_and_customers_have_no_queue(world):
    for user in (world.tech_a.user, world.customer.user):
        assert signed_in(user).get("/console/leads/").status_code == 403
    assert Client().get("/console/leads/").status_code == 302


def test_marking_won_in_the_console_shows_the_commission(world):
    RuleFactory(brand=world.brand, kind="extended_warranty", percent=Decimal("5.00"))
    lead = lead_on(world, kind="extended_warranty")
    desk = signed_in(world.dispatcher)
    detail = desk.get(f"/console/leads/{lead.pk}/").content.decode()
    assert "Mark won" in detail and lead.consent_text in detail
    url = f"/console/leads/{lead.pk}/transition/"
    refused = desk.post(url, {"action": "win", "version": 1, "value": "abc"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and refused["X-Domain-Error"] == "422"
    assert "Enter the value as an amount" in refused.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "new"
    won = desk.post(url, {"action": "win", "version": 1, "value": "2400.00"}, HTTP_HX_REQUEST="true")
    html = won.content.decode()
    assert won.status_code == 200 and 'id="lead-commission"' in html and "¥120.00" in html
    again = desk.post(url, {"action": "win", "version": 2, "value": "2400.00"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and Commission.objects.count() == 1
    plain = signed_in(world.hotline).post(f"/console/leads/{lead_on(world, kind='upgrade').pk}/transition/",
                                          {"action": "contact", "version": 1})
    assert plain.status_code == 302


def test_the_earnings_page_adds_up_this_month_and_last(world):
    RuleFactory(brand=world.brand, kind="trade_in", queue="brand", percent=Decimal("0"), fixed_amount=Decimal("80"))
    desk = principal_of(world.hotline)
    now_won = workflow.transition(lead_on(world, kind="trade_in"), "win", actor=desk, value="500")
    earlier = workflow.transition(lead_on(world, kind="trade_in"), "win", actor=desk, value="500")
    first = timezone.localdate().replace(day=1)
    last_month = timezone.make_aware(dt.datetime.combine(first - dt.timedelta(days=3), dt.time(12)))
    Commission.objects.filter(lead=earlier).update(earned_at=last_month)
    lead_on(world, kind="upgrade")  # still being worked
    html = signed_in(world.tech_a.user).get("/field/earnings/").content.decode()
    this_month = html.split('id="earn-this-month"')[1].split("</section>")[0]
    previous = html.split('id="earn-last-month"')[1].split("</section>")[0]
    assert "¥80.00" in this_month and "1 lead won" in this_month
    assert "¥80.00" in previous
    assert f'data-lead="{now_won.pk}"' in html and 'id="earn-open"' in html
    other = signed_in(world.tech_a2.user).get("/field/earnings/").content.decode()
    assert "¥80.00" not in other and "No commission yet" in other
    assert signed_in(world.dispatcher).get("/field/earnings/").status_code == 403


def test_the_lead_form_records_with_consent_and_says_why_not(world):
    order = make_order(world, status=Status.ON_SITE)
    client = signed_in(world.tech_a.user)
    url = f"/field/jobs/{order.pk}/lead/"
    page = client.get(url).content.decode()
    wording = consent_wording(brand_name="Acme", kind="filter_subscription")
    assert wording in page and 'id="consent-wordings"' in page
    body = {"kind": "filter_subscription", "consented_by": "王女士", "contact_phone": "", "note": "",
            "consent_wording": wording}
    refused = client.post(url, body)  # the box is not ticked
    assert refused.status_code == 422 and "only with the customer" in refused.content.decode()
    assert Lead.objects.count() == 0
    done = client.post(url, body | {"consent": "on"})
    assert done.status_code == 302 and done["Location"] == "/field/earnings/?recorded=1"
    lead = Lead.objects.get()
    assert lead.consent_text == wording and lead.consented_by == "王女士"
    assert signed_in(world.tech_a2.user).get(url).status_code == 404


def test_the_demo_shows_rules_and_leads_in_both_queues_and_both_months(small_demo):
    from accounts.models import User
    from revenue.models import CommissionRule

    small_demo("--now", "2026-11-20T10:00:00+00:00")
    assert CommissionRule.objects.count() == 5
    assert {lead.queue for lead in Lead.objects.all()} == {"brand", "outlet"}
    assert set(Lead.objects.values_list("status", flat=True)) == {"new", "contacted", "won", "lost"}
    assert Commission.objects.count() == 3
    for lead in Lead.objects.all():
        assert lead.consent_language == "zh-hans" and "同意" in lead.consent_text
    html = signed_in(User.objects.get(username="tech")).get("/field/earnings/").content.decode()
    assert 'id="earn-per-lead"' in html
