"""Demo integrations for a brand: ``seed_integrations(brand, now=...)`` (called by the demo command).

An IoT signing secret (a published test value, so the demo's instructions can show a signed request),
fault-code mappings for the brand's categories and some models, device alerts that went through the
real service (usage readings over the last weeks, one unknown fault code), and a WeChat account with a
token, an AppID and an AppSecret (the ones the WeChat API stand-in that `make run` starts knows: demo/providers.py,
so the customer's WeChat messages go out), the demo customer's WeChat linked. The alerts open no orders: the
demo's orders and their timelines are built by demo/orders.py; ``manage.py send_test_alert`` shows an alert
opening one live.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Organisation
from catalog.models import FaultCodeMapping, ProductCategory, ProductModel, Symptom
from customers.models import Customer, InstalledProduct
from integrations.models import DeviceAlert, UsageReading, WeChatAccount, WeChatLink
from integrations.services import iot, wechat

DEMO_SECRET = "iot_demo_aqualife_not_for_production_0001"
WECHAT_TOKEN = "AqualifeDemoToken2025"
WECHAT_ORIGINAL_ID = "gh_aqualife0001"
DEMO_OPENID = "oAqualifeDemoCustomer000001"
# The official account's keys as the WeChat API stand-in of `make run` knows them (demo/providers.py).
WECHAT_APP_ID = "wx5a9d3e0c1b7f2aq1"
WECHAT_APP_SECRET = "aqualifedemo0secret0notforprod01"

# category → (fault code, meaning, service type, priority, symptom code)
CATEGORY_CODES = {
    "purifier": [
        ("E1", "进水压力低", "repair", "high", "no-water"),
        ("E2", "漏水保护", "repair", "urgent", "leak"),
        ("E3", "出水 TDS 超标", "inspection", "normal", "bad-taste"),
        ("E4", "制水超时", "repair", "normal", "never-stops"),
        ("F0", "滤芯寿命到期", "maintenance", "normal", "filter-due"),
    ],
    "appliance": [
        ("E1", "点火失败", "repair", "high", "no-ignition"),
        ("E4", "加热异常", "repair", "normal", "no-heat"),
        ("E9", "漏电保护动作", "repair", "urgent", "trips-breaker"),
    ],
    "hvac": [
        ("P1", "外机高压保护", "repair", "urgent", "high-pressure"),
        ("E6", "室内外机通讯故障", "repair", "high", "controller-error"),
        ("E8", "冷凝水溢出", "repair", "normal", "indoor-leak"),
    ],
}
# Model-level codes that differ from their category's.
MODEL_CODES = {
    "RO-800P": [("E2", "漏水保护（鲜享版双重检测）", "repair", "urgent", "leak"),
                ("E7", "UV 杀菌灯故障", "repair", "normal", "error-code")],
    "VRF-8": [("P1", "外机高压保护（商用机组）", "repair", "urgent", "high-pressure")],
}


def seed_integrations(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    _mappings(brand)
    if not iot.DeviceSecret.objects.filter(brand=brand, secret=DEMO_SECRET).exists():
        iot.issue_device_secret(brand=brand, label="演示设备密钥（勿用于生产）", raw=DEMO_SECRET)
    WeChatAccount.objects.get_or_create(brand=brand, defaults=dict(
        name=f"{brand.name} 服务号", token=WECHAT_TOKEN, original_id=WECHAT_ORIGINAL_ID, app_id=WECHAT_APP_ID,
        app_secret=WECHAT_APP_SECRET))
    customer = Customer.objects.filter(brand=brand, user__username="customer").first()
    if customer is not None:
        wechat.link_openid(brand_id=brand.pk, openid=DEMO_OPENID, customer=customer)
    _alerts(brand, customer, now)
    return {"fault_code_mappings": FaultCodeMapping.objects.filter(brand=brand).count(),
            "device_alerts": DeviceAlert.objects.filter(brand=brand).count(),
            "usage_readings": UsageReading.objects.filter(brand=brand).count(),
            "wechat_links": WeChatLink.objects.filter(brand=brand).count()}


def _mappings(brand: Organisation) -> None:
    symptoms = {(s.category.code, s.code): s for s in Symptom.objects.filter(category__brand=brand)
                .select_related("category")}
    for category in ProductCategory.objects.filter(brand=brand, code__in=CATEGORY_CODES):
        for code, label, service, priority, symptom in CATEGORY_CODES[category.code]:
            FaultCodeMapping.objects.get_or_create(brand=brand, category=category, fault_code=code, defaults=dict(
                label=label, service_type=service, priority=priority,
                symptom=symptoms.get((category.code, symptom))))
    for model in ProductModel.objects.filter(category__brand=brand, code__in=MODEL_CODES).select_related("category"):
        for code, label, service, priority, symptom in MODEL_CODES[model.code]:
            FaultCodeMapping.objects.get_or_create(brand=brand, product_model=model, fault_code=code, defaults=dict(
                label=label, service_type=service, priority=priority,
                symptom=symptoms.get((model.category.code, symptom))))


def _alerts(brand: Organisation, customer: Customer | None, now: dt.datetime) -> None:
    """Weekly reports of connected purifiers over the last four weeks, through the real service."""
    purifiers = InstalledProduct.objects.filter(brand=brand, product_model__category__code="purifier")
    mine = list(purifiers.filter(customer=customer).order_by("serial")[:2]) if customer else []
    others = list(purifiers.exclude(customer=customer).order_by("serial")[:4])
    for n, product in enumerate(mine + others):
        litres, life = Decimal(1800 + 350 * n), Decimal(64 - 9 * n)
        for week in range(4):
            at = now - dt.timedelta(days=7 * (3 - week), hours=n)
            alert = iot.Alert(alert_id=f"demo-{product.serial}-w{week}", serial=product.serial, occurred_at=at,
                              readings={"litres_filtered": litres, "filter_life_pct": max(life, Decimal(0)),
                                        "tds_out_ppm": Decimal("6.5") + n})
            iot.receive_alert(brand=brand, alert=alert, now=at + dt.timedelta(seconds=2))
            litres += Decimal("96.5") + 10 * n
            life -= Decimal(4)
    if others:
        # A code the brand has not mapped yet: kept, answered, no order (shown in the admin's device alerts).
        at = now - dt.timedelta(hours=5)
        iot.receive_alert(brand=brand, now=at, alert=iot.Alert(
            alert_id=f"demo-{others[0].serial}-x", serial=others[0].serial, fault_code="E99",
            message="未知告警（固件 2.3.1）", occurred_at=at))


def instructions(brand_code: str, url: str = "http://127.0.0.1:8000") -> list[str]:
    return [
        "IoT alerts and WeChat (demo):",
        "  send a signed test alert to the running server (opens an IoT work order for the demo customer):",
        f"    .venv/bin/python manage.py send_test_alert --fault E1 --url {url}",
        f"  the demo's IoT secret: {DEMO_SECRET}  (docs/integrations.md shows how to sign by hand)",
        f"  WeChat callback: {url}/wechat/{brand_code}/callback  token {WECHAT_TOKEN}",
        "  customer messages: `make run` sends them to local stand-ins of the SMS gateway and the WeChat API;",
        "    each one they take is in var/providers.log",
    ]
