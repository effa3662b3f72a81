"""My products: warranty status, service history, registering by serial or QR code, and staff QR labels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from customers.models import Customer, InstalledProduct, Site
from customers.tests.factories import InstalledProductFactory
from demo.pricing import seed_pricing
from pricing import warranty
from pricing.choices import CoverageCode
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def as_customer(world, customer=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login((customer or world.customer).user)
    return client


def snapshot():
    return list(InstalledProduct.objects.order_by("pk").values_list("pk", "customer_id", "site_id"))


def test_home_lists_only_my_products_with_warranty(world):
    seed_pricing(world.brand)
    body = as_customer(world).get("/portal/acme/").content.decode()
    assert "SN-A-0001" in body and "SN-B-0001" not in body
    assert "In warranty" in body


def test_warranty_is_the_rules_verdict_with_or_without_a_price_list(world):
    product = world.product
    product.install_date = timezone.localdate() - dt.timedelta(days=400)
    product.purchase_date = product.install_date
    product.save()
    unpriced = warranty.verdict(product=product)  # no price list yet: the rules (here the model's 12 months)
    assert (unpriced.code, unpriced.covered) == (CoverageCode.EXPIRED, False)
    seed_pricing(world.brand)
    priced = warranty.verdict(product=product)
    assert priced == unpriced and "Out of warranty since" in str(priced.reason)


def test_product_page_shows_its_history(world):
    seed_pricing(world.brand)
    mine = make_order(world, status=Status.COMPLETED, symptom="净水器漏水")
    make_order(world, status=Status.NEW, customer=world.other_customer, product=world.other_product)
    body = as_customer(world).get(f"/portal/acme/products/{world.product.pk}/").content.decode()
    assert mine.number in body and "净水器漏水" in body
    assert body.count('class="tile"') == 1


def test_other_customers_product_page_is_404(world):
    assert as_customer(world).get(f"/portal/acme/products/{world.other_product.pk}/").status_code == 404


def test_register_own_serial_trimmed_any_case(world):
    response = as_customer(world).post("/portal/acme/products/add/", {"serial": "  sn-a-0001 "})
    assert response.status_code == 302 and response["Location"] == f"/portal/acme/products/{world.product.pk}/"


def test_register_a_unit_of_my_other_record_moves_it_with_its_address(world):
    twin = Customer.objects.create(brand=world.brand, name="Customer (installer's entry)", phone=world.customer.phone,
                                   duplicate_reason="Entered by the installer")
    unit = InstalledProductFactory(customer=twin, brand=world.brand, product_model=world.model, serial="SN-TWIN-1")
    old_site = unit.site
    response = as_customer(world).post("/portal/acme/products/add/", {"serial": "sn-twin-1"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.customer_id == world.customer.pk
    assert unit.site.customer_id == world.customer.pk and unit.site.address == old_site.address
    assert Site.objects.filter(pk=old_site.pk, customer=twin).exists()  # the old record keeps its own row


def test_register_someone_elses_unit_is_refused_and_changes_nothing(world):
    before = snapshot()
    response = as_customer(world).post("/portal/acme/products/add/", {"serial": "SN-B-0001"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "registered to another customer" in body and 'id="error-serial"' in body
    assert snapshot() == before


@pytest.mark.parametrize("serial", ["", "x" * 41, "SN-A-0001\x00"])
def test_register_bad_serial_is_a_message(world, serial):
    before = snapshot()
    response = as_customer(world).post("/portal/acme/products/add/", {"serial": serial})
    assert response.status_code == 422 and 'id="error-serial"' in response.content.decode()
    assert snapshot() == before


def test_register_a_rival_brands_serial_is_unknown(world):
    rival_unit = InstalledProductFactory(customer=world.rival_customer, brand=world.other_brand, serial="RIV-1")
    response = as_customer(world).post("/portal/acme/products/add/", {"serial": "RIV-1"})
    # Unknown to this brand: the customer is offered this brand's warranty card, nothing of the rival's unit.
    assert response.status_code == 200 and 'id="warranty-card-form"' in response.content.decode()
    rival_unit.refresh_from_db()
    assert rival_unit.customer_id == world.rival_customer.pk


def test_qr_link_signs_in_then_opens_the_product(world, sms):
    token = world.product.qr_token
    url = f"/portal/acme/q/{token}/"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = client.get(url)
    assert first.status_code == 302
    assert first["Location"] == f"/portal/acme/login/?next=%2Fportal%2Facme%2Fq%2F{token}%2F"
    client.post("/portal/acme/login/", {"action": "send", "phone": "13900000001"})
    signed = client.post("/portal/acme/login/", {"action": "verify", "phone": "13900000001",
                                                 "code": sms.last_code("+8613900000001"), "next": url})
    assert signed["Location"] == url
    landed = client.get(url)
    assert landed.status_code == 302 and landed["Location"] == f"/portal/acme/products/{world.product.pk}/"


def test_qr_of_someone_elses_unit_is_refused(world):
    before = snapshot()
    client = as_customer(world)
    url = f"/portal/acme/q/{world.other_product.qr_token}/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        body = response.content.decode()
        assert "call the service hotline" in body and "SN-B-0001" not in body
    assert snapshot() == before


def test_qr_of_my_other_record_asks_then_adds(world):
    twin = Customer.objects.create(brand=world.brand, name="Twin", phone=world.customer.phone,
                                   duplicate_reason="Entered by the installer")
    unit = InstalledProductFactory(customer=twin, brand=world.brand, product_model=world.model, serial="SN-TWIN-2")
    client = as_customer(world)
    url = f"/portal/acme/q/{unit.qr_token}/"
    ask = client.get(url)
    assert ask.status_code == 200 and "SN-TWIN-2" in ask.content.decode()
    unit.refresh_from_db()
    assert unit.customer_id == twin.pk  # looking changes nothing
    added = client.post(url)
    assert added.status_code == 302 and added["Location"] == f"/portal/acme/products/{unit.pk}/"
    unit.refresh_from_db()
    assert unit.customer_id == world.customer.pk


@pytest.mark.parametrize("who", ["dispatcher", "manager_a"])
def test_qr_page_is_404_for_staff(world, who):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(world, who))
    assert client.get(f"/portal/acme/q/{world.product.qr_token}/").status_code == 404


def test_unknown_qr_token_is_404(world):
    assert as_customer(world).get("/portal/acme/q/nope/").status_code == 404
    assert as_customer(world).get(f"/portal/acme/q/{'x' * 40}/").status_code == 404


def test_staff_print_a_label_with_a_working_qr(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.dispatcher)
    page = client.get(f"/console/labels/{world.product.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "SN-A-0001" in body
    assert f"http://testserver/portal/acme/q/{world.product.qr_token}/" in body
    svg = client.get(f"/console/labels/{world.product.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(f"/console/labels/{world.product.pk}/qr.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_a_unit_without_a_token_gets_one_when_printed(world):
    InstalledProduct.objects.filter(pk=world.product.pk).update(qr_token=None)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.dispatcher)
    assert client.get(f"/console/labels/{world.product.pk}/").status_code == 200
    world.product.refresh_from_db()
    assert world.product.qr_token and len(world.product.qr_token) == 12


def test_labels_are_scoped(world):
    order = make_order(world, status=Status.ASSIGNED)  # outlet A sees this product through the order
    assert order.product_id == world.product.pk
    for who, pk, expected in [("manager_a", world.product.pk, 200), ("manager_b", world.product.pk, 404),
                              ("rival_dispatcher", world.product.pk, 404), ("dispatcher", world.other_product.pk, 200)]:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(getattr(world, who))
        assert client.get(f"/console/labels/{pk}/qr.svg").status_code == expected, who
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.customer.user)  # their own unit: the portal is theirs, the console is not
    assert client.get(f"/console/labels/{world.product.pk}/").status_code == 403
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/console/labels/{world.product.pk}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")




def test_admin_links_to_the_label(world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.admin)
    body = client.get(f"/admin/customers/installedproduct/{world.product.pk}/change/").content.decode()
    assert f'href="/console/labels/{world.product.pk}/"' in body and "Print the QR label" in body
