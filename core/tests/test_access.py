"""Every party sees only its own data (PRODUCT.md "Who uses it"; STYLE.md §5).

Walks every API operation in the OpenAPI document and every non-admin URL pattern with each
persona against objects of another party; a foreign object must be a 404 and must not change.
A route that is not listed in API_ROUTES / PAGE_ROUTES fails the coverage tests, so a new
route cannot land without saying how it is scoped.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.principal import principal_of
from accounts.tests.factories import OutletFactory
from aftersales.moved import MOVED
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from conftest import token_client
from customers.models import Customer, InstalledProduct, Site
from customers.tests.factories import InstalledProductFactory
from network.tests.factories import TechnicianFactory
from workorders import services
from workorders.choices import Status
from workorders.models import Urge, WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

# Each API operation: the path parameter naming a tenant-owned object (None for collections),
# and for collections, which kind of foreign object must not appear in the result.
API_ROUTES: dict[str, tuple[str | None, str | None]] = {
    "GET /api/v1/accounts/me": (None, None),
    "GET /api/v1/accounts/tokens": (None, "token_id"),
    "POST /api/v1/accounts/tokens": (None, None),
    "DELETE /api/v1/accounts/tokens/{token_id}": ("token_id", None),
    "GET /api/v1/workorders": (None, "order_id"),
    "POST /api/v1/workorders": (None, None),
    "GET /api/v1/workorders/{order_id}": ("order_id", None),
    "PATCH /api/v1/workorders/{order_id}": ("order_id", None),
    "POST /api/v1/workorders/{order_id}/transitions": ("order_id", None),
    # Rework (返修): a new order for a finished one the persona may see (workorders/tests/test_rework.py).
    "POST /api/v1/workorders/{order_id}/rework": ("order_id", None),
    "GET /api/v1/workorders/{order_id}/actions": ("order_id", None),
    "GET /api/v1/workorders/{order_id}/events": ("order_id", None),
    # What the order's customer was sent (notifications/tests/test_api.py: another party's order is a 404).
    "GET /api/v1/workorders/{order_id}/messages": ("order_id", None),
    # One's own preferences: no id, nobody else's row is reachable (notifications/tests/test_api.py).
    "GET /api/v1/me/notification-preferences": (None, None),
    "PUT /api/v1/me/notification-preferences": (None, None),
    # Urges (催单): an order's own customer and the brand's desk urge; an outlet reads its orders' urges.
    "POST /api/v1/workorders/{order_id}/urges": ("order_id", None),
    "GET /api/v1/workorders/{order_id}/urges": ("order_id", None),
    "GET /api/v1/customers": (None, "customer_id"),
    "POST /api/v1/customers": (None, None),
    "GET /api/v1/customers/{customer_id}": ("customer_id", None),
    "PATCH /api/v1/customers/{customer_id}": ("customer_id", None),
    "GET /api/v1/customers/{customer_id}/sites": ("customer_id", None),
    "POST /api/v1/customers/{customer_id}/sites": ("customer_id", None),
    "PATCH /api/v1/customers/sites/{site_id}": ("site_id", None),
    "POST /api/v1/customers/sites/{site_id}/pin": ("site_id", None),
    "GET /api/v1/customers/products": (None, "product_id"),
    "POST /api/v1/customers/products": (None, None),
    "GET /api/v1/customers/products/{product_id}": ("product_id", None),
    "PATCH /api/v1/customers/products/{product_id}": ("product_id", None),
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
    "POST /api/v1/integrations/iot/alerts": (None, None),
    "GET /api/v1/workorders/intake/products/{product_id}": ("product_id", None),
    # ids in the body: workorders/tests/test_intake_api.py probes them
    "POST /api/v1/workorders/intake/requests": (None, None),
    # Dispatch: an order's candidates and assignment name it; a plan names its outlet or region and its orders
    # in the body (dispatch/tests/test_api.py probes foreign regions, outlets and orders: 404 / 422, untouched).
    "GET /api/v1/dispatch/orders/{order_id}/candidates": ("order_id", None),
    "POST /api/v1/dispatch/orders/{order_id}/assign": ("order_id", None),
    "POST /api/v1/dispatch/plans/preview": (None, None),
    "POST /api/v1/dispatch/plans/apply": (None, None),
    "GET /api/v1/workorders/{order_id}/attachments": ("order_id", None),
    "POST /api/v1/workorders/{order_id}/attachments": ("order_id", None),
    "GET /api/v1/workorders/attachments/{attachment_id}": ("attachment_id", None),
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
    "POST /api/v1/parts/orders/{order_id}/requests": ("order_id", None),
    "POST /api/v1/parts/orders/{order_id}/consumptions": ("order_id", None),
    "GET /api/v1/parts/orders/{order_id}/consumptions": ("order_id", None),
    "GET /api/v1/parts/defective": (None, "defective_id"),
    "POST /api/v1/parts/defective/{defective_id}/receive": ("defective_id", None),
    # Sales on site (revenue/tests/factories.access_probes: leads of each queue and commissions of each party).
    "GET /api/v1/revenue/lead-kinds": (None, None),
    "POST /api/v1/revenue/orders/{order_id}/leads": ("order_id", None),
    "GET /api/v1/revenue/leads": (None, "lead_id"),
    "GET /api/v1/revenue/leads/{lead_id}": ("lead_id", None),
    "POST /api/v1/revenue/leads/{lead_id}/transitions": ("lead_id", None),
    "GET /api/v1/revenue/commissions": (None, "commission_id"),
    # The technician app: only the job's own technician sees it (field/tests/test_api.py probes every party).
    "GET /api/v1/field/jobs": (None, "order_id"),
    # Complaints (complaints/tests/factories.access_probes: one about each order and the rival's); the ids a new
    # complaint names are in its body (complaints/tests/test_api.py probes foreign customers and orders: 422).
    "GET /api/v1/complaints": (None, "complaint_id"),
    "POST /api/v1/complaints": (None, None),
    "GET /api/v1/complaints/{complaint_id}": ("complaint_id", None),
    "POST /api/v1/complaints/{complaint_id}/transitions": ("complaint_id", None),
    "GET /api/v1/field/jobs/{order_id}": ("order_id", None),
    **{f"POST /api/v1/field/jobs/{{order_id}}/{action}": ("order_id", None)
       for action in ("accept", "decline", "depart", "arrive", "hold", "resume", "checklist", "photos", "diagnosis",
                      "parts", "payment", "signature", "complete")},
    # Callbacks (回访): the desk's queue is the brand's, an outlet's its own orders' (feedback.tests.factories
    # .access_probes puts a callback on each probe order); a survey is answered by the order's own customer.
    "GET /api/v1/callbacks": (None, "callback_id"),
    "POST /api/v1/callbacks/{callback_id}/outcome": ("callback_id", None),
    "POST /api/v1/workorders/{order_id}/survey": ("order_id", None),
    # Issue 16, contracts (maintenance.tests.factories.access_probes): contracts are the brand's and their own
    # customer's, none an outlet's or a technician's; plans are brand master data (a customer sees those for
    # their own unit, with product_id: maintenance/tests/test_api.py).
    "GET /api/v1/contracts": (None, "contract_id"),
    "GET /api/v1/contracts/{contract_id}": ("contract_id", None),
    "GET /api/v1/contracts/{contract_id}/visits": ("contract_id", None),
    "GET /api/v1/plans": (None, "plan_id"),
    # Issue 16, extended warranty (延保): a unit's warranties and selling one name the unit, fetched through
    # visible_to; the offers name it in the query (pricing/tests/test_api.py probes another party's unit: 404).
    "GET /api/v1/products/{product_id}/warranties": ("product_id", None),
    "POST /api/v1/products/{product_id}/warranties": ("product_id", None),
    "GET /api/v1/warranty/offers": (None, None),
    # Imports of the installed base (issue 16, exchange): a job is its brand's staff's only (exchange.tests.factories
    # .access_probes: the rival's for the brand desk, the brand's for outlets, technicians and customers); an upload
    # names nothing. Exports take the lists' filters and read through visible_to (exchange/tests/test_api.py).
    "POST /api/v1/imports": (None, None),
    "GET /api/v1/imports/{import_id}": ("import_id", None),
    "POST /api/v1/imports/{import_id}/commit": ("import_id", None),
    "GET /api/v1/exports/customers.{fmt}": (None, None),
    "GET /api/v1/exports/products.{fmt}": (None, None),
    "GET /api/v1/exports/orders.{fmt}": (None, None),
    # The shop (issue 16, part "shop"; shop/tests/factories.access_probes: a shop order of each customer and the
    # rival's). Offers name the product in the query: shop/tests/test_api.py probes another's product (404).
    # Orders name the product in the body (another's product is 404, test_api.py). Shop orders are the customer's
    # and the brand's: outlets and technicians see none.
    "GET /api/v1/shop/offers": (None, None),
    "POST /api/v1/shop/orders": (None, None),
    "GET /api/v1/shop/orders": (None, "shop_order_id"),
    "GET /api/v1/shop/orders/{shop_order_id}": ("shop_order_id", None),
    "POST /api/v1/shop/orders/{shop_order_id}/pay": ("shop_order_id", None),
    "POST /api/v1/shop/orders/{shop_order_id}/payments": ("shop_order_id", None),
    "POST /api/v1/shop/orders/{shop_order_id}/fulfil": ("shop_order_id", None),
    # Not user-scoped: WeChat Pay's callback, signed with its platform key (shop/tests/test_payments.py refuses a
    # forged, tampered, stale or short one and changes nothing).
    "POST /api/v1/shop/payments/wechat/notify": (None, None),
    # The conversion figures: the brand's staff only, read through visible_to (shop/tests/test_conversion.py).
    "GET /api/v1/reports/conversion": (None, None),
    # Reminders part (issue 16): a unit's schedule through the product's visible_to; reminders are the brand's
    # staff's and the customer's own (maintenance.tests.factories.access_probes); booking by id through
    # visible_to, or by the link's token (maintenance/tests/test_booking.py refuses a wrong token: 404).
    "GET /api/v1/products/{product_id}/schedule": ("product_id", None),
    "GET /api/v1/reminders": (None, "reminder_id"),
    "POST /api/v1/reminders/{reminder_id}/book": ("reminder_id", None),
    # Mail-in repair (issue 17): everything hangs on the order, fetched through visible_to (another's is a 404);
    # logistics/tests/test_api.py walks the steps for the centre, the customer and outsiders.
    **{f"{method} /api/v1/workorders/{{order_id}}/{step}": ("order_id", None) for method, step in (
        ("GET", "mail-in"), ("GET", "shipments"), ("POST", "receive"), ("POST", "diagnose"), ("POST", "quote"),
        ("POST", "quote/approve"), ("POST", "quote/decline"), ("POST", "repair"), ("POST", "qc"), ("POST", "ship"),
        ("POST", "waybill"))},
    # Not user-scoped: a courier's route push, signed with the account's key (logistics/tests/test_couriers.py
    # refuses a forged, tampered or stale one and changes nothing).
    "POST /api/v1/couriers/{backend}/routes": (None, None),
    # Issue 18, settlement (settlement.tests.probes.access_probes: outlet A's and B's disputed statements, tech_a's
    # and tech_b's sent ones, the rival's, a flag on each order). Statements are finance's, an outlet manager's own
    # and a technician's own once sent; settlement/tests/test_api.py walks each party through every route.
    "GET /api/v1/settlement/statements": (None, "statement_id"),
    "GET /api/v1/settlement/statements/{statement_id}": ("statement_id", None),
    "POST /api/v1/settlement/statements/{statement_id}/transitions": ("statement_id", None),
    "GET /api/v1/settlement/statements/{statement_id}/export.xlsx": ("statement_id", None),
    "GET /api/v1/settlement/statements/{statement_id}/export.pdf": ("statement_id", None),
    # The brand's own month, finance only (a 403 for anyone else: test_api.py); names nothing.
    "POST /api/v1/settlement/generate": (None, None),
    # The lines of a month through visible_to (test_api.py: an outlet's manager exports only its own, others none).
    "GET /api/v1/settlement/lines/export.{fmt}": (None, None),
    "POST /api/v1/settlement/lines/{line_id}/disputes": ("line_id", None),
    "GET /api/v1/settlement/disputes": (None, "dispute_id"),
    "POST /api/v1/settlement/disputes/{dispute_id}/resolution": ("dispute_id", None),
    "GET /api/v1/settlement/flags": (None, "flag_id"),
    "POST /api/v1/settlement/flags/{flag_id}/decision": ("flag_id", None),
}

# Bodies that would succeed on an object the persona may see, so a 404 proves scoping.
BODIES = {
    "PATCH /api/v1/workorders/{order_id}": {"priority": "low"},
    "POST /api/v1/workorders/{order_id}/transitions": {"action": "cancel", "reason": "probe"},
    "POST /api/v1/workorders/{order_id}/rework": {"outlet_id": 1, "reason": "probe"},
    "PATCH /api/v1/customers/{customer_id}": {"name": "Probe"},
    "POST /api/v1/customers/{customer_id}/sites": {"name": "Probe", "address": "Probe road 1"},
    "PATCH /api/v1/customers/sites/{site_id}": {"address": "杭州市西湖区文三路 1 号"},
    "POST /api/v1/customers/sites/{site_id}/pin": {"latitude": 30.1, "longitude": 120.1},
    "PATCH /api/v1/customers/products/{product_id}": {"status": "retired"},
    "POST /api/v1/parts/warehouses/{warehouse_id}/receipts": {"part_id": 1, "quantity": 1},
    "POST /api/v1/parts/warehouses/{warehouse_id}/transfers": {"to_warehouse_id": 1,
                                                               "lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/parts/warehouses/{warehouse_id}/adjustments": {"part_id": 1, "delta": -1, "reason": "probe"},
    "POST /api/v1/parts/requests/{request_id}/refuse": {"reason": "probe"},
    "POST /api/v1/parts/orders/{order_id}/requests": {"lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/parts/orders/{order_id}/consumptions": {"lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/revenue/orders/{order_id}/leads": {"kind": "upgrade", "consent": True, "consented_by": "probe",
                                                 "consent_wording": "probe"},
    "POST /api/v1/revenue/leads/{lead_id}/transitions": {"action": "win", "value": "100.00"},
    "POST /api/v1/complaints/{complaint_id}/transitions": {"action": "escalate", "note": "probe"},
    "POST /api/v1/dispatch/orders/{order_id}/assign": {"technician_id": 1, "version": 1},
    "POST /api/v1/field/jobs/{order_id}/decline": {"reason": "probe"},
    "POST /api/v1/field/jobs/{order_id}/hold": {"hold_reason": "other", "reason": "probe"},
    "POST /api/v1/field/jobs/{order_id}/checklist": {"answers": [{"item_id": 1, "value": "done"}]},
    "POST /api/v1/field/jobs/{order_id}/parts": {"lines": [{"part_id": 1, "quantity": 1}]},
    "POST /api/v1/field/jobs/{order_id}/payment": {"method": "cash", "amount": "1.00"},
    "POST /api/v1/callbacks/{callback_id}/outcome": {"outcome": "satisfied"},
    "POST /api/v1/workorders/{order_id}/survey": {"overall": 5, "solved": True},
    "POST /api/v1/products/{product_id}/warranties": {"term_id": 1, "price": "100.00"},
    "POST /api/v1/shop/orders/{shop_order_id}/pay": {"channel": "h5"},
    "POST /api/v1/shop/orders/{shop_order_id}/payments": {"method": "cash", "amount": "39.00"},
    "POST /api/v1/shop/orders/{shop_order_id}/fulfil": {"action": "cancel", "reason": "probe"},
    "POST /api/v1/reminders/{reminder_id}/book": {"slot_start": "2030-01-07T09:00:00+08:00",
                                                  "slot_end": "2030-01-07T11:00:00+08:00"},
    "POST /api/v1/workorders/{order_id}/receive": {"serial": "SN-A-0001"},
    "POST /api/v1/workorders/{order_id}/diagnose": {"finding": "probe"},
    "POST /api/v1/workorders/{order_id}/qc": {"checks": {"powers_on": True}},
    "POST /api/v1/workorders/{order_id}/waybill": {"direction": "inbound", "waybill": "SF1"},
    "POST /api/v1/settlement/statements/{statement_id}/transitions": {"action": "confirm", "reason": "probe"},
    "POST /api/v1/settlement/lines/{line_id}/disputes": {"reason": "probe", "claimed_amount": "1.00"},
    "POST /api/v1/settlement/disputes/{dispute_id}/resolution": {"upheld": False, "resolution": "probe"},
    "POST /api/v1/settlement/flags/{flag_id}/decision": {"upheld": False, "note": "probe"},
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
    "console/orders/<int:pk>/urge/": "order_id",
    "console/orders/<int:pk>/complaint/": "order_id",
    "console/orders/<int:pk>/rework/": "order_id",
    # Urges per order: over the orders the user may see (reports/tests/test_figures.py probes an outlet's).
    "console/figures/urges/": None,
    # The dispatch board: an order's candidates and assignment name it (fetched through visible_to before the seat
    # check); the board and the plan take their scope from visible choices (console/tests/test_dispatch_views.py).
    "console/dispatch/": None,
    "console/dispatch/orders/<int:pk>/candidates/": "order_id",
    "console/dispatch/orders/<int:pk>/assign/": "order_id",
    "console/dispatch/plan/": None,
    "console/dispatch/plan/apply/": None,
    # One's own notifications (notifications.tests.factories.access_probes: one addressed to someone else).
    "console/notifications/": None,
    "console/notifications/read/": None,
    "console/notifications/<int:pk>/read/": "notification_id",
    # One's own notification preferences: no id, only the signed-in person's row is read or written
    # (notifications/tests/test_views.py: test_preferences_page_changes_only_ones_own).
    "console/notifications/preferences/": None,
    # The technician app: a job page is the technician's own job only; the worker and manifest hold no data.
    "field/": None,
    "field/jobs/<int:pk>/": "order_id",
    "field/sw.js": None,
    "field/manifest.webmanifest": None,
    # The hotline desk: a caller's pages name the customer (fetched through visible_to before the seat check).
    "console/hotline/": None,
    "console/hotline/callers/new/": None,
    # Who has a phone, as the agent types it: through visible_to (console/tests/test_hotline.py probes a rival's).
    "console/hotline/callers/known/": None,
    **{f"console/hotline/callers/<int:pk>/{tail}": "customer_id"
       for tail in ("", "sites/", "products/", "preview/", "requests/", "calls/")},
    # A caller's site: the customer's own sites only (console/tests/test_hotline_location.py probes another's).
    "console/hotline/callers/<int:pk>/sites/<int:site_id>/pin/": "customer_id",
    # Issue 16, extended warranty: the hotline sells for a caller's unit (the caller through visible_to, the unit
    # among theirs; pricing/tests/test_console_sales.py probes another customer's unit).
    "console/hotline/callers/<int:pk>/products/<int:product_id>/warranty/": "customer_id",
    # Not user-scoped: signed with the brand's WeChat token (integrations/tests/test_cross_brand.py).
    "wechat/<slug:brand>/callback": None,
    # The signed-in customer links to their own account; the token is signed for one brand (same tests).
    "portal/<slug:brand>/wechat/bind/<str:token>/": None,
    # Staff's printable QR labels: a unit through visible_to, another party's is a 404 (probed below).
    **{route: "product_id" for route in (
        "console/labels/<int:pk>/", "console/labels/<int:pk>/qr.svg", "console/labels/<int:pk>/qr.png")},
    # The customer portal: probed by the portal tests at the end of this file.
    **{route: None for route in (
        "portal/<slug:brand>/", "portal/<slug:brand>/login/", "portal/<slug:brand>/logout/",
        "portal/<slug:brand>/products/add/", "portal/<slug:brand>/products/<int:pk>/",
        "portal/<slug:brand>/q/<str:token>/", "portal/<slug:brand>/report/", "portal/<slug:brand>/report/solved/",
        "portal/<slug:brand>/orders/<int:pk>/", "portal/<slug:brand>/orders/<int:pk>/status/",
        "portal/<slug:brand>/orders/<int:pk>/rate/", "portal/<slug:brand>/orders/<int:pk>/cancel/",
        "portal/<slug:brand>/orders/<int:pk>/reschedule/", "portal/<slug:brand>/products/<int:pk>/site-pin/",
        "portal/<slug:brand>/orders/<int:pk>/complain/", "portal/<slug:brand>/complaints/",
        "portal/<slug:brand>/orders/<int:pk>/urge/",
        # The customer's own message preferences: no id, only their own row (test_portal_preferences_are_ones_own).
        "portal/<slug:brand>/preferences/",
        # Issue 16, contracts: the customer's own contracts (through visible_to), no id in the address.
        "portal/<slug:brand>/contracts/",
        # The shop (issue 16, part "shop"): its order pages name a shop order (probed as "shop_order" below).
        "portal/<slug:brand>/shop/", "portal/<slug:brand>/shop/order/", "portal/<slug:brand>/shop/orders/<int:pk>/",
        "portal/<slug:brand>/shop/orders/<int:pk>/pay/",
    )},
    # Parts pages: lists scoped through visible_to (parts/tests/test_views.py); POSTs name a foreign object.
    "console/parts/requests/": None,
    "console/parts/requests/<int:pk>/transfer/": "request_id",
    "console/parts/requests/<int:pk>/refuse/": "request_id",
    "console/parts/defective/": None,
    "console/parts/defective/<int:pk>/receive/": "defective_id",
    "console/parts/stock/": None,
    "field/van/": None,
    # Sales on site: the leads queue in the console (a lead of another queue is 404), the technician's earnings
    # and the lead form on a job (another's job is 404).
    # The complaints desk: a complaint is fetched through visible_to before the seat check (another's is 404).
    "console/complaints/": None,
    "console/complaints/<int:pk>/": "complaint_id",
    "console/complaints/<int:pk>/transition/": "complaint_id",
    "console/leads/": None,
    "console/leads/<int:pk>/": "lead_id",
    "console/leads/<int:pk>/transition/": "lead_id",
    "field/earnings/": None,
    # The shop desk (issue 16, part "shop"): the brand's staff only; an order named in the address is fetched
    # through visible_to before the seat check (another brand's is 404).
    "console/shop/orders/": None,
    # The conversion report: the brand's staff only, figures read through visible_to (shop/tests/test_conversion.py).
    "console/shop/conversion/": None,
    "console/shop/orders/<int:pk>/step/": "shop_order_id",
    "field/jobs/<int:pk>/lead/": "order_id",
    # An order's PDF service report, for whoever may see the order's report file (reports/tests/test_reports.py).
    "reports/orders/<int:pk>/service-report.pdf": "order_id",
    # Warranty cards customers registered: the brand's reviewers only; a card is fetched through visible_to
    # before the seat check (another brand's, or any for outlets and technicians, is 404).
    "console/warranty-cards/": None,
    "console/warranty-cards/<int:pk>/review/": "warranty_card_id",
    "console/warranty-cards/<int:pk>/invoice/": "warranty_card_id",
    # The callback desk: the queue through visible_to (an outlet its own orders'); a callback named in the address
    # is fetched through visible_to before the seat check.
    "console/callbacks/": None,
    "console/callbacks/<int:pk>/outcome/": "callback_id",
    "console/callbacks/<int:pk>/decision/": "callback_id",
    # A survey's link: no sign-in, the signed token is the key (feedback/tests/test_callbacks.py refuses forged,
    # expired and used tokens, and another brand's address).
    "portal/<slug:brand>/survey/<str:token>/": None,
    # Issue 16, contracts: brand staff's pages; a contract or plan in the address through visible_to first.
    "console/contracts/": None,
    "console/contracts/new/": None,
    "console/contracts/<int:pk>/": "contract_id",
    "console/plans/": None,
    "console/plans/new/": None,
    "console/plans/<int:pk>/": "plan_id",
    # Imports of the installed base (issue 16, exchange): the brand's customer keepers only; a job named in the
    # address is fetched through visible_to before the seat check (another brand's, or any for outlets, is 404).
    # Exports read the lists through visible_to (exchange/tests/test_views.py: an outlet exports only its own).
    "console/imports/": None,
    "console/imports/template.xlsx": None,
    "console/imports/template.csv": None,
    "console/imports/<int:pk>/": "import_id",
    "console/imports/<int:pk>/commit/": "import_id",
    "console/exports/<slug:kind>.<slug:fmt>": None,
    # Reminders part (issue 16): a reminder's one-tap link, no sign-in, the token is the key to its own reminder
    # (maintenance/tests/test_booking.py: another brand's address or an unknown token is a 404).
    "portal/<slug:brand>/r/<str:token>/": None,
    # Reminders part: the brand's reminders, through visible_to (outlets, technicians and customers are refused).
    "console/reminders/": None,
    # Issue 17, mail-in (portal): a quote's one-tap link, no sign-in, its key names its own case (another brand's
    # address or an unknown key is a 404: portal/tests/test_mail_in.py); the order page's answer to the quote is
    # probed with the portal's order routes below.
    "portal/<slug:brand>/quote/<str:token>/": None,
    "portal/<slug:brand>/orders/<int:pk>/quote/": None,
    # Old addresses of pages that moved: a redirect to the new address, reading nothing (test_moved_pages_*).
    **{old: None for old, _new in MOVED},
    # Issue 17, the repair bench: queues, scan and turnaround read through visible_to (console/tests/
    # test_bench_views.py: another centre's case is in no queue and no scan finds it); a case is named by its order,
    # fetched through visible_to before the seat check (another's is 404).
    "console/bench/": None,
    "console/bench/scan/": None,
    "console/bench/turnaround/": None,
    **{f"console/bench/<int:pk>/{tail}": "order_id"
       for tail in ("", "receive/", "diagnose/", "quote/", "repair/", "qc/", "ship/", "waybill/", "label/")},
    # Issue 18, the finance desk (console/views/settlement.py): the desk and the queues read through visible_to (an
    # outlet's manager its outlet's statements; the queues, generating and a month's lines are finance's only); a
    # statement, line, dispute or flag in the address is fetched through visible_to before the seat check
    # (settlement.tests.probes.access_probes; console/tests/test_settlement_views.py probes each party).
    "console/settlement/": None,
    "console/settlement/generate/": None,
    "console/settlement/lines.xlsx": None,
    "console/settlement/disputes/": None,
    "console/settlement/flags/": None,
    **{f"console/settlement/statements/<int:pk>/{tail}": "statement_id"
       for tail in ("", "move/", "export.xlsx", "export.pdf")},
    "console/settlement/lines/<int:pk>/dispute/": "line_id",
    "console/settlement/disputes/<int:pk>/resolve/": "dispute_id",
    "console/settlement/flags/<int:pk>/decide/": "flag_id",
}

# Which methods each object page takes (GET only unless named here); the other method is a 405 answered before
# anything is read, so it reveals nothing. For the method a page takes, a foreign object is a 404.
POST_PAGES = {
    "console/orders/<int:pk>/transition/", "console/orders/<int:pk>/site-pin/", "console/orders/<int:pk>/urge/",
    "console/orders/<int:pk>/complaint/", "console/orders/<int:pk>/rework/", "console/dispatch/orders/<int:pk>/assign/",
    "console/notifications/<int:pk>/read/",
    *(f"console/hotline/callers/<int:pk>/{tail}" for tail in ("sites/", "products/", "requests/", "calls/")),
    "console/parts/requests/<int:pk>/transfer/", "console/parts/requests/<int:pk>/refuse/",
    "console/parts/defective/<int:pk>/receive/",
    "console/leads/<int:pk>/transition/", "console/warranty-cards/<int:pk>/review/",
    "console/callbacks/<int:pk>/outcome/", "console/callbacks/<int:pk>/decision/",
    "console/complaints/<int:pk>/transition/", "console/imports/<int:pk>/commit/",
    "console/shop/orders/<int:pk>/step/",
    *(f"console/bench/<int:pk>/{step}/"
      for step in ("receive", "diagnose", "quote", "repair", "qc", "ship", "waybill")),
    "console/settlement/generate/", "console/settlement/statements/<int:pk>/move/",
    "console/settlement/lines/<int:pk>/dispute/", "console/settlement/disputes/<int:pk>/resolve/",
    "console/settlement/flags/<int:pk>/decide/",
}
GET_POST_PAGES = {"console/hotline/callers/<int:pk>/sites/<int:site_id>/pin/", "field/jobs/<int:pk>/lead/",
                  "console/plans/<int:pk>/",
                  "console/hotline/callers/<int:pk>/products/<int:product_id>/warranty/"}


def answers(route: str, method: str, taken: int) -> int:
    """The status a page (of PAGE_ROUTES or PORTAL_ROUTES) answers to method: taken if it takes the method, else 405."""
    posts, both = (PORTAL_POST_PAGES, PORTAL_GET_POST_PAGES) if route in PORTAL_ROUTES else (POST_PAGES, GET_POST_PAGES)
    takes = route in posts | both if method == "POST" else route not in posts
    return taken if takes else 405


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
    # Past their promise, so a probe that got through would urge them (催单); the snapshot would show it.
    WorkOrder.objects.filter(pk__in=[order_a.pk, order_b.pk, rival_order.pk]).update(
        slot_end=None, onsite_due=timezone.now() - dt.timedelta(hours=1))
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
    cards = _warranty_cards(world)
    for persona, ids in foreign.items():
        ids["warranty_card_id"] = cards[{"dispatcher": "rival", "hotline": "rival", "analyst": "rival",
                                         "customer": "other", "rival_dispatcher": "own"}.get(persona, "own")]
    from revenue.tests.factories import access_probes as revenue_probes

    for persona, ids in revenue_probes(world, order_a, order_b, rival_order).items():
        foreign[persona].update(ids)
    from complaints.tests.factories import access_probes as complaint_probes

    for persona, ids in complaint_probes(world, order_a, order_b, rival_order).items():
        foreign[persona].update(ids)

    from feedback.tests.factories import access_probes as callback_probes

    callback_probes(foreign, order_a, order_b, rival_order)
    from maintenance.tests.factories import access_probes as contract_probes

    for persona, ids in contract_probes(world, order_a, order_b, rival_order).items():
        foreign[persona].update(ids)
    from exchange.tests.factories import access_probes as import_probes

    for persona, ids in import_probes(world).items():
        foreign[persona].update(ids)
    from shop.tests.factories import access_probes as shop_probes

    for persona, ids in shop_probes(world, order_a, order_b, rival_order).items():
        foreign[persona].update(ids)
    from maintenance.tests.factories import reminder_access_probes

    reminder_foreign, reminder_own = reminder_access_probes(world, rival_product)
    for persona, ids in reminder_foreign.items():
        foreign[persona].update(ids)
    from settlement.tests.probes import access_probes as settlement_probes

    settlement_foreign, settlement_own = settlement_probes(world, order_a, order_b, rival_order)
    for persona, ids in settlement_foreign.items():
        foreign[persona].update(ids)
    rival = SimpleNamespace(outlet=rival_outlet, category=rival_category, model=rival_model, tech=rival_tech,
                            region=rival_region, skill=rival_skill)
    return SimpleNamespace(world=world, foreign=foreign, order_a=order_a, order_b=order_b, rival_order=rival_order,
                           tokens=tokens, rival=rival, reminders=reminder_own, settlement=settlement_own)


def _warranty_cards(world) -> dict[str, int]:
    """A pending warranty card of the customer ("own"), of the other customer and of the rival's customer."""
    from customers.models import WarrantyCard

    made = {}
    for key, customer, brand in (("own", world.customer, world.brand), ("other", world.other_customer, world.brand),
                                 ("rival", world.rival_customer, world.other_brand)):
        unit = InstalledProductFactory(customer=customer, brand=brand, serial=f"CARD-{key}", purchase_date=None,
                                       install_date=None)
        made[key] = WarrantyCard.objects.create(brand=brand, customer=customer, product=unit,
                                                purchase_date=unit.created_at.date(), purchased_from="probe",
                                                invoice=f"warranty-cards/{brand.pk}/probe.jpg").pk
    return made


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


