"""A local stand-in for Alibaba Cloud's SendSms, serving real HTTP on loopback for tests and a closed-network demo.

It checks what Aliyun checks, in its order, and answers in its words: the AccessKeyId (404
``InvalidAccessKeyId.NotFound``), the signature (400 ``SignatureDoesNotMatch``), a nonce used once
(400 ``SignatureNonceUsed``), the template (``isv.SMS_TEMPLATE_ILLEGAL``) and its variables
(``isv.TEMPLATE_MISSING_PARAMETERS``), the number (``isv.MOBILE_NUMBER_ILLEGAL``); then it takes the
message (``Code: OK`` and a ``BizId``) and keeps it in ``sent``. ``fail_with`` makes every send answer one
``isv.*`` code (``isv.AMOUNT_NOT_ENOUGH``, ``isv.BUSINESS_LIMIT_CONTROL``) until it is cleared.

    server = AliyunSmsStandIn(key_id="id", secret="s", templates={"SMS_1": {"number"}}).start()
    ... server.url ...; server.stop()
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from core.aliyun_sms import sign

MESSAGES = {
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.BUSINESS_LIMIT_CONTROL": "触发号码天级流控Permits:40",
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.SMS_TEMPLATE_ILLEGAL": "模板不合法(不存在或被拉黑)",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量缺少对应参数值",
    "isv.SMS_SIGNATURE_ILLEGAL": "签名不合法(不存在或被拉黑)",
}


class AliyunSmsStandIn:
    def __init__(self, *, key_id: str, secret: str, sign_name: str = "",
                 templates: dict[str, set[str]] | None = None) -> None:
        self.key_id, self.secret, self.sign_name = key_id, secret, sign_name
        self.templates = {code: set(names) for code, names in (templates or {}).items()}  # code -> variables
        self.fail_with = ""
        self.sent: list[dict[str, str]] = []
        self.requests = 0
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> AliyunSmsStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                status, body = stand_in.answer(self.path)
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, path: str) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
            return self._answer(path)

    def _answer(self, path: str) -> tuple[int, dict]:
        request_id = str(uuid.uuid4()).upper()
        params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))

        def refuse(code: str, message: str = "", status: int = 200) -> tuple[int, dict]:
            return status, {"RequestId": request_id, "Code": code, "Message": message or MESSAGES.get(code, code)}

        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
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
        if not re.fullmatch(r"1[3-9]\d{9}", params.get("PhoneNumbers", "")):
            return refuse("isv.MOBILE_NUMBER_ILLEGAL")
        if self.fail_with:
            return refuse(self.fail_with)
        biz_id = f"{len(self.sent) + 900619746936:d}^0"
        self.sent.append({**params, "BizId": biz_id})
        return 200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": biz_id}
