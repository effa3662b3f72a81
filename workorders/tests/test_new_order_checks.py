"""The checks every new order passes are made in one place (services.check_new_order): the service and intake
refuse the same input with the same error, naming each caller's own field, and write nothing."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from core.errors import DomainError
from workorders import intake, services
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.intake_setup import prepare_intake

pytestmark = pytest.mark.django_db


def _create(w, actor, *, customer, product, site, channel, priority, description, type):
    return services.create_work_order(actor=actor, customer=customer, type=type, channel=channel,
                                      priority=priority, symptom=description, product=product, site=site)


def _submit(w, actor, *, customer, product, site, channel, priority, description, type):
    return intake.submit_request(actor=actor, customer=customer, service_type=type, channel=channel,
                                 priority=priority, description=description, product=product, site=site)


CASES = {
    "foreign_product": ("hotline", lambda w: {"product": w.other_product}),
    "foreign_site": ("hotline", lambda w: {"site": w.other_product.site}),
    "rival_customer": ("hotline", lambda w: {"customer": w.rival_customer, "product": None, "site": None}),
    "bad_type": ("hotline", lambda w: {"type": "teleport"}),
    "bad_channel": ("hotline", lambda w: {"channel": "fax"}),
    "bad_priority": ("hotline", lambda w: {"priority": "yesterday"}),
    "long_description": ("hotline", lambda w: {"description": "x" * 2001}),
    "someone_elses_order": ("customer", lambda w: {"customer": w.other_customer, "product": w.other_product}),
    "customer_claims_urgency": ("customer", lambda w: {"priority": "urgent", "channel": "portal"}),
    "customer_as_hotline": ("customer", lambda w: {"channel": "hotline"}),
    "analyst": ("analyst", lambda w: {}),
}
# The service's and intake's names for the same input.
FIELDS = {services.create_work_order: {"type": "type", "description": "symptom"},
          intake.submit_request: {"type": "service_type", "description": "description"}}


@pytest.mark.parametrize("case", list(CASES))
def test_the_service_and_intake_refuse_alike(world, case):
    w = prepare_intake(world)
    who, change = CASES[case]
    actor = principal_of({"hotline": w.hotline, "customer": w.customer.user, "analyst": w.analyst}[who])
    base = {"customer": w.customer, "product": w.product, "site": w.product.site, "description": "漏水",
            "type": "repair", "channel": "portal" if who == "customer" else "hotline", "priority": "normal"}
    refusals = []
    for call, fields in ((_create, FIELDS[services.create_work_order]), (_submit, FIELDS[intake.submit_request])):
        with pytest.raises(DomainError) as refused:
            call(w, actor, **(base | change(w)))
        error = refused.value
        named = {v: k for k, v in fields.items()}.get(error.field, error.field)
        refusals.append((type(error), error.code, error.status, str(error.message), named))
    assert refusals[0] == refusals[1]
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == (0, 0)
