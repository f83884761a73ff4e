"""The demo's service network: centres and authorised outlets with their weekly capacity."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import time

import numpy as np

from pitstop.demo.geography import City, pairwise_km
from pitstop.demo.scenario import JobSpec, Scenario, SiteTemplate
from pitstop.network.models import WeekdayTemplate
from pitstop.network.rules import EARTH_RADIUS_KM, slot_times

SLOT_MINUTES = 30


@dataclass(frozen=True)
class TemplateSpec:
    """One weekday's capacity, exactly as written to ``weekday_templates``."""

    opens: time
    closes: time
    last_dropoff: time
    dropoffs_per_slot: int
    skill_minutes: dict[str, int]
    loaners: int
    valet_trips: int
    transport_options: tuple[str, ...]

    @property
    def slots(self) -> list[str]:
        return slot_times(self.opens, self.last_dropoff, minutes=SLOT_MINUTES)

    def row(self, site_id: int, weekday: int) -> dict[str, object]:
        return {
            "site_id": site_id,
            "weekday": weekday,
            "opens": self.opens,
            "closes": self.closes,
            "last_dropoff": self.last_dropoff,
            "dropoffs_per_slot": self.dropoffs_per_slot,
            "skill_minutes": dict(self.skill_minutes),
            "loaners": self.loaners,
            "valet_trips": self.valet_trips,
            "transport_options": list(self.transport_options),
        }

    def orm(self, site_id: int, weekday: int) -> WeekdayTemplate:
        """A transient template, for ``network.capacity.template_rows``."""
        return WeekdayTemplate(**self.row(site_id, weekday))


@dataclass
class SiteSpec:
    index: int
    code: str
    kind: str  # centre | authorised_outlet
    name_zh: str
    name_en: str
    city: City
    latitude: float
    longitude: float
    skills: list[str]
    templates: dict[int, TemplateSpec]
    mobile_vans: int
    valet_drivers: int
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def province(self) -> str:
        return self.city.province.name_en

    def row(self) -> dict[str, object]:
        return {
            "code": self.code,
            "kind": self.kind,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "city": self.city.name,
            "city_zh": self.city.name_zh,
            "province": self.province,
            "latitude": round(self.latitude, 6),
            "longitude": round(self.longitude, 6),
            "timezone": "Asia/Shanghai",
            "skills": list(self.skills),
            "is_active": True,
        }


def slug(name: str) -> str:
    """ASCII upper-case code fragment: 'Ürümqi' -> 'URUMQI', 'Xi’an' -> 'XIAN'."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_.upper() if c.isalnum())


def _add_minutes(t: time, minutes: int) -> time:
    total = t.hour * 60 + t.minute + minutes
    return time(total // 60, total % 60)


def visit_mix(scenario: Scenario) -> dict[str, float]:
    """Expected labour minutes per visit, by skill, from the jobs' rates and the add-on."""
    rates: dict[str, float] = {j.code: j.per_vehicle_year for j in scenario.jobs}
    default = next(r for r in scenario.maintenance_rules if r.model == "")
    rates[default.job_code] = rates.get(default.job_code, 0.0) + 12 / default.every_months
    total = sum(rates.values())
    minutes: dict[str, float] = {}
    for job in scenario.jobs:
        share = rates[job.code] / total
        minutes[job.skill] = minutes.get(job.skill, 0.0) + share * job.labour_minutes
    add_on = scenario.job(scenario.demand.add_on_job)
    minutes[add_on.skill] = (
        minutes.get(add_on.skill, 0.0) + scenario.demand.add_on_share * add_on.labour_minutes
    )
    return minutes


