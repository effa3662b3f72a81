"""customers.services and the rules under them: phone normalisation, serials, warranty dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.principal import principal_of
from catalog.models import ProductModel
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from core.dates import add_months
from core.errors import InvalidInput, PermissionDenied
from core.phones import normalize_phone, try_normalize_phone
from customers import services
from customers.models import Customer, InstalledProduct, Site
from customers.tests.factories import CustomerFactory, InstalledProductFactory, SiteFactory
from pricing import warranty

# --- phone numbers (no database) -------------------------------------------------------------------

mobile_digits = st.builds(lambda third, rest: f"13{third}{rest}", st.sampled_from("0123456789"),
                          st.text(alphabet="0123456789", min_size=8, max_size=8))
separator = st.sampled_from(["", " ", "-", "  ", " - "])


@st.composite
def formatted_mobile(draw) -> tuple[str, str]:
    """A valid mainland mobile number and one way a person might type it."""
    digits = draw(mobile_digits)
    groups = [digits[:3], digits[3:7], digits[7:]]
    prefix = draw(st.sampled_from(["", "+86 ", "+86", "0086 ", "(+86) ", "+86-"]))
    text = prefix + draw(separator).join(groups)
    return digits, draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " ", "\t"]))


@given(formatted_mobile())
def test_any_way_of_typing_a_mobile_gives_the_same_e164(case):
    digits, typed = case
    assert normalize_phone(typed) == f"+86{digits}"


@given(st.text(max_size=40))
@example("139 0000 0001")
@example("+86 139-0000-0001")
@example("0571-8765 4321")
@example("+1 650 253 0000")
def test_normalisation_is_idempotent_or_refuses(text):
    try:
        once = normalize_phone(text)
    except ValidationError as exc:
        assert exc.code == "invalid_phone"
        assert try_normalize_phone(text) is None
        return
    assert once.startswith("+") and once[1:].isdigit() and len(once) <= 16
    assert normalize_phone(once) == once
    assert try_normalize_phone(text) == once


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("0571 8765 4321", "+8657187654321"), ("010-6552 9988", "+861065529988"), ("+1 650-253-0000", "+16502530000"),
     ("+852 9123 4567", "+85291234567")],
)
def test_landlines_and_foreign_numbers_keep_their_country(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "   ", None, "12345", "139000000011", "+86 100 0000 0000", "1" * 33, "phone"])
def test_what_is_not_a_phone_number_is_refused(raw):
    with pytest.raises(ValidationError) as err:
        normalize_phone(raw)
    assert err.value.code == "invalid_phone"


# --- warranty dates (no database) ------------------------------------------------------------------


def warranty_end(*, months: int, install: dt.date | None = None, purchase: dt.date | None = None):
    product = InstalledProduct(product_model=ProductModel(warranty_months=months), install_date=install,
                               purchase_date=purchase)
    return product.compute_warranty_end()


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2025, 8, 31), 1, dt.date(2025, 9, 30)),
        (dt.date(2025, 12, 31), 1, dt.date(2026, 1, 31)),
        (dt.date(2025, 11, 15), 14, dt.date(2027, 1, 15)),
        (dt.date(2025, 3, 31), 11, dt.date(2026, 2, 28)),
        (dt.date(2025, 6, 1), 0, dt.date(2025, 6, 1)),
        (dt.date(2025, 6, 1), 240, dt.date(2045, 6, 1)),
    ],
)
def test_warranty_end_is_calendar_months_from_the_start(start, months, end):
    assert warranty_end(months=months, install=start) == end


def test_warranty_runs_from_installation_when_known_else_from_purchase():
    purchase, install = dt.date(2025, 1, 10), dt.date(2025, 2, 20)
    assert warranty_end(months=12, purchase=purchase, install=install) == dt.date(2026, 2, 20)
    assert warranty_end(months=12, purchase=purchase) == dt.date(2026, 1, 10)
    assert warranty_end(months=12) is None


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
months = st.integers(min_value=0, max_value=240)


@given(dates, months)
def test_warranty_end_is_never_before_the_start_and_lands_in_the_right_month(start, n):
    end = warranty_end(months=n, install=start)
    assert end >= start
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == n
    # The day is kept unless that month is shorter, then it is the month's last day.
    assert end.day == start.day or (end.day < start.day and (end + dt.timedelta(days=1)).day == 1)


@given(dates, months, months)
def test_warranty_end_is_monotone_in_warranty_months(start, a, b):
    shorter, longer = sorted((a, b))
    assert warranty_end(months=shorter, install=start) <= warranty_end(months=longer, install=start)


@given(dates, dates, months)
def test_a_later_start_never_ends_the_warranty_earlier(first, second, n):
    early, late = sorted((first, second))
    assert add_months(early, n) <= add_months(late, n)


# --- services (database) ---------------------------------------------------------------------------


def actor(user):
    return principal_of(user)


def count_rows() -> tuple[int, int, int]:
    return Customer.objects.count(), Site.objects.count(), InstalledProduct.objects.count()


@pytest.mark.django_db
def test_create_customer_normalises_and_scopes_to_the_actors_brand(world):
    customer = services.create_customer(actor=actor(world.hotline), name=" 周先生 ", phone="139-1234-5678",
                                        kind="enterprise", segment="premium", tags=["a", " a", "b"])

    customer.refresh_from_db()
    assert (customer.brand_id, customer.name, customer.phone, customer.kind, customer.segment, customer.tags) == (
        world.brand.pk, "周先生", "+8613912345678", "enterprise", "premium", ["a", "b"])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["analyst", "manager_a"])
def test_create_customer_refuses_other_roles_and_writes_nothing(world, persona):
    before = count_rows()
    with pytest.raises(PermissionDenied):
        services.create_customer(actor=actor(getattr(world, persona)), name="x", phone="13912345678")
    assert count_rows() == before


@pytest.mark.django_db
def test_create_customer_refuses_technicians_and_customers(world):
    for user in (world.tech_a.user, world.customer.user):
        with pytest.raises(PermissionDenied):
            services.create_customer(actor=actor(user), name="x", phone="13912345678")


@pytest.mark.django_db
def test_update_customer_refuses_a_null_for_a_not_null_column_and_leaves_the_object_alone(world):
    with pytest.raises(InvalidInput) as err:
        services.update_customer(actor=actor(world.dispatcher), customer=world.customer,
                                 changes={"name": "Changed", "tags": None})
    assert err.value.field == "tags"
    assert world.customer.name == "customer"
    world.customer.refresh_from_db()
    assert (world.customer.name, world.customer.tags) == ("customer", [])


@pytest.mark.django_db
def test_create_site_rounds_coordinates_to_the_column(world):
    site = services.create_site(actor=actor(world.dispatcher), customer=world.customer, name="Office",
                                address="文三路 90 号", latitude=30.123456789, longitude=120.1, contact_phone="")
    site.refresh_from_db()
    assert (str(site.latitude), str(site.longitude)) == ("30.123457", "120.100000")


@pytest.mark.django_db
def test_create_site_refuses_a_region_of_another_brand(world):
    from network.tests.factories import RegionFactory

    before = count_rows()
    with pytest.raises(InvalidInput) as err:
        services.create_site(actor=actor(world.dispatcher), customer=world.customer, name="x", address="y",
                             region=RegionFactory(brand=world.other_brand))
    assert err.value.field == "region"
    assert count_rows() == before


def register(world, **fields) -> InstalledProduct:
    fields = {"serial": "SN-S-1", "product_model": world.model, "site": None, "purchase_date": None,
              "install_date": None} | fields
    return services.register_product(actor=actor(world.dispatcher), customer=world.customer, **fields)


@pytest.mark.django_db
def test_register_product_derives_warranty_and_takes_the_customers_brand(world):
    product = register(world, purchase_date=dt.date(2024, 1, 31), install_date=dt.date(2024, 1, 31))
    product.refresh_from_db()
    assert (product.brand_id, product.warranty_end) == (world.brand.pk, dt.date(2025, 1, 31))
    # The verdict every surface shows (pricing.warranty) agrees with the stored catalogue term when no rule differs.
    assert warranty.verdict(product=product, on=dt.date(2025, 1, 31)).covered
    assert not warranty.verdict(product=product, on=dt.date(2025, 2, 1)).covered


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_serial_is_refused_and_the_transaction_stays_usable(world):
    register(world)
    before = count_rows()

    with transaction.atomic():  # as a request would be, so PostgreSQL must roll back only the savepoint
        with pytest.raises(services.DuplicateSerial) as err:
            register(world)
        assert (err.value.code, err.value.status, err.value.field) == ("duplicate_serial", 409, "serial")
        register(world, serial="SN-S-2")

    assert count_rows() == (before[0], before[1], before[2] + 1)


@pytest.mark.django_db
def test_the_same_serial_is_allowed_under_another_brand_but_not_twice_in_one(world):
    rival_model = ProductModelFactory(category=CategoryFactory(brand=world.other_brand))
    rival = services.register_product(actor=actor(world.rival_dispatcher), customer=world.rival_customer,
                                      serial=world.product.serial, product_model=rival_model)
    assert (rival.brand_id, rival.serial) == (world.other_brand.pk, world.product.serial)

    # The database holds the rule too, for writers that skip the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        InstalledProductFactory(customer=world.other_customer, brand=world.brand, product_model=world.model,
                                serial=world.product.serial)


@pytest.mark.django_db
def test_install_before_purchase_is_refused_with_the_field(world):
    before = count_rows()
    with pytest.raises(InvalidInput) as err:
        register(world, purchase_date=dt.date(2025, 5, 2), install_date=dt.date(2025, 5, 1))
    assert (err.value.status, err.value.field) == (422, "install_date")
    assert count_rows() == before
    # Installed the day it was bought is fine.
    assert register(world, purchase_date=dt.date(2025, 5, 2), install_date=dt.date(2025, 5, 2)).pk


@pytest.mark.django_db
def test_the_database_refuses_install_before_purchase_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        InstalledProduct.objects.filter(pk=world.product.pk).update(
            purchase_date=dt.date(2025, 5, 2), install_date=dt.date(2025, 5, 1))


@pytest.mark.django_db
def test_a_product_at_another_customers_site_is_refused(world):
    before = count_rows()
    with pytest.raises(InvalidInput) as err:
        register(world, site=world.other_product.site)
    assert (err.value.status, err.value.field) == (422, "site")
    assert count_rows() == before


@pytest.mark.django_db
def test_a_model_of_another_brand_is_refused(world):
    rival_model = ProductModelFactory(category=CategoryFactory(brand=world.other_brand))
    with pytest.raises(InvalidInput) as err:
        register(world, product_model=rival_model)
    assert err.value.field == "product_model"
    assert not InstalledProduct.objects.filter(serial="SN-S-1").exists()


@pytest.mark.django_db
def test_update_product_recomputes_warranty_and_refuses_a_taken_serial(world):
    product = services.update_product(actor=actor(world.dispatcher), product=world.product,
                                      changes={"purchase_date": dt.date(2025, 1, 31), "install_date": None})
    product.refresh_from_db()
    assert product.warranty_end == dt.date(2026, 1, 31)

    with pytest.raises(services.DuplicateSerial):
        services.update_product(actor=actor(world.dispatcher), product=product,
                                changes={"serial": world.other_product.serial})
    assert InstalledProduct.objects.get(pk=product.pk).serial == "SN-A-0001"


@pytest.mark.django_db
def test_a_partial_save_still_recomputes_warranty(world):
    model = ProductModelFactory(category=world.category, warranty_months=24)
    product = InstalledProductFactory(customer=world.customer, product_model=model,
                                      purchase_date=dt.date(2025, 1, 1), install_date=dt.date(2025, 1, 1))
    product.install_date = dt.date(2025, 3, 31)
    product.save(update_fields=["install_date"])

    assert InstalledProduct.objects.get(pk=product.pk).warranty_end == dt.date(2027, 3, 31)


@pytest.mark.django_db
def test_product_services_refuse_roles_that_may_not_edit(world):
    before = count_rows()
    for user in (world.analyst, world.manager_a, world.tech_a.user, world.customer.user):
        with pytest.raises(PermissionDenied):
            services.register_product(actor=actor(user), customer=world.customer, serial="X", product_model=world.model)
        with pytest.raises(PermissionDenied):
            services.update_product(actor=actor(user), product=world.product, changes={"status": "retired"})
        with pytest.raises(PermissionDenied):
            services.create_site(actor=actor(user), customer=world.customer, name="x", address="y")
    assert count_rows() == before
    assert InstalledProduct.objects.get(pk=world.product.pk).status == "active"


@pytest.mark.django_db
def test_factories_make_consistent_records():
    # The factories the rest of the suite leans on build a product whose site, customer and brand agree.
    product = InstalledProductFactory()
    assert product.site.customer_id == product.customer_id
    assert product.brand_id == product.customer.brand_id == product.product_model.category.brand_id
    assert product.warranty_end == add_months(product.install_date, product.product_model.warranty_months)
    assert SiteFactory().customer.brand_id and CustomerFactory().phone.startswith("+86139")
