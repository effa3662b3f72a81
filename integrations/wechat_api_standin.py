"""A local stand-in for the WeChat official account's API (token and template messages), on loopback.

``GET /cgi-bin/token`` checks the AppID and AppSecret and hands out a token that lives ``expires_in``
seconds (``expire_all()`` ages every token at once, as WeChat does when another server fetched a new one);
``POST /cgi-bin/message/template/send`` checks the token (40001 / 42001), the openid (40003 unless it is in
``followers``), the template id (40037) and the body, and keeps the message in ``sent``.

    server = WeChatApiStandIn(app_id="wx1", secret="s", templates={"T1"}, followers={"o-1"}).start()
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class WeChatApiStandIn:
    def __init__(self, *, app_id: str, secret: str, templates: set[str], followers: set[str],
                 expires_in: int = 7200) -> None:
        self.app_id, self.secret = app_id, secret
        self.templates, self.followers = set(templates), set(followers)
        self.expires_in = expires_in
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.token_requests = 0
        self.sent: list[dict] = []
        self.fail_with: tuple[int, str] | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def expire_all(self) -> None:
        with self._lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    def start(self) -> WeChatApiStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)  # WeChat answers its errors with 200 and an errcode
                self.send_header("Content-Type", "application/json; encoding=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(stand_in.get(self.path))

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(stand_in.post(self.path, raw))

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

    def get(self, path: str) -> dict:
        url = urlsplit(path)
        params = dict(parse_qsl(url.query))
        if url.path != "/cgi-bin/token":
            return {"errcode": 48001, "errmsg": "api unauthorized"}
        if params.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if params.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if params.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self._lock:
            self.token_requests += 1
            token = secrets.token_urlsafe(24)
            self.tokens[token] = time.monotonic() + self.expires_in
        return {"access_token": token, "expires_in": self.expires_in}

    def post(self, path: str, raw: bytes) -> dict:
        url = urlsplit(path)
        params = dict(parse_qsl(url.query))
        if url.path != "/cgi-bin/message/template/send":
            return {"errcode": 48001, "errmsg": "api unauthorized"}
        with self._lock:
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
