"""Extreme and malformed input is the one JSON refusal the API promises on every documented operation (422
validation_error, naming each input at fault; 401 bad_signature for the signed IoT alert), never a 500.

Each operation of the OpenAPI document is fired with ids past 64 bits, the year 1, a NUL in every text
and "1e3" as every amount, as a brand dispatcher, a technician and a customer; unknown paths under
/api/v1/ answer the API's JSON 404.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aftersales.api import api
from core import bounds
from customers.models import Customer
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
HUGE = bounds.MAX_ID + 1
OPERATIONS = api.get_openapi_schema(path_prefix="/api/v1")


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = OPERATIONS["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _extreme(schema: dict, depth: int = 0):
    """A value of this JSON schema's shape at its most hostile: too large, too early, NUL, exponent."""
    schema = _resolve(schema)
    if len(schema.get("allOf") or []) == 1:  # a $ref with a default beside it: Pydantic wraps it in allOf
        return _extreme(schema["allOf"][0], depth)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return _extreme(next((o for o in options if o.get("type") != "null"), options[0]), depth)
    kind = schema.get("type")
    if "pattern" in schema and "128.00" in str(schema.get("example", "")):
        return "1e3"
    if kind == "integer":
        return HUGE
    if kind == "number":
        return 1e309 if depth % 2 else -1e309
    if kind == "string":
        if schema.get("format") == "date":
            return "0001-01-01"
        if schema.get("format") == "date-time":
            return "0001-01-01T00:00:00Z"
        if "enum" in schema or "const" in schema:
            return (schema.get("enum") or [schema["const"]])[0]
        return "x\x00y"
    if kind == "array":
        return [_extreme(schema.get("items", {}), depth + 1)]
    if kind == "object":
        return {name: _extreme(prop, depth + 1) for name, prop in schema.get("properties", {}).items()}
    if "enum" in schema:
        return schema["enum"][0]
    return "x\x00y"


def _hostile_request(path: str, operation: dict) -> tuple[str, dict] | None:
    """The URL and request arguments with every input at its most hostile; None where there is nothing hostile
    to send (no input, or only choices such as an enum filter)."""
    query: dict[str, str] = {}
    url = path
    for param in operation.get("parameters", []):
        value = _extreme(param["schema"])
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(value if value != "x\x00y" else "x"))
        elif param["in"] == "query":
            query[param["name"]] = str(value)
    body = operation.get("requestBody", {}).get("content", {})
    kwargs: dict = {"QUERY_STRING": "&".join(f"{k}={v.replace(chr(0), '%00')}" for k, v in query.items())}
    if "application/json" in body:
        kwargs.update(data=json.dumps(_extreme(body["application/json"]["schema"])), content_type="application/json")
    if not any(marker in f"{url}?{kwargs}" for marker in (str(HUGE), "0001-01-01", "%00", "\\x00", "1e3", "inf")):
        return None
    return url, kwargs


def _operations():
    for path, methods in OPERATIONS["paths"].items():
        for method, operation in methods.items():
            if _hostile_request(path, operation) is not None:
                yield pytest.param(path, method, operation, id=f"{method.upper()} {path}")


# What the API promises for hostile input: ninja checks every parameter and the body against its bounds before
# the operation runs (so before any role or scope check), which is 422 validation_error for every persona, one
# entry per input at fault, each of a kind the input above provokes. The IoT alert is the exception: it is not
# token-authenticated, and its signature is checked before its body is read (integrations/api.py post_alert).
PROMISED = {"POST /api/v1/integrations/iot/alerts": (401, "bad_signature")}
HOSTILE = {"less_than_equal", "string_nul", "date_out_of_range", "bool_parsing", "money_format"}  # money: "1e3"


@pytest.mark.parametrize(("path", "method", "operation"), list(_operations()))
@pytest.mark.parametrize("persona", ["dispatcher", "tech_a", "customer"])
def test_every_operation_refuses_extreme_input_with_json(api_as, path, method, operation, persona):
    client = api_as(persona)
    url, kwargs = _hostile_request(path, operation)
    before = (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), Customer.objects.count())
    response = getattr(client, method)(url, **kwargs)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    status, code = PROMISED.get(f"{method.upper()} {path}", (422, "validation_error"))
    assert (response.status_code, body["code"]) == (status, code), response.content[:300]
    if code == "validation_error":
        assert body["errors"] and {e["type"] for e in body["errors"]} <= HOSTILE, body["errors"]
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), Customer.objects.count()) == before


@pytest.mark.parametrize("url", ["/api/v1/nope", "/api/v1/workorders/1/nope", "/api/v1/", "/api/v1/workorders/"])
def test_an_unknown_path_under_the_api_is_a_json_404(api_as, url):
    response = api_as("dispatcher").get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_an_unknown_path_without_credentials_is_the_same_json_404(client):
    response = client.post("/api/v1/nope", data="{}", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_region_past_64_bits_is_refused_on_the_list(api_as, world):
    response = api_as("dispatcher").get("/api/v1/workorders", {"region": str(HUGE)})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["loc"] == ["query", "region"]
    assert body["errors"][0]["type"] == "less_than_equal"


def test_the_plan_preview_refuses_the_year_one(api_as, world):
    response = api_as("dispatcher").post("/api/v1/dispatch/plans/preview",
                                         data={"date": "0001-01-01", "region_id": world.region.pk},
                                         content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "date_out_of_range"


def test_a_nul_in_a_customers_name_is_refused_and_nothing_is_created(api_as, world):
    before = Customer.objects.count()
    response = api_as("hotline").post("/api/v1/customers", data={"name": "张\x00三", "phone": "13800138123"},
                                      content_type="application/json")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["loc"], error["type"]) == (["body", "payload", "name"], "string_nul")
    assert error["msg"] == "文本中不能含有 NUL 字符。"
    assert Customer.objects.count() == before


def test_a_nul_in_a_query_text_is_refused(api_as, world):
    response = api_as("dispatcher").get("/api/v1/workorders", {"q": "张\x00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "string_nul"


@pytest.mark.parametrize(("start", "status", "where"), [
    ("0001-01-01T09:00:00+08:00", 422, "validation_error"),
    ("9999-12-31T09:00:00+08:00", 422, "validation_error"),
    ("2099-06-01T09:00:00+08:00", 422, "invalid"),
])
def test_a_slot_outside_the_booking_horizon_is_refused(api_as, world, start, status, where):
    end = start.replace("T09:", "T11:")
    before = (WorkOrder.objects.count(), WorkOrderEvent.objects.count())
    response = api_as("hotline").post("/api/v1/workorders", data={
        "customer_id": world.customer.pk, "type": "repair", "slot_start": start, "slot_end": end,
    }, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (status, where)
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == before


def test_a_purchase_date_in_the_future_is_refused(api_as, world):
    from django.utils import timezone

    from customers.models import InstalledProduct

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    before = InstalledProduct.objects.count()
    response = api_as("hotline").post("/api/v1/customers/products", data={
        "serial": "SN-NEW-0001", "product_model_id": world.model.pk, "customer_id": world.customer.pk,
        "purchase_date": tomorrow}, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["loc"][-1], error["type"]) == ("purchase_date", "date_in_future")
    assert error["msg"] == "该日期不能晚于今天。"
    assert InstalledProduct.objects.count() == before