def test_moved_pages_redirect_a_get_to_their_new_address_for_everyone(scene):
    """A bookmark keeps working: a permanent redirect, the query string kept, before anything is read (so
    the same for every party and for no one); the new address is the page's, whoever may open it there."""
    clients = [Client()]
    for persona in ("dispatcher", "tech_a", "customer"):
        clients.append(Client())
        clients[-1].force_login(user_of(scene.world, persona))
    assert MOVED, "the list of moved pages is empty"
    for old, new in MOVED:
        kwargs = {"pk": 7} if "<int:pk>" in old else {}
        url = "/" + old.replace("<int:pk>", "7")
        for client in clients:
            before = _snapshot()
            got = client.get(url, {"status": "open", "page": "2"})
            assert (got.status_code, got["Location"]) == (301, reverse(new, kwargs=kwargs) + "?status=open&page=2"), url
            assert client.head(url).status_code == 301, url
            assert client.post(url, {"version": 1}).status_code == 405, url
            assert _snapshot() == before


def test_moved_pages_live_under_the_front_end_that_names_them():
    """A page's address names its folder: /console/ in console, /field/ in field, /portal/ in portal."""
    for old, new in MOVED:
        namespace = new.split(":")[0]
        target = reverse(new, kwargs={"pk": 7} if "<int:pk>" in old else {})
        assert namespace in {"console", "field", "portal"} and target.startswith(f"/{namespace}/"), (old, target)
        assert not ("/" + old).startswith(f"/{namespace}/") or "/" + old.replace("<int:pk>", "7") != target


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
        list(InstalledProduct.objects.order_by("pk").values_list("pk", "status", "purchase_date")),
        _warranty_card_snapshot(),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        _parts_snapshot(),
        _notifications_snapshot(),
        _revenue_snapshot(),
        list(Urge.objects.order_by("pk").values_list("pk", "work_order_id")),
        _complaints_snapshot(),
        _extended_warranty_snapshot(),
        _imports_snapshot(),
        _shop_snapshot(),
        _reminders_snapshot(),
        _settlement_snapshot(),
    )


