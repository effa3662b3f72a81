"""Queries compiled once (core/prepared.py) give exactly the ORM's rows, for every persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.principal import principal_of
from core.prepared import PreparedQuery, hot_cursor, instance_from_row
from customers.models import Customer, InstalledProduct
from customers.selectors import customers_product
from customers.tests.factories import InstalledProductFactory, SiteFactory
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_b",
            "customer", "other_customer", "rival_dispatcher")


def user_of(world, persona):
    found = getattr(world, persona)
    return getattr(found, "user", found)


def orm_customers_product(user, product_id, customer_id):
    """The same lookup through visible_to, built and compiled by the ORM as usual."""
    product = (
        InstalledProduct.objects.visible_to(user)
        .filter(pk=product_id, customer_id=customer_id, customer__in=Customer.objects.visible_to(user))
        .select_related("customer", "site")
        .first()
    )
    if product is None:
        return None
    site = product.site
    return (
        (product.customer.pk, product.customer.brand_id, product.customer.name, product.customer.phone,
         product.customer.segment),
        (product.pk, product.brand_id, product.customer_id, product.site_id),
        None if site is None else (site.pk, site.customer_id, site.region_id),
    )


def prepared_view(found):
    if found is None:
        return None
    customer, product, site = found
    return (
        (customer.pk, customer.brand_id, customer.name, customer.phone, customer.segment),
        (product.pk, product.brand_id, product.customer_id, product.site_id),
        None if site is None else (site.pk, site.customer_id, site.region_id),
    )


def test_the_prepared_product_lookup_sees_what_visible_to_sees_for_every_persona(world):
    # Given products of two customers (one at a site with a region, one without a site), another
    # brand's product, and orders that give outlet A and technician A one customer's product
    world.product.site = SiteFactory(customer=world.customer, region=world.region)
    world.product.save()
    siteless = InstalledProductFactory(customer=world.customer, brand=world.brand, product_model=world.model,
                                       site=None)
    rival = InstalledProductFactory(customer=world.rival_customer, brand=world.other_brand,
                                    product_model=world.model)
    make_order(world, status=Status.DISPATCHED)  # outlet A, technician A, world.customer's product
    pairs = [(p.pk, p.customer_id) for p in (world.product, siteless, world.other_product, rival)]
    pairs += [(world.product.pk, world.other_customer.pk), (world.other_product.pk, world.customer.pk),
              (10**9, world.customer.pk)]

    # When every persona asks for every pair, then the prepared lookup and the ORM agree, found or not
    seen = {}
    for persona in PERSONAS:
        user = user_of(world, persona)
        for product_id, customer_id in pairs:
            expected = orm_customers_product(user, product_id, customer_id)
            got = prepared_view(customers_product(user, product_id=product_id, customer_id=customer_id))
            assert got == expected, (persona, product_id, customer_id)
            if got is not None:
                seen.setdefault(persona, set()).add(product_id)

    # and the scoping really differs by persona (a check that could not fail would prove nothing)
    ours = {world.product.pk, siteless.pk, world.other_product.pk}
    assert seen["dispatcher"] == seen["hotline"] == ours
    assert seen["rival_dispatcher"] == {rival.pk}
    assert seen["manager_a"] == seen["tech_a"] == {world.product.pk}
    assert "manager_b" not in seen and "tech_b" not in seen
    assert seen["customer"] == {world.product.pk, siteless.pk} and seen["other_customer"] == {world.other_product.pk}


def test_the_lookup_is_one_statement_and_the_instances_load_the_rest_when_read(world):
    principal_of(world.dispatcher)  # as in a request, where authentication has resolved it
    with CaptureQueriesContext(connection) as ctx:
        customer, product, site = customers_product(world.dispatcher, product_id=world.product.pk,
                                                    customer_id=world.customer.pk)
    assert len(ctx.captured_queries) == 1
    assert (customer.name, customer.segment, product.site_id) == (world.customer.name, world.customer.segment,
                                                                   world.product.site_id)
    assert product.customer is customer and product.site is site
    # a field the statement did not read is fetched on first use, as with .only()
    assert product.serial == world.product.serial and customer.email == world.customer.email


@pytest.mark.parametrize("product_id", [2**63, -(2**63) - 1, 10**30])
def test_an_id_no_row_can_have_is_not_found_without_asking_the_database(world, product_id):
    principal_of(world.dispatcher)
    with CaptureQueriesContext(connection) as ctx:
        assert customers_product(world.dispatcher, product_id=product_id, customer_id=world.customer.pk) is None
    assert ctx.captured_queries == []


def test_a_user_without_a_seat_sees_nothing(world):
    from accounts.models import Membership, User

    Membership.objects.filter(user=world.dispatcher).update(is_active=False)
    user = User.objects.get(pk=world.dispatcher.pk)
    assert customers_product(user, product_id=world.product.pk, customer_id=world.customer.pk) is None


def test_a_value_written_into_the_sql_is_refused_not_run_with_the_stand_in(world):
    # .extra() pastes the value into the SQL text: the stand-in would then be what runs
    query = PreparedQuery(lambda pk: Customer.objects.extra(where=[f"id = {pk}"]).values_list("pk"))
    with pytest.raises(ValueError, match="written into the SQL"):
        query.rows("x", pk=world.customer.pk)


def test_an_empty_scope_compiles_to_no_statement(world):
    query = PreparedQuery(lambda pk: Customer.objects.none().filter(pk=pk).values_list("pk"))
    with CaptureQueriesContext(connection) as ctx:
        assert query.rows("none", pk=world.customer.pk) == []
    assert ctx.captured_queries == []


def test_a_shape_with_a_missing_value_is_compiled_apart(world):
    # None is "IS NULL" in SQL, not a parameter: the shapes must not share a statement
    query = PreparedQuery(lambda site: InstalledProduct.objects.filter(site_id=site).values_list("pk"))
    siteless = InstalledProductFactory(customer=world.customer, brand=world.brand, product_model=world.model,
                                       site=None)
    assert query.rows("with site", site=world.product.site_id) == [(world.product.pk,)]
    assert query.rows("without", site=None) == [(siteless.pk,)]


def test_a_row_becomes_the_instance_the_orm_would_build(world):
    from accounts.models import User

    columns = ", ".join(connection.ops.quote_name(f.column) for f in User._meta.concrete_fields)
    with hot_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {User._meta.db_table} WHERE id = %s", [world.dispatcher.pk])
        user = instance_from_row(User, cursor.fetchone())
    orm = User.objects.get(pk=world.dispatcher.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(user, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert principal_of(user) is not None and not user._state.adding


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_hot_statements_are_prepared_on_postgresql_and_others_are_not(world):
    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    with hot_cursor() as cursor:
        cursor.execute("SELECT %s::int + 41 AS hot_probe", [1])
        assert cursor.fetchone() == (42,)
    with connection.cursor() as cursor:
        for _ in range(10):
            cursor.execute("SELECT 1 AS cold_probe")

    statements = prepared()
    assert any("hot_probe" in s for s in statements)
    assert not any("cold_probe" in s for s in statements)