def scaled_template(
    spec: SiteTemplate, jobs: list[JobSpec], mix: dict[str, float], *, scale: float, floor: int
) -> TemplateSpec:
    """The weekday template of a site of this kind at ``scale``.

    Daily drop-offs scale with the fleet and are spread over the 30-minute windows (the last
    window moves earlier when fewer are needed); labour per skill covers the expected mix of
    work with headroom, in whole multiples of the longest job of that skill.
    """
    daily = max(floor, round(spec.dropoffs_per_day * scale))
    windows = len(slot_times(spec.opens, spec.last_dropoff, minutes=SLOT_MINUTES))
    per_slot = math.ceil(daily / windows)
    used_windows = math.ceil(daily / per_slot)
    capacity = per_slot * used_windows
    longest: dict[str, int] = {}
    for job in jobs:
        longest[job.skill] = max(longest.get(job.skill, 0), job.labour_minutes)
    minutes = {}
    for skill in spec.skills:
        # Whole multiples of the skill's longest job: at small scales rounding must not leave
        # a site a few minutes short of its share of work.
        unit = longest.get(skill, SLOT_MINUTES)
        need = capacity * mix.get(skill, 0.0) * spec.labour_headroom
        minutes[skill] = unit * max(1, math.ceil(need / unit))
    return TemplateSpec(
        opens=spec.opens,
        closes=spec.closes,
        last_dropoff=_add_minutes(spec.opens, SLOT_MINUTES * (used_windows - 1)),
        dropoffs_per_slot=per_slot,
        skill_minutes=minutes,
        loaners=max(1, round(spec.loaners * scale)) if spec.loaners else 0,
        valet_trips=max(2, round(spec.valet_trips * scale)) if spec.valet_trips else 0,
        transport_options=tuple(spec.transport_options),
    )


def _count(amount: float, scale: float) -> int:
    return max(1, round(amount * scale)) if amount else 0


def build_sites(scenario: Scenario, cities: list[City], *, scale: float) -> list[SiteSpec]:
    """The 33 (or the scenario's) centres, then outlets in the largest cities left uncovered."""
    net = scenario.network
    brand = scenario.brand
    by_id = {c.geonameid: c for c in cities}
    mix = visit_mix(scenario)
    centre_tpl = scaled_template(
        net.centre, scenario.jobs, mix, scale=scale, floor=net.min_dropoffs_per_day
    )
    outlet_tpl = scaled_template(
        net.outlet, scenario.jobs, mix, scale=scale, floor=net.min_dropoffs_per_day
    )
    sites: list[SiteSpec] = []
    km_per_deg = math.pi * EARTH_RADIUS_KM / 180
    for entry in net.centres:
        city = by_id.get(entry.geonameid)
        if city is None or city.name != entry.name:
            found = city.name if city else "no such city"
            raise ValueError(
                f"centre city {entry.geonameid} should be {entry.name}, the data has {found}"
            )
        for k in range(entry.count):
            lat, lon = city.latitude, city.longitude
            if entry.count > 1:
                angle = 2 * math.pi * k / entry.count + math.pi / 2  # north first
                r = net.multi_centre_spread_km / km_per_deg
                lat += r * math.sin(angle)
                lon += r * math.cos(angle) / math.cos(math.radians(city.latitude))
            numbered = entry.count > 1
            sites.append(
                SiteSpec(
                    index=len(sites),
                    code=f"{net.code_prefix}-C-{slug(city.name)}"
                    + (f"-{k + 1}" if numbered else ""),
                    kind="centre",
                    name_zh=f"{brand.name_zh}{city.name_zh}"
                    + (f"{k + 1}号" if numbered else "")
                    + "服务中心",
                    name_en=f"{brand.name_en} {city.name} Service Centre"
                    + (f" {k + 1}" if numbered else ""),
                    city=city,
                    latitude=lat,
                    longitude=lon,
                    skills=list(net.centre.skills),
                    templates=dict.fromkeys(net.centre.weekdays, centre_tpl),
                    mobile_vans=_count(net.centre.mobile_vans, scale),
                    valet_drivers=_count(net.centre.valet_drivers, scale),
                )
            )
    excluded = set(net.outlets.excluded_provinces)
    placed = 0
    for city in cities:  # most populous first
        if placed >= net.outlets.count:
            break
        if city.province.name_en in excluded:
            continue
        near = pairwise_km(
            np.array([city.latitude]),
            np.array([city.longitude]),
            np.array([s.latitude for s in sites]),
            np.array([s.longitude for s in sites]),
        )
        if near.min() < net.outlets.min_spacing_km:
            continue
        sites.append(
            SiteSpec(
                index=len(sites),
                code=f"{net.code_prefix}-O-{slug(city.name)}-{city.geonameid % 1000:03d}",
                kind="authorised_outlet",
                name_zh=f"{city.name_zh}{brand.name_zh}授权服务站",
                name_en=f"{brand.name_en} Authorised Outlet {city.name}",
                city=city,
                latitude=city.latitude,
                longitude=city.longitude,
                skills=list(net.outlet.skills),
                templates=dict.fromkeys(net.outlet.weekdays, outlet_tpl),
                mobile_vans=_count(net.outlet.mobile_vans, scale),
                valet_drivers=_count(net.outlet.valet_drivers, scale),
            )
        )
        placed += 1
    return sites
