"""Alibaba Cloud SendSms: the documented signature, and the wire against the loopback stand-in."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from core.aliyun_sms import AliyunSmsBackend, sign
from core.aliyun_sms_standin import AliyunSmsStandIn
from core.sms import SmsError, send_sms

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
    server = AliyunSmsStandIn(key_id="id", secret="secret", sign_name="Acme",
                              templates={"SMS_1": {"number", "eta"}, "SMS_CODE": {"code"}}).start()
    yield server
    server.stop()


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


def test_a_nonce_is_accepted_once(gateway):
    sender = backend(gateway)
    params = sender.request_params("+8613900000001", template="SMS_1", params={"number": "1", "eta": "2"})

    assert gateway.answer("/?" + urlencode(params, quote_via=quote))[1]["Code"] == "OK"
    assert gateway.answer("/?" + urlencode(params, quote_via=quote))[1]["Code"] == "SignatureNonceUsed"
