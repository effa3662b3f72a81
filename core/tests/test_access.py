"""Every party sees only its own data (PRODUCT.md "Who uses it"; STYLE.md §5).

Walks every API operation in the OpenAPI document and every non-admin URL pattern with each
persona against objects of another party; a foreign object must be a 404 and must not change.
A route that is not listed in API_ROUTES / PAGE_ROUTES fails the coverage tests, so a new
route cannot land without saying how it is scoped.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import ApiToken
from accounts.principal import principal_of
from accounts.tests.factories import OutletFactory
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from conftest import token_client
from customers.models import Customer, InstalledProduct
from customers.tests.factories import InstalledProductFactory
from network.tests.factories import TechnicianFactory
from workorders import services
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

# Each API operation: the path parameter naming a tenant-owned object (None for collections),
# and for collections, which kind of foreign object must not appear in the result.
API_ROUTES: dict[str, tuple[str | None, str | None]] = {
    "GET /api/v1/me": (None, None),
    "GET /api/v1/tokens": (None, "token_id"),
    "POST /api/v1/tokens": (None, None),
    "DELETE /api/v1/tokens/{token_id}": ("token_id", None),
    "GET /api/v1/workorders": (None, "order_id"),
    "POST /api/v1/workorders": (None, None),
    "GET /api/v1/workorders/{order_id}": ("order_id", None),
    "PATCH /api/v1/workorders/{order_id}": ("order_id", None),
    "POST /api/v1/workorders/{order_id}/transitions": ("order_id", None),
    "GET /api/v1/workorders/{order_id}/actions": ("order_id", None),
    "GET /api/v1/workorders/{order_id}/events": ("order_id", None),
    "GET /api/v1/customers": (None, "customer_id"),
    "POST /api/v1/customers": (None, None),
    "GET /api/v1/customers/{customer_id}": ("customer_id", None),
    "PATCH /api/v1/customers/{customer_id}": ("customer_id", None),
    "GET /api/v1/customers/{customer_id}/sites": ("customer_id", None),
    "POST /api/v1/customers/{customer_id}/sites": ("customer_id", None),
    "GET /api/v1/products": (None, "product_id"),
    "POST /api/v1/products": (None, None),
    "GET /api/v1/products/{product_id}": ("product_id", None),
    "PATCH /api/v1/products/{product_id}": ("product_id", None),
    "GET /api/v1/catalog/categories": (None, "category_id"),
    "GET /api/v1/catalog/models": (None, "model_id"),
    "GET /api/v1/catalog/models/{model_id}": ("model_id", None),
    "GET /api/v1/network/outlets": (None, "outlet_id"),
    "GET /api/v1/network/outlets/{outlet_id}": ("outlet_id", None),
    "GET /api/v1/network/regions": (None, "region_id"),
    "GET /api/v1/network/skills": (None, "skill_id"),
    "GET /api/v1/network/technicians": (None, "technician_id"),
    "GET /api/v1/network/technicians/{technician_id}": ("technician_id", None),
    # Not user-scoped: no token or session, each request signed with one brand's IoT secret (X-Brand, HMAC);
    # integrations/tests/test_cross_brand.py proves a brand's secret reaches nothing of another brand.
    "POST /api/v1/iot/alerts": (None, None),
}

# Bodies that would succeed on an object the persona may see, so a 404 proves scoping.
BODIES = {
    "PATCH /api/v1/workorders/{order_id}": {"priority": "low"},
    "POST /api/v1/workorders/{order_id}/transitions": {"action": "cancel", "reason": "probe"},
    "PATCH /api/v1/customers/{customer_id}": {"name": "Probe"},
    "POST /api/v1/customers/{customer_id}/sites": {"name": "Probe", "address": "Probe road 1"},
    "PATCH /api/v1/products/{product_id}": {"status": "retired"},
}

# Non-API URL patterns (by route string) and the path parameter naming a foreign object.
PAGE_ROUTES: dict[str, str | None] = {
    "": None,
    "i18n/setlang/": None,
    "accounts/login/": None,
    "accounts/logout/": None,
    "console/": None,
    "console/orders/<int:pk>/": "order_id",
    "console/orders/<int:pk>/transition/": "order_id",
    # Not user-scoped: signed with the brand's WeChat token (integrations/tests/test_cross_brand.py).
    "wechat/<slug:brand>/callback": None,
    # The signed-in customer links to their own account; the token is signed for one brand (same tests).
    "portal/<slug:brand>/wechat/bind/<str:token>/": None,
}

PERSONAS = ["dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_a2", "tech_b",
            "customer", "other_customer", "rival_dispatcher"]


def user_of(world, persona):
    obj = getattr(world, persona)
    return getattr(obj, "user", obj) if not hasattr(obj, "username") else obj


@pytest.fixture
def scene(world):
    """World plus, for each persona, one object of each kind it must not see."""
    rival = world.other_brand
    rival_outlet = OutletFactory(brand=rival, code="rival-outlet")
    rival_category = CategoryFactory(brand=rival, code="rival-cat")
    rival_model = ProductModelFactory(category=rival_category, code="R-1")
    rival_category.authorised_outlets.add(rival_outlet)
    rival_tech = TechnicianFactory(outlet=rival_outlet, name="rival tech")
    rival_product = InstalledProductFactory(customer=world.rival_customer, brand=rival, product_model=rival_model)
    rival_order = services.create_work_order(
        actor=principal_of(world.rival_dispatcher), customer=world.rival_customer, product=rival_product,
        type="repair", channel="hotline",
    )

    order_a = make_order(world, status=Status.ACCEPTED)  # outlet A, tech_a, customer
    order_b = make_order(world, status=Status.DISPATCHED, customer=world.other_customer,
                         product=world.other_product, outlet=world.outlet_b, technician=world.tech_b)
    tokens = {p: ApiToken.issue(user=user_of(world, p), name="probe")[0] for p in PERSONAS}
    rival_token = ApiToken.issue(user=world.rival_dispatcher, name="rival")[0]
    from network.models import Region, Skill

    brand_wide = dict(
        order_id=rival_order.pk, customer_id=world.rival_customer.pk, product_id=rival_product.pk,
        model_id=rival_model.pk, category_id=rival_category.pk, outlet_id=rival_outlet.pk,
        technician_id=rival_tech.pk, token_id=rival_token.pk,
        region_id=None, skill_id=None,
    )
    acme_region, acme_skill = world.region.pk, world.skill.pk
    rival_region = Region.objects.create(brand=rival, code="rival-r", name="R", latitude=1, longitude=1).pk
    rival_skill = Skill.objects.create(brand=rival, code="rival-s", name="S").pk
    brand_wide.update(region_id=rival_region, skill_id=rival_skill)

    foreign = {
        "dispatcher": brand_wide,
        "hotline": brand_wide,
        "analyst": brand_wide,
        "manager_a": dict(brand_wide, order_id=order_b.pk, customer_id=world.other_customer.pk,
                          product_id=world.other_product.pk, outlet_id=world.outlet_b.pk,
                          technician_id=world.tech_b.pk, token_id=tokens["manager_b"].pk),
        "manager_b": dict(brand_wide, order_id=order_a.pk, customer_id=world.customer.pk,
                          product_id=world.product.pk, outlet_id=world.outlet_a.pk,
                          technician_id=world.tech_a.pk, token_id=tokens["manager_a"].pk),
        "tech_a": dict(brand_wide, order_id=order_b.pk, customer_id=world.other_customer.pk,
                       product_id=world.other_product.pk, outlet_id=world.outlet_b.pk,
                       technician_id=world.tech_a2.pk, token_id=tokens["tech_a2"].pk),
        "tech_a2": dict(brand_wide, order_id=order_a.pk, customer_id=world.customer.pk,
                        product_id=world.product.pk, outlet_id=world.outlet_b.pk,
                        technician_id=world.tech_a.pk, token_id=tokens["tech_a"].pk),
        "tech_b": dict(brand_wide, order_id=order_a.pk, customer_id=world.customer.pk,
                       product_id=world.product.pk, outlet_id=world.outlet_a.pk,
                       technician_id=world.tech_a.pk, token_id=tokens["tech_a"].pk),
        "customer": dict(brand_wide, order_id=order_b.pk, customer_id=world.other_customer.pk,
                         product_id=world.other_product.pk, outlet_id=world.outlet_a.pk,
                         technician_id=world.tech_a.pk, token_id=tokens["other_customer"].pk,
                         model_id=world.model.pk, category_id=world.category.pk,
                         region_id=acme_region, skill_id=acme_skill),
        "other_customer": dict(brand_wide, order_id=order_a.pk, customer_id=world.customer.pk,
                               product_id=world.product.pk, outlet_id=world.outlet_a.pk,
                               technician_id=world.tech_a.pk, token_id=tokens["customer"].pk,
                               model_id=world.model.pk, category_id=world.category.pk,
                               region_id=acme_region, skill_id=acme_skill),
        "rival_dispatcher": dict(order_id=order_a.pk, customer_id=world.customer.pk, product_id=world.product.pk,
                                 model_id=world.model.pk, category_id=world.category.pk,
                                 outlet_id=world.outlet_a.pk, technician_id=world.tech_a.pk,
                                 token_id=tokens["dispatcher"].pk, region_id=acme_region, skill_id=acme_skill),
    }
    return SimpleNamespace(world=world, foreign=foreign, order_a=order_a, order_b=order_b, rival_order=rival_order)


def api_operations() -> set[str]:
    from aftersales.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def page_routes() -> set[str]:
    found: set[str] = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("admin/", "api/v1/")):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.add(route)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_operation_is_covered():
    assert api_operations() == set(API_ROUTES), "add new API routes to API_ROUTES with their scoping"


def test_every_page_route_is_covered():
    assert page_routes() == set(PAGE_ROUTES), "add new pages to PAGE_ROUTES with their scoping"


def _snapshot():
    return (
        list(WorkOrder.objects.order_by("pk").values_list("pk", "version", "status", "priority")),
        list(Customer.objects.order_by("pk").values_list("pk", "name")),
        list(InstalledProduct.objects.order_by("pk").values_list("pk", "status")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    )


def _ids(payload) -> set[int]:
    items = payload["items"] if isinstance(payload, dict) and "items" in payload else payload
    return {item["id"] for item in items} if isinstance(items, list) else set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_foreign_objects_are_404_and_untouched(scene, persona):
    client = token_client(user_of(scene.world, persona))
    foreign = scene.foreign[persona]
    checked = 0
    for op, (param, _listed) in API_ROUTES.items():
        method, path = op.split(" ", 1)
        if param is None:
            continue
        url = path.replace("{" + param + "}", str(foreign[param]))
        before = _snapshot()
        body = json.dumps(BODIES.get(op, {}))
        resp = client.generic(method, url, data=body, content_type="application/json")
        assert resp.status_code == 404, f"{persona} {op} → {resp.status_code}"
        assert resp.json()["code"] == "not_found"
        assert _snapshot() == before, f"{persona} {op} changed data"
        checked += 1
    assert checked == sum(1 for p, _ in API_ROUTES.values() if p)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_never_show_foreign_objects(scene, persona):
    client = token_client(user_of(scene.world, persona))
    foreign = scene.foreign[persona]
    for op, (_param, listed) in API_ROUTES.items():
        method, path = op.split(" ", 1)
        if method != "GET" or listed is None:
            continue
        paged = path.endswith(("/workorders", "/customers", "/products"))
        resp = client.get(path, {"page_size": 100} if paged else {})
        if resp.status_code == 200:
            assert foreign[listed] not in _ids(resp.json()), f"{persona} sees foreign {listed} in {path}"
        else:
            assert resp.status_code in (403, 422), f"{persona} {path} → {resp.status_code}"


def test_lists_show_own_objects(scene):
    """The negative checks above are only meaningful if the same lists do show what is one's own."""
    w = scene.world
    expect = {
        "dispatcher": {scene.order_a.pk, scene.order_b.pk},
        "manager_a": {scene.order_a.pk},
        "manager_b": {scene.order_b.pk},
        "tech_a": {scene.order_a.pk},
        "tech_a2": set(),
        "tech_b": {scene.order_b.pk},
        "customer": {scene.order_a.pk},
        "other_customer": {scene.order_b.pk},
        "rival_dispatcher": {scene.rival_order.pk},
    }
    for persona, ids in expect.items():
        got = _ids(token_client(user_of(w, persona)).get("/api/v1/workorders").json())
        assert got == ids, persona


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_foreign_orders_are_404(scene, persona):
    client = Client()
    client.force_login(user_of(scene.world, persona))
    foreign = scene.foreign[persona]
    for route, param in PAGE_ROUTES.items():
        if param is None:
            continue
        url = "/" + route.replace("<int:pk>", str(foreign[param]))
        before = _snapshot()
        assert client.get(url).status_code in (404, 405), f"{persona} GET {url}"
        resp = client.post(url, {"action": "cancel", "reason": "probe", "version": 1})
        expected = {404} if route.endswith("transition/") else {404, 405}
        assert resp.status_code in expected, f"{persona} POST {url} → {resp.status_code}"
        assert _snapshot() == before


@pytest.mark.parametrize("persona", ["dispatcher", "manager_a", "manager_b", "tech_b", "rival_dispatcher"])
def test_console_list_never_shows_foreign_orders(scene, persona):
    client = Client()
    client.force_login(user_of(scene.world, persona))
    foreign_id = scene.foreign[persona]["order_id"]
    # Numbers are unique per brand only, so look for the foreign order's link, not its number.
    resp = client.get("/console/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/console/orders/" in html
    assert f"/console/orders/{foreign_id}/" not in html


def test_admin_is_closed_to_non_staff(scene):
    for persona in PERSONAS:
        client = Client()
        client.force_login(user_of(scene.world, persona))
        assert client.get("/admin/workorders/workorder/").status_code == 302
