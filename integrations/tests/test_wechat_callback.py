"""The WeChat callback with messages built as WeChat builds them: signatures, handshake, safe XML, replies,
retries, and turning "报修 <serial> <description>" into a work order for the linked customer only."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client

from customers.tests.factories import InstalledProductFactory
from integrations import links
from integrations.models import RejectedRequest, WeChatLink, WeChatMessage
from integrations.services import wechat
from integrations.tests.factories import (
    OFFICIAL_ID,
    WECHAT_TOKEN,
    event_message,
    post_wechat,
    text_message,
    wechat_account,
    wechat_query,
)
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def w(world):
    world.account = wechat_account(world.brand)
    world.rival_account = wechat_account(world.other_brand, token="rivalToken99", original_id="gh_rival00001")
    return world


def link(w, openid=OPENID, customer=None):
    return WeChatLink.objects.create(brand=w.brand, openid=openid, customer=customer or w.customer)


def reply_of(resp) -> dict[str, str]:
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"].startswith("application/xml")
    root = fromstring(resp.content)
    return {child.tag: child.text or "" for child in root}


def say(w, content, *, msg_id=1001, openid=OPENID):
    return post_wechat("acme", text_message(content, openid=openid, msg_id=msg_id))


def snapshot():
    return (WorkOrder.objects.count(), WeChatMessage.objects.count(), WeChatLink.objects.count())


# --- signature and handshake -------------------------------------------------------------------------

def test_url_verification_echoes_echostr(w, client):
    query = {**wechat_query(WECHAT_TOKEN), "echostr": "7364112838264953317"}
    resp = client.get(f"/wechat/acme/callback?{urlencode(query)}")
    assert resp.status_code == 200 and resp.content == b"7364112838264953317"


@pytest.mark.parametrize("tamper", ["signature", "timestamp", "nonce", "missing", "other_brands_token"])
def test_url_verification_with_a_bad_signature_is_refused(w, client, tamper):
    query = {**wechat_query(WECHAT_TOKEN), "echostr": "42"}
    if tamper == "signature":
        query["signature"] = "0" * 40
    elif tamper == "timestamp":
        query["timestamp"] = str(int(query["timestamp"]) + 1)
    elif tamper == "nonce":
        query["nonce"] = "other"
    elif tamper == "missing":
        del query["signature"]
    else:
        query = {**wechat_query("rivalToken99"), "echostr": "42"}
    resp = client.get(f"/wechat/acme/callback?{urlencode(query)}")
    assert resp.status_code == 401 and resp.json()["code"] == "bad_signature"
    assert b"42" not in resp.content
    assert RejectedRequest.objects.get().source == "wechat"


def test_an_unsigned_message_is_refused_and_does_nothing(w):
    link(w)
    before = snapshot()
    resp = post_wechat("acme", text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=1), query={})
    assert resp.status_code == 401 and resp.json()["code"] == "bad_signature"
    assert snapshot() == before


def test_a_message_signed_with_another_brands_token_is_refused(w):
    link(w)
    before = snapshot()
    resp = post_wechat("acme", text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=1), token="rivalToken99")
    assert resp.status_code == 401
    assert snapshot() == before


def test_an_unknown_brand_or_an_inactive_account_is_404(w):
    assert post_wechat("nobody", text_message("hi", openid=OPENID, msg_id=1)).status_code == 404
    w.account.is_active = False
    w.account.save()
    assert post_wechat("acme", text_message("hi", openid=OPENID, msg_id=1)).status_code == 404


def test_a_message_for_another_official_account_is_refused(w):
    resp = post_wechat("acme", text_message("hi", openid=OPENID, msg_id=1, to="gh_someoneelse"))
    assert resp.status_code == 400 and resp.json()["code"] == "malformed_xml"
    assert WeChatMessage.objects.count() == 0


# --- safe XML ----------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName><![CDATA[gh_acme000001]]></ToUserName><FromUserName><![CDATA[oX]]></FromUserName>
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&secret;</Content>
<MsgId>77</MsgId></xml>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<xml><ToUserName><![CDATA[gh_acme000001]]></ToUserName><FromUserName><![CDATA[oX]]></FromUserName>
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&lol9;</Content>
<MsgId>78</MsgId></xml>"""


