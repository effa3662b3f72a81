"""A local stand-in for Amap's geocoder, serving real HTTP on loopback for tests and a closed-network demo.

It answers ``GET /v3/geocode/geo`` as Amap documents it: the key is checked, the ``sig`` too when the
stand-in knows a private key (MD5 of the sorted parameters and the private key, as core.geo.amap signs),
and a known address (``book``: address text -> (lon, lat, level)) is answered with its point; any other
address gets ``count "0"``. Refusals carry Amap's own ``info`` / ``infocode`` pairs.

    server = AmapStandIn(key="k", private_key="p", book={"杭州市西湖区文三路 90 号": (120.13, 30.28, "门牌号")})
    server.start(); ... server.url ...; server.stop()
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from core.geo.amap import sign
from core.geo.gazetteer import Gazetteer


class AmapStandIn:
    def __init__(self, *, key: str, private_key: str = "", book: dict[str, tuple[float, float, str]] | None = None,
                 mode: str = "ok") -> None:
        self.key, self.private_key = key, private_key
        self.book = dict(book or {})
        self.mode = mode  # "ok", "error" (HTTP 500), "garbage" (not JSON)
        self.requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> AmapStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                status, body = stand_in.answer(self.path)
                data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
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

    def answer(self, path: str) -> tuple[int, dict | bytes]:
        url = urlsplit(path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        self.requests.append(dict(params))
        if self.mode == "error":
            return 500, b"<html>Internal Server Error</html>"
        if self.mode == "garbage":
            return 200, b"not json"
        if url.path != "/v3/geocode/geo":
            return 404, {"status": "0", "info": "INVALID_REQUEST", "infocode": "20003"}
        if params.get("key") != self.key:
            return 200, {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}
        if self.private_key:
            given = params.pop("sig", "")
            if given != sign(params, self.private_key):
                return 200, {"status": "0", "info": "INVALID_USER_SIGNATURE", "infocode": "10007"}
        if not params.get("address"):
            return 200, {"status": "0", "info": "INVALID_PARAMS", "infocode": "20000"}
        found = self.book.get(params["address"])
        if found is None:
            return 200, {"status": "1", "info": "OK", "infocode": "10000", "count": "0", "geocodes": []}
        lon, lat, level = found
        place = Gazetteer.shared().geocode(params["address"], city=params.get("city", ""))
        return 200, {"status": "1", "info": "OK", "infocode": "10000", "count": "1", "geocodes": [{
            "formatted_address": params["address"], "country": "中国",
            "province": place.province if place else [], "city": place.city if place else [],
            "citycode": [], "district": place.district if place else [], "township": [],
            "neighborhood": {"name": [], "type": []}, "building": {"name": [], "type": []},
            "adcode": place.adcode if place else [], "street": [], "number": [],
            "location": f"{lon:.6f},{lat:.6f}", "level": level,
        }]}
