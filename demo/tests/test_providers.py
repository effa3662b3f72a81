"""`make run` (scripts/serve.py) starts local stand-ins of the SMS gateway and the WeChat API and points the server's
processes at them: a customer's messages leave through the real Aliyun and WeChat backends (signature, AppSecret,
access token) and end sent, with the links naming the server's address; what the stand-ins took is in their log."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import build_world
from core.models import Delivery, OutboxEvent
from core.tests.test_serve import database_env, free_port, wait_for
from demo.integrations import DEMO_OPENID, WECHAT_APP_ID, WECHAT_APP_SECRET
from demo.providers import SMS_SIGN_NAME
from integrations.models import WeChatLink
from integrations.tests.factories import wechat_account
from notifications.models import CustomerMessage
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)


def event(order, kind: str, data: dict) -> OutboxEvent:
    """An event waiting for the customer-messages sink, left to the server's own workers (no prompt task here)."""
    recorded = OutboxEvent.objects.create(kind=kind, brand_id=order.brand_id, work_order_id=order.pk,
                                          subject_type="workorder", subject_id=order.pk,
                                          data={"number": order.number, **data}, created_at=timezone.now())
    Delivery.objects.create(event=recorded, sink="customer_messages", next_attempt_at=timezone.now())
    return recorded


def test_make_run_sends_customer_messages_to_its_sms_and_wechat_stand_ins(tmp_path: Path):
    world = build_world()
    wechat_account(world.brand, app_id=WECHAT_APP_ID, app_secret=WECHAT_APP_SECRET)
    WeChatLink.objects.create(brand=world.brand, openid=DEMO_OPENID, customer=world.customer)
    order = make_order(world, status=Status.EN_ROUTE)
    # On the way: sent on SMS even in the quiet hours. Completed: its WeChat message carries the portal's link.
    en_route = event(order, "order.en_route", {"eta": (timezone.now() + dt.timedelta(minutes=20)).isoformat()})
    completed = event(order, "order.completed", {})
    port = free_port()
    env = {**os.environ, **database_env(), "SERVE_LOG_DIR": str(tmp_path), "TASKS_BACKEND": "database",
           "SMS_OUTBOX": str(tmp_path / "sms-outbox.log")}
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SMS_BACKEND", "WECHAT_API_URL", "SITE_URL"):
        env.pop(name, None)
    server = subprocess.Popen([sys.executable, "scripts/serve.py", f"127.0.0.1:{port}"], cwd=settings.BASE_DIR,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Sent; an SMS then delivered, when the gateway's receipt came (the periodic job asks for it).
        sent = CustomerMessage.objects.filter(event_id=en_route.pk, status__in=("sent", "delivered"))
        wait_for(lambda: sent.count() == 2)
        wechat = CustomerMessage.objects.filter(event_id=completed.pk, channel="wechat", status="sent")
        wait_for(wechat.exists)
        log = tmp_path / "providers.log"
        wait_for(lambda: log.read_text().count(" to ") >= 3)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Started the SMS gateway and WeChat API stand-ins in the background" in output, output
    sms = CustomerMessage.objects.get(event_id=en_route.pk, channel="sms")
    assert sms.provider_id.endswith("^0") and sms.error_code == ""  # Aliyun's BizId: the gateway took it
    msgid = CustomerMessage.objects.get(event_id=en_route.pk, channel="wechat").provider_id
    assert msgid.isdigit()  # WeChat's msgid: the AppSecret fetched a token and the template message went out
    assert f"http://127.0.0.1:{port}/portal/" in wechat.get().text  # the link names where the server answers
    taken = log.read_text()
    # The gateway sends its copy of the template after its own signature (the demo brand's name).
    words = sms.text.split("】", 1)[1]
    assert f"SMS {sms.provider_id} to 13900000001: 【{SMS_SIGN_NAME}】{words}" in taken
    assert f"WeChat {msgid} to {DEMO_OPENID}" in taken
    assert f"13900000001 【{SMS_SIGN_NAME}】{words}" in (tmp_path / "sms-outbox.log").read_text()
