"""The demo fleet: owners where people live, cars delivered on a linear ramp."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pitstop.demo.geography import City, jitter
from pitstop.demo.names import person_names, phones
from pitstop.demo.scenario import Scenario
from pitstop.demo.sites import SiteSpec
from pitstop.fleet.rules import add_months, with_check_digit

# VIN position 10: model year (2010 = A; I, O, Q, U, Z and 0 never appear).
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_PLATE_CHARS = "0123456789" * 3 + "ABCDEFGHJKLMNPQRSTUVWXYZ"


def model_year_code(year: int) -> str:
    return _YEAR_CODES[(year - 2010) % len(_YEAR_CODES)]


@dataclass
class Fleet:
    """Owners and vehicles, index-aligned lists (ids are assigned when written)."""

    owner_city: list[City]
    owner_lat: np.ndarray
    owner_lon: np.ndarray
    owner_name: list[str]
    owner_phone: list[str]
    vehicle_owner: np.ndarray  # owner index per vehicle
    vin: list[str]
    model: list[str]
    plate: list[str]
    delivery: list[date]
    km_per_day: np.ndarray
    odometer_date: list[date]

    @property
    def owners(self) -> int:
        return len(self.owner_city)

    @property
    def vehicles(self) -> int:
        return len(self.vin)


def _ramp(rng: np.random.Generator, n: int, start_ratio: float) -> np.ndarray:
    """Fractions in [0, 1) with density rising linearly from ``start_ratio`` to 1."""
    u = rng.random(n)
    a = start_ratio
    if abs(1 - a) < 1e-9:
        return u
    c = (1 + a) / 2
    return np.asarray((-a + np.sqrt(a * a + 2 * (1 - a) * u * c)) / (1 - a))


def plate_letters(cities: list[City], sites: list[SiteSpec]) -> dict[int, str]:
    """Letter after the province character: 'A' for a centre city, then by population."""
    letters: dict[int, str] = {}
    centre_cities = {s.city.geonameid for s in sites if s.kind == "centre"}
    by_province: dict[str, list[City]] = {}
    for c in cities:
        by_province.setdefault(c.province.code, []).append(c)
    for group in by_province.values():
        ordered = sorted(group, key=lambda c: (c.geonameid not in centre_cities, -c.population))
        for i, c in enumerate(ordered):
            letters[c.geonameid] = _PLATE_LETTERS[i % len(_PLATE_LETTERS)]
    return letters


def build_fleet(
    scenario: Scenario,
    cities: list[City],
    sites: list[SiteSpec],
    *,
    rng: np.random.Generator,
    scale: float,
    today: date,
) -> Fleet:
    spec = scenario.fleet
    geo = scenario.geography
    n_vehicles = max(1, round(spec.vehicles * scale))
    n_owners = max(1, min(n_vehicles, round(n_vehicles / (1 + spec.second_vehicle_share))))

    affinity = scenario.demand.province_affinity
    weight = np.array(
        [
            c.population**geo.population_exponent * affinity.get(c.province.name_en, 1.0)
            for c in cities
        ]
    )
    city_idx = rng.choice(len(cities), n_owners, p=weight / weight.sum())
    lat = np.empty(n_owners)
    lon = np.empty(n_owners)
    for ci in np.unique(city_idx).tolist():
        members = np.flatnonzero(city_idx == ci)
        city = cities[ci]
        sd = min(
            geo.max_jitter_km, geo.jitter_km_per_sqrt_million * math.sqrt(city.population / 1e6)
        )
        la, lo = jitter(rng, city.latitude, city.longitude, np.full(len(members), sd))
        lat[members], lon[members] = la, lo
    owner_city = [cities[i] for i in city_idx.tolist()]

    extra = rng.integers(0, n_owners, n_vehicles - n_owners)
    vehicle_owner = np.concatenate([np.arange(n_owners), extra])
    first_day = today - timedelta(days=spec.delivery_days)
    offsets = np.floor(_ramp(rng, n_vehicles, spec.ramp_start_ratio) * spec.delivery_days)
    order = np.argsort(offsets, kind="stable")
    vehicle_owner = vehicle_owner[order]
    offsets = offsets[order].astype(int)
    delivery = [first_day + timedelta(days=int(d)) for d in offsets.tolist()]

    shares = np.array([m.share for m in scenario.brand.models])
    model_idx = rng.choice(len(shares), n_vehicles, p=shares / shares.sum())
    plant_idx = rng.integers(0, len(scenario.brand.plants), n_vehicles)
    serial0 = int(rng.integers(1, 400_000))
    km_year = spec.km_per_year_median * np.exp(rng.normal(0, spec.km_per_year_sigma, n_vehicles))
    report_age = rng.integers(0, spec.odometer_report_max_age_days + 1, n_vehicles)

    vins: list[str] = []
    models: list[str] = []
    plates: list[str] = []
    odometer_date: list[date] = []
    seen_plates: set[str] = set()
    letters = plate_letters(cities, sites)
    wmi = scenario.brand.wmi
    for i in range(n_vehicles):
        m = scenario.brand.models[int(model_idx[i])]
        body = (
            f"{wmi}{m.vds}0{model_year_code(delivery[i].year)}"
            f"{scenario.brand.plants[int(plant_idx[i])]}{serial0 + i:06d}"
        )
        vins.append(with_check_digit(body))
        models.append(m.name)
        city = owner_city[int(vehicle_owner[i])]
        prefix = f"{city.province.plate}{letters[city.geonameid]}·"
        while True:
            tail = "".join(_PLATE_CHARS[k] for k in rng.integers(0, len(_PLATE_CHARS), 5).tolist())
            plate = prefix + tail
            if plate not in seen_plates:
                break
        seen_plates.add(plate)
        plates.append(plate)
        odometer_date.append(max(delivery[i], today - timedelta(days=int(report_age[i]))))

    return Fleet(
        owner_city=owner_city,
        owner_lat=lat,
        owner_lon=lon,
        owner_name=person_names(rng, n_owners),
        owner_phone=phones(rng, n_owners),
        vehicle_owner=vehicle_owner,
        vin=vins,
        model=models,
        plate=plates,
        delivery=delivery,
        km_per_day=km_year / 365.0,
        odometer_date=odometer_date,
    )


def first_due(delivery: date, km_per_day: float, *, every_months: int, every_km: int) -> date:
    """The first service: by time from delivery, or earlier by distance at the car's pace."""
    by_time = add_months(delivery, every_months)
    by_km = delivery + timedelta(days=int(every_km / max(km_per_day, 1e-6)))
    return min(by_time, by_km)
