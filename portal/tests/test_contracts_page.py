"""The customer's maintenance plans on the portal: their own contracts only, visits done / due / overdue, and the
400 hotline's emergency number with a basic plan that includes it."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from core.dates import brand_tz
from maintenance.choices import ContractKind, SoldVia, Tier, VisitStatus
from maintenance.contracts import create_contract
from maintenance.models import ContractVisit
from maintenance.tests.factories import PlanFactory
from maintenance.visitplan import WEEK, monday_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate(timezone.now(), brand_tz())


def test_the_customer_sees_their_plan_with_done_due_overdue_and_the_hotline(world):
    world.brand.phone = "400-820-8820"
    world.brand.save()
    plan = PlanFactory(category=world.category, tier=Tier.BASIC, hotline_emergency=True, visits_per_year=12,
                       name="净水器基础保养")
    contract = create_contract(customer=world.customer, plan=plan, products=[world.product],
                               starts_on=monday_of(TODAY) - 10 * WEEK, kind=ContractKind.HOUSEHOLD,
                               sold_via=SoldVia.PORTAL, price=Decimal("199"))
    first = contract.visits.order_by("target_week").first()
    ContractVisit.objects.filter(pk=first.pk).update(status=VisitStatus.DONE, done_on=first.target_week)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.customer.user)

    html = client.get(f"/portal/{world.brand.code}/contracts/").content.decode()

    assert f'data-contract="{contract.pk}"' in html and "净水器基础保养" in html
    assert 'href="tel:400-820-8820"' in html
    assert html.count('data-state="done"') == 1 and html.count('data-state="overdue"') >= 1
    assert html.count('data-visit="') == 12

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(world.other_customer.user)
    html = other.get(f"/portal/{world.brand.code}/contracts/").content.decode()
    assert 'data-contract="' not in html and 'id="no-contracts"' in html
