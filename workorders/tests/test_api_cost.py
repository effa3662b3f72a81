"""The benchmarked endpoints stay cheap: a fixed number of statements whatever the page holds, and
the lean list path renders exactly what the model path renders (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api import wire_datetime
from customers.tests.factories import InstalledProductFactory, SiteFactory
from workorders import selectors
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/workorders"
# number + order + created event + its order.created in the outbox + that event's deliveries (customer messages)
WRITES = 1 if connection.vendor == "postgresql" else 5
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class Statements(CaptureQueriesContext):
    """The data statements a block sends (transaction control differs by database and is left out)."""

    def __init__(self) -> None:
        super().__init__(connection)

    @property
    def sql(self) -> list[str]:
        return [q["sql"] for q in self.captured_queries
                if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def api_as(api_as):
    """A token client whose token has been used once: its first use is recorded, later ones are not
    (accounts.principal.LAST_USED_GRANULARITY), and the counts below are of the usual request."""

    def make(persona: str):
        client = api_as(persona)
        assert client.get("/api/v1/accounts/me").status_code == 200
        return client

    return make


def post(client, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


def create_body(world, **over):
    return {"customer_id": world.customer.pk, "product_id": world.product.pk, "type": "repair",
            "symptom": "no water", "priority": "normal"} | over


@pytest.mark.parametrize("orders", [1, 12])
def test_list_is_three_statements_whatever_the_page_holds(world, api_as, orders, django_assert_max_num_queries):
    for _ in range(orders):
        make_order(world, status=Status.ASSIGNED)
    client = api_as("dispatcher")

    with Statements() as statements, django_assert_max_num_queries(5):
        resp = client.get(URL, {"status": "assigned", "page_size": 10})

    assert resp.status_code == 200 and len(resp.json()["items"]) == min(orders, 10)
    assert len(statements.sql) == 3, statements.sql  # token + principal, capped count, page


def test_detail_is_two_statements(world, api_as, django_assert_max_num_queries):
    order = make_order(world, status=Status.DISPATCHED)
    client = api_as("dispatcher")

    with Statements() as statements, django_assert_max_num_queries(2):
        resp = client.get(f"{URL}/{order.pk}")

    assert resp.status_code == 200 and resp.json()["customer"]["name"] == world.customer.name
    assert len(statements.sql) == 2, statements.sql  # token + principal, order + customer


@pytest.mark.parametrize("site", ["omitted", "the_products"])
def test_create_is_three_statements_on_postgresql_seven_on_sqlite(world, api_as, site, django_assert_max_num_queries):
    make_order(world)  # the month's number counter exists from the first order on, and the SLA policies are read
    body = create_body(world, **({"site_id": world.product.site_id} if site == "the_products" else {}))
    client = api_as("hotline")

    with Statements() as statements, django_assert_max_num_queries(9):
        resp = post(client, body)

    assert resp.status_code == 201, resp.content
    assert resp.json()["site_id"] == world.product.site_id
    # token + principal, product with its customer and site, then number + order + created event + outbox
    # event and its deliveries: one statement on PostgreSQL, five on SQLite; the SLA policies come from the
    # process's copy (workorders/sla.py)
    assert len(statements.sql) == 1 + 1 + WRITES, statements.sql


def test_create_with_another_site_of_the_customer_looks_it_up(world, api_as):
    make_order(world)
    other_site = SiteFactory(customer=world.customer)
    client = api_as("hotline")

    with Statements() as statements:
        resp = post(client, create_body(world, site_id=other_site.pk))

    assert resp.status_code == 201 and resp.json()["site_id"] == other_site.pk
    # the one-statement lookup finds the product at another site: customer, product and site one by one
    assert len(statements.sql) == 1 + 1 + 3 + WRITES


@pytest.mark.parametrize("whose", ["other_customer", "rival"])
def test_create_refuses_a_site_that_is_not_the_customers(world, api_as, whose):
    if whose == "other_customer":
        site_id, field = world.other_product.site_id, "site"  # visible, but another customer's
    else:
        site_id, field = SiteFactory(customer=world.rival_customer).pk, "site_id"  # not visible at all

    resp = post(api_as("dispatcher"), create_body(world, site_id=site_id))

    assert resp.status_code == 422 and resp.json()["field"] == field
    assert WorkOrder.objects.count() == 0


def test_create_with_another_customers_product_and_its_site_is_refused(world, api_as):
    resp = post(api_as("dispatcher"), create_body(
        world, product_id=world.other_product.pk, site_id=world.other_product.site_id))
    assert resp.status_code == 422 and resp.json()["field"] == "site"
    assert WorkOrder.objects.count() == 0


def test_list_items_render_as_the_detail_does(world, api_as):
    """The list reads values() rows, the detail a model instance: a client must not see a difference."""
    make_order(world, status=Status.ASSIGNED, slot_start=timezone.now() + dt.timedelta(days=1),
               slot_end=timezone.now() + dt.timedelta(days=1, hours=2))
    make_order(world, status=Status.ON_SITE)
    make_order(world, status=Status.CLOSED)
    second_product = InstalledProductFactory(customer=world.other_customer, brand=world.brand)
    make_order(world, customer=world.other_customer, product=second_product)
    client = api_as("dispatcher")

    items = client.get(URL).json()["items"]

    assert len(items) == 4
    for item in items:
        detail = client.get(f"{URL}/{item['id']}").json()
        for detail_only in ("allowed_actions", "rework_ids", "may_rework"):  # the caller's, or one more read
            detail.pop(detail_only)
        assert item == detail


def test_list_order_and_page_match_the_console_path(world, api_as):
    for status in (Status.NEW, Status.ASSIGNED, Status.NEW, Status.CLOSED, Status.NEW):
        make_order(world, status=status)
    qs = selectors.list_work_orders(world.dispatcher, selectors.OrderFilters())
    client = api_as("dispatcher")

    for page in (1, 2, 3):
        expected, total, capped = selectors.page_of(qs, page, 2)
        body = client.get(URL, {"page": page, "page_size": 2}).json()
        assert [i["id"] for i in body["items"]] == [o.pk for o in expected]
        assert (body["count"], body["count_capped"]) == (total, capped) == (5, False)


def test_list_sla_state_and_timestamps_keep_their_wire_format(world, api_as):
    late = make_order(world, status=Status.ASSIGNED)
    WorkOrder.objects.filter(pk=late.pk).update(onsite_due=timezone.now() - dt.timedelta(minutes=5))
    soon = make_order(world, status=Status.ASSIGNED)
    WorkOrder.objects.filter(pk=soon.pk).update(onsite_due=timezone.now() + dt.timedelta(minutes=30))
    done = make_order(world, status=Status.CLOSED)

    items = {i["id"]: i for i in api_as("dispatcher").get(URL).json()["items"]}

    assert {pk: items[pk]["sla_state"] for pk in (late.pk, soon.pk, done.pk)} == {
        late.pk: "breached", soon.pk: "at_risk", done.pk: ""}
    for order in WorkOrder.objects.filter(pk__in=items):
        assert items[order.pk]["sla_state"] == order.sla_state
        # What every other route renders with (core.api.WireRenderer): milliseconds and "Z".
        assert items[order.pk]["created_at"] == wire_datetime(order.created_at)
        assert items[order.pk]["onsite_due"] == wire_datetime(order.onsite_due)


def test_create_response_and_its_idempotent_replay_are_identical(world, api_as):
    client = api_as("dispatcher")
    first = post(client, create_body(world), **{"Idempotency-Key": "same"})
    again = post(client, create_body(world), **{"Idempotency-Key": "same"})

    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert first["Content-Type"] == "application/json; charset=utf-8"
    detail = client.get(f"{URL}/{first.json()['id']}").json()
    assert first.json() == detail


def test_sla_filters_pick_open_orders_not_yet_reached(world, api_as):
    now = timezone.now()
    due = {"late": now - dt.timedelta(minutes=5), "soon": now + dt.timedelta(minutes=30),
           "later": now + dt.timedelta(hours=5), "no_deadline": None, "arrived_late": now - dt.timedelta(hours=1),
           "closed_late": now - dt.timedelta(hours=1)}
    orders = {}
    for name, onsite_due in due.items():
        status = Status.ON_SITE if name == "arrived_late" else Status.CLOSED if name == "closed_late" else Status.NEW
        orders[name] = make_order(world, status=status)
        WorkOrder.objects.filter(pk=orders[name].pk).update(onsite_due=onsite_due)
    client = api_as("dispatcher")

    def listed(sla):
        return {i["id"] for i in client.get(URL, {"sla": sla}).json()["items"]}

    assert listed("breached") == {orders["late"].pk}
    assert listed("at_risk") == {orders["soon"].pk}
    assert listed("ok") == {orders["later"].pk, orders["no_deadline"].pk}


def test_sla_filter_can_use_the_open_orders_index(world):
    """The open statuses are written into the SQL, so SQLite can match the partial index's condition."""
    qs = selectors.list_work_orders(world.dispatcher, selectors.OrderFilters(sla="breached"))
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    assert "IN ('accepted', 'assigned', 'dispatched', 'en_route', 'new', 'on_hold', 'on_site')" in sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "wo_open_" in plan, plan
