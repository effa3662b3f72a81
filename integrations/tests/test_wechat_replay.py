"""A signed WeChat callback is good once, and only within 5 minutes of its timestamp (as the IoT path).

The plaintext mode signs the time and a random nonce but not the message, so a captured query string was
enough to post any message as any linked customer, at any time later. Now: a stale timestamp is refused,
the (timestamp, nonce) pair is remembered for the window and refused with another body, and WeChat's own
retry (the same bytes again) is answered from the stored reply without acting twice.
"""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from integrations.models import RejectedRequest, WeChatLink, WeChatMessage, WeChatNonce
from integrations.tasks import forget_wechat_nonces
from integrations.tests.factories import WECHAT_TOKEN, post_wechat, text_message, wechat_account, wechat_query
from integrations.tests.wechat_wire import AES_KEY, APP_ID, sha1_sorted, wechat_encrypt
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
OPENID = "oReplay00000000000000000001"
REPAIR = "报修 SN-A-0001 不出水"


@pytest.fixture
def w(world):
    world.account = wechat_account(world.brand)
    WeChatLink.objects.create(brand=world.brand, openid=OPENID, customer=world.customer)
    return world


def stored():
    return WorkOrder.objects.count(), WeChatMessage.objects.count()


# Ten seconds past the 5-minute window each way: the timestamp is cut to the second and the request may
# take a while on a loaded machine, and a future time one second out came back inside the window.
@pytest.mark.parametrize("age", [24 * 3600, 310, -310])
def test_a_correctly_signed_request_outside_the_window_is_refused(w, age):
    query = wechat_query(WECHAT_TOKEN, timestamp=str(int(time.time()) - age))

    response = post_wechat("acme", text_message(REPAIR, openid=OPENID, msg_id=5001), query=query)

    assert (response.status_code, response.json()["code"]) == (401, "stale_request")
    assert stored() == (0, 0) and WeChatNonce.objects.count() == 0
    assert RejectedRequest.objects.get().code == "stale_request"


def test_the_url_handshake_refuses_a_stale_timestamp_too(w):
    query = {**wechat_query(WECHAT_TOKEN, timestamp=str(int(time.time()) - 3600)), "echostr": "42"}
    response = Client().get(f"/wechat/acme/callback?{urlencode(query)}")
    assert (response.status_code, response.json()["code"]) == (401, "stale_request")


def test_a_signed_query_string_reused_with_another_message_is_refused(w):
    query = wechat_query(WECHAT_TOKEN)
    first = post_wechat("acme", text_message("你好", openid=OPENID, msg_id=5002), query=query)
    assert first.status_code == 200 and stored() == (0, 1)

    replay = post_wechat("acme", text_message(REPAIR, openid=OPENID, msg_id=5003), query=query)

    assert (replay.status_code, replay.json()["code"]) == (401, "replayed_request")
    assert stored() == (0, 1)


def test_wechats_retry_of_one_delivery_is_answered_once_and_acted_on_once(w):
    query = wechat_query(WECHAT_TOKEN)
    body = text_message(REPAIR, openid=OPENID, msg_id=5004)

    answers = [post_wechat("acme", body, query=query) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].content == answers[1].content == answers[2].content
    assert stored() == (1, 1) and WeChatNonce.objects.count() == 1


def test_in_safe_mode_the_message_is_signed_and_a_stale_one_is_refused(world):
    wechat_account(world.brand, mode="safe", app_id=APP_ID, encoding_aes_key=AES_KEY)
    WeChatLink.objects.create(brand=world.brand, openid=OPENID, customer=world.customer)

    def encrypted(query, inner):
        cipher = wechat_encrypt(inner.decode())
        query = {**query, "encrypt_type": "aes",
                 "msg_signature": sha1_sorted(WECHAT_TOKEN, query["timestamp"], query["nonce"], cipher)}
        body = f"<xml><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>".encode()
        return Client().post(f"/wechat/acme/callback?{urlencode(query)}", data=body, content_type="text/xml")

    stale = encrypted(wechat_query(WECHAT_TOKEN, timestamp=str(int(time.time()) - 600)),
                      text_message(REPAIR, openid=OPENID, msg_id=5005))
    assert (stale.status_code, stale.json()["code"]) == (401, "stale_request")

    query = wechat_query(WECHAT_TOKEN)
    good = encrypted(query, text_message(REPAIR, openid=OPENID, msg_id=5006))
    assert good.status_code == 200 and stored() == (1, 1)
    # Another message under the same query string: its msg_signature is new, but the nonce was used.
    again = encrypted(query, text_message("报修 SN-A-0001 漏水", openid=OPENID, msg_id=5007))
    assert (again.status_code, again.json()["code"]) == (401, "replayed_request")
    assert stored() == (1, 1)


def test_the_periodic_job_forgets_nonces_no_request_can_reuse(w):
    now = timezone.now()
    old = WeChatNonce.objects.create(brand=w.brand, timestamp=1, nonce="old", body_digest="x",
                                     seen_at=now - dt.timedelta(minutes=12))
    recent = WeChatNonce.objects.create(brand=w.brand, timestamp=2, nonce="recent", body_digest="x",
                                        seen_at=now - dt.timedelta(minutes=5))

    assert forget_wechat_nonces.call() == 1
    assert forget_wechat_nonces.call() == 0
    assert list(WeChatNonce.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not WeChatNonce.objects.filter(pk=old.pk).exists()
