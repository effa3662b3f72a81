"""Customers, sites and installed products through /api/v1: who may write, what is refused, who sees what."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from catalog.tests.factories import CategoryFactory, ProductModelFactory
from customers.models import Customer, InstalledProduct, Site
from customers.tests.factories import CustomerFactory, InstalledProductFactory, SiteFactory
from network.tests.factories import RegionFactory
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"
PRODUCTS = "/api/v1/customers/products"
EDITORS = ["admin", "dispatcher", "hotline"]
NOT_EDITORS = ["analyst", "manager_a", "tech_a", "customer"]


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def refused_field(resp) -> str:
    """The field a 422 names: a domain error's ``field``, or the last part of a schema error's ``loc``."""
    body = resp.json()
    if body["code"] == "validation_error":
        return body["errors"][0]["loc"][-1]
    return body["field"]


def snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


# --- create ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_editors_create_a_household_customer_in_their_brand(world, api_as, persona):
    resp = post(api_as(persona), CUSTOMERS, {"name": "王女士", "phone": "139 1234 5678"})

    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["kind"], body["name"], body["phone"], body["segment"], body["tags"], body["email"]) == (
        "household", "王女士", "+8613912345678", "value", [], "")
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.brand_id, customer.phone, customer.user_id) == (world.brand.pk, "+8613912345678", None)


def test_a_rival_brands_dispatcher_creates_in_their_own_brand(world, api_as):
    resp = post(api_as("rival_dispatcher"), CUSTOMERS, {"name": "Rival guest", "phone": "13912345678"})

    assert resp.status_code == 201
    assert Customer.objects.get(pk=resp.json()["id"]).brand_id == world.other_brand.pk
    assert api_as("dispatcher").get(f"{CUSTOMERS}/{resp.json()['id']}").status_code == 404


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_other_roles_may_not_create_customers(world, api_as, persona):
    before = snapshot(Customer)

    resp = post(api_as(persona), CUSTOMERS, {"name": "Nope", "phone": "13912345678"})

    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert snapshot(Customer) == before


def test_an_enterprise_customer_has_several_sites(world, api_as):
    client = api_as("dispatcher")
    created = post(client, CUSTOMERS, {"kind": "enterprise", "name": "西湖酒店集团", "phone": "0571 8765 4321",
                                       "segment": "premium", "email": "fm@hotel.example"})
    assert created.status_code == 201, created.content
    customer_id = created.json()["id"]
    assert (created.json()["kind"], created.json()["phone"]) == ("enterprise", "+8657187654321")

    sites = [
        {"name": "北山店", "address": "北山路 1 号", "region_id": world.region.pk, "latitude": 30.26,
         "longitude": 120.15, "contact_name": "李经理", "contact_phone": "+86 139-0000-0009"},
        {"name": "滨江店", "address": "江南大道 88 号"},
        {"name": "萧山店", "address": "市心路 3 号", "contact_phone": "13900000010"},
    ]
    ids = []
    for site in sites:
        resp = post(client, f"{CUSTOMERS}/{customer_id}/sites", site)
        assert resp.status_code == 201, resp.content
        ids.append(resp.json()["id"])

    listed = client.get(f"{CUSTOMERS}/{customer_id}/sites").json()
    assert [s["id"] for s in listed] == ids
    assert [s["name"] for s in listed] == ["北山店", "滨江店", "萧山店"]
    assert [s["contact_phone"] for s in listed] == ["+8613900000009", "", "+8613900000010"]
    assert (listed[0]["region_id"], listed[0]["latitude"], listed[0]["longitude"]) == (world.region.pk, 30.26, 120.15)
    assert set(Site.objects.filter(customer_id=customer_id).values_list("pk", flat=True)) == set(ids)


# --- phone numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["139 0000 0077", "+86 139-0000-0077", "13900000077", "+8613900000077", "0086 139 0000 0077",
     "(+86) 139 0000 0077", " 139-0000-0077 "],
)
def test_phone_numbers_are_stored_in_e164(world, api_as, raw):
    resp = post(api_as("hotline"), CUSTOMERS, {"name": "Caller", "phone": raw})

    assert resp.status_code == 201, resp.content
    assert resp.json()["phone"] == "+8613900000077"
    assert Customer.objects.get(pk=resp.json()["id"]).phone == "+8613900000077"


@pytest.mark.parametrize("raw", ["12345", "not a phone", "139 0000 00011", "+86 100 0000 0000", "   ", "+", "x" * 32])
def test_a_malformed_phone_is_422_on_phone_and_nothing_is_written(world, api_as, raw):
    before = snapshot(Customer)

    resp = post(api_as("hotline"), CUSTOMERS, {"name": "Caller", "phone": raw})

    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == "invalid" and resp.json()["field"] == "phone"
    assert snapshot(Customer) == before


@pytest.mark.parametrize("raw", ["", "1" * 33])
def test_an_empty_or_oversized_phone_fails_the_schema(world, api_as, raw):
    before = snapshot(Customer)

    resp = post(api_as("hotline"), CUSTOMERS, {"name": "Caller", "phone": raw})

    assert resp.status_code == 422 and refused_field(resp) == "phone"
    assert snapshot(Customer) == before


def test_a_known_phone_is_refused_naming_the_customer_who_has_it(world, api_as):
    # The portal signs a phone into one record: a second one would hide what is booked on it.
    client = api_as("hotline")
    before = snapshot(Customer)

    resp = post(client, CUSTOMERS, {"name": "customer's spouse", "phone": "139 0000 0001"})

    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "duplicate_phone" and body["field"] == "phone"
    assert body["detail"]["customer_id"] == world.customer.pk
    assert snapshot(Customer) == before


def test_a_second_record_for_a_known_phone_carries_its_reason_and_search_finds_both(world, api_as):
    # Households share a landline: with the agent's reason a second record is allowed and keeps the reason.
    client = api_as("hotline")

    resp = post(client, CUSTOMERS, {"name": "customer's spouse", "phone": "139 0000 0001",
                                    "duplicate_reason": "  The spouse, who pays for her own unit  "})

    assert resp.status_code == 201
    assert resp.json()["duplicate_reason"] == "The spouse, who pays for her own unit"
    found = client.get(CUSTOMERS, {"q": "+86 139-0000-0001"}).json()
    assert sorted(c["id"] for c in found["items"]) == sorted([world.customer.pk, resp.json()["id"]])
    assert found["count"] == 2


def test_a_reason_for_a_phone_nobody_has_is_not_kept(world, api_as):
    resp = post(api_as("hotline"), CUSTOMERS, {"name": "New", "phone": "13911112222", "duplicate_reason": "why"})

    assert resp.status_code == 201 and resp.json()["duplicate_reason"] == ""


def test_changing_a_phone_to_a_known_one_is_refused_and_changes_nothing(world, api_as):
    other = CustomerFactory(brand=world.brand, phone="+8613911112222")
    before = snapshot(Customer)

    resp = patch(api_as("hotline"), f"{CUSTOMERS}/{other.pk}", {"phone": "13900000001"})

    assert resp.status_code == 409 and resp.json()["code"] == "duplicate_phone"
    assert resp.json()["detail"]["customer_id"] == world.customer.pk
    assert snapshot(Customer) == before


def test_the_same_phone_in_another_brand_is_another_customer(world, api_as):
    CustomerFactory(brand=world.other_brand, phone="+8613911113333")

    resp = post(api_as("hotline"), CUSTOMERS, {"name": "New", "phone": "13911113333"})

    assert resp.status_code == 201


# --- refused input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"name": "x" * 121}, "name"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"name": ["a"]}, "name"),
        ({"phone": 13900000001}, "phone"),
        ({"kind": "government"}, "kind"),
        ({"segment": "gold"}, "segment"),
        ({"tags": "vip"}, "tags"),
        ({"tags": [1, 2]}, "tags"),
        ({"tags": ["t"] * 21}, "tags"),
        ({"email": "x" * 250 + "@a.cn"}, "email"),
        ({"brand_id": 1}, "brand_id"),
        ({"user_id": 1}, "user_id"),
    ],
)
def test_wrong_types_and_oversized_fields_fail_the_schema(world, api_as, override, field):
    before = snapshot(Customer)

    resp = post(api_as("dispatcher"), CUSTOMERS, {"name": "Caller", "phone": "13912345678"} | override)

    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == "validation_error"
    assert field in resp.json()["errors"][0]["loc"]
    assert snapshot(Customer) == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"name": "   "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"tags": ["x" * 31]}, "tags"),
        ({"tags": ["vip", " "]}, "tags"),
    ],
)
def test_values_the_model_refuses_are_422_on_their_field(world, api_as, override, field):
    before = snapshot(Customer)

    resp = post(api_as("dispatcher"), CUSTOMERS, {"name": "Caller", "phone": "13912345678"} | override)

    assert resp.status_code == 422, resp.content
    assert (resp.json()["code"], resp.json()["field"]) == ("invalid", field)
    assert snapshot(Customer) == before


def test_malformed_json_is_a_400_and_writes_nothing(world, api_as):
    before = snapshot(Customer)
    resp = api_as("dispatcher").post(CUSTOMERS, data="{nope", content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "bad_request"
    assert snapshot(Customer) == before


# --- segment, tags, PATCH --------------------------------------------------------------------------


def test_segment_and_tags_round_trip(world, api_as):
    client = api_as("dispatcher")
    created = post(client, CUSTOMERS, {"name": "Zhao", "phone": "13912345678", "segment": "premium",
                                       "tags": ["VIP", "物业", "two-units"]}).json()

    fetched = client.get(f"{CUSTOMERS}/{created['id']}").json()

    assert (fetched["segment"], fetched["tags"]) == ("premium", ["VIP", "物业", "two-units"])
    assert Customer.objects.get(pk=created["id"]).tags == ["VIP", "物业", "two-units"]


def test_tags_are_trimmed_and_deduplicated_in_order(world, api_as):
    created = post(api_as("dispatcher"), CUSTOMERS,
                   {"name": "Zhao", "phone": "13912345678", "tags": [" VIP", "物业", "VIP ", "物业"]})

    assert created.status_code == 201
    assert created.json()["tags"] == ["VIP", "物业"]


def test_patch_changes_only_what_it_names(world, api_as):
    client = api_as("hotline")
    url = f"{CUSTOMERS}/{world.customer.pk}"

    resp = patch(client, url, {"name": "  陈先生 ", "phone": "+86 139-8888-0000", "segment": "cost_saving",
                               "tags": ["回访敏感"]})

    assert resp.status_code == 200, resp.content
    world.customer.refresh_from_db()
    assert (world.customer.name, world.customer.phone, world.customer.segment, world.customer.tags) == (
        "陈先生", "+8613988880000", "cost_saving", ["回访敏感"])
    assert (world.customer.kind, world.customer.email, world.customer.user_id) == (
        "household", "", world.customer.user.pk)
    assert client.get(url).json()["tags"] == ["回访敏感"]


def test_patch_can_clear_tags_and_change_kind(world, api_as):
    Customer.objects.filter(pk=world.customer.pk).update(tags=["a", "b"])

    resp = patch(api_as("dispatcher"), f"{CUSTOMERS}/{world.customer.pk}", {"tags": [], "kind": "enterprise"})

    assert resp.status_code == 200
    assert (resp.json()["tags"], resp.json()["kind"]) == ([], "enterprise")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": None}, "phone"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"tags": None}, "tags"),
        ({"email": None}, "email"),
        ({"segment": None}, "segment"),
        ({"kind": None}, "kind"),
        ({"email": "nope"}, "email"),
        ({"name": "ok", "phone": "12345"}, "phone"),
    ],
)
def test_a_refused_patch_is_422_and_changes_nothing(world, api_as, body, field):
    before = snapshot(Customer)

    resp = patch(api_as("dispatcher"), f"{CUSTOMERS}/{world.customer.pk}", body)

    assert resp.status_code == 422, resp.content
    assert (resp.json()["code"], resp.json()["field"]) == ("invalid", field)
    assert snapshot(Customer) == before


@pytest.mark.parametrize(("body", "field"), [({"name": "x" * 121}, "name"), ({"brand_id": 2}, "brand_id"),
                                             ({"segment": "gold"}, "segment"), ({"tags": [3]}, "tags")])
def test_a_patch_of_the_wrong_shape_fails_the_schema(world, api_as, body, field):
    before = snapshot(Customer)

    resp = patch(api_as("dispatcher"), f"{CUSTOMERS}/{world.customer.pk}", body)

    assert resp.status_code == 422 and field in resp.json()["errors"][0]["loc"]
    assert snapshot(Customer) == before


@pytest.mark.parametrize("persona", ["analyst", "customer"])
def test_roles_that_see_a_customer_but_may_not_edit_get_403(world, api_as, persona):
    before = snapshot(Customer)

    resp = patch(api_as(persona), f"{CUSTOMERS}/{world.customer.pk}", {"name": "Renamed"})

    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert snapshot(Customer) == before


def test_an_outlet_that_sees_a_customer_still_may_not_edit_it(world, api_as):
    make_order(world, status=Status.ASSIGNED)
    before = snapshot(Customer)

    resp = patch(api_as("manager_a"), f"{CUSTOMERS}/{world.customer.pk}", {"name": "Renamed"})

    assert resp.status_code == 403
    assert snapshot(Customer) == before


@pytest.mark.parametrize("persona", ["manager_b", "tech_b", "other_customer", "rival_dispatcher"])
def test_a_foreign_customer_is_404_to_read_and_to_patch(world, api_as, persona):
    make_order(world, status=Status.ACCEPTED)  # outlet A, tech_a
    before = snapshot(Customer)
    client = api_as(persona)

    assert client.get(f"{CUSTOMERS}/{world.customer.pk}").status_code == 404
    assert patch(client, f"{CUSTOMERS}/{world.customer.pk}", {"name": "x"}).status_code == 404
    assert client.get(f"{CUSTOMERS}/{world.customer.pk}/sites").status_code == 404
    assert snapshot(Customer) == before


@pytest.mark.parametrize(("customer_id", "status"), [("999999", 404), ("abc", 422)])
def test_an_unknown_customer_id_is_a_404_and_a_malformed_one_422(world, api_as, customer_id, status):
    resp = api_as("dispatcher").get(f"{CUSTOMERS}/{customer_id}")
    assert resp.status_code == status


# --- who sees which customers ----------------------------------------------------------------------


def listed_ids(client, url=CUSTOMERS) -> set[int]:
    resp = client.get(url, {"page_size": 100})
    assert resp.status_code == 200, resp.content
    return {item["id"] for item in resp.json()["items"]}


def test_brand_staff_see_all_their_brands_customers_and_no_other(world, api_as):
    ids = listed_ids(api_as("analyst"))
    assert ids == {world.customer.pk, world.other_customer.pk}
    assert listed_ids(api_as("rival_dispatcher")) == {world.rival_customer.pk}


def test_an_outlet_sees_only_the_customers_of_orders_assigned_to_it(world, api_as):
    assert listed_ids(api_as("manager_a")) == set()

    make_order(world, status=Status.ASSIGNED)  # world.customer → outlet A
    make_order(world, status=Status.ASSIGNED, customer=world.other_customer, product=world.other_product,
               outlet=world.outlet_b)

    assert listed_ids(api_as("manager_a")) == {world.customer.pk}
    assert listed_ids(api_as("manager_b")) == {world.other_customer.pk}
    assert api_as("manager_a").get(f"{CUSTOMERS}/{world.customer.pk}").status_code == 200
    assert api_as("manager_a").get(f"{CUSTOMERS}/{world.other_customer.pk}").status_code == 404


def test_a_technician_sees_only_the_customers_of_their_jobs(world, api_as):
    make_order(world, status=Status.DISPATCHED)  # to tech_a

    assert listed_ids(api_as("tech_a")) == {world.customer.pk}
    assert listed_ids(api_as("tech_a2")) == set()
    assert api_as("tech_a2").get(f"{CUSTOMERS}/{world.customer.pk}").status_code == 404


def test_a_customer_sees_only_themself(world, api_as):
    client = api_as("customer")

    assert listed_ids(client) == {world.customer.pk}
    assert client.get(f"{CUSTOMERS}/{world.customer.pk}").json()["phone"] == "+8613900000001"
    assert client.get(f"{CUSTOMERS}/{world.other_customer.pk}").status_code == 404
    assert client.get(CUSTOMERS, {"q": "+8613900000002"}).json()["items"] == []


def test_customers_can_be_found_by_part_of_the_name(world, api_as):
    CustomerFactory(brand=world.brand, name="customer care dummy")
    CustomerFactory(brand=world.other_brand, name="customer of rival")
    CustomerFactory(brand=world.brand, name="张晓雯")

    def names(q):
        return {c["name"] for c in api_as("dispatcher").get(CUSTOMERS, {"q": q}).json()["items"]}

    assert names("customer") == {"customer", "customer care dummy", "other_customer"}
    assert names("CARE") == {"customer care dummy"}
    assert names("晓雯") == names("张晓雯") == {"张晓雯"}


# --- sites -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 121}, "name"),
        ({"address": ""}, "address"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": "east"}, "longitude"),
        ({"region_id": "hz"}, "region_id"),
        ({"contact_phone": "1" * 33}, "contact_phone"),
        ({"customer_id": 1}, "customer_id"),
        ({"floor": 201}, "floor"),
        ({"has_lift": "maybe"}, "has_lift"),
    ],
)
def test_a_site_of_the_wrong_shape_fails_the_schema(world, api_as, body, field):
    before = snapshot(Site)

    resp = post(api_as("dispatcher"), f"{CUSTOMERS}/{world.customer.pk}/sites",
                {"name": "Office", "address": "文三路 1 号"} | body)

    assert resp.status_code == 422 and field in resp.json()["errors"][0]["loc"]
    assert snapshot(Site) == before


def test_a_sites_floor_and_lift_are_kept_and_edited_for_the_high_floor_surcharge(world, api_as):
    client = api_as("dispatcher")
    made = post(client, f"{CUSTOMERS}/{world.customer.pk}/sites",
                {"name": "老房子", "address": "文三路 1 号", "floor": 7, "has_lift": False})
    assert made.status_code == 201 and (made.json()["floor"], made.json()["has_lift"]) == (7, False)

    edited = patch(client, f"{CUSTOMERS}/sites/{made.json()['id']}", {"has_lift": True})

    assert (edited.json()["floor"], edited.json()["has_lift"]) == (7, True)
    assert Site.objects.filter(pk=made.json()["id"], floor=7, has_lift=True).exists()


def test_a_site_refuses_a_bad_contact_phone_a_blank_name_and_a_foreign_region(world, api_as):
    rival_region = RegionFactory(brand=world.other_brand)
    client = api_as("dispatcher")
    url = f"{CUSTOMERS}/{world.customer.pk}/sites"
    before = snapshot(Site)

    bad_phone = post(client, url, {"name": "Office", "address": "文三路 1 号", "contact_phone": "12345"})
    blank_name = post(client, url, {"name": "  ", "address": "文三路 1 号"})
    foreign_region = post(client, url, {"name": "Office", "address": "文三路 1 号", "region_id": rival_region.pk})
    unknown_region = post(client, url, {"name": "Office", "address": "文三路 1 号", "region_id": 999999})

    assert (bad_phone.status_code, bad_phone.json()["field"]) == (422, "contact_phone")
    assert (blank_name.status_code, blank_name.json()["field"]) == (422, "name")
    assert (foreign_region.status_code, foreign_region.json()["field"]) == (422, "region_id")
    assert (unknown_region.status_code, unknown_region.json()["field"]) == (422, "region_id")
    assert snapshot(Site) == before


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_only_editors_add_sites(world, api_as, persona):
    make_order(world, status=Status.ACCEPTED)  # so outlet A and tech_a see the customer
    before = snapshot(Site)

    body = {"name": "x", "address": "y", "region_id": world.region.pk}  # a region the customer cannot see: still 403
    resp = post(api_as(persona), f"{CUSTOMERS}/{world.customer.pk}/sites", body)

    assert resp.status_code == 403, resp.content
    assert snapshot(Site) == before


def test_a_customer_lists_only_their_own_sites(world, api_as):
    SiteFactory(customer=world.customer, name="Holiday flat")

    client = api_as("customer")

    names = [s["name"] for s in client.get(f"{CUSTOMERS}/{world.customer.pk}/sites").json()]
    assert names == ["Home", "Holiday flat"]
    assert client.get(f"{CUSTOMERS}/{world.other_customer.pk}/sites").status_code == 404


# --- installed products ----------------------------------------------------------------------------


def product_body(world, **over) -> dict:
    body = {"serial": "SN-NEW-0001", "product_model_id": world.model.pk, "customer_id": world.customer.pk,
            "site_id": world.product.site_id, "purchase_date": "2025-03-10", "install_date": "2025-03-12"}
    return body | over


@pytest.mark.parametrize("persona", EDITORS)
def test_editors_register_a_product_and_warranty_is_derived(world, api_as, persona):
    resp = post(api_as(persona), PRODUCTS, product_body(world))

    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["serial"], body["status"], body["customer_id"], body["site_id"]) == (
        "SN-NEW-0001", "active", world.customer.pk, world.product.site_id)
    # 12 months from installation, not from purchase.
    assert body["warranty_end"] == "2026-03-12"
    product = InstalledProduct.objects.get(pk=body["id"])
    assert (product.brand_id, product.warranty_end) == (world.brand.pk, dt.date(2026, 3, 12))


def test_without_an_install_date_warranty_runs_from_purchase(world, api_as):
    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, install_date=None, purchase_date="2024-01-31",
                                                             status="sold"))
    assert resp.status_code == 201
    assert (resp.json()["warranty_end"], resp.json()["status"]) == ("2025-01-31", "sold")


def test_without_any_date_there_is_no_warranty_end(world, api_as):
    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, install_date=None, purchase_date=None))
    assert resp.status_code == 201 and resp.json()["warranty_end"] is None


def test_a_duplicate_serial_in_the_brand_is_409_and_nothing_is_written(world, api_as):
    before = snapshot(InstalledProduct)

    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, serial=world.other_product.serial,
                                                             customer_id=world.customer.pk))

    assert resp.status_code == 409, resp.content
    assert (resp.json()["code"], resp.json()["field"]) == ("duplicate_serial", "serial")
    assert snapshot(InstalledProduct) == before


def test_a_serial_with_stray_spaces_is_the_same_serial(world, api_as):
    before = snapshot(InstalledProduct)

    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, serial=f"  {world.product.serial} "))

    assert resp.status_code == 409 and resp.json()["code"] == "duplicate_serial"
    assert snapshot(InstalledProduct) == before


def test_the_same_serial_under_another_brand_is_allowed(world, api_as):
    rival_model = ProductModelFactory(category=CategoryFactory(brand=world.other_brand))

    resp = post(api_as("rival_dispatcher"), PRODUCTS, {
        "serial": world.product.serial, "product_model_id": rival_model.pk, "customer_id": world.rival_customer.pk,
    })

    assert resp.status_code == 201, resp.content
    assert InstalledProduct.objects.filter(serial=world.product.serial).count() == 2


def test_install_before_purchase_is_422_on_install_date(world, api_as):
    before = snapshot(InstalledProduct)

    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, purchase_date="2025-03-12",
                                                             install_date="2025-03-11"))

    assert resp.status_code == 422
    assert (resp.json()["code"], resp.json()["field"]) == ("invalid", "install_date")
    assert snapshot(InstalledProduct) == before


def test_a_site_of_another_customer_is_422_and_nothing_is_written(world, api_as):
    before = snapshot(InstalledProduct)

    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, site_id=world.other_product.site_id))

    assert resp.status_code == 422
    assert (resp.json()["code"], resp.json()["field"]) == ("invalid", "site")
    assert snapshot(InstalledProduct) == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"customer_id": 999999}, "customer_id"),
        ({"product_model_id": 999999}, "product_model_id"),
        ({"site_id": 999999}, "site_id"),
        ({"serial": "   "}, "serial"),
    ],
)
def test_unknown_references_are_422_on_their_field(world, api_as, override, field):
    before = snapshot(InstalledProduct)

    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, **override))

    assert resp.status_code == 422 and resp.json()["field"] == field
    assert snapshot(InstalledProduct) == before


def test_another_brands_customer_model_or_site_are_unknown_ids(world, api_as):
    rival_model = ProductModelFactory(category=CategoryFactory(brand=world.other_brand))
    rival_site = SiteFactory(customer=world.rival_customer)
    client = api_as("dispatcher")
    before = snapshot(InstalledProduct)

    for override, field in [({"customer_id": world.rival_customer.pk}, "customer_id"),
                            ({"product_model_id": rival_model.pk}, "product_model_id"),
                            ({"site_id": rival_site.pk}, "site_id")]:
        resp = post(client, PRODUCTS, product_body(world, **override))
        assert (resp.status_code, resp.json()["field"]) == (422, field)
    assert snapshot(InstalledProduct) == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"serial": "S" * 41}, "serial"),
        ({"serial": ""}, "serial"),
        ({"purchase_date": "2025-02-30"}, "purchase_date"),
        ({"install_date": "yesterday"}, "install_date"),
        ({"status": "lost"}, "status"),
        ({"customer_id": "me"}, "customer_id"),
        ({"warranty_end": "2099-01-01"}, "warranty_end"),
        ({"brand_id": 1}, "brand_id"),
    ],
)
def test_a_product_of_the_wrong_shape_fails_the_schema(world, api_as, override, field):
    before = snapshot(InstalledProduct)

    resp = post(api_as("dispatcher"), PRODUCTS, product_body(world, **override))

    assert resp.status_code == 422 and field in resp.json()["errors"][0]["loc"]
    assert snapshot(InstalledProduct) == before


@pytest.mark.parametrize("persona", ["analyst", "manager_a", "customer"])
def test_only_editors_register_products(world, api_as, persona):
    make_order(world, status=Status.ASSIGNED)  # outlet A sees world.customer
    before = snapshot(InstalledProduct)

    resp = post(api_as(persona), PRODUCTS, product_body(world))

    assert resp.status_code == 403, (persona, resp.content)  # whether or not the role sees the model and customer
    assert snapshot(InstalledProduct) == before


def test_patch_moves_dates_and_warranty_follows(world, api_as):
    client = api_as("dispatcher")

    resp = patch(client, f"{PRODUCTS}/{world.product.pk}", {"purchase_date": "2024-02-29",
                                                             "install_date": "2024-02-29"})

    assert resp.status_code == 200, resp.content
    assert resp.json()["warranty_end"] == "2025-02-28"
    world.product.refresh_from_db()
    assert world.product.warranty_end == dt.date(2025, 2, 28)


def test_patch_retires_a_product_and_detaches_its_site(world, api_as):
    resp = patch(api_as("dispatcher"), f"{PRODUCTS}/{world.product.pk}", {"status": "retired", "site_id": None})

    assert resp.status_code == 200
    world.product.refresh_from_db()
    assert (world.product.status, world.product.site_id) == ("retired", None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"install_date": "2000-01-01"}, "install_date"),
        ({"site_id": "other"}, "site"),
        ({"site_id": 999999}, "site_id"),
        ({"status": None}, "status"),
    ],
)
def test_a_refused_product_patch_changes_nothing(world, api_as, body, field):
    if body.get("site_id") == "other":
        body = {"site_id": world.other_product.site_id}
    before = snapshot(InstalledProduct)

    resp = patch(api_as("dispatcher"), f"{PRODUCTS}/{world.product.pk}", body)

    assert resp.status_code == 422, resp.content
    assert resp.json()["field"] == field
    assert snapshot(InstalledProduct) == before


def test_who_sees_which_products(world, api_as):
    make_order(world, status=Status.DISPATCHED)  # world.product → outlet A, tech_a
    InstalledProductFactory(customer=world.rival_customer, brand=world.other_brand,
                            product_model=ProductModelFactory(category=CategoryFactory(brand=world.other_brand)))

    def ids(persona):
        return listed_ids(api_as(persona), PRODUCTS)

    assert ids("dispatcher") == {world.product.pk, world.other_product.pk}
    assert ids("manager_a") == ids("tech_a") == ids("customer") == {world.product.pk}
    assert ids("manager_b") == ids("tech_a2") == set()
    assert ids("other_customer") == {world.other_product.pk}
    assert api_as("customer").get(f"{PRODUCTS}/{world.other_product.pk}").status_code == 404
    assert api_as("dispatcher").get(PRODUCTS, {"q": world.product.serial}).json()["count"] == 1
