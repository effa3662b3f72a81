"""``manage.py send_test_alert``: sign a device alert with the brand's IoT secret and post it to a running server."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation
from customers.models import InstalledProduct
from integrations.models import DeviceSecret
from integrations.signing import alert_signature


class Command(BaseCommand):
    help = "Sign one device alert (HMAC-SHA256, as a device does) and POST it to /api/v1/integrations/iot/alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The server (default: make run's).")
        parser.add_argument("--brand", default="aqualife", help="Brand code (default: the demo brand).")
        parser.add_argument("--serial", help="Product serial (default: the demo customer's first purifier).")
        parser.add_argument("--fault", default="E1", help="Fault code (default E1); '' for readings only.")
        parser.add_argument("--message", default="test alert from manage.py send_test_alert")
        parser.add_argument("--litres", type=str, default="2400.5", help="litres_filtered reading ('' for none).")
        parser.add_argument("--alert-id", help="The device's alert id (default: unique per run); send one twice "
                                               "to see the redelivery answered as the first time.")
        parser.add_argument("--secret", help="Signing secret (default: the brand's newest active one).")

    def handle(self, *args: Any, **opts: Any) -> None:
        brand = Organisation.objects.filter(code=opts["brand"], brand__isnull=True).first()
        if brand is None:
            raise CommandError(f"No brand {opts['brand']!r}: load the demo first (make run).")
        secret = opts["secret"] or DeviceSecret.objects.filter(brand=brand, is_active=True).order_by(
            "-created_at").values_list("secret", flat=True).first()
        if not secret:
            raise CommandError("The brand has no active IoT secret: issue one in the admin.")
        serial = opts["serial"] or self._default_serial(brand)
        payload: dict[str, Any] = {"alert_id": opts["alert_id"] or f"test-{time.time_ns()}", "serial": serial,
                                   "message": opts["message"]}
        if opts["fault"]:
            payload["fault_code"] = opts["fault"]
        if opts["litres"]:
            payload["readings"] = {"litres_filtered": opts["litres"]}
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            opts["url"].rstrip("/") + "/api/v1/integrations/iot/alerts", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Brand": brand.code, "X-Timestamp": stamp,
                     "X-Signature": alert_signature(secret, stamp, body)},
        )
        self.stdout.write(f"POST {request.full_url}\n{body.decode()}")
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - a URL the operator gave
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        except urllib.error.URLError as exc:
            raise CommandError(f"Cannot reach {opts['url']} ({exc.reason}): is the server running (make run)?") \
                from None
        self.stdout.write(f"→ {status} {text}")

    def _default_serial(self, brand: Organisation) -> str:
        products = InstalledProduct.objects.filter(brand=brand).order_by("serial")
        found = (products.filter(customer__user__username="customer", product_model__category__code="purifier")
                 .values_list("serial", flat=True).first()
                 or products.values_list("serial", flat=True).first())
        if found is None:
            raise CommandError("The brand has no installed products; give --serial.")
        return found
