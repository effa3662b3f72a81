"""Recording a lead on site: the technician on the job, with consent recorded as shown; refusals write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.principal import principal_of
from core.errors import InvalidInput, PermissionDenied
from revenue import services
from revenue.choices import LeadQueue, LeadStatus
from revenue.consent import consent_wording, wordings
from revenue.errors import ConsentRequired, ConsentWordingChanged, DuplicateLead, NotYourJob
from revenue.models import Lead, LeadEvent
from revenue.tests.factories import RuleFactory, lead_on
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _rows():
    return (list(Lead.objects.values_list("pk", "status")), LeadEvent.objects.count())


@pytest.fixture
def on_site(world):
    return make_order(world, status=Status.ON_SITE)


def _record(world, order, **kw):
    kind = kw.pop("kind", "extended_warranty")
    if "consent_wording" not in kw:
        kw["consent_wording"] = consent_wording(brand_name=world.brand.name, kind=kind)
    args = dict(actor=principal_of(world.tech_a.user), order=order, kind=kind, consent=True,
                consented_by="王女士", note="想了解三年延保") | kw
    return services.record_lead(**args)


def test_a_lead_records_who_agreed_when_and_to_which_words(world, on_site):
    with translation.override("zh-hans"):
        wording = consent_wording(brand_name="Acme", kind="extended_warranty")
        lead = _record(world, on_site, consent_wording=wording)
    assert "Acme" in wording and "延保" in wording
    assert (lead.status, lead.kind, lead.queue) == (LeadStatus.NEW, "extended_warranty", LeadQueue.BRAND)
    assert (lead.work_order_id, lead.customer_id, lead.technician_id, lead.outlet_id, lead.brand_id) == (
        on_site.pk, world.customer.pk, world.tech_a.pk, world.outlet_a.pk, world.brand.pk)
    assert lead.consented_by == "王女士" and lead.consent_text == wording and lead.consent_language == "zh-hans"
    assert abs(lead.consent_at - timezone.now()) < dt.timedelta(seconds=5)
    assert lead.recorded_by == world.tech_a.user and lead.contact_phone == world.customer.phone
    assert lead.note == "想了解三年延保"
    event = lead.events.get()
    assert (event.action, event.to_status, event.actor, event.data["queue"]) == (
        "record", LeadStatus.NEW, world.tech_a.user, "brand")


def test_the_english_wording_is_recorded_as_english(world, on_site):
    english = wordings(brand_name=world.brand.name, kind="trade_in")["en"]
    lead = _record(world, on_site, kind="trade_in", consent_wording=english)
    assert lead.consent_language == "en" and lead.consent_text == english and "Trade-in" in english


def test_the_queue_follows_the_brands_rule_then_the_default(world, on_site):
    assert _record(world, on_site, kind="filter_subscription").queue == LeadQueue.OUTLET  # default
    RuleFactory(brand=world.brand, kind="upgrade", queue=LeadQueue.OUTLET)
    assert _record(world, on_site, kind="upgrade").queue == LeadQueue.OUTLET  # the rule says so
    # A rule that has ended says nothing any more.
    RuleFactory(brand=world.brand, kind="trade_in", queue=LeadQueue.BRAND, valid_to=dt.date(2021, 1, 1))
    assert _record(world, on_site, kind="trade_in").queue == LeadQueue.OUTLET


@pytest.mark.parametrize("bad, error, field", [
    (dict(consent=False), ConsentRequired, "consent"),
    (dict(consent="yes"), ConsentRequired, "consent"),
    (dict(consent_wording="I agree to anything."), ConsentWordingChanged, "consent_wording"),
    (dict(consent_wording=""), ConsentWordingChanged, "consent_wording"),
    (dict(consented_by="   "), InvalidInput, "consented_by"),
    (dict(consented_by="x" * 81), InvalidInput, "consented_by"),
    (dict(kind="timeshare", consent_wording="x"), InvalidInput, "kind"),
    (dict(note="x" * 501), InvalidInput, "note"),
    (dict(contact_phone="12"), InvalidInput, "contact_phone"),
])
def test_bad_input_is_refused_and_nothing_is_written(world, on_site, bad, error, field):
    before = _rows()
    with pytest.raises(error) as refused:
        _record(world, on_site, **bad)
    assert refused.value.field == field
    assert _rows() == before


def test_the_wording_of_another_offer_is_not_consent_to_this_one(world, on_site):
    other = consent_wording(brand_name=world.brand.name, kind="trade_in")
    with pytest.raises(ConsentWordingChanged):
        _record(world, on_site, kind="extended_warranty", consent_wording=other)
    assert Lead.objects.count() == 0


def test_only_the_technician_on_the_job_records_it(world, on_site):
    before = _rows()
    for user in (world.dispatcher, world.manager_a, world.customer.user):
        with pytest.raises(PermissionDenied):
            _record(world, on_site, actor=principal_of(user))
    with pytest.raises(NotYourJob):  # a colleague at the same outlet
        _record(world, on_site, actor=principal_of(world.tech_a2.user))
    for status in (Status.ACCEPTED, Status.EN_ROUTE, Status.CANCELLED):
        order = make_order(world, status=status)
        with pytest.raises(NotYourJob):
            _record(world, order)
    assert _rows() == before


def test_after_completion_the_lead_can_still_be_recorded(world):
    done = make_order(world, status=Status.COMPLETED)
    assert _record(world, done).work_order_id == done.pk


def test_the_same_offer_twice_on_one_job_is_one_lead(world, on_site):
    first = _record(world, on_site)
    with pytest.raises(DuplicateLead) as refused:
        _record(world, on_site)
    assert refused.value.status == 409
    assert list(Lead.objects.values_list("pk", flat=True)) == [first.pk]
    assert _record(world, on_site, kind="upgrade").pk != first.pk  # another offer is another lead


def test_another_phone_number_is_normalised(world, on_site):
    lead = _record(world, on_site, contact_phone="139 1234 5678")
    assert lead.contact_phone == "+8613912345678"


def test_factory_helper_records_for_tech_b(world):
    lead = lead_on(world, technician=world.tech_b, kind="filter_subscription")
    assert (lead.outlet_id, lead.customer_id, lead.queue) == (world.outlet_b.pk, world.other_customer.pk, "outlet")
    assert lead.value is None and Decimal("0") == Decimal(lead.version - 1)
