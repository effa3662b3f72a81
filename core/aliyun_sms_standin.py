"""A local stand-in for Alibaba Cloud's SMS API (SendSms, QuerySendDetails), on loopback (core/standin.py).

Both actions are checked as Aliyun checks them, in its order, and answered in its words: the action and version
(404 ``InvalidAction.NotFound``), the AccessKeyId (404 ``InvalidAccessKeyId.NotFound``), the signature (400
``SignatureDoesNotMatch``), a nonce used once (400 ``SignatureNonceUsed``).

SendSms then checks the signature name, the template (``isv.SMS_TEMPLATE_ILLEGAL``) and its variables
(``isv.TEMPLATE_MISSING_PARAMETERS``), the number (``isv.MOBILE_NUMBER_ILLEGAL``), takes the message (``Code: OK``
and a ``BizId``) and keeps it in ``sent``. ``fail_with`` makes every send answer one ``isv.*`` code
(``isv.AMOUNT_NOT_ENOUGH``, ``isv.BUSINESS_LIMIT_CONTROL``) until it is cleared.

QuerySendDetails answers the delivery receipts of one number on one day (Beijing time, the last 30 days), paged,
or of one ``BizId``: a message taken less than ``deliver_after`` seconds ago is waiting (``SendStatus`` 1), then it
is delivered (3, ``ErrCode`` ``DELIVERED``, a ``ReceiveDate``), or failed (2) with the carrier's code when its
number was one of ``unreachable`` (number -> code) as it was taken.

    with AliyunSmsStandIn(key_id="id", secret="s", templates={"SMS_1": {"number"}}) as server:
        ... server.url ...
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from core.aliyun_sms import BEIJING, RECEIPT_DAYS, sign
from core.standin import HttpStandIn, Request

MESSAGES = {
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.BUSINESS_LIMIT_CONTROL": "触发号码天级流控Permits:40",
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.SMS_TEMPLATE_ILLEGAL": "模板不合法(不存在或被拉黑)",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量缺少对应参数值",
    "isv.SMS_SIGNATURE_ILLEGAL": "签名不合法(不存在或被拉黑)",
    "isv.INVALID_PARAMETERS": "参数异常",
}
ACTIONS = frozenset({"SendSms", "QuerySendDetails"})
MOBILE = re.compile(r"1[3-9]\d{9}")
TIME = "%Y-%m-%d %H:%M:%S"


class AliyunSmsStandIn(HttpStandIn):
    def __init__(self, *, key_id: str, secret: str, sign_name: str = "",
                 templates: dict[str, set[str]] | None = None, deliver_after: float = 2.0,
                 unreachable: dict[str, str] | None = None) -> None:
        super().__init__()
        self.key_id, self.secret, self.sign_name = key_id, secret, sign_name
        self.templates = {code: set(names) for code, names in (templates or {}).items()}  # code -> variables
        self.fail_with = ""
        self.deliver_after = deliver_after  # seconds from acceptance to the handset's receipt
        self.unreachable = dict(unreachable or {})  # number -> the carrier's code for it
        self.sent: list[dict[str, Any]] = []  # the parameters of each message taken, with its BizId and SendDate
        self._nonces: set[str] = set()

    def answer(self, request: Request) -> tuple[int, dict]:
        params = dict(request.query)
        request_id = str(uuid.uuid4()).upper()

        def refuse(code: str, message: str = "", status: int = 200) -> tuple[int, dict]:
            return status, {"RequestId": request_id, "Code": code, "Message": message or MESSAGES.get(code, code)}

        if params.get("Action") not in ACTIONS or params.get("Version") != "2017-05-25":
            return refuse("InvalidAction.NotFound", "Specified api is not found, please check your url and method.",
                          404)
        if params.get("AccessKeyId") != self.key_id:
            return refuse("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        given = params.pop("Signature", "")
        if params.get("SignatureMethod") != "HMAC-SHA1" or given != sign(params, self.secret):
            return refuse("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", 400)
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self._nonces:
            return refuse("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
        self._nonces.add(nonce)
        if params["Action"] == "QuerySendDetails":
            return self._details(params, request_id, refuse)
        if self.sign_name and params.get("SignName") != self.sign_name:
            return refuse("isv.SMS_SIGNATURE_ILLEGAL")
        variables = self.templates.get(params.get("TemplateCode", ""))
        if variables is None:
            return refuse("isv.SMS_TEMPLATE_ILLEGAL")
        try:
            values = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return refuse("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(values, dict) or not variables <= set(values):
            return refuse("isv.TEMPLATE_MISSING_PARAMETERS")
        if not MOBILE.fullmatch(params.get("PhoneNumbers", "")):
            return refuse("isv.MOBILE_NUMBER_ILLEGAL")
        if self.fail_with:
            return refuse(self.fail_with)
        biz_id = f"{len(self.sent) + 900619746936:d}^0"
        now = dt.datetime.now(BEIJING)
        # Its fate is sealed as it is taken: the carrier's receipt comes after deliver_after, as the number was then.
        self.sent.append({**params, "BizId": biz_id, "SendDate": now,
                          "ReceiveDate": now + dt.timedelta(seconds=self.deliver_after),
                          "ErrCode": self.unreachable.get(params["PhoneNumbers"], "DELIVERED")})
        return 200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": biz_id}

    def _details(self, params: dict[str, str], request_id: str, refuse) -> tuple[int, dict]:
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not params.get(name):
                return refuse(f"Missing{name}", f"{name} is mandatory for this action.", 400)
        now = dt.datetime.now(BEIJING)
        try:
            day = dt.datetime.strptime(params["SendDate"], "%Y%m%d").replace(tzinfo=BEIJING).date()
            size, page = int(params["PageSize"]), int(params["CurrentPage"])
        except ValueError:
            return refuse("isv.INVALID_PARAMETERS")
        if not (1 <= size <= 50 and page >= 1 and 0 <= (now.date() - day).days < RECEIPT_DAYS):
            return refuse("isv.INVALID_PARAMETERS")
        if not MOBILE.fullmatch(params["PhoneNumber"]):
            return refuse("isv.MOBILE_NUMBER_ILLEGAL")
        found = [m for m in self.sent if m["PhoneNumbers"] == params["PhoneNumber"] and m["SendDate"].date() == day
                 and params.get("BizId", m["BizId"]) == m["BizId"]]
        found.sort(key=lambda m: m["SendDate"], reverse=True)
        details = [self._detail(m, now) for m in found[(page - 1) * size: page * size]]
        return 200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "TotalCount": str(len(found)),
                     "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}}

    def _detail(self, message: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
        received: dt.datetime = message["ReceiveDate"]
        if now < received:
            status, code, receive_date = 1, "", ""
        else:
            code = message["ErrCode"]
            status, receive_date = 3 if code == "DELIVERED" else 2, received.strftime(TIME)
        return {"PhoneNum": message["PhoneNumbers"], "SendStatus": status, "ErrCode": code,
                "TemplateCode": message["TemplateCode"],
                "Content": f"【{message.get('SignName', '')}】{message.get('TemplateParam', '')}",
                "SendDate": message["SendDate"].strftime(TIME), "ReceiveDate": receive_date,
                "OutId": message.get("OutId", "")}
