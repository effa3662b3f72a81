"""Device alerts: authenticate the signed request, then store the alert once and act on it once."""

from __future__ import annotations

import datetime as dt
import re
import secrets as pysecrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation
from accounts.principal import system_principal
from catalog.models import FaultCodeMapping
from core.hooks import Hook
from customers.models import InstalledProduct
from integrations import signing
from integrations.choices import METRIC_RANGES, AlertOutcome, Source
from integrations.errors import BadSignature, EmptyAlert, OutOfRange, StaleRequest, TooManySecrets, UnknownSerial
from integrations.models import DeviceAlert, DeviceSecret, UsageReading
from integrations.services.orders import lock_product, open_channel_order, open_order_for, record_alert_event
from integrations.services.rejections import record_rejection
from workorders.choices import Channel

MAX_ACTIVE_SECRETS = 2
MAX_ALERT_AGE = dt.timedelta(days=30)
BRAND_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
# Every stored report of a unit (its readings and fault code), inside the alert's transaction: what the brand's
# rules make of it above this layer (maintenance/devices.py: "filter replaced" restarts the schedule, a
# predicted fault opens a proactive order or reminds the customer). Receivers: (*, alert, product, readings).
device_reported = Hook("integrations.device_reported")
STATUS = {AlertOutcome.ORDER_CREATED: 201, AlertOutcome.ADDED_TO_ORDER: 200,
          AlertOutcome.UNMAPPED_FAULT: 202, AlertOutcome.READINGS_STORED: 202}


@dataclass(frozen=True)
class Alert:
    """A device alert as validated from the request body (integrations.api.AlertIn)."""

    alert_id: str
    serial: str
    fault_code: str | None = None
    message: str = ""
    occurred_at: dt.datetime | None = None
    readings: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertResult:
    status: int
    body: dict[str, Any]
    replayed: bool = False


# --- secrets ---------------------------------------------------------------------------------------

def issue_device_secret(*, brand: Organisation, label: str, raw: str | None = None) -> tuple[DeviceSecret, str]:
    """A new active secret; the raw value is returned this once (the caller shows it and forgets it).

    ``raw`` is for the demo's published test secret only; everything else gets a random one.
    """
    with transaction.atomic():
        if DeviceSecret.objects.filter(brand=brand, is_active=True).count() >= MAX_ACTIVE_SECRETS:
            raise TooManySecrets(field="brand")
        raw = raw or "iot_" + pysecrets.token_urlsafe(32)
        secret = DeviceSecret.objects.create(brand=brand, label=label.strip()[:80] or "device key", secret=raw,
                                             last_four=raw[-4:])
    return secret, raw


def revoke_device_secret(*, secret: DeviceSecret) -> DeviceSecret:
    DeviceSecret.objects.filter(pk=secret.pk, is_active=True).update(is_active=False, revoked_at=timezone.now())
    secret.refresh_from_db()
    return secret


# --- authentication --------------------------------------------------------------------------------

def _refuse(error_cls, detail: str, *, brand_id: int | None, remote_addr: str | None):
    record_rejection(source=Source.IOT, code=error_cls.code, detail=detail, brand_id=brand_id,
                     remote_addr=remote_addr)
    return error_cls()