@pytest.mark.parametrize("body", [XXE, LAUGHS], ids=["external_entity", "billion_laughs"])
def test_entities_are_refused_without_being_expanded(w, body):
    started = time.perf_counter()
    resp = post_wechat("acme", body)
    assert resp.status_code == 400 and resp.json()["code"] == "malformed_xml"
    assert time.perf_counter() - started < 1.0
    assert b"root:" not in resp.content and b"lollol" not in resp.content
    assert WeChatMessage.objects.count() == 0
    assert "DTD" in RejectedRequest.objects.get().detail or "forbidden" in RejectedRequest.objects.get().detail.lower()


@pytest.mark.parametrize("body", [b"not xml", b"<html><body/></html>", b"<xml><MsgType>text</MsgType></xml>",
                                  b"<xml><FromUserName>o</FromUserName><CreateTime>x</CreateTime>"
                                  b"<MsgType>text</MsgType><MsgId>1</MsgId></xml>", b""])
def test_malformed_messages_are_400(w, body):
    resp = post_wechat("acme", body)
    assert resp.status_code == 400 and resp.json()["code"] == "malformed_xml"
    assert WeChatMessage.objects.count() == 0


def test_an_oversized_message_is_413(w):
    body = text_message("报修 SN-A-0001 " + "很" * 30_000, openid=OPENID, msg_id=5)
    resp = post_wechat("acme", body)
    assert resp.status_code == 413 and resp.json()["code"] == "too_large"


# --- replies -----------------------------------------------------------------------------------------

def test_subscribe_gets_a_welcome_with_the_bind_link(w):
    reply = reply_of(post_wechat("acme", event_message("subscribe", openid=OPENID)))
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == OFFICIAL_ID and reply["MsgType"] == "text"
    assert reply["CreateTime"].isdigit()
    assert reply["Content"].startswith("欢迎关注Acme售后服务")
    token = reply["Content"].split("/wechat/bind/")[1].rstrip("/")
    assert wechat.read_bind_token(token, brand_id=w.brand.pk) == OPENID
    assert "http://testserver" + links.bind_path("acme", token) in reply["Content"]


def test_a_linked_subscriber_is_welcomed_back_without_a_link(w):
    link(w)
    content = reply_of(post_wechat("acme", event_message("subscribe", openid=OPENID)))["Content"]
    assert "欢迎回来" in content and "/wechat/bind/" not in content


def test_other_events_get_no_reply(w):
    resp = post_wechat("acme", event_message("unsubscribe", openid=OPENID))
    assert resp.status_code == 200 and resp.content == b"success"


def test_an_unlinked_user_gets_the_bind_link_first(w):
    before = WorkOrder.objects.count()
    content = reply_of(say(w, "报修 SN-A-0001 不出水"))["Content"]
    assert "请先将微信绑定" in content and "/wechat/bind/" in content
    assert WorkOrder.objects.count() == before


@pytest.mark.parametrize("text", [
    "报修 SN-A-0001 不出水了", "报修\u3000SN-A-0001\u3000不出水了", "  报修 sn-a-0001 不出水了 ",
    "repair SN-A-0001 不出水了", "Repair SN-A-0001 不出水了", "报修：SN-A-0001 不出水了",
])
def test_a_repair_message_opens_a_wechat_order_for_the_linked_customer(w, text):
    link(w)
    started = time.perf_counter()
    content = reply_of(say(w, text))["Content"]
    assert time.perf_counter() - started < 5  # WeChat waits 5 seconds for the passive reply
    order = WorkOrder.objects.get()
    assert (order.channel, order.type, order.product, order.customer) == ("wechat", "repair", w.product, w.customer)
    assert order.symptom == "不出水了"
    assert order.created_by == w.customer.user  # acted as the customer
    assert order.events.get().actor_role == "customer"
    assert order.number in content and "报修已受理" in content
    assert "http://testserver" + links.order_path("acme", order.pk) in content
    assert WeChatMessage.objects.get().work_order == order


def test_the_links_are_the_portals_own_pages(w):
    from django.urls import reverse

    assert links.order_path("acme", 17) == reverse("portal:order", kwargs={"brand": "acme", "pk": 17})
    assert links.order_path("acme", 17) == "/portal/acme/orders/17/"
    assert links.portal_path("portal:login", brand="acme") == reverse("portal:login", kwargs={"brand": "acme"})


