"""Orders found by the customer's name (full or part) and by part of the site's address, on an index.

Runs on SQLite (FTS5 trigram tables kept by triggers) and PostgreSQL (pg_trgm GIN indexes) alike.
"""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.principal import principal_of
from customers import services as customer_services
from customers.models import Customer, Site
from customers.search import customers_named, pg_address_q, pg_name_q, sites_at
from customers.tests.factories import CustomerFactory, SiteFactory
from workorders import workflow
from workorders.selectors import OrderFilters, find_callers, list_work_orders
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/workorders"


@pytest.fixture
def people(world):
    """张晓雯 at 文三路 (two orders), 李晓雯 at 文一路 (one), and a rival brand's 张晓雯 at 文三路."""
    zhang = CustomerFactory(brand=world.brand, name="张晓雯", phone="+8613800138000")
    zhang_home = SiteFactory(customer=zhang, address="杭州市西湖区文三路 90 号 3 幢")
    li = CustomerFactory(brand=world.brand, name="李晓雯", phone="+8613800138001")
    li_home = SiteFactory(customer=li, address="杭州市西湖区文一路 8 号")
    rival = CustomerFactory(brand=world.other_brand, name="张晓雯", phone="+8613800138000")
    SiteFactory(customer=rival, address="杭州市西湖区文三路 1 号")
    orders = {
        "zhang": [make_order(world, customer=zhang, product=None, site=zhang_home) for _ in range(2)],
        "li": [make_order(world, customer=li, product=None, site=li_home)],
    }
    return {"zhang": zhang, "li": li, "orders": orders}


def found(user, q: str) -> set[int]:
    return set(list_work_orders(user, OrderFilters(q=q)).values_list("pk", flat=True))


def ids(orders) -> set[int]:
    return {o.pk for o in orders}


def test_the_full_name_and_part_of_it_find_the_customers_orders(world, people):
    zhang, li = ids(people["orders"]["zhang"]), ids(people["orders"]["li"])
    assert found(world.dispatcher, "张晓雯") == zhang
    assert found(world.dispatcher, "晓雯") == zhang | li  # a two-character given name: the names' ends
    assert found(world.dispatcher, "李晓") == li  # and their starts


def test_part_of_the_address_finds_the_orders_at_that_site(world, people):
    assert found(world.dispatcher, "文三路") == ids(people["orders"]["zhang"])
    assert found(world.dispatcher, "文三路 90") == ids(people["orders"]["zhang"])
    assert found(world.dispatcher, "西湖区文") == ids(people["orders"]["zhang"]) | ids(people["orders"]["li"])


def test_too_short_or_wild_text_finds_nothing_and_breaks_nothing(world, people):
    for q in ("晓", "文三", "%", "__", '"', "张晓雯\" OR \"x", "*", "NEAR(a b)", "\\"):
        assert found(world.dispatcher, q) == set(), q


def test_the_search_stays_in_the_callers_scope(world, people, api_as):
    # Another brand's 张晓雯 is not found; an outlet sees only the orders it was given.
    assert api_as("dispatcher").get(URL, {"q": "张晓雯"}).json()["count"] == 2
    assert api_as("manager_b").get(URL, {"q": "张晓雯"}).json()["count"] == 0
    first = people["orders"]["zhang"][0]
    workflow.transition(first, "assign", actor=principal_of(world.dispatcher), outlet=world.outlet_b)
    assert {o["id"] for o in api_as("manager_b").get(URL, {"q": "文三路"}).json()["items"]} == {first.pk}


def test_the_index_follows_renames_moves_and_deletions(world, people):
    zhang = people["zhang"]
    customer_services.update_customer(actor=principal_of(world.hotline), customer=zhang,
                                      changes={"name": "张晓文"})
    assert found(world.dispatcher, "张晓雯") == set()
    assert found(world.dispatcher, "张晓文") == ids(people["orders"]["zhang"])
    site = zhang.sites.get()
    customer_services.update_site(actor=principal_of(world.hotline), site=site,
                                  changes={"address": "杭州市滨江区江南大道 100 号"})
    assert found(world.dispatcher, "文三路") == set()
    assert found(world.dispatcher, "江南大道") == ids(people["orders"]["zhang"])
    spare = SiteFactory(customer=people["li"], address="宁波市鄞州区天童南路 1 号")
    assert list(sites_at(Site.objects.all(), world.brand.pk, "天童南路").values_list("pk", flat=True)) == [spare.pk]
    spare.delete()
    assert list(sites_at(Site.objects.all(), world.brand.pk, "天童南路")) == []
    lone = CustomerFactory(brand=world.brand, name="欧阳娜娜")
    assert list(customers_named(Customer.objects.all(), world.brand.pk, "娜娜")) == [lone]
    lone.delete()
    assert list(customers_named(Customer.objects.all(), world.brand.pk, "娜娜")) == []


def test_the_hotline_finds_the_caller_by_given_name_or_address_with_the_exact_name_first(world, people):
    exact = CustomerFactory(brand=world.brand, name="晓雯", phone="+8613800138009")
    names = [c.name for c in find_callers(world.hotline, "晓雯")]
    assert names[0] == "晓雯" and set(names) == {"晓雯", "张晓雯", "李晓雯"}
    assert [c.pk for c in find_callers(world.hotline, "文三路 90")] == [people["zhang"].pk]
    assert exact.pk not in [c.pk for c in find_callers(world.hotline, "文三路")]


def test_the_search_reads_the_trigram_index(world, people):
    """The plan names the index: FTS5's virtual table on SQLite, the GIN trigram index on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Whether the planner prefers it to the brand's index depends on the table's size (bench/search.py
            # measures that at scale); here: the conditions customers.search writes can be answered by it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            queries = {"customer_name_trgm": [Customer.objects.filter(pg_name_q(q)) for q in ("张晓雯", "晓雯")],
                       "site_address_trgm": [Site.objects.filter(pg_address_q("文三路"))]}
            for index, querysets in queries.items():
                for qs in querysets:
                    sql, params = qs.order_by().values("pk").query.sql_with_params()
                    cursor.execute(f"EXPLAIN {sql}", params)
                    plan = " ".join(row[0] for row in cursor.fetchall())
                    assert f"Bitmap Index Scan on {index}" in plan, plan
        else:
            for table, qs in (("customers_name_fts", customers_named(Customer.objects.all(), world.brand.pk, "晓雯")),
                              ("customers_site_fts", sites_at(Site.objects.all(), world.brand.pk, "文三路"))):
                sql, params = qs.values("pk").query.sql_with_params()
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert f"{table} VIRTUAL TABLE INDEX" in plan, plan