def authenticate_alert(
    *, brand_code: str | None, timestamp: str | None, signature: str | None, body: bytes,
    remote_addr: str | None, now: float | None = None,
) -> Organisation:
    """The brand whose active secret signed this body within the last 5 minutes; else BadSignature/StaleRequest.

    An unknown brand is refused with the same code as a bad signature, so the endpoint does not tell
    which brand codes exist.
    """
    code = (brand_code or "").strip()
    brand = (Organisation.objects.filter(kind=OrgKind.BRAND, code=code, is_active=True).first()
             if BRAND_CODE.match(code) else None)
    if brand is None:
        # Spend the same HMAC work as for a real brand, so timing does not tell which codes exist either.
        signing.matching_secret(["iot_unknown_brand"] * MAX_ACTIVE_SECRETS, (timestamp or "").strip(), body,
                                signature or "")
        raise _refuse(BadSignature, f"unknown brand {code[:40]!r}", brand_id=None, remote_addr=remote_addr)
    keys = list(DeviceSecret.objects.filter(brand=brand, is_active=True).values_list("pk", "secret"))
    stamp = (timestamp or "").strip()
    seconds = signing.parse_timestamp(stamp)
    if not keys:
        raise _refuse(BadSignature, "the brand has no active secret", brand_id=brand.pk, remote_addr=remote_addr)
    if seconds is None:
        raise _refuse(BadSignature, "missing or malformed X-Timestamp", brand_id=brand.pk, remote_addr=remote_addr)
    if not signature:
        raise _refuse(BadSignature, "missing X-Signature", brand_id=brand.pk, remote_addr=remote_addr)
    matched = signing.matching_secret([s for _pk, s in keys], stamp, body, signature)
    if matched is None:
        raise _refuse(BadSignature, "signature does not match", brand_id=brand.pk, remote_addr=remote_addr)
    current = timezone.now().timestamp() if now is None else now
    if not signing.is_fresh(seconds, current):
        raise _refuse(StaleRequest, f"timestamp {seconds} is {int(current - seconds)} s from now",
                      brand_id=brand.pk, remote_addr=remote_addr)
    _mark_used(next(pk for pk, s in keys if s == matched))
    return brand


def _mark_used(secret_pk: int) -> None:
    # At most one write an hour per key: enough for the admin to see that an old key is no longer in use.
    now = timezone.now()
    (DeviceSecret.objects.filter(pk=secret_pk)
     .exclude(last_used_at__gt=now - dt.timedelta(hours=1)).update(last_used_at=now))


def refuse_input(*, brand: Organisation, code: str, detail: str, remote_addr: str | None) -> None:
    """Record an authenticated request whose body was refused (the brand admin sees faulty devices)."""
    record_rejection(source=Source.IOT, code=code, detail=detail, brand_id=brand.pk, remote_addr=remote_addr)


# --- the alert ---------------------------------------------------------------------------------------

def find_product(*, brand: Organisation, serial: str) -> InstalledProduct:
    """The brand's product with this serial, ignoring case and surrounding spaces; UnknownSerial if none."""
    serial = serial.strip()
    found = list(InstalledProduct.objects.filter(brand=brand, serial__iexact=serial)
                 .select_related("product_model", "customer", "site")[:5])
    if len(found) > 1:
        # Serials are unique per brand as written; two that differ only in case: the exact one, else none.
        found = [p for p in found if p.serial == serial]
    if len(found) != 1:
        raise UnknownSerial(field="serial")
    return found[0]


def resolve_mapping(product: InstalledProduct, fault_code: str) -> FaultCodeMapping | None:
    """The product model's mapping of this code, else its category's (the fallback), else None."""
    code = fault_code.strip().upper()
    model = product.product_model
    rows = {(m.product_model_id is not None): m for m in FaultCodeMapping.objects.filter(
        brand_id=product.brand_id, fault_code=code, is_active=True,
    ).filter(_model_or_category(model)).select_related("symptom")}
    return rows.get(True) or rows.get(False)


def _model_or_category(model):
    return Q(product_model_id=model.pk) | Q(product_model__isnull=True, category_id=model.category_id)


def check_alert(alert: Alert, *, now: dt.datetime) -> None:
    if not alert.fault_code and not alert.readings:
        raise EmptyAlert(field="fault_code")
    for metric, value in alert.readings.items():
        low, high = METRIC_RANGES[metric]
        if not low <= value <= high:
            raise OutOfRange(field=f"readings.{metric}", min=str(low), max=str(high))
    if alert.occurred_at is not None:
        if alert.occurred_at > now + dt.timedelta(seconds=signing.MAX_SKEW_SECONDS):
            raise OutOfRange(_("The alert cannot have happened in the future."), field="occurred_at")
        if alert.occurred_at < now - MAX_ALERT_AGE:
            raise OutOfRange(_("The alert is older than 30 days."), field="occurred_at")


