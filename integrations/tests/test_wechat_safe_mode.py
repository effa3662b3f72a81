"""WeChat's encrypted ("safe") and compatible modes, with messages encrypted and signed as WeChat does."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client

from integrations import wechat_crypto
from integrations.models import WeChatLink, WeChatMessage
from integrations.tests.factories import OFFICIAL_ID, WECHAT_TOKEN, text_message, wechat_account, wechat_query
from integrations.tests.wechat_wire import AES_KEY, APP_ID, sha1_sorted, wechat_decrypt, wechat_encrypt
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
OPENID = "oSafeMode000000000000000001"


@pytest.fixture
def w(world):
    world.account = wechat_account(world.brand, mode="safe", app_id=APP_ID, encoding_aes_key=AES_KEY)
    WeChatLink.objects.create(brand=world.brand, openid=OPENID, customer=world.customer)
    return world


def encrypted_post(inner: bytes, *, msg_signature: str | None = None, app_id: str = APP_ID):
    cipher = wechat_encrypt(inner.decode(), app_id=app_id)
    query = wechat_query(WECHAT_TOKEN, nonce="n0nce")
    query.update(encrypt_type="aes",
                 msg_signature=msg_signature or sha1_sorted(WECHAT_TOKEN, query["timestamp"], query["nonce"], cipher))
    body = (f"<xml><ToUserName><![CDATA[{OFFICIAL_ID}]]></ToUserName><Encrypt><![CDATA[{cipher}]]></Encrypt>"
            "</xml>").encode()
    return Client().post(f"/wechat/acme/callback?{urlencode(query)}", data=body, content_type="text/xml")


def test_an_encrypted_repair_message_is_decrypted_acted_on_and_answered_encrypted(w):
    resp = encrypted_post(text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=3001))
    assert resp.status_code == 200, resp.content
    outer = {c.tag: c.text for c in fromstring(resp.content)}
    assert set(outer) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert outer["Nonce"] == "n0nce"
    assert abs(int(outer["TimeStamp"]) - time.time()) < 60
    assert outer["MsgSignature"] == sha1_sorted(WECHAT_TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
    inner, app_id = wechat_decrypt(outer["Encrypt"])
    assert app_id == APP_ID
    reply = {c.tag: c.text for c in fromstring(inner.encode())}
    order = WorkOrder.objects.get()
    assert order.channel == "wechat" and order.number in reply["Content"]
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == OFFICIAL_ID


def test_a_bad_message_signature_is_refused(w):
    resp = encrypted_post(text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=3002), msg_signature="0" * 40)
    assert resp.status_code == 401 and resp.json()["code"] == "bad_signature"
    assert WorkOrder.objects.count() == 0 and WeChatMessage.objects.count() == 0


def test_a_message_encrypted_for_another_appid_is_refused(w):
    resp = encrypted_post(text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=3003), app_id="wxother")
    assert resp.status_code == 400 and resp.json()["code"] == "malformed_xml"
    assert WorkOrder.objects.count() == 0


def test_a_safe_mode_account_refuses_plaintext(w):
    body = text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=3004)
    resp = Client().post(f"/wechat/acme/callback?{urlencode(wechat_query(WECHAT_TOKEN))}", data=body,
                         content_type="text/xml")
    assert resp.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_compatible_mode_takes_both(w):
    w.account.mode = "compatible"
    w.account.save()
    plain = Client().post(f"/wechat/acme/callback?{urlencode(wechat_query(WECHAT_TOKEN))}",
                          data=text_message("你好", openid=OPENID, msg_id=3005), content_type="text/xml")
    assert plain.status_code == 200 and b"<Content>" in plain.content
    encrypted = encrypted_post(text_message("你好", openid=OPENID, msg_id=3006))
    assert encrypted.status_code == 200 and b"<Encrypt>" in encrypted.content


def test_our_cipher_and_wechats_agree_both_ways():
    message = "<xml><Content><![CDATA[报修 ✓]]></Content></xml>"
    ours = wechat_crypto.encrypt(message, encoding_aes_key=AES_KEY, app_id=APP_ID)
    assert wechat_decrypt(ours) == (message, APP_ID)
    assert wechat_crypto.decrypt(wechat_encrypt(message), encoding_aes_key=AES_KEY, app_id=APP_ID) == message
    with pytest.raises(wechat_crypto.DecryptError):
        wechat_crypto.decrypt("bm90IGJsb2Nrcw==", encoding_aes_key=AES_KEY, app_id=APP_ID)
