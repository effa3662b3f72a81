"""Alibaba Cloud SMS (阿里云短信服务), ``SendSms`` in the RPC style: ``GET {URL}/?<signed query>``.

Request: the common parameters (``Action=SendSms``, ``Version=2017-05-25``, ``RegionId``, ``Format=JSON``,
``AccessKeyId``, ``SignatureMethod=HMAC-SHA1``, ``SignatureVersion=1.0``, ``SignatureNonce`` (used once),
``Timestamp`` in UTC ``YYYY-MM-DDThh:mm:ssZ``) and the action's: ``PhoneNumbers``, ``SignName`` (the approved
signature, shown as 【…】), ``TemplateCode`` (an approved template, ``SMS_…``), ``TemplateParam`` (JSON of the
template's variables) and ``OutId`` (ours, echoed in delivery reports).

Signature: every parameter but ``Signature`` sorted by name, name and value percent-encoded (RFC 3986: space
``%20``, ``*`` ``%2A``, ``~`` kept) and joined as ``k=v&k=v``; the string to sign is
``GET&%2F&`` + percent-encode(that); ``Signature`` = Base64(HMAC-SHA1(AccessKeySecret + "&", string)).

Answer: ``{"Code": "OK", "Message": "OK", "BizId": "9006197469364984^0", "RequestId": "…"}``; a refusal has
another ``Code``: ``isv.MOBILE_NUMBER_ILLEGAL``, ``isv.BUSINESS_LIMIT_CONTROL`` (too many to one number),
``isv.AMOUNT_NOT_ENOUGH`` (the account is out of credit), ``isv.SMS_TEMPLATE_ILLEGAL``,
``isv.TEMPLATE_MISSING_PARAMETERS``, ``SignatureDoesNotMatch``, ``InvalidAccessKeyId.NotFound``, ...

Settings: ``ALIYUN_SMS`` = {URL, ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN_NAME, CODE_TEMPLATE, REGION, TIMEOUT}.
A sign-in code goes through ``CODE_TEMPLATE`` with the variable ``code`` (Aliyun sends no free text).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from django.conf import settings

from core.sms import SmsError

MAX_ANSWER_BYTES = 100_000
# Codes after which the same message sent again will be refused again: it is failed for good.
PERMANENT = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.PARAM_LENGTH_LIMIT", "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT", "isv.DAY_LIMIT_CONTROL",
})


def percent_encode(value: str) -> str:
    """RFC 3986 as Aliyun's RPC signature wants it."""
    return urllib.parse.quote(value, safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))


def sign(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """``Signature`` of ``params`` (which must not hold it)."""
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsBackend:
    """``settings.SMS_BACKEND = "core.aliyun_sms.AliyunSmsBackend"``, configured by ``settings.ALIYUN_SMS``."""

    def __init__(self, cfg: dict[str, Any] | None = None) -> None:
        cfg = cfg if cfg is not None else getattr(settings, "ALIYUN_SMS", {})
        self.url = str(cfg.get("URL") or "https://dysmsapi.aliyuncs.com").rstrip("/")
        self.key_id = str(cfg.get("ACCESS_KEY_ID") or "")
        self.secret = str(cfg.get("ACCESS_KEY_SECRET") or "")
        self.sign_name = str(cfg.get("SIGN_NAME") or "")
        self.code_template = str(cfg.get("CODE_TEMPLATE") or "")
        self.region = str(cfg.get("REGION") or "cn-hangzhou")
        self.timeout = float(cfg.get("TIMEOUT") or 5.0)

    def request_params(self, phone: str, *, template: str, params: dict[str, str], out_id: str = "",
                       now: dt.datetime | None = None) -> dict[str, str]:
        now = now or dt.datetime.now(dt.UTC)
        query = {
            "Action": "SendSms", "Version": "2017-05-25", "RegionId": self.region, "Format": "JSON",
            "AccessKeyId": self.key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex, "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": phone.removeprefix("+86"), "SignName": self.sign_name, "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        }
        if out_id:
            query["OutId"] = out_id
        query["Signature"] = sign(query, self.secret)
        return query

    def send(self, phone: str, text: str) -> None:
        code = re.search(r"\d{4,8}", text)
        if not self.code_template or code is None:
            raise SmsError("Aliyun sends only approved templates: set ALIYUN_SMS CODE_TEMPLATE", code="no_template",
                           permanent=True)
        self.send_template(phone, template=self.code_template, params={"code": code.group()}, text=text)

    def send_template(self, phone: str, *, template: str, params: dict[str, str], text: str = "",
                      out_id: str = "") -> str:
        if not (self.key_id and self.secret and self.sign_name):
            raise SmsError("ALIYUN_SMS needs ACCESS_KEY_ID, ACCESS_KEY_SECRET and SIGN_NAME", code="not_configured")
        query = urllib.parse.urlencode(self.request_params(phone, template=template, params=params, out_id=out_id),
                                       quote_via=urllib.parse.quote)
        try:
            with urllib.request.urlopen(f"{self.url}/?{query}", timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as error:  # Aliyun answers a refused signature or key with 4xx and JSON
            try:
                body = json.loads(error.read(MAX_ANSWER_BYTES))
            except ValueError:
                raise SmsError(f"HTTP {error.code}", code=f"http_{error.code}") from error
        except (OSError, ValueError) as error:
            raise SmsError(type(error).__name__ + (f": {error}" if str(error) else ""), code="unreachable") from error
        if not isinstance(body, dict):
            raise SmsError("the answer is not a JSON object", code="bad_answer")
        code = str(body.get("Code") or "")
        if code != "OK":
            raise SmsError(str(body.get("Message") or code), code=code or "bad_answer", permanent=code in PERMANENT)
        return str(body.get("BizId") or "")
