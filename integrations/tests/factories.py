"""Integration test data, and requests built the way a device and WeChat build them.

The signatures here are computed with hashlib/hmac directly, as a device's firmware or WeChat's
servers would, not with integrations.signing: a test that signed with the code under test would
prove nothing about the wire format.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from types import SimpleNamespace

from django.test import Client

from catalog.models import FaultCodeMapping
from catalog.tests.factories import SymptomFactory
from customers.tests.factories import CustomerFactory, InstalledProductFactory
from integrations.models import WeChatAccount
from integrations.services import iot

ALERTS_URL = "/api/v1/integrations/iot/alerts"


def device_headers(secret: str, body: bytes, *, brand: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"HTTP_X_BRAND": brand, "HTTP_X_TIMESTAMP": stamp, "HTTP_X_SIGNATURE": f"sha256={mac}"}


def post_alert(payload: dict | bytes, *, secret: str, brand: str, timestamp: int | None = None,
               client: Client | None = None, **extra):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = device_headers(secret, body, brand=brand, timestamp=timestamp)
    headers.update(extra)
    return (client or Client()).post(ALERTS_URL, data=body, content_type="application/json", **headers)


def iot_world(world) -> SimpleNamespace:
    """The test world plus a signing secret, a model-level and a category-level mapping, a rival brand's."""
    secret, raw = iot.issue_device_secret(brand=world.brand, label="fleet 2025")
    leak = SymptomFactory(category=world.category, code="leak", name="漏水", name_en="Leaking")
    by_model = FaultCodeMapping.objects.create(
        brand=world.brand, product_model=world.model, fault_code="E01", label="进水压力低",
        service_type="repair", priority="high")
    leak_mapping = FaultCodeMapping.objects.create(
        brand=world.brand, product_model=world.model, fault_code="E02", label="漏水保护", service_type="repair",
        priority="urgent", symptom=leak)
    fallback = FaultCodeMapping.objects.create(
        brand=world.brand, category=world.category, fault_code="E01", label="进水异常（品类）",
        service_type="inspection", priority="low")
    category_only = FaultCodeMapping.objects.create(
        brand=world.brand, category=world.category, fault_code="F10", label="滤芯寿命到期",
        service_type="maintenance", priority="normal")
    rival = world.other_brand
    rival_secret, rival_raw = iot.issue_device_secret(brand=rival, label="rival fleet")
    rival_product = InstalledProductFactory(customer=world.rival_customer, brand=rival, serial="RIVAL-0001")
    FaultCodeMapping.objects.create(brand=rival, product_model=rival_product.product_model, fault_code="E01",
                                    label="rival", service_type="repair", priority="high")
    return SimpleNamespace(secret=secret, raw=raw, by_model=by_model, leak=leak_mapping, fallback=fallback,
                           category_only=category_only, rival_raw=rival_raw, rival_product=rival_product,
                           leak_symptom=leak)


# --- WeChat ------------------------------------------------------------------------------------------

WECHAT_TOKEN = "acmeWeChatToken2025"
OFFICIAL_ID = "gh_acme000001"


def wechat_account(brand, **kw) -> WeChatAccount:
    return WeChatAccount.objects.create(brand=brand, name=f"{brand.name} 服务号",
                                        token=kw.pop("token", WECHAT_TOKEN), original_id=kw.pop("original_id",
                                        OFFICIAL_ID), **kw)


def wechat_query(token: str, *, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
    # As WeChat signs each request: the time now and a fresh random nonce.
    stamp = timestamp or str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    signature = hashlib.sha1("".join(sorted([token, stamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": stamp, "nonce": nonce}


def cdata(text: str) -> str:
    # As any XML writer does it: "]]>" inside the text is split over two CDATA sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_message(content: str, *, openid: str, msg_id: int, to: str = OFFICIAL_ID,
                 create_time: int | None = None) -> bytes:
    created = create_time or int(time.time())
    return (
        f"<xml><ToUserName>{cdata(to)}</ToUserName>\n<FromUserName>{cdata(openid)}</FromUserName>\n"
        f"<CreateTime>{created}</CreateTime>\n<MsgType>{cdata('text')}</MsgType>\n"
        f"<Content>{cdata(content)}</Content>\n<MsgId>{msg_id}</MsgId>\n</xml>"
    ).encode()


def event_message(event: str, *, openid: str, to: str = OFFICIAL_ID, create_time: int | None = None) -> bytes:
    created = create_time or int(time.time())
    return (
        f"<xml><ToUserName>{cdata(to)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType>{cdata('event')}</MsgType>"
        f"<Event>{cdata(event)}</Event><EventKey>{cdata('')}</EventKey></xml>"
    ).encode()


def post_wechat(brand_code: str, body: bytes, *, token: str = WECHAT_TOKEN, client: Client | None = None,
                query: dict | None = None):
    params = query if query is not None else wechat_query(token)
    from urllib.parse import urlencode

    return (client or Client()).post(f"/wechat/{brand_code}/callback?{urlencode(params)}", data=body,
                                     content_type="text/xml")


def rival_customer_product(world):
    customer = CustomerFactory(brand=world.other_brand, phone="+8613900000009")
    return InstalledProductFactory(customer=customer, brand=world.other_brand, serial="RIVAL-WX-1")

