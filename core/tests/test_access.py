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
from customers.models import Customer, InstalledProduct, Site
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
    "PATCH /api/v1/sites/{site_id}": ("site_id", None),
    "POST /api/v1/sites/{site_id}/pin": ("site_id", None),
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
    "GET /api/v1/products/{product_id}/intake": ("product_id", None),
    "POST /api/v1/requests": (None, None),  # ids in the body: workorders/tests/test_intake_api.py probes them
    # Dispatch: an order's candidates and assignment name it; a plan names its outlet or region and its orders
    # in the body (dispatch/tests/test_api.py probes foreign regions, outlets and orders: 404 / 422, untouched).
    "GET /api/v1/dispatch/orders/{order_id}/candidates": ("order_id", None),
    "POST /api/v1/dispatch/orders/{order_id}/assign": ("order_id", None),
    "POST /api/v1/dispatch/plans/preview": (None, None),
    "POST /api/v1/dispatch/plans/apply": (None, None),
    "GET /api/v1/workorders/{order_id}/attachments": ("order_id", None),
    "POST /api/v1/workorders/{order_id}/attachments": ("order_id", None),
    "GET /api/v1/attachments/{attachment_id}": ("attachment_id", None),
    # Parts and stock (parts/tests/factories.access_probes makes the foreign warehouses, requests and parts owed;
    # parts/tests/test_api.py probes every party against every other's store, van and central warehouse).
    "GET /api/v1/parts/warehouses": (None, "warehouse_id"),
    "GET /api/v1/parts/warehouses/{warehouse_id}": ("warehouse_id", None),
    "GET /api/v1/parts/warehouses/{warehouse_id}/stock": ("warehouse_id", None),
    "GET /api/v1/parts/warehouses/{warehouse_id}/moves": ("warehouse_id", None),
    "POST /api/v1/parts/warehouses/{warehouse_id}/receipts": ("warehouse_id", None),
    "POST /api/v1/parts/warehouses/{warehouse_id}/transfers": ("warehouse_id", None),
    "POST /api/v1/parts/warehouses/{warehouse_id}/adjustments": ("warehouse_id", None),
    "GET /api/v1/parts/requests": (None, "request_id"),
    "GET /api/v1/parts/requests/{request_id}": ("request_id", None),
    "POST /api/v1/parts/requests/{request_id}/transfer": ("request_id", None),
    "POST /api/v1/parts/requests/{request_id}/refuse": ("request_id", None),
    "POST /api/v1/parts/requests/{request_id}/cancel": ("request_id", None),
    "POST /api/v1/workorders/{order_id}/part-requests": ("order_id", None),
    "POST /api/v1/workorders/{order_id}/consumptions": ("order_id", None),
    "GET /api/v1/workorders/{order_id}/consumptions": ("order_id", None),
    "GET /api/v1/parts/defective": (None, "defective_id"),
    "POST /api/v1/parts/defective/{defective_id}/receive": ("defective_id", None),
    # Sales on site (revenue/tests/factories.access_probes: leads of each queue and commissions of each party).
    "GET /api/v1/lead-kinds": (None, None),
    "POST /api/v1/workorders/{order_id}/leads": ("order_id", None),
    "GET /api/v1/leads": (None, "lead_id"),
    "GET /api/v1/leads/{lead_id}": ("lead_id", None),
    "POST /api/v1/leads/{lead_id}/transitions": ("lead_id", None),
    "GET /api/v1/commissions": (None, "commission_id"),
    # The technician app: only the job's own technician sees it (field/tests/test_api.py probes every party).
    "GET /api/v1/field/jobs": (None, "order_id"),
    "GET /api/v1/field/jobs/{order_id}": ("order_id", None),
    **{f"POST /api/v1/field/jobs/{{order_id}}/{action}": ("order_id", None)
       for action in ("accept", "decline", "depart", "arrive", "hold", "resume", "checklist", "photos", "diagnosis",
                      "parts", "payment", "signature", "complete")},
}

