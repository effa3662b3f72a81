"""A local stand-in for the WeChat official account's API (token and template messages), on loopback
(core/standin.py).

``GET /cgi-bin/token`` checks the AppID and AppSecret and hands out a token that lives ``expires_in``
seconds (``expire_all()`` ages every token at once, as WeChat does when another server fetched a new one);
``POST /cgi-bin/message/template/send`` checks the token (40001 / 42001), the openid (40003 unless it is in
``followers``), the template id (40037) and the body, and keeps the message in ``sent``. WeChat answers its errors
with HTTP 200 and an ``errcode``.

    with WeChatApiStandIn(app_id="wx1", secret="s", templates={"T1"}, followers={"o-1"}) as server: ...
"""

from __future__ import annotations

import json
import secrets
import time

from core.standin import HttpStandIn, Request

UNAUTHORIZED = {"errcode": 48001, "errmsg": "api unauthorized"}


class WeChatApiStandIn(HttpStandIn):
    content_type = "application/json; encoding=utf-8"

    def __init__(self, *, app_id: str, secret: str, templates: set[str], followers: set[str],
                 expires_in: int = 7200) -> None:
        super().__init__()
        self.app_id, self.secret = app_id, secret
        self.templates, self.followers = set(templates), set(followers)
        self.expires_in = expires_in
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.token_requests = 0
        self.sent: list[dict] = []
        self.fail_with: tuple[int, str] | None = None

    def expire_all(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    def answer(self, request: Request) -> tuple[int, dict]:
        if request.method == "GET" and request.path == "/cgi-bin/token":
            return 200, self._token(request.query)
        if request.method == "POST" and request.path == "/cgi-bin/message/template/send":
            return 200, self._template_send(request.query, request.body)
        return 200, UNAUTHORIZED

    def _token(self, params: dict[str, str]) -> dict:
        if params.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if params.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if params.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.token_requests += 1
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.expires_in
        return {"access_token": token, "expires_in": self.expires_in}

    def _template_send(self, params: dict[str, str], raw: bytes) -> dict:
        expiry = self.tokens.get(params.get("access_token", ""))
        if expiry is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if expiry <= time.monotonic():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        try:
            body = json.loads(raw)
        except ValueError:
            return {"errcode": 47001, "errmsg": "data format error"}
        if not isinstance(body, dict) or body.get("touser") not in self.followers:
            return {"errcode": 40003, "errmsg": "invalid openid"}
        if body.get("template_id") not in self.templates:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if not isinstance(body.get("data"), dict):
            return {"errcode": 47001, "errmsg": "data format error"}
        if self.fail_with:
            return {"errcode": self.fail_with[0], "errmsg": self.fail_with[1]}
        msgid = 200228332 + len(self.sent)
        self.sent.append({**body, "msgid": msgid})
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}
