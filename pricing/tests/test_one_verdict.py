"""One warranty verdict on every surface: console order page and hotline, technician's job card, portal, API,
the charge and the PDF report all show pricing.warranty's verdict, for a unit whose warranty rule and
catalogue term disagree (the stored ``warranty_end`` is the catalogue's; the rule wins everywhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from conftest import token_client
from field import charges
from field import services as field
from field.tests.setup import dispatched_job, on_site, prepare_field, ready_to_complete, tech
from pricing import warranty
from pricing.models import WarrantyRule
from reports.content import report_data

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("rule_months", "installed_days_ago", "covered"), [
    (24, 500, True),   # the rule extends the catalogue's 12 months: the old console said out of warranty
    (6, 300, False),   # the rule shortens them: the old console and job card said in warranty
])
def test_every_surface_shows_the_rules_verdict(world, settings, tmp_path, django_capture_on_commit_callbacks,
                                               rule_months, installed_days_ago, covered):
    settings.MEDIA_ROOT = tmp_path / "media"
    prepare_field(world)
    product = world.product
    product.install_date = product.purchase_date = timezone.localdate() - dt.timedelta(days=installed_days_ago)
    product.save()
    WarrantyRule.objects.create(brand=world.brand, product_model=world.model, months=rule_months)
    catalogue_covered = timezone.localdate() <= product.warranty_end
    assert catalogue_covered is not covered  # the two rules disagree on this unit

    verdict = warranty.verdict(product=product)
    assert verdict.covered is covered
    order = dispatched_job(world)
    order_verdict = warranty.verdict(product=product, on=order.created_at, service_type=order.type,
                                     symptom_code=order.reported_symptom.code)
    assert (order_verdict.covered, order_verdict.until) == (covered, verdict.until)
    label, other = ("In warranty", "Out of warranty") if covered else ("Out of warranty", "In warranty")
    with translation.override("en"):
        reason = str(verdict.reason)
    tag = f'title="{reason}">{label}</span>'

    staff = _client(world.dispatcher)
    page = staff.get(f"/console/orders/{order.pk}/", **EN).content.decode()
    assert tag in page and f">{other}<" not in page and verdict.until.isoformat() in page
    hotline = _client(world.hotline).get(f"/console/hotline/callers/{world.customer.pk}/", **EN)
    row = hotline.content.decode().split('data-serial="SN-A-0001"')[1].split("</tr>")[0]
    assert tag in row and verdict.until.isoformat() in row

    card = _client(world.tech_a.user).get(f"/field/jobs/{order.pk}/", **EN).content.decode()
    assert tag in card and f">{other}<" not in card

    customer = _client(world.customer.user)
    home = customer.get("/portal/acme/", **EN).content.decode()
    assert f">{label}</span>" in home and f">{other}</span>" not in home
    passport = customer.get(f"/portal/acme/products/{product.pk}/", **EN).content.decode()
    assert f"<strong>{label}</strong>" in passport and reason in passport

    api = token_client(world.dispatcher)
    shown = {"covered": covered, "code": str(verdict.code), "reason": reason,
             "until": verdict.until.isoformat()}
    assert api.get(f"/api/v1/customers/products/{product.pk}", **EN).json()["warranty"] == shown
    listed = api.get("/api/v1/customers/products", {"q": product.serial}, **EN).json()["items"]
    assert [item["warranty"] for item in listed] == [shown]

    symptom = order.reported_symptom.code
    charge = charges.price(order, symptom_code=symptom, parts=[])
    assert charge.warranty == order_verdict

    # Completed with the symptom it was reported with: the frozen charge and the PDF report say the same.
    on_site(world, order)
    field.record_diagnosis(order=order, actor=tech(world), symptom_code=symptom)
    ready_to_complete(world, order)
    if charge.total:
        field.record_payment(order=order, actor=tech(world), method="cash", amount=str(charge.total))
    with django_capture_on_commit_callbacks(execute=False):
        field.complete(order=order, actor=tech(world), shown_total=str(charge.total))
    order.refresh_from_db()
    report = report_data(order)
    assert (report.warranty_covered, report.warranty_until) == (covered, verdict.until.isoformat())