def receive_alert(*, brand: Organisation, alert: Alert, now: dt.datetime | None = None) -> AlertResult:
    """Store the alert and act on it, once per alert id: a redelivery gets the first answer and changes nothing.

    One transaction: the product is locked and the alert row written first, so a concurrent delivery of
    the same id waits (row lock on PostgreSQL, the write lock on SQLite) and then finds it. ``now`` is
    the receiving time (the demo places its alerts in the past).
    """
    now = now or timezone.now()
    check_alert(alert, now=now)
    previous = _replay(brand, alert.alert_id)
    if previous is not None:
        return previous
    try:
        with transaction.atomic():
            product = find_product(brand=brand, serial=alert.serial)
            lock_product(product)
            row = DeviceAlert.objects.create(
                brand=brand, alert_id=alert.alert_id, product=product, fault_code=(alert.fault_code or "").upper(),
                message=alert.message, occurred_at=alert.occurred_at or now, received_at=now,
                outcome=AlertOutcome.READINGS_STORED,
            )
            return _act(row, product, alert)
    except IntegrityError:
        replay = _replay(brand, alert.alert_id)
        if replay is None:
            raise
        return replay


def _replay(brand: Organisation, alert_id: str) -> AlertResult | None:
    row = DeviceAlert.objects.filter(brand=brand, alert_id=alert_id).values("response_status", "response_body").first()
    if row is None:
        return None
    return AlertResult(status=row["response_status"], body=row["response_body"], replayed=True)


def _act(row: DeviceAlert, product: InstalledProduct, alert: Alert) -> AlertResult:
    UsageReading.objects.bulk_create([
        UsageReading(brand_id=row.brand_id, product=product, metric=metric, value=value, read_at=row.occurred_at,
                     alert=row)
        for metric, value in sorted(alert.readings.items())
    ])
    device_reported.send(alert=row, product=product, readings=dict(alert.readings))
    order = mapping = None
    outcome = AlertOutcome.READINGS_STORED
    if alert.fault_code:
        mapping = resolve_mapping(product, alert.fault_code)
        outcome = AlertOutcome.UNMAPPED_FAULT
    if mapping is not None:
        actor = system_principal(row.brand_id)
        order = open_order_for(product)
        outcome = AlertOutcome.ADDED_TO_ORDER
        if order is None:
            description = f"{mapping.label}（{row.fault_code}）" + (f"：{row.message}" if row.message else "")
            order = open_channel_order(
                actor=actor, product=product, channel=Channel.IOT, service_type=mapping.service_type,
                priority=mapping.priority, description=description,
                symptom_code=mapping.symptom.code if mapping.symptom_id else None,
            )
            outcome = AlertOutcome.ORDER_CREATED
        record_alert_event(order=order, actor=actor, reason=f"{row.fault_code} {mapping.label}", data={
            "alert_id": row.alert_id, "fault_code": row.fault_code, "meaning": mapping.label,
            "message": row.message, "occurred_at": row.occurred_at.isoformat(),
        })
    body: dict[str, Any] = {
        "alert_id": row.alert_id,
        "outcome": str(outcome),
        "work_order": {"id": order.pk, "number": order.number} if order else None,
        "fault": ({"code": row.fault_code, "meaning": mapping.label, "service_type": mapping.service_type,
                   "priority": mapping.priority} if mapping else None),
        "readings_stored": len(alert.readings),
        "received_at": row.received_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    row.outcome, row.mapping, row.work_order = outcome, mapping, order
    row.response_status, row.response_body = STATUS[outcome], body
    row.save(update_fields=["outcome", "mapping", "work_order", "response_status", "response_body"])
    return AlertResult(status=STATUS[outcome], body=body)