# Bodies that would succeed on an object the persona may see, so a 404 proves scoping.
BODIES = {
    "PATCH /api/v1/workorders/{order_id}": {"priority": "low"},
    "POST /api/v1/workorders/{order_id}/transitions": {"action": "cancel", "reason": "probe"},
    "PATCH /api/v1/customers/{customer_id}": {"name": "Probe"},
    "POST /api/v1/customers/{customer_id}/sites": {"name": "Probe", "address": "Probe road 1"},
    "PATCH /api/v1/sites/{site_id}": {"address": "杭州市西湖区文三路 1 号"},
    "POST /api/v1/sites/{site_id}/pin": {"latitude": 30.1, "longitude": 120.1},
    "PATCH /api/v1/products/{product_id}": {"status": "retired"},
    "POST /api/v1/parts/warehouses/{warehouse_id}/receipts": {"part_id": 1, "quantity": 1},
    "POST /api/v1/parts/warehouses/{warehouse_id}/transfers": {"to_warehouse_id": 1,
                                                               "lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/parts/warehouses/{warehouse_id}/adjustments": {"part_id": 1, "delta": -1, "reason": "probe"},
    "POST /api/v1/parts/requests/{request_id}/refuse": {"reason": "probe"},
    "POST /api/v1/workorders/{order_id}/part-requests": {"lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/workorders/{order_id}/consumptions": {"lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/workorders/{order_id}/leads": {"kind": "upgrade", "consent": True, "consented_by": "probe",
                                                 "consent_wording": "probe"},
    "POST /api/v1/leads/{lead_id}/transitions": {"action": "win", "value": "100.00"},
    "POST /api/v1/dispatch/orders/{order_id}/assign": {"technician_id": 1, "version": 1},
    "POST /api/v1/field/jobs/{order_id}/decline": {"reason": "probe"},
    "POST /api/v1/field/jobs/{order_id}/hold": {"hold_reason": "other", "reason": "probe"},
    "POST /api/v1/field/jobs/{order_id}/checklist": {"answers": [{"item_id": 1, "value": "done"}]},
    "POST /api/v1/field/jobs/{order_id}/parts": {"lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/field/jobs/{order_id}/payment": {"method": "cash", "amount": "1.00"},
}

# Non-API URL patterns (by route string) and the path parameter naming a foreign object.
PAGE_ROUTES: dict[str, str | None] = {
    "": None,
    "i18n/setlang/": None,
    "accounts/login/": None,
    "accounts/logout/": None,
    "^api/v1/$": None,
    "^api/v1/": None,  # the API's JSON 404 for a path no operation has: reads nothing
    "console/": None,
    "console/orders/<int:pk>/": "order_id",
    "console/orders/<int:pk>/transition/": "order_id",
    "console/orders/<int:pk>/site-pin/": "order_id",
    # The dispatch board: an order's candidates and assignment name it (fetched through visible_to before the seat
    # check); the board and the plan take their scope from visible choices (dispatch/tests/test_views.py).
    "console/dispatch/": None,
    "console/dispatch/orders/<int:pk>/candidates/": "order_id",
    "console/dispatch/orders/<int:pk>/assign/": "order_id",
    "console/dispatch/plan/": None,
    "console/dispatch/plan/apply/": None,
    # One's own notifications (notifications.tests.factories.access_probes: one addressed to someone else).
    "notifications/": None,
    "notifications/read/": None,
    "notifications/<int:pk>/read/": "notification_id",
    # The technician app: a job page is the technician's own job only; the worker and manifest hold no data.
    "field/": None,
    "field/jobs/<int:pk>/": "order_id",
    "field/sw.js": None,
    "field/manifest.webmanifest": None,
    # The hotline desk: a caller's pages name the customer (fetched through visible_to before the seat check).
    "console/hotline/": None,
    "console/hotline/callers/new/": None,
    **{f"console/hotline/callers/<int:pk>/{tail}": "customer_id"
       for tail in ("", "sites/", "products/", "preview/", "requests/", "calls/")},
    # A caller's site: the customer's own sites only (console/tests/test_hotline_location.py probes another's).
    "console/hotline/callers/<int:pk>/sites/<int:site_id>/pin/": "customer_id",
    # Not user-scoped: signed with the brand's WeChat token (integrations/tests/test_cross_brand.py).
    "wechat/<slug:brand>/callback": None,
    # The signed-in customer links to their own account; the token is signed for one brand (same tests).
    "portal/<slug:brand>/wechat/bind/<str:token>/": None,
    # The customer portal and staff QR labels: probed by the portal tests at the end of this file.
    **{route: None for route in (
        "portal/labels/<int:pk>/", "portal/labels/<int:pk>/qr.svg", "portal/labels/<int:pk>/qr.png",
        "portal/<slug:brand>/", "portal/<slug:brand>/login/", "portal/<slug:brand>/logout/",
        "portal/<slug:brand>/products/add/", "portal/<slug:brand>/products/<int:pk>/",
        "portal/<slug:brand>/q/<str:token>/", "portal/<slug:brand>/report/", "portal/<slug:brand>/report/solved/",
        "portal/<slug:brand>/orders/<int:pk>/", "portal/<slug:brand>/orders/<int:pk>/status/",
        "portal/<slug:brand>/orders/<int:pk>/rate/", "portal/<slug:brand>/orders/<int:pk>/cancel/",
        "portal/<slug:brand>/orders/<int:pk>/reschedule/", "portal/<slug:brand>/products/<int:pk>/site-pin/",
    )},
    # Parts pages: lists scoped through visible_to (parts/tests/test_views.py); POSTs name a foreign object.
    "parts/requests/": None,
    "parts/requests/<int:pk>/transfer/": "request_id",
    "parts/requests/<int:pk>/refuse/": "request_id",
    "parts/defective/": None,
    "parts/defective/<int:pk>/receive/": "defective_id",
    "parts/stock/": None,
    "parts/van/": None,
    # Sales on site: the leads queue in the console (a lead of another queue is 404), the technician's earnings
    # and the lead form on a job (another's job is 404).
    "console/leads/": None,
    "console/leads/<int:pk>/": "lead_id",
    "console/leads/<int:pk>/transition/": "lead_id",
    "field/earnings/": None,
    "field/earnings/jobs/<int:pk>/lead/": "order_id",
    # An order's PDF service report, for whoever may see the order's report file (reports/tests/test_reports.py).
    "reports/orders/<int:pk>/service-report.pdf": "order_id",
}

PERSONAS = ["dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_a2", "tech_b",
            "customer", "other_customer", "rival_dispatcher"]


def user_of(world, persona):
    obj = getattr(world, persona)
    return getattr(obj, "user", obj) if not hasattr(obj, "username") else obj


@pytest.fixture
def scene(world, settings, tmp_path):
    """World plus, for each persona, one object of each kind it must not see."""
    settings.MEDIA_ROOT = tmp_path / "media"
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
    photo = {o.pk: _photo_on(o).pk for o in (rival_order, order_a, order_b)}
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
    for ids in foreign.values():
        ids["attachment_id"] = photo[ids["order_id"]]  # a file on the very order the persona may not see
        # A site of the very customer the persona may not see (the rival's gets one here).
        ids["site_id"] = (Site.objects.filter(customer_id=ids["customer_id"]).values_list("pk", flat=True).first()
                          or Site.objects.create(customer_id=ids["customer_id"], name="Probe", address="Probe").pk)
    from parts.tests.factories import access_probes

    for persona, ids in access_probes(world, order_a, order_b, rival_order).items():
        foreign[persona].update(ids)
    from notifications.tests.factories import access_probes as notification_probes

    for persona, ids in notification_probes(world).items():
        foreign[persona].update(ids)
    from revenue.tests.factories import access_probes as revenue_probes

    for persona, ids in revenue_probes(world, order_a, order_b, rival_order).items():
        foreign[persona].update(ids)
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


def _photo_on(order):
    from core.images import accept_photo
    from workorders.attachments import store_photo
    from workorders.tests.intake_setup import photo_bytes

    return store_photo(order=order, photo=accept_photo(photo_bytes(size=(64, 48))))


def _snapshot():
    from workorders.models import WorkOrderAttachment

    return (
        list(WorkOrderAttachment.objects.order_by("pk").values_list("pk", "work_order_id")),
        list(WorkOrder.objects.order_by("pk").values_list("pk", "version", "status", "priority")),
        list(Customer.objects.order_by("pk").values_list("pk", "name")),
        list(Site.objects.order_by("pk").values_list("pk", "address", "latitude", "longitude", "geo_precision")),
        list(InstalledProduct.objects.order_by("pk").values_list("pk", "status")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        _parts_snapshot(),
        _notifications_snapshot(),
        _revenue_snapshot(),
    )


def _revenue_snapshot():
    from revenue.tests.factories import snapshot

    return snapshot()


def _notifications_snapshot():
    from notifications.tests.factories import snapshot

    return snapshot()


def _parts_snapshot():
    from parts.tests.helpers import snapshot

    return snapshot()


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


# --- the customer portal ------------------------------------------------------------------------------------
# Each portal route: what its path names ("product", "order", "qr" token, "label" = a unit by id for staff),
# None for pages of no one object. The probes: the other customer, a customer of the rival brand, staff of
# every kind, and anonymous visitors, against the customer's own product and order.
PORTAL_ROUTES: dict[str, str | None] = {
    "labels/<int:pk>/": "label", "labels/<int:pk>/qr.svg": "label", "labels/<int:pk>/qr.png": "label",
    "<slug:brand>/": None, "<slug:brand>/login/": None, "<slug:brand>/logout/": None,
    "<slug:brand>/products/add/": None, "<slug:brand>/products/<int:pk>/": "product",
    "<slug:brand>/q/<str:token>/": "qr", "<slug:brand>/report/": None, "<slug:brand>/report/solved/": None,
    "<slug:brand>/orders/<int:pk>/": "order", "<slug:brand>/orders/<int:pk>/status/": "order",
    "<slug:brand>/orders/<int:pk>/rate/": "order", "<slug:brand>/orders/<int:pk>/cancel/": "order",
    "<slug:brand>/orders/<int:pk>/reschedule/": "order", "<slug:brand>/products/<int:pk>/site-pin/": "product",
}
PORTAL_PROBES = ["other_customer", "rival_customer", "dispatcher", "hotline", "manager_a", "manager_b", "tech_a",
                 "tech_b", "rival_dispatcher"]


def test_every_portal_route_is_probed():
    from portal.urls import urlpatterns

    assert {str(p.pattern) for p in urlpatterns} == set(PORTAL_ROUTES)


@pytest.fixture
def portal_scene(scene):
    """The scene, the customer's order finished (so rating would succeed) and a rival customer who can sign in."""
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, UserFactory

    w = scene.world
    rival_user = UserFactory(username="rival_customer")
    MembershipFactory(user=rival_user, organisation=w.other_brand, role=Role.CUSTOMER)
    w.rival_customer.user = rival_user
    w.rival_customer.save(update_fields=["user"])
    done = make_order(w, status=Status.COMPLETED)
    return SimpleNamespace(**vars(scene), done=done, rival_user=rival_user)


def _portal_user(ps, persona):
    return ps.rival_user if persona == "rival_customer" else user_of(ps.world, persona)


def _portal_urls(ps) -> dict[str, list[str]]:
    """Every object route, filled in with the customer's own product and orders (foreign to each probe)."""
    w = ps.world
    fill = {"product": [w.product.pk], "order": [ps.order_a.pk, ps.done.pk], "label": [w.product.pk],
            "qr": [w.product.qr_token]}
    urls: dict[str, list[str]] = {}
    for route, kind in PORTAL_ROUTES.items():
        if kind is None:
            continue
        for value in fill[kind]:
            path = route.replace("<slug:brand>", "acme").replace("<int:pk>", str(value)).replace(
                "<str:token>", str(value))
            urls.setdefault(kind, []).append("/portal/" + path)
    return urls


def _portal_snapshot():
    from feedback.models import Rating

    return (_snapshot(), list(Rating.objects.values_list("pk", flat=True)),
            list(InstalledProduct.objects.order_by("pk").values_list("pk", "customer_id", "site_id")))


@pytest.mark.parametrize("persona", PORTAL_PROBES)
def test_portal_foreign_products_and_orders_are_404_and_untouched(portal_scene, persona):
    ps = portal_scene
    client = Client()
    client.force_login(_portal_user(ps, persona))
    customer_only = {"product", "order", "qr"}
    checked = 0
    for kind, urls in _portal_urls(ps).items():
        if kind == "label" and persona in ("dispatcher", "hotline", "manager_a", "tech_a"):
            continue  # staff who serve this unit print its label (portal/tests/test_products.py)
        for url in urls:
            before = _portal_snapshot()
            assert client.get(url).status_code in (404, 405), f"{persona} GET {url}"
            body = {"score": "5", "reason": "time", "slot": "x", "serial": "SN-A-0001"}
            assert client.post(url, body).status_code in (404, 405), f"{persona} POST {url}"
            assert _portal_snapshot() == before, f"{persona} {url} changed data"
            checked += kind in customer_only
    assert checked == sum(len(u) for k, u in _portal_urls(ps).items() if k in customer_only) == 13


def test_portal_anonymous_visitors_are_sent_to_sign_in(portal_scene):
    ps = portal_scene
    client = Client()
    for kind, urls in _portal_urls(ps).items():
        for url in urls:
            before = _portal_snapshot()
            response = client.get(url)
            login = "/accounts/login/" if kind == "label" else "/portal/acme/login/"
            assert response.status_code == 405 or (
                response.status_code == 302 and response["Location"].startswith(login)), url
            assert client.post(url, {"score": "5", "reason": "time"}).status_code in (302, 405), url
            assert _portal_snapshot() == before
    for page in ("/portal/acme/", "/portal/acme/report/", "/portal/acme/products/add/"):
        assert client.get(page)["Location"].startswith("/portal/acme/login/?next=")


@pytest.mark.parametrize("persona", ["dispatcher", "manager_a", "tech_a", "rival_customer", "rival_dispatcher"])
def test_portal_pages_are_nobodys_but_the_brands_customers(portal_scene, persona):
    """Staff and customers of another brand are nobody here: sent to this brand's sign-in, shown nothing."""
    client = Client()
    client.force_login(_portal_user(portal_scene, persona))
    for page in ("/portal/acme/", "/portal/acme/report/", "/portal/acme/products/add/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/portal/acme/login/"), page


@pytest.mark.parametrize("persona", ["other_customer", "rival_customer"])
def test_portal_lists_never_show_foreign_objects(portal_scene, persona):
    ps = portal_scene
    w = ps.world
    client = Client()
    client.force_login(_portal_user(ps, persona))
    brand = "acme" if persona == "other_customer" else "rival"
    for page in (f"/portal/{brand}/", f"/portal/{brand}/report/"):
        html = client.get(page).content.decode()
        assert client.get(page).status_code == 200
        assert w.product.serial not in html
        for order in (ps.order_a, ps.done):
            assert f"/orders/{order.pk}/" not in html
            if brand == "acme":  # numbers are unique per brand only: the rival's own order may share one
                assert order.number not in html
        assert f"/products/{w.product.pk}/" not in html
    # Signed in for the rival brand, the customer's order is not theirs in their own portal either.
    if persona == "rival_customer":
        assert client.get(f"/portal/rival/orders/{ps.order_a.pk}/").status_code == 404
        assert client.get(f"/portal/rival/products/{w.product.pk}/").status_code == 404


def test_portal_lists_show_own_objects(portal_scene):
    """The negative checks are meaningful only if the same pages do show the customer's own."""
    ps = portal_scene
    client = Client()
    client.force_login(ps.world.customer.user)
    html = client.get("/portal/acme/").content.decode()
    assert ps.world.product.serial in html
    assert f"/portal/acme/orders/{ps.order_a.pk}/" in html and f"/portal/acme/orders/{ps.done.pk}/" in html
    for kind, urls in _portal_urls(ps).items():
        if kind in ("product", "order"):
            for url in urls:
                assert client.get(url).status_code in (200, 405), url
