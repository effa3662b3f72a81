"""A mail-in exchange at the bench is recorded on both units' passports: the customer's record carries on under the
refurbished unit's serial and lists the serial it replaced; the old unit gets a passport of its own, out of service,
naming the unit it was exchanged for. No reminder, schedule or contract for the old unit; the customer's portal shows
the exchange on their unit's page and no longer lists the old unit; nobody else sees either."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.principal import principal_of
from core.errors import InvalidInput
from customers import services as customers_services
from customers.choices import ProductStatus
from customers.models import InstalledProduct
from logistics import bench
from logistics.choices import Hop
from logistics.models import MailIn, MailInStep
from logistics.tests.setup import book, collected_and_arrived, prepare_mail_in
from maintenance.choices import ContractKind, SoldVia
from maintenance.contracts import create_contract
from maintenance.models import Schedule
from maintenance.reminders import select_due
from maintenance.schedules import ensure_schedules
from maintenance.tests.factories import ConsumableRuleFactory, PlanFactory
from workorders import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    w = prepare_mail_in(world)
    w.product.purchase_date, w.product.install_date = dt.date(2026, 3, 1), dt.date(2026, 3, 5)
    w.product.save()
    w.old_token = w.product.qr_token
    return w


def diagnosed(w) -> MailIn:
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=collected_and_arrived(w, book(w)), actor=desk, serial="SN-A-0001")
    return bench.diagnose(mail_in=case, actor=desk, finding="整机故障，换新机")


def exchanged(w) -> tuple[MailIn, InstalledProduct]:
    case = bench.repair(mail_in=diagnosed(w), actor=principal_of(w.bench), exchange_serial="sn-r-7777")
    w.product.refresh_from_db()
    return case, InstalledProduct.objects.get(brand=w.brand, serial="SN-A-0001")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_both_passports_record_the_exchange_and_name_each_other(w):
    case, old = exchanged(w)

    step = MailInStep.objects.get(mail_in=case, hop=Hop.REPAIRED)
    assert (case.hop, case.outcome, step.data["old_serial"]) == (Hop.REPAIRED, "exchanged", "SN-A-0001")
    # The customer's record: the same row (orders, warranty, schedules follow it), under the new serial.
    mine = w.product
    assert (mine.serial, mine.status, mine.customer_id, mine.exchanged_for_id) == (
        "SN-R-7777", ProductStatus.ACTIVE, w.customer.pk, None)
    assert case.work_order.product_id == mine.pk
    assert list(mine.exchanged_from.all()) == [old]
    # The old unit's own passport: out of service, its history owner and dates, naming its successor.
    assert (old.status, old.exchanged_for_id, old.exchanged_at) == (ProductStatus.EXCHANGED, mine.pk, step.at)
    assert (old.customer_id, old.site_id, old.product_model_id, old.purchase_date, old.install_date) == (
        w.customer.pk, None, w.model.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    # The QR label stays on the old unit: its token goes with it; the refurbished unit gets a new one.
    assert old.qr_token == w.old_token and mine.qr_token not in (None, w.old_token)
    assert InstalledProduct.objects.filter(brand=w.brand).count() == 3  # the world's two and the old unit


def test_the_serial_sent_in_is_refused_as_the_exchange_and_nothing_changes(w):
    case = diagnosed(w)
    before = list(InstalledProduct.objects.order_by("pk").values_list("pk", "serial", "status", "qr_token"))

    for serial in ("sn-a-0001", "SN-B-0001"):  # the unit sent in; another customer's unit
        with pytest.raises(InvalidInput) as refused:
            bench.repair(mail_in=case, actor=principal_of(w.bench), exchange_serial=serial)
        assert refused.value.field == "exchange_serial"

    case.refresh_from_db()
    assert (case.hop, case.outcome) == (Hop.DIAGNOSED, "")
    assert list(InstalledProduct.objects.order_by("pk").values_list("pk", "serial", "status", "qr_token")) == before


def test_the_old_unit_gets_no_schedule_no_reminder_and_no_contract(w):
    rule = ConsumableRuleFactory(brand=w.brand, category=w.category, months=6, lead_days=14)
    _case, old = exchanged(w)

    ensure_schedules(brand_id=w.brand.pk)

    assert Schedule.objects.filter(product=old).count() == 0
    assert Schedule.objects.filter(product=w.product, rule=rule).count() == 1
    Schedule.objects.update(due_on=timezone.localdate() + dt.timedelta(days=5))
    due = {row[0] for row in select_due()}
    assert due == set(Schedule.objects.filter(product__in=[w.product, w.other_product]).values_list("pk", flat=True))
    with pytest.raises(InvalidInput) as refused:
        create_contract(customer=w.customer, plan=PlanFactory(category=w.category), products=[old],
                        starts_on=timezone.localdate(), kind=ContractKind.HOUSEHOLD, sold_via=SoldVia.CONTRACT,
                        price=Decimal("300.00"), actor=principal_of(w.admin))
    with translation.override("en"):
        assert (refused.value.field, str(refused.value.message)) == (
            "products", "A unit exchanged at the repair centre cannot be put under contract.")


def test_the_customers_portal_shows_the_exchange_on_their_unit_and_not_the_old_unit(w):
    _case, old = exchanged(w)
    client = client_for(w.customer.user)

    page = client.get(f"/portal/acme/products/{w.product.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "SN-R-7777" in body
    assert "Exchanged at the repair centre on" in body and "replaced unit SN-A-0001" in body
    home = client.get("/portal/acme/").content.decode()
    assert "SN-R-7777" in home and "SN-A-0001" not in home
    # The old unit is told on its successor's page, not as one of the customer's units.
    assert client.get(f"/portal/acme/products/{old.pk}/").status_code == 404


def test_the_exchange_reads_in_chinese(w):
    exchanged(w)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(w.customer.user)
    body = client.get(f"/portal/acme/products/{w.product.pk}/").content.decode()
    assert "已在维修中心换机：旧机序列号 SN-A-0001" in body


def test_another_customer_sees_neither_unit(w):
    _case, old = exchanged(w)
    client = client_for(w.other_customer.user)

    for unit in (w.product, old):
        assert client.get(f"/portal/acme/products/{unit.pk}/").status_code == 404
    assert "SN-A-0001" not in client.get("/portal/acme/").content.decode()


def test_staff_see_the_exchange_on_both_units(w, api_as):
    _case, old = exchanged(w)
    api = api_as("dispatcher")

    got = api.get(f"/api/v1/customers/products/{old.pk}").json()
    assert (got["status"], got["exchanged_for"], got["exchanged_from"]) == ("exchanged", "SN-R-7777", [])
    assert got["exchanged_at"] is not None
    got = api.get(f"/api/v1/customers/products/{w.product.pk}").json()
    assert (got["status"], got["exchanged_for"], got["exchanged_from"]) == ("active", None, ["SN-A-0001"])
    listed = {p["serial"]: p for p in api.get("/api/v1/customers/products").json()["items"]}
    assert (listed["SN-A-0001"]["exchanged_for"], listed["SN-R-7777"]["exchanged_from"]) == (
        "SN-R-7777", ["SN-A-0001"])
    # The hotline's caller panel: the old unit names its successor, the customer's unit the serial it replaced.
    panel = client_for(w.hotline).get(f"/console/hotline/callers/{w.customer.pk}/").content.decode()
    assert "Exchanged for SN-R-7777 on" in panel and "Replaced SN-A-0001 on" in panel
    assert api_as("rival_dispatcher").get(f"/api/v1/customers/products/{old.pk}").status_code == 404


def test_no_new_order_opens_on_the_unit_that_went_back_to_the_brand(w):
    _case, old = exchanged(w)
    before = MailIn.objects.count(), InstalledProduct.objects.count()
    with pytest.raises(InvalidInput) as refused:
        intake.submit_request(actor=principal_of(w.customer.user), customer=w.customer, product=old,
                              service_type="repair", channel="portal", description="又坏了")
    assert refused.value.code == "product_exchanged" and refused.value.field == "product"
    assert (MailIn.objects.count(), InstalledProduct.objects.count()) == before


def test_an_exchanged_units_passport_is_not_revived_by_an_edit(w):
    _case, old = exchanged(w)
    desk = principal_of(w.dispatcher)

    for changes in ({"status": ProductStatus.ACTIVE}, {"install_date": dt.date(2026, 4, 1)}):
        with pytest.raises(InvalidInput) as refused:
            customers_services.update_product(actor=desk, product=old, changes=changes)
        assert refused.value.field == "status"
    with pytest.raises(InvalidInput):
        customers_services.update_product(actor=desk, product=w.product, changes={"status": ProductStatus.EXCHANGED})
    old.refresh_from_db()
    w.product.refresh_from_db()
    assert (old.status, w.product.status) == (ProductStatus.EXCHANGED, ProductStatus.ACTIVE)
