"""Shared by the customer-message tests: the providers' stand-ins wired into settings, and a stand-in event."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from core.aliyun_sms_standin import AliyunSmsStandIn
from core.smtp_standin import SmtpStandIn
from integrations.models import WeChatLink
from integrations.tests.factories import wechat_account
from integrations.wechat_api_standin import WeChatApiStandIn
from notifications.texts import SENTENCES

_ids = itertools.count(10_000)
OPENID = "oCustomer0001"


@dataclass
class Event:
    """What the outbox hands a sink (core/outbox.py's contract)."""

    kind: str
    brand_id: int
    work_order_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    pk: int = field(default_factory=lambda: next(_ids))
    subject_type: str = "work_order"
    subject_id: int | None = None
    created_at: dt.datetime = field(default_factory=timezone.now)


def template_variables(settings) -> dict[str, set[str]]:
    """The approved templates as the stand-in gateway knows them: code -> the variables of its sentence."""
    found = {}
    for kind, per_language in settings.SMS_TEMPLATES.items():
        names = set(re.findall(r"%\((\w+)\)s", str(SENTENCES[kind])))
        for code in per_language.values():
            found[code] = names
    return found


def start_providers(settings, world) -> SimpleNamespace:
    """Aliyun SMS, WeChat and SMTP stand-ins on loopback, the settings pointing at them, and the world's customer
    with an email and a WeChat link."""
    sms = AliyunSmsStandIn(key_id="LTAI-test", secret="sms-secret", sign_name="Acme",
                           templates=template_variables(settings)).start()
    wechat = WeChatApiStandIn(app_id="wx-acme", secret="wx-secret", templates={"as-service-update"},
                              followers={OPENID}).start()
    smtp = SmtpStandIn().start()
    settings.SMS_BACKEND = "core.aliyun_sms.AliyunSmsBackend"
    settings.ALIYUN_SMS = {"URL": sms.url, "ACCESS_KEY_ID": "LTAI-test", "ACCESS_KEY_SECRET": "sms-secret",
                           "SIGN_NAME": "Acme"}
    settings.WECHAT_API = {"URL": wechat.url}
    settings.WECHAT_TEMPLATES = {kind: "as-service-update" for kind in SENTENCES}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    wechat_account(world.brand, app_id="wx-acme", app_secret="wx-secret")
    WeChatLink.objects.create(brand=world.brand, openid=OPENID, customer=world.customer)
    world.customer.email = "customer@example.com"
    world.customer.save(update_fields=["email"])
    return SimpleNamespace(sms=sms, wechat=wechat, smtp=smtp)


def stop_providers(providers: SimpleNamespace) -> None:
    for server in (providers.sms, providers.wechat, providers.smtp):
        server.stop()