def _extended_warranty_snapshot():
    from pricing.models import ExtendedWarranty

    return list(ExtendedWarranty.objects.order_by("pk").values_list("pk", "status"))


def _imports_snapshot():
    from exchange.tests.factories import snapshot

    return snapshot()


def _shop_snapshot():
    from shop.tests.factories import snapshot

    return snapshot()
def _settlement_snapshot():
    from settlement.tests.probes import snapshot

    return snapshot()


def _reminders_snapshot():
    from maintenance.tests.factories import reminder_snapshot

    return reminder_snapshot()


def _complaints_snapshot():
    from complaints.tests.factories import snapshot

    return snapshot()


def _warranty_card_snapshot():
    from customers.models import WarrantyCard

    return list(WarrantyCard.objects.order_by("pk").values_list("pk", "status", "reviewed_at"))


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
    """The ids a list answered, all of them: a paged list must hold its whole count on the page asked for."""
    items = payload["items"] if isinstance(payload, dict) else payload
    assert isinstance(items, list), f"not a list: {payload}"
    if isinstance(payload, dict) and "count" in payload:
        assert payload["count"] == len(items), "the list does not fit one page: raise page_size"
    return {item["id"] for item in items}


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


LIST_ROUTES = {path: listed for op, (_param, listed) in API_ROUTES.items() if listed
               for method, path in [op.split(" ", 1)] if method == "GET"}