def test_replies_are_chinese_whatever_the_request_language(w):
    link(w)
    resp = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/wechat/acme/callback?{urlencode(wechat_query(WECHAT_TOKEN))}",
        data=text_message("hello", openid=OPENID, msg_id=9), content_type="text/xml")
    assert "发送" in reply_of(resp)["Content"]


def test_another_customers_serial_is_refused_without_revealing_it(w):
    link(w)
    rival = InstalledProductFactory(customer=w.rival_customer, brand=w.other_brand, serial="RIVAL-X-1")
    before = snapshot()
    foreign = reply_of(say(w, "报修 SN-B-0001 不出水", msg_id=1))["Content"]
    other_brand = reply_of(say(w, f"报修 {rival.serial} 不出水", msg_id=2))["Content"]
    unknown = reply_of(say(w, "报修 NO-SUCH-1 不出水", msg_id=3))["Content"]
    assert foreign == unknown.replace("NO-SUCH-1", "SN-B-0001")
    assert other_brand == unknown.replace("NO-SUCH-1", rival.serial)
    assert "未找到" in unknown
    assert WorkOrder.objects.count() == before[0]


def test_a_product_with_an_open_order_gets_that_order_instead(w, world):
    link(w)
    order = make_order(world, status=Status.DISPATCHED)
    content = reply_of(say(w, "报修 SN-A-0001 又不出水了"))["Content"]
    assert order.number in content and "已有进行中的工单" in content
    assert "http://testserver" + links.order_path("acme", order.pk) in content
    assert WorkOrder.objects.count() == 1


def test_a_repair_without_description_asks_for_one(w):
    link(w)
    content = reply_of(say(w, "报修 SN-A-0001"))["Content"]
    assert "请在序列号后写明故障" in content
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("text", ["你好", "报修", "repairs are expensive", "查询订单"])
def test_other_text_gets_help(w, text):
    link(w)
    content = reply_of(say(w, text))["Content"]
    assert "报修 <序列号> <故障描述>" in content
    assert WorkOrder.objects.count() == 0


def test_an_image_gets_help(w):
    body = (f"<xml><ToUserName><![CDATA[{OFFICIAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]>"
            "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[m]]></MediaId>"
            "<MsgId>4455</MsgId></xml>").encode()
    content = reply_of(post_wechat("acme", body))["Content"]
    assert "报修" in content and "/wechat/bind/" in content


def test_a_retried_message_acts_once_and_gets_the_same_reply(w):
    link(w)
    body = text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=5566)
    first = post_wechat("acme", body)
    for _ in range(3):  # WeChat retries up to three times
        again = post_wechat("acme", body)
        assert again.content == first.content
    assert WorkOrder.objects.count() == 1 and WeChatMessage.objects.count() == 1


def test_a_retried_event_is_answered_once(w):
    body = event_message("subscribe", openid=OPENID, create_time=1700000123)
    first, again = post_wechat("acme", body), post_wechat("acme", body)
    assert first.content == again.content and WeChatMessage.objects.count() == 1


def test_the_same_msgid_in_another_brand_is_another_message(w):
    wechat_link = WeChatLink.objects.create(brand=w.other_brand, openid=OPENID, customer=w.rival_customer)
    assert wechat_link.pk
    reply_of(say(w, "你好", msg_id=1))
    rival = post_wechat("rival", text_message("你好", openid=OPENID, msg_id=1, to="gh_rival00001"),
                        token="rivalToken99")
    assert rival.status_code == 200
    assert WeChatMessage.objects.count() == 2


def test_a_link_in_one_brand_does_not_act_in_another(w):
    # The openid is linked at acme; at the rival's account the same openid is nobody.
    link(w)
    body = text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=8, to="gh_rival00001")
    content = reply_of(post_wechat("rival", body, token="rivalToken99"))["Content"]
    assert "请先将微信绑定" in content and "/portal/rival/wechat/bind/" in content
    assert WorkOrder.objects.count() == 0


def test_cdata_in_a_reply_cannot_break_out(w):
    link(w)
    content = reply_of(say(w, "报修 ]]><evil/> 坏了"))["Content"]
    assert "]]><evil/>" in content
