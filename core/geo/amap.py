"""Amap's web-service geocoder (高德 Web 服务 API, 地理编码): ``GET {AMAP_URL}/v3/geocode/geo``.

Request: ``key``, ``address``, ``city`` (optional: a city's name, pinyin, citycode or adcode), ``output=JSON``
and, when the key has digital signatures on, ``sig`` = MD5 of the parameters sorted by name and joined as
``k=v&k=v`` (raw UTF-8 values, not URL-encoded) followed directly by the private key.

Answer: ``{"status": "1", "info": "OK", "infocode": "10000", "count": "1", "geocodes": [{"province": "浙江省",
"city": "杭州市", "district": "西湖区", "adcode": "330106", "location": "120.13,30.27", "level": "门牌号",
...}]}``; a refusal is ``status "0"`` with ``info`` naming it (INVALID_USER_KEY, INVALID_USER_SIGNATURE,
DAILY_QUERY_OVER_LIMIT, ...). Empty fields come as ``[]``, not "". ``location`` is "lon,lat" in GCJ-02.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from core.geo.location import GeocodeFailed, Location, Precision, point

# Amap's "level" of a match -> how close the point is to the door.
LEVELS = {
    "门牌号": Precision.EXACT, "单元号": Precision.EXACT, "兴趣点": Precision.EXACT,
    "道路交叉路口": Precision.EXACT, "楼栋": Precision.EXACT,
    "道路": Precision.STREET, "乡镇": Precision.STREET, "村庄": Precision.STREET, "热点商圈": Precision.STREET,
    "开发区": Precision.STREET, "地铁站": Precision.STREET, "公交站台、地铁站": Precision.STREET,
    "区县": Precision.DISTRICT, "市": Precision.CITY,
}
MAX_ANSWER_BYTES = 1_000_000


def sign(params: dict[str, str], private_key: str) -> str:
    """Amap's ``sig``: MD5 over the sorted ``k=v`` pairs joined by ``&``, then the private key."""
    plain = "&".join(f"{k}={params[k]}" for k in sorted(params)) + private_key
    return hashlib.md5(plain.encode("utf-8")).hexdigest()  # noqa: S324 (the provider's scheme, not ours)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""  # Amap sends [] for an empty field


class Amap:
    name = "amap"

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.url = str(cfg.get("AMAP_URL") or "https://restapi.amap.com").rstrip("/")
        self.key = str(cfg.get("AMAP_KEY") or "")
        self.private_key = str(cfg.get("AMAP_PRIVATE_KEY") or "")
        self.timeout = float(cfg.get("TIMEOUT") or 3.0)

    def request_params(self, address: str, city: str = "") -> dict[str, str]:
        params = {"key": self.key, "address": address, "output": "JSON"}
        if city:
            params["city"] = city
        if self.private_key:
            params["sig"] = sign(params, self.private_key)
        return params

    def geocode(self, address: str, *, city: str = "") -> Location | None:
        if not self.key:
            raise GeocodeFailed("no AMAP_KEY configured")
        query = urllib.parse.urlencode(self.request_params(address, city))
        try:
            with urllib.request.urlopen(f"{self.url}/v3/geocode/geo?{query}",  # noqa: S310 (configured URL)
                                        timeout=self.timeout) as response:
                body = json.loads(response.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as error:
            raise GeocodeFailed(f"HTTP {error.code}") from error
        except (OSError, ValueError) as error:  # refused, timed out, not JSON
            raise GeocodeFailed(type(error).__name__ + (f": {error}" if str(error) else "")) from error
        if not isinstance(body, dict):
            raise GeocodeFailed("the answer is not a JSON object")
        if body.get("status") != "1":
            raise GeocodeFailed(f"{body.get('info', '?')} ({body.get('infocode', '?')})")
        geocodes = body.get("geocodes")
        if not isinstance(geocodes, list) or not geocodes:
            return None
        first = geocodes[0]
        precision = LEVELS.get(_text(first.get("level")))
        try:
            lon, lat = (float(v) for v in _text(first.get("location")).split(","))
        except ValueError as error:
            raise GeocodeFailed("the answer has no location") from error
        if precision is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None  # a province or the country: too coarse to price a visit by
        return Location(latitude=point(lat), longitude=point(lon), precision=precision, source=self.name,
                        province=_text(first.get("province")), city=_text(first.get("city")),
                        district=_text(first.get("district")), adcode=_text(first.get("adcode")))
