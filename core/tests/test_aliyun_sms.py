"""Alibaba Cloud SMS: the documented signature, and SendSms and QuerySendDetails (delivery receipts) on the wire
against the loopback stand-in."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

import pytest

from core.aliyun_sms import BEIJING, AliyunSmsBackend, sign
from core.aliyun_sms_standin import AliyunSmsStandIn
from core.sms import Receipt, SmsError, query_receipt, send_sms

# The worked example of Aliyun's "RPC signature" documentation for SendSms, and the signature it gives.
DOC_PARAMS = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}


def test_the_signature_is_the_one_aliyuns_documentation_computes():
    assert sign(DOC_PARAMS, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


@pytest.fixture
def gateway():
    with AliyunSmsStandIn(key_id="id", secret="secret", sign_name="Acme",
                          templates={"SMS_1": {"number", "eta"}, "SMS_CODE": {"code"}},
                          unreachable={"13900000404": "MK:0001"}) as server:
        yield server


def backend(gateway, **over) -> AliyunSmsBackend:
    return AliyunSmsBackend({"URL": gateway.url, "ACCESS_KEY_ID": "id", "ACCESS_KEY_SECRET": "secret",
                             "SIGN_NAME": "Acme", "CODE_TEMPLATE": "SMS_CODE", **over})


def test_a_templated_message_is_taken_and_its_biz_id_returned(gateway):
    biz_id = backend(gateway).send_template("+8613900000001", template="SMS_1",
                                            params={"number": "WO-1", "eta": "14:30"}, out_id="42")
    assert biz_id == gateway.sent[0]["BizId"]
    assert gateway.sent[0]["PhoneNumbers"] == "13900000001"
    assert gateway.sent[0]["TemplateParam"] == '{"number":"WO-1","eta":"14:30"}'
    assert gateway.sent[0]["OutId"] == "42"


@pytest.mark.parametrize(("over", "send", "code", "permanent"), [
    ({"ACCESS_KEY_SECRET": "wrong"}, {}, "SignatureDoesNotMatch", False),
    ({"ACCESS_KEY_ID": "nobody"}, {}, "InvalidAccessKeyId.NotFound", False),
    ({}, {"template": "SMS_404"}, "isv.SMS_TEMPLATE_ILLEGAL", True),
    ({}, {"params": {"number": "WO-1"}}, "isv.TEMPLATE_MISSING_PARAMETERS", True),
    ({}, {"phone": "+8612345"}, "isv.MOBILE_NUMBER_ILLEGAL", True),
])
def test_a_refusal_carries_aliyuns_code(gateway, over, send, code, permanent):
    args = {"phone": "+8613900000001", "template": "SMS_1", "params": {"number": "WO-1", "eta": "14:30"}, **send}
    with pytest.raises(SmsError) as refused:
        backend(gateway, **over).send_template(args.pop("phone"), **args)
    assert (refused.value.code, refused.value.permanent) == (code, permanent)
    assert gateway.sent == []


def test_an_out_of_credit_account_is_refused_until_topped_up(gateway):
    gateway.fail_with = "isv.AMOUNT_NOT_ENOUGH"
    with pytest.raises(SmsError) as refused:
        backend(gateway).send_template("+8613900000001", template="SMS_1", params={"number": "1", "eta": "2"})
    assert (refused.value.code, refused.value.permanent) == ("isv.AMOUNT_NOT_ENOUGH", False)


def test_a_sign_in_code_goes_through_the_code_template(gateway, settings):
    settings.SMS_BACKEND = "core.aliyun_sms.AliyunSmsBackend"
    settings.ALIYUN_SMS = {"URL": gateway.url, "ACCESS_KEY_ID": "id", "ACCESS_KEY_SECRET": "secret",
                           "SIGN_NAME": "Acme", "CODE_TEMPLATE": "SMS_CODE"}
    send_sms("+8613900000001", "Acme 验证码 482913，5 分钟内有效。")
    assert gateway.sent[0]["TemplateCode"] == "SMS_CODE"
    assert gateway.sent[0]["TemplateParam"] == '{"code":"482913"}'


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_nonce_is_accepted_once(gateway):
    sender = backend(gateway)
    params = sender.request_params("+8613900000001", template="SMS_1", params={"number": "1", "eta": "2"})
    url = f"{gateway.url}/?{urlencode(params, quote_via=quote)}"

    first, again = get(url), get(url)

    assert (first[0], first[1]["Code"]) == (200, "OK")
    assert (again[0], again[1]["Code"]) == (400, "SignatureNonceUsed")
    assert len(gateway.sent) == 1


def sent_one(gateway, phone: str = "+8613900000001") -> tuple[str, dt.datetime]:
    biz_id = backend(gateway).send_template(phone, template="SMS_1", params={"number": "WO-1", "eta": "14:30"})
    return biz_id, dt.datetime.now(dt.UTC)


def test_a_message_is_waiting_for_its_receipt_then_delivered(gateway):
    gateway.deliver_after = 0.5
    biz_id, sent_at = sent_one(gateway)

    assert backend(gateway).receipt("+8613900000001", provider_id=biz_id, sent_at=sent_at) == Receipt("waiting")
    asked = gateway.log[-1].query
    assert {k: asked[k] for k in ("Action", "PhoneNumber", "SendDate", "BizId", "PageSize", "CurrentPage")} == {
        "Action": "QuerySendDetails", "PhoneNumber": "13900000001",
        "SendDate": sent_at.astimezone(BEIJING).strftime("%Y%m%d"), "BizId": biz_id, "PageSize": "10",
        "CurrentPage": "1"}

    time.sleep(0.6)
    receipt = backend(gateway).receipt("+8613900000001", provider_id=biz_id, sent_at=sent_at)

    assert (receipt.state, receipt.code) == ("delivered", "DELIVERED")
    assert abs(receipt.at - sent_at) < dt.timedelta(seconds=2)


def test_a_message_to_an_unreachable_number_fails_with_the_carriers_code(gateway):
    gateway.deliver_after = 0
    biz_id, sent_at = sent_one(gateway, "+8613900000404")

    assert backend(gateway).receipt("+8613900000404", provider_id=biz_id, sent_at=sent_at) == Receipt(
        "failed", code="MK:0001")


def test_the_receipt_is_the_one_of_its_biz_id_among_the_days_messages(gateway):
    gateway.deliver_after = 0
    delivered, sent_at = sent_one(gateway)
    gateway.unreachable["13900000001"] = "MK:0001"  # the number went dead between the messages
    failed, _ = sent_one(gateway)
    gateway.deliver_after = 3600
    waiting, _ = sent_one(gateway)

    states = [backend(gateway).receipt("13900000001", provider_id=biz_id, sent_at=sent_at).state
              for biz_id in (delivered, failed, waiting, "1^0")]

    assert states == ["delivered", "failed", "waiting", "waiting"]  # one it never took: no receipt yet


def test_a_message_aliyun_dated_before_midnight_is_found_when_ours_says_after(gateway):
    gateway.deliver_after = 0
    biz_id, _ = sent_one(gateway)
    midnight = dt.datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    gateway.sent[0]["SendDate"] = gateway.sent[0]["ReceiveDate"] = midnight - dt.timedelta(seconds=1)

    receipt = backend(gateway).receipt("13900000001", provider_id=biz_id, sent_at=midnight + dt.timedelta(seconds=2))

    assert receipt.state == "delivered"
    assert [r.query["SendDate"] for r in gateway.log[-2:]] == [
        f"{midnight:%Y%m%d}", f"{midnight - dt.timedelta(days=1):%Y%m%d}"]


def test_a_receipt_query_is_signed_and_refused_like_a_send(gateway):
    biz_id, sent_at = sent_one(gateway)
    with pytest.raises(SmsError) as refused:
        backend(gateway, ACCESS_KEY_SECRET="wrong").receipt("13900000001", provider_id=biz_id, sent_at=sent_at)
    assert refused.value.code == "SignatureDoesNotMatch"


@pytest.mark.parametrize(("params", "code"), [
    ({"SendDate": "2017-05-25"}, "isv.INVALID_PARAMETERS"),
    ({"SendDate": "20170525"}, "isv.INVALID_PARAMETERS"),  # more than 30 days ago
    ({"PageSize": "51"}, "isv.INVALID_PARAMETERS"),
    ({"PhoneNumber": ""}, "MissingPhoneNumber"),
])
def test_the_stand_in_refuses_a_query_aliyun_would_refuse(gateway, params, code):
    sender = backend(gateway)
    query = sender.signed("QuerySendDetails", {
        "PhoneNumber": "13900000001", "SendDate": dt.datetime.now(BEIJING).strftime("%Y%m%d"), "PageSize": "10",
        "CurrentPage": "1", **params})
    assert get(f"{gateway.url}/?{urlencode(query, quote_via=quote)}")[1]["Code"] == code


def test_the_configured_backend_answers_receipts_and_the_log_backend_has_none(gateway, settings):
    gateway.deliver_after = 0
    biz_id, sent_at = sent_one(gateway)
    settings.SMS_BACKEND = "core.aliyun_sms.AliyunSmsBackend"
    settings.ALIYUN_SMS = {"URL": gateway.url, "ACCESS_KEY_ID": "id", "ACCESS_KEY_SECRET": "secret",
                           "SIGN_NAME": "Acme"}
    assert query_receipt("+8613900000001", provider_id=biz_id, sent_at=sent_at).state == "delivered"
    settings.SMS_BACKEND = "core.sms.LogBackend"
    assert query_receipt("+8613900000001", provider_id=biz_id, sent_at=sent_at) is None
