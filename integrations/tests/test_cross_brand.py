"""The IoT route and the WeChat callback are not user-scoped: the brand's secret or token is the credential.

These probes prove that one brand's credential creates and touches nothing of another brand, and that a
user's bearer token or session is no credential at all there.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from conftest import token_client
from integrations import links
from integrations.models import DeviceAlert, UsageReading, WeChatLink, WeChatMessage
from integrations.services import wechat
from integrations.tests.factories import (
    ALERTS_URL,
    device_headers,
    iot_world,
    post_alert,
    post_wechat,
    text_message,
    wechat_account,
    wechat_query,
)
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
OPENID = "oCrossBrand0000000000000001"


@pytest.fixture
def w(world):
    world.iot = iot_world(world)
    world.account = wechat_account(world.brand)
    world.rival_account = wechat_account(world.other_brand, token="rivalToken99", original_id="gh_rival00001")
    # An open order of the rival brand's product: nothing of acme's may fold into it.
    from accounts.principal import principal_of
    from workorders.services import create_work_order

    world.rival_order = create_work_order(
        actor=principal_of(world.rival_dispatcher), customer=world.rival_customer, product=world.iot.rival_product,
        type="repair", channel="hotline")
    return world


def everything():
    return (
        list(WorkOrder.objects.order_by("pk").values_list("pk", "brand_id", "version", "status")),
        list(WorkOrderEvent.objects.order_by("pk").values_list("pk", "work_order_id")),
        list(DeviceAlert.objects.order_by("pk").values_list("pk", "brand_id")),
        list(UsageReading.objects.order_by("pk").values_list("pk", "product_id")),
        list(WeChatLink.objects.order_by("pk").values_list("pk", "brand_id", "customer_id")),
        list(WeChatMessage.objects.order_by("pk").values_list("pk", "brand_id")),
    )


def test_one_brands_iot_secret_reaches_nothing_of_another(w):
    before = everything()
    payload = {"alert_id": "x-1", "serial": "RIVAL-0001", "fault_code": "E01", "readings": {"running_hours": 5}}
    # acme's secret, claiming to be the rival: the signature is checked against the rival's secrets only.
    assert post_alert(payload, secret=w.iot.raw, brand="rival").json()["code"] == "bad_signature"
    # acme's secret as acme, with the rival's serial: the serial is looked up within acme only.
    assert post_alert(payload, secret=w.iot.raw, brand="acme").json()["code"] == "unknown_serial"
    # The rival's secret with acme's serial, as either brand.
    acme_payload = dict(payload, serial="SN-A-0001")
    assert post_alert(acme_payload, secret=w.iot.rival_raw, brand="rival").json()["code"] == "unknown_serial"
    assert post_alert(acme_payload, secret=w.iot.rival_raw, brand="acme").json()["code"] == "bad_signature"
    assert everything() == before


def test_a_rivals_alert_id_does_not_replay_for_acme(w):
    rival = post_alert({"alert_id": "shared-id", "serial": "RIVAL-0001", "fault_code": "E01"},
                       secret=w.iot.rival_raw, brand="rival")
    assert rival.status_code == 200  # folded into the rival's own open order
    acme = post_alert({"alert_id": "shared-id", "serial": "SN-A-0001", "fault_code": "Z00"}, secret=w.iot.raw,
                      brand="acme")
    assert acme.status_code == 202 and acme.json()["outcome"] == "unmapped_fault"
    assert "Idempotent-Replayed" not in acme


@pytest.mark.parametrize("persona", ["admin", "dispatcher", "customer", "rival_dispatcher"])
def test_a_users_bearer_token_or_session_is_no_credential_for_the_iot_route(w, persona):
    user = getattr(w, persona)
    user = getattr(user, "user", user)
    body = json.dumps({"alert_id": "t-1", "serial": "SN-A-0001", "fault_code": "E01"}).encode()
    before = everything()
    assert token_client(user).post(ALERTS_URL, data=body, content_type="application/json").status_code == 401
    session = Client()
    session.force_login(user)
    assert session.post(ALERTS_URL, data=body, content_type="application/json").status_code == 401
    # A valid signature with a bearer token on top: the token changes nothing, the signature decides.
    headers = device_headers(w.iot.raw, body, brand="rival")
    assert token_client(user).post(ALERTS_URL, data=body, content_type="application/json",
                                   **headers).status_code == 401
    assert everything() == before


def test_one_brands_wechat_token_reaches_nothing_of_another(w):
    WeChatLink.objects.create(brand=w.brand, openid=OPENID, customer=w.customer)
    before = everything()
    repair = text_message("报修 RIVAL-0001 不出水", openid=OPENID, msg_id=1, to="gh_rival00001")
    # acme's token on the rival's callback, for the handshake and for a message.
    query = {**wechat_query("acmeWeChatToken2025"), "echostr": "1"}
    assert Client().get(f"/wechat/rival/callback?{urlencode(query)}").status_code == 401
    assert post_wechat("rival", repair).status_code == 401
    assert everything() == before
    # acme's signed callback naming the rival's serial: not the linked customer's product, so no order.
    reply = post_wechat("acme", text_message("报修 RIVAL-0001 不出水", openid=OPENID, msg_id=2))
    assert reply.status_code == 200 and "未找到".encode() in reply.content
    assert WorkOrder.objects.count() == len(before[0])


def test_a_bind_link_of_one_brand_links_nothing_in_another(w):
    token = wechat.bind_token(brand_id=w.brand.pk, openid=OPENID)
    rival_user = w.rival_dispatcher
    for user, brand, status in ((w.customer.user, "rival", 400), (rival_user, "acme", 403), (rival_user, "rival", 400)):
        client = Client()
        client.force_login(user)
        assert client.post(links.bind_path(brand, token)).status_code == status, (user, brand)
    assert WeChatLink.objects.count() == 0


@pytest.mark.parametrize("persona", ["admin", "dispatcher", "customer"])
def test_a_users_session_is_no_credential_for_the_wechat_callback(w, persona):
    user = getattr(w, persona)
    client = Client()
    client.force_login(getattr(user, "user", user))
    before = everything()
    resp = client.post("/wechat/acme/callback", data=text_message("报修 SN-A-0001 坏了", openid=OPENID, msg_id=3),
                       content_type="text/xml")
    assert resp.status_code == 401 and everything() == before