# Whose order each persona's own objects hang on (tech_a2 has no job: the colleague probe of tech_a's).
OWN_ORDER = {"dispatcher": "order_a", "hotline": "order_a", "analyst": "order_a", "manager_a": "order_a",
             "tech_a": "order_a", "customer": "order_a", "manager_b": "order_b", "tech_b": "order_b",
             "other_customer": "order_b", "rival_dispatcher": "rival_order", "tech_a2": None}
BRAND_DESK = {"dispatcher", "hotline", "analyst", "rival_dispatcher"}
OUTLET_A = {"dispatcher", "hotline", "analyst", "manager_a", "tech_a", "tech_a2"}  # the brand desk acts for all


def _pks(model, **lookup) -> set[int]:
    return set(model.objects.filter(**lookup).values_list("pk", flat=True))


def _own_listed(scene, persona) -> dict[str, set[int]]:
    """Per list route, the persona's own objects it must list (one of them at least), so an empty answer fails.

    An empty set is a route that lists nothing to this persona by design, and then the answer must be empty:
    master data, stock, part requests, defective parts, leads and commissions are staff's (a customer's scope
    is none); jobs are technicians' only; tech_a2 has no job, so nothing hangs on an order of theirs.
    """
    from complaints.models import Complaint
    from feedback.models import Callback
    from maintenance.models import Contract, MaintenancePlan
    from parts.models import DefectiveReturn, PartRequest
    from revenue.models import Commission, Lead

    w, rival = scene.world, scene.rival
    order = getattr(scene, OWN_ORDER[persona]) if OWN_ORDER[persona] else None
    on_order = {"work_order": order} if order else {"pk__in": []}
    is_rival, staff = persona == "rival_dispatcher", persona not in ("customer", "other_customer")
    outlet = rival.outlet if is_rival else w.outlet_a if persona in OUTLET_A else w.outlet_b
    tech = {"rival_dispatcher": rival.tech, "tech_a2": w.tech_a2}.get(persona, order and order.technician)
    warehouse = {"dispatcher": w.central, "hotline": w.central, "analyst": w.central, "manager_a": w.store_a,
                 "manager_b": w.store_b, "tech_a": w.van_a, "tech_a2": w.van_a2, "tech_b": w.van_b,
                 "rival_dispatcher": w.rival_central}.get(persona)
    brand_data = {
        "/api/v1/catalog/categories": (rival.category if is_rival else w.category).pk,
        "/api/v1/catalog/models": (rival.model if is_rival else w.model).pk,
        "/api/v1/network/outlets": outlet.pk,
        "/api/v1/network/regions": rival.region if is_rival else w.region.pk,
        "/api/v1/network/skills": rival.skill if is_rival else w.skill.pk,
        "/api/v1/network/technicians": tech.pk if tech else None,
        "/api/v1/parts/warehouses": warehouse.pk if warehouse else None,
    }
    own = {
        "/api/v1/accounts/tokens": {scene.tokens[persona].pk},
        "/api/v1/workorders": {order.pk} if order else set(),
        "/api/v1/customers": {order.customer_id} if order else set(),
        "/api/v1/customers/products": {order.product_id} if order else set(),
        **{path: {pk} if staff else set() for path, pk in brand_data.items()},
        "/api/v1/parts/requests": _pks(PartRequest, **on_order) if staff else set(),
        "/api/v1/parts/defective": _pks(DefectiveReturn, **on_order) if staff else set(),
        "/api/v1/revenue/leads": _pks(Lead, **on_order, **_queue_of(persona, tech)) if staff else set(),
        "/api/v1/revenue/commissions":
            _pks(Commission, **{f"lead__{k}": v for k, v in on_order.items()}) if staff else set(),
        "/api/v1/field/jobs": {order.pk} if order and persona.startswith("tech_") else set(),
        "/api/v1/complaints": _pks(Complaint, **on_order),
        # The desk's queue: staff of the brand and outlets; technicians and customers see no callbacks.
        "/api/v1/callbacks": _pks(Callback, **on_order) if staff and not persona.startswith("tech_") else set(),
        # Issue 16, contracts: the brand's desk sees the brand's contracts, a customer their own, the rest none.
        "/api/v1/contracts": _pks(Contract, customer_id=order.customer_id)
        if order and (persona in BRAND_DESK or not staff) else set(),
        "/api/v1/plans": _pks(MaintenancePlan, brand=rival.category.brand if is_rival else w.brand)
        if staff else set(),
        # The shop: a customer's own orders, the brand desk's brand's; none for outlets and technicians.
        "/api/v1/shop/orders": w.shop_probes.get(persona, set()),
        "/api/v1/reminders": scene.reminders[persona],
        # Issue 18, settlement: an outlet's manager its outlet's, a technician his own sent statement, others none.
        **{f"/api/v1/settlement/{kind}": ids for kind, ids in scene.settlement[persona].items()},
    }
    assert set(own) == set(LIST_ROUTES), "say which of the persona's own objects a new list route must show"
    return own


