"""POST /api/v1/integrations/iot/alerts: signed alerts and readings from connected appliances (no token)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpResponse, JsonResponse
from ninja import Header, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from core.errors import DomainError
from integrations.choices import AlertOutcome, Metric
from integrations.errors import MalformedBody, TooLarge
from integrations.services import iot
from integrations.services.rejections import client_address

router = Router(tags=["integrations"])

MAX_ALERT_BYTES = 16 * 1024
MetricLit = Literal[tuple(Metric.values)]  # type: ignore[valid-type]
OutcomeLit = Literal[tuple(AlertOutcome.values)]  # type: ignore[valid-type]
Value = Annotated[Decimal, Field(max_digits=15, decimal_places=3, allow_inf_nan=False)]

DESCRIPTION = """
An alert (a fault code), usage readings, or both, from one connected appliance. **Not** authenticated
with a bearer token: each request is signed with one of the brand's IoT secrets (Django admin →
Integrations → IoT signing secrets; two may be active at once, so a device fleet can move to a new
secret before the old one is revoked).

Headers:

* `X-Brand`: the brand's code (e.g. `aqualife`).
* `X-Timestamp`: the time of sending, in Unix seconds. More than 5 minutes before or after the
  server's clock: **401 `stale_request`**.
* `X-Signature`: `sha256=` followed by the lowercase hex of HMAC-SHA256(secret,
  `<X-Timestamp>` + `"."` + the raw request body, byte for byte). Missing, not matching any active
  secret of the brand, or an unknown brand: **401 `bad_signature`**.

Body (JSON, at most 16 KiB, else **413 `too_large`**): `alert_id` (the device's own id of this alert,
unique per brand), `serial` (the product's serial number: case and surrounding spaces are ignored),
`fault_code` (optional), `message` (optional), `occurred_at` (optional ISO 8601 time with offset),
`readings` (optional object, metric → number: `litres_filtered`, `filter_life_pct`,
`running_hours`, `tds_in_ppm`, `tds_out_ppm`).

Answers, with `outcome`:

* **201 `order_created`**: the fault code is mapped (for the product's model, else its category) and
  the product had no open order: a work order was opened (channel `iot`).
* **200 `added_to_order`**: the product already has an open order; the alert is on its timeline.
* **202 `unmapped_fault`**: the fault code is not mapped: stored, no order.
* **202 `readings_stored`**: readings only.

The same `alert_id` sent again creates nothing and gets the first answer again (header
`Idempotent-Replayed: true`). Refusals store nothing: **400 `malformed_json`**, **422
`validation_error`** (wrong types, with `errors`), **422 `unknown_serial`**, **422 `out_of_range`**
(a reading outside its metric's range, or `occurred_at` in the future or older than 30 days),
**422 `empty_alert`** (neither a fault code nor readings). Every refusal is logged and kept (the last
100 per brand) for the brand admin under Integrations → refused requests.
"""


class AlertIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    alert_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    serial: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    fault_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")] | None = None
    message: Annotated[str, StringConstraints(max_length=500)] = ""
    occurred_at: AwareDatetime | None = None
    readings: Annotated[dict[MetricLit, Value], Field(max_length=len(Metric.values))] = Field(default_factory=dict)


class OrderRef(Schema):
    id: int
    number: str


class FaultOut(Schema):
    code: str
    meaning: str
    service_type: str
    priority: str


class AlertOut(Schema):
    alert_id: str
    outcome: OutcomeLit
    work_order: OrderRef | None
    fault: FaultOut | None
    readings_stored: int
    received_at: str


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def _body(request) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_ALERT_BYTES:
        raise TooLarge(max_bytes=MAX_ALERT_BYTES)
    body = request.body
    if len(body) > MAX_ALERT_BYTES:
        raise TooLarge(max_bytes=MAX_ALERT_BYTES)
    return body


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def _parse(body: bytes) -> iot.Alert:
    try:
        # Exact decimals straight from the text; NaN and Infinity are not JSON.
        data = json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedBody() from None
    if not isinstance(data, dict):
        raise MalformedBody()
    try:
        parsed = AlertIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False, include_context=False)) from None
    return iot.Alert(alert_id=parsed.alert_id, serial=parsed.serial, fault_code=parsed.fault_code,
                     message=parsed.message, occurred_at=parsed.occurred_at, readings=dict(parsed.readings))


@router.post(
    "/iot/alerts", auth=None, summary="Receive a signed device alert", description=DESCRIPTION,
    response={200: AlertOut, 201: AlertOut, 202: AlertOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut,
              422: ErrorOut},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": AlertIn.model_json_schema(ref_template="#/components/schemas/{model}")}}}},
)
def post_alert(
    request,
    x_brand: str | None = Header(None, alias="X-Brand"),
    x_timestamp: str | None = Header(None, alias="X-Timestamp"),
    x_signature: str | None = Header(None, alias="X-Signature"),
) -> HttpResponse:
    remote = client_address(request)
    body = _body(request)
    brand = iot.authenticate_alert(brand_code=x_brand, timestamp=x_timestamp, signature=x_signature, body=body,
                                   remote_addr=remote)
    try:
        result = iot.receive_alert(brand=brand, alert=_parse(body))
    except DomainError as exc:
        iot.refuse_input(brand=brand, code=exc.code, detail=f"{exc.field or ''} {exc.message}", remote_addr=remote)
        raise
    except NinjaValidationError as exc:
        where = ".".join(str(p) for p in exc.errors[0].get("loc", [])) if exc.errors else ""
        iot.refuse_input(brand=brand, code="validation_error", detail=where, remote_addr=remote)
        raise
    response = JsonResponse(result.body, status=result.status, json_dumps_params={"ensure_ascii": False})
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
