"""A local stand-in for Amap's geocoder, serving real HTTP on loopback for tests and a closed-network demo.

It answers ``GET /v3/geocode/geo`` as Amap documents it: the key is checked, the ``sig`` too when the
stand-in knows a private key (MD5 of the sorted parameters and the private key, as core.geo.amap signs),
and a known address (``book``: address text -> (lon, lat, level)) is answered with its point; any other
address gets ``count "0"``. Refusals carry Amap's own ``info`` / ``infocode`` pairs.

    with AmapStandIn(key="k", private_key="p", book={"杭州市西湖区文三路 90 号": (120.13, 30.28, "门牌号")}) as server:
        ... server.url ...
"""

from __future__ import annotations

from core.geo.amap import sign
from core.geo.gazetteer import Gazetteer
from core.standin import HttpStandIn, Request


class AmapStandIn(HttpStandIn):
    content_type = "application/json;charset=UTF-8"

    def __init__(self, *, key: str, private_key: str = "", book: dict[str, tuple[float, float, str]] | None = None,
                 mode: str = "ok") -> None:
        super().__init__()
        self.key, self.private_key = key, private_key
        self.book = dict(book or {})
        self.mode = mode  # "ok", "error" (HTTP 500), "garbage" (not JSON)

    def answer(self, request: Request) -> tuple[int, dict | bytes]:
        params = dict(request.query)
        if self.mode == "error":
            return 500, b"<html>Internal Server Error</html>"
        if self.mode == "garbage":
            return 200, b"not json"
        if request.path != "/v3/geocode/geo":
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