def _queue_of(persona, tech) -> dict:
    """Whose leads a persona works: the brand desk the brand's queue, a manager the outlet's, a technician theirs."""
    if persona.startswith("tech_"):
        return {"technician": tech}
    return {"queue": "outlet" if persona.startswith("manager_") else "brand"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_never_show_foreign_objects(scene, persona):
    """Each list route answers 200 with one of the persona's own objects (or, by design, nothing) and never the
    foreign object of the same kind."""
    client = token_client(user_of(scene.world, persona))
    foreign, own = scene.foreign[persona], _own_listed(scene, persona)
    compared = 0
    for path, listed in LIST_ROUTES.items():
        resp = client.get(path, {"page_size": 100})
        assert resp.status_code == 200, f"{persona} {path} → {resp.status_code}"
        ids = _ids(resp.json())
        if own[path]:
            assert own[path] & ids, f"{persona} does not see its own {listed} in {path}: {ids}"
        else:
            assert ids == set(), f"{persona} lists nothing in {path} by design, but got {ids}"
        assert isinstance(foreign[listed], int) and foreign[listed] not in own[path], f"no foreign {listed} to probe"
        assert foreign[listed] not in ids, f"{persona} sees foreign {listed} in {path}"
        compared += 1
    assert compared == len(LIST_ROUTES) > 0


def test_every_list_route_lists_someones_own_objects(scene):
    """Each list route has a positive control: some persona's own object is seeded for it to list."""
    controlled = {path for persona in PERSONAS for path, ids in _own_listed(scene, persona).items() if ids}
    assert controlled == set(LIST_ROUTES)


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
        url = "/" + route.replace("<int:pk>", str(foreign[param])).replace(
            "<int:product_id>", str(foreign["product_id"]))  # a foreign caller's own unit
        before = _snapshot()
        assert client.get(url).status_code == answers(route, "GET", 404), f"{persona} GET {url}"
        resp = client.post(url, {"action": "cancel", "reason": "probe", "version": 1})
        assert resp.status_code == answers(route, "POST", 404), f"{persona} POST {url} → {resp.status_code}"
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
# Each portal route: what its path names ("product", "order", "qr" token),
# None for pages of no one object. The probes: the other customer, a customer of the rival brand, staff of
# every kind, and anonymous visitors, against the customer's own product and order.
PORTAL_ROUTES: dict[str, str | None] = {
    "<slug:brand>/": None, "<slug:brand>/login/": None, "<slug:brand>/logout/": None,
    "<slug:brand>/products/add/": None, "<slug:brand>/products/<int:pk>/": "product",
    "<slug:brand>/q/<str:token>/": "qr", "<slug:brand>/report/": None, "<slug:brand>/report/solved/": None,
    "<slug:brand>/orders/<int:pk>/": "order", "<slug:brand>/orders/<int:pk>/status/": "order",
    "<slug:brand>/orders/<int:pk>/rate/": "order", "<slug:brand>/orders/<int:pk>/cancel/": "order",
    "<slug:brand>/orders/<int:pk>/reschedule/": "order", "<slug:brand>/products/<int:pk>/site-pin/": "product",
    "<slug:brand>/orders/<int:pk>/urge/": "order",
    "<slug:brand>/preferences/": None,
    # The survey's link: no sign-in, the signed token names the survey (feedback/tests/test_callbacks.py).
    "<slug:brand>/survey/<str:token>/": None,
    "<slug:brand>/orders/<int:pk>/complain/": "order", "<slug:brand>/complaints/": None,
    "<slug:brand>/contracts/": None,  # issue 16, contracts: one's own, through visible_to
    # The shop (issue 16, part "shop"): the shop and the order form read only the signed-in customer's own units
    # (the product is fetched through visible_to; shop tests probe another's); a shop order's pages name it.
    "<slug:brand>/shop/": None, "<slug:brand>/shop/order/": None,
    "<slug:brand>/shop/orders/<int:pk>/": "shop_order", "<slug:brand>/shop/orders/<int:pk>/pay/": "shop_order",
    # Reminders part (issue 16): the one-tap link's token is the key (maintenance/tests/test_booking.py).
    "<slug:brand>/r/<str:token>/": None,
    # Issue 17, mail-in: the quote's one-tap link (its key names its case: portal/tests/test_mail_in.py), and the
    # answer to the quote from the order page (the order through visible_to).
    "<slug:brand>/quote/<str:token>/": None, "<slug:brand>/orders/<int:pk>/quote/": "order",
}
PORTAL_POST_PAGES = {"<slug:brand>/products/<int:pk>/site-pin/", "<slug:brand>/orders/<int:pk>/rate/",
                     "<slug:brand>/shop/order/", "<slug:brand>/shop/orders/<int:pk>/pay/",
                     "<slug:brand>/orders/<int:pk>/cancel/", "<slug:brand>/orders/<int:pk>/urge/",
                     "<slug:brand>/orders/<int:pk>/quote/"}
PORTAL_GET_POST_PAGES = {"<slug:brand>/q/<str:token>/", "<slug:brand>/orders/<int:pk>/reschedule/",
                         "<slug:brand>/orders/<int:pk>/complain/",
                         "<slug:brand>/preferences/"}
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


def _portal_urls(ps) -> dict[str, list[tuple[str, str]]]:
    """Every object route, filled in with the customer's own product and orders (foreign to each probe): per kind,
    (route, url) pairs."""
    w = ps.world
    fill = {"product": [w.product.pk], "order": [ps.order_a.pk, ps.done.pk],
            "qr": [w.product.qr_token], "shop_order": sorted(w.shop_probes["customer"])}
    urls: dict[str, list[tuple[str, str]]] = {}
    for route, kind in PORTAL_ROUTES.items():
        if kind is None:
            continue
        for value in fill[kind]:
            path = route.replace("<slug:brand>", "acme").replace("<int:pk>", str(value)).replace(
                "<str:token>", str(value))
            urls.setdefault(kind, []).append((route, "/portal/" + path))
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
    customer_only = {"product", "order", "qr", "shop_order"}
    checked = 0
    for kind, urls in _portal_urls(ps).items():
        for route, url in urls:
            before = _portal_snapshot()
            assert client.get(url).status_code == answers(route, "GET", 404), f"{persona} GET {url}"
            body = {"score": "5", "reason": "time", "slot": "x", "serial": "SN-A-0001"}
            assert client.post(url, body).status_code == answers(route, "POST", 404), f"{persona} POST {url}"
            assert _portal_snapshot() == before, f"{persona} {url} changed data"
            checked += kind in customer_only
    assert checked == sum(len(u) for k, u in _portal_urls(ps).items() if k in customer_only) == 21


def test_portal_anonymous_visitors_are_sent_to_sign_in(portal_scene):
    ps = portal_scene
    client = Client()
    for urls in _portal_urls(ps).values():
        for route, url in urls:
            before = _portal_snapshot()
            response = client.get(url)
            login = "/portal/acme/login/"
            assert response.status_code == answers(route, "GET", 302), url
            assert response.status_code == 405 or response["Location"].startswith(login), url
            assert client.post(url, {"score": "5", "reason": "time"}).status_code == answers(route, "POST", 302), url
            assert _portal_snapshot() == before
    for page in ("/portal/acme/", "/portal/acme/report/", "/portal/acme/products/add/", "/portal/acme/preferences/"):
        assert client.get(page)["Location"].startswith("/portal/acme/login/?next=")


@pytest.mark.parametrize("persona", ["dispatcher", "manager_a", "tech_a", "rival_customer", "rival_dispatcher"])
def test_portal_pages_are_nobodys_but_the_brands_customers(portal_scene, persona):
    """Staff and customers of another brand are nobody here: sent to this brand's sign-in, shown nothing."""
    client = Client()
    client.force_login(_portal_user(portal_scene, persona))
    for page in ("/portal/acme/", "/portal/acme/report/", "/portal/acme/products/add/", "/portal/acme/preferences/"):
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
        if kind in ("product", "order", "shop_order"):
            for route, url in urls:
                assert client.get(url).status_code == answers(route, "GET", 200), url


@pytest.mark.parametrize("persona", ["customer", "other_customer"])
def test_portal_preferences_are_ones_own(portal_scene, persona):
    """Each customer reads and changes only their own choices; a staff member posting is sent to sign in."""
    from notifications.models import CustomerPreference

    w = portal_scene.world
    me, other = (w.customer, w.other_customer) if persona == "customer" else (w.other_customer, w.customer)
    client = Client()
    client.force_login(me.user)
    assert me.phone in client.get("/portal/acme/preferences/").content.decode()
    assert other.phone not in client.get("/portal/acme/preferences/").content.decode()
    client.post("/portal/acme/preferences/", {"email": "on", "language": "en"})
    assert list(CustomerPreference.objects.values_list("customer_id", "sms", "email", "language")) == [
        (me.pk, False, True, "en")]
    staff = Client()
    staff.force_login(w.dispatcher)
    assert staff.post("/portal/acme/preferences/", {"sms": "on"}).status_code == 302
    assert CustomerPreference.objects.get().sms is False


@pytest.mark.parametrize("persona", ["manager_a", "manager_b", "dispatcher", "rival_dispatcher"])
def test_callback_desk_page_shows_only_the_callbacks_of_orders_one_may_see(scene, persona):
    from feedback.models import Callback

    client = Client()
    client.force_login(user_of(scene.world, persona))
    html = client.get("/console/callbacks/").content.decode()
    foreign = scene.foreign[persona]["callback_id"]
    own = Callback.objects.visible_to(user_of(scene.world, persona)).values_list("pk", flat=True)
    assert f'data-callback="{foreign}"' not in html
    assert own and all(f'data-callback="{pk}"' in html for pk in own)
