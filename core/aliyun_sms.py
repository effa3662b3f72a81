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

Delivery receipts (``QuerySendDetails``, pulled; same common parameters and signature): ``PhoneNumber``,
``SendDate`` (``yyyyMMdd``, Beijing time, within the last 30 days), ``BizId``, ``PageSize`` (1-50), ``CurrentPage``.
Answer: ``{"Code": "OK", "TotalCount": "1", "SmsSendDetailDTOs": {"SmsSendDetailDTO": [{"PhoneNum", "SendStatus"
(1 waiting for the carrier, 2 failed, 3 delivered), "ErrCode" (``DELIVERED`` or the carrier's code), "ReceiveDate"
("yyyy-MM-dd HH:mm:ss", Beijing), "SendDate", "TemplateCode", "Content", "OutId"}]}}``.

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
from zoneinfo import ZoneInfo

from django.conf import settings

from core.sms import Receipt, SmsError

MAX_ANSWER_BYTES = 100_000
BEIJING = ZoneInfo("Asia/Shanghai")  # Aliyun's dates (SendDate, ReceiveDate) are Beijing time
RECEIPT_DAYS = 30  # QuerySendDetails knows the messages of the last 30 days
# Our sent_at is taken after Aliyun's answer: a message it took just before midnight we may date just after.
MIDNIGHT_SLACK = dt.timedelta(minutes=5)
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

    # A day short of Aliyun's 30: SendDate counts Beijing days, so a message 29.9 days old may be on the 31st.
    receipt_window = dt.timedelta(days=RECEIPT_DAYS - 1)

    def __init__(self, cfg: dict[str, Any] | None = None) -> None:
        cfg = cfg if cfg is not None else getattr(settings, "ALIYUN_SMS", {})
        self.url = str(cfg.get("URL") or "https://dysmsapi.aliyuncs.com").rstrip("/")
        self.key_id = str(cfg.get("ACCESS_KEY_ID") or "")
        self.secret = str(cfg.get("ACCESS_KEY_SECRET") or "")
        self.sign_name = str(cfg.get("SIGN_NAME") or "")
        self.code_template = str(cfg.get("CODE_TEMPLATE") or "")
        self.region = str(cfg.get("REGION") or "cn-hangzhou")
        self.timeout = float(cfg.get("TIMEOUT") or 5.0)

    def signed(self, action: str, params: dict[str, str], *, now: dt.datetime | None = None) -> dict[str, str]:
        """The action's parameters with the common ones and the ``Signature``."""
        now = now or dt.datetime.now(dt.UTC)
        query = {
            "Action": action, "Version": "2017-05-25", "RegionId": self.region, "Format": "JSON",
            "AccessKeyId": self.key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex, "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), **params,
        }
        query["Signature"] = sign(query, self.secret)
        return query

    def request_params(self, phone: str, *, template: str, params: dict[str, str], out_id: str = "",
                       now: dt.datetime | None = None) -> dict[str, str]:
        action = {"PhoneNumbers": phone.removeprefix("+86"), "SignName": self.sign_name, "TemplateCode": template,
                  "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":"))}
        if out_id:
            action["OutId"] = out_id
        return self.signed("SendSms", action, now=now)

    def _call(self, query: dict[str, str]) -> dict[str, Any]:
        """GET the signed query; Aliyun's answer when its ``Code`` is OK, else SmsError with that code."""
        if not (self.key_id and self.secret and self.sign_name):
            raise SmsError("ALIYUN_SMS needs ACCESS_KEY_ID, ACCESS_KEY_SECRET and SIGN_NAME", code="not_configured")
        encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        try:
            with urllib.request.urlopen(f"{self.url}/?{encoded}", timeout=self.timeout) as response:  # noqa: S310
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
        return body

    def send(self, phone: str, text: str) -> None:
        code = re.search(r"\d{4,8}", text)
        if not self.code_template or code is None:
            raise SmsError("Aliyun sends only approved templates: set ALIYUN_SMS CODE_TEMPLATE", code="no_template",
                           permanent=True)
        self.send_template(phone, template=self.code_template, params={"code": code.group()}, text=text)

    def send_template(self, phone: str, *, template: str, params: dict[str, str], text: str = "",
                      out_id: str = "") -> str:
        body = self._call(self.request_params(phone, template=template, params=params, out_id=out_id))
        return str(body.get("BizId") or "")

    def receipt(self, phone: str, *, provider_id: str, sent_at: dt.datetime) -> Receipt:
        """What the carrier said of the message ``provider_id`` (a BizId) sent to ``phone`` at ``sent_at``."""
        local = sent_at.astimezone(BEIJING)
        days = [local.date()]
        if local - local.replace(hour=0, minute=0, second=0, microsecond=0) < MIDNIGHT_SLACK:
            days.append(local.date() - dt.timedelta(days=1))
        for day in days:
            body = self._call(self.signed("QuerySendDetails", {
                "PhoneNumber": phone.removeprefix("+86"), "SendDate": day.strftime("%Y%m%d"), "BizId": provider_id,
                "PageSize": "10", "CurrentPage": "1"}))
            details = body.get("SmsSendDetailDTOs") or {}
            rows = details.get("SmsSendDetailDTO") if isinstance(details, dict) else details
            if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                return read_detail(rows[0])
        return Receipt(Receipt.WAITING)


def read_detail(row: dict[str, Any]) -> Receipt:
    """One ``SmsSendDetailDTO`` as a Receipt."""
    status = str(row.get("SendStatus") or "")
    if status == "3":
        try:
            at = dt.datetime.strptime(str(row.get("ReceiveDate") or ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
        except ValueError:
            at = None
        return Receipt(Receipt.DELIVERED, code=str(row.get("ErrCode") or "DELIVERED"), at=at)
    if status == "2":
        return Receipt(Receipt.FAILED, code=str(row.get("ErrCode") or "failed"))
    return Receipt(Receipt.WAITING)
