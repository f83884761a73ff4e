"""What the planning studio pages show: places with their travel to the nearest site, sites
by kind, the forecast and its alerts, and the coverage gaps, from one read of the network.

Read-only use cases over ``service``'s loading and forecast; the pages only render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.planning import repository, service
from pitstop.planning.rules import nearest, share_within, travel_minutes_matrix
from pitstop.planning.schemas import PlanningParams


@dataclass(frozen=True)
class MapPlace:
    """Where owners live, and how far the nearest site is (``minutes``: inf with no site)."""

    name: str
    province: str
    latitude: float
    longitude: float
    owners: int
    vehicles_at_end: float
    minutes: float
    nearest_site: str | None
    mobile_service: bool


@dataclass(frozen=True)
class MapSite:
    code: str
    name_zh: str
    name_en: str
    kind: str
    province: str
    latitude: float
    longitude: float
    vans: int


@dataclass(frozen=True)
class Studio:
    """The network today, its travel and its forecast, under one set of parameters."""

    params: PlanningParams
    start: date
    places: list[MapPlace]
    sites: list[MapSite]
    forecast: dict[str, Any]
    within_share: float

    @property
    def gaps(self) -> list[MapPlace]:
        """Places beyond the coverage threshold, farthest first."""
        limit = self.params.coverage_minutes
        far = [p for p in self.places if p.owners > 0 and p.minutes > limit]
        return sorted(far, key=lambda p: (-p.minutes, p.name))


def _places(inputs: service.Inputs, params: PlanningParams) -> list[MapPlace]:
    p, s = inputs.places, inputs.sites
    if len(p) == 0:
        return []
    minutes = travel_minutes_matrix(
        p.latitude,
        p.longitude,
        s.latitude,
        s.longitude,
        circuity=inputs.circuity,
        speed_kmh=inputs.speed_kmh,
    )
    idx, best = nearest(minutes, np.ones(len(s), dtype=bool))
    _, van_best = nearest(minutes, s.vans > 0)
    return [
        MapPlace(
            name=p.names[i],
            province=p.provinces[i],
            latitude=float(p.latitude[i]),
            longitude=float(p.longitude[i]),
            owners=int(p.owners[i]),
            vehicles_at_end=float(p.vehicles[i, -1]),
            minutes=float(best[i]),
            nearest_site=s.codes[int(idx[i])] if idx[i] >= 0 else None,
            mobile_service=bool(van_best[i] <= params.mobile_reach_minutes),
        )
        for i in range(len(p))
    ]


def studio(session: Session, *, actor: Actor, params: PlanningParams, clock: Clock) -> Studio:
    """The map's places and sites, the week-by-week forecast with its alerts, and the share of
    owners within ``params.coverage_minutes`` of a site.

    Raises:
        PermissionDeniedError: not a planner or admin. InvalidInputError: bad deliveries.
    """
    policy.require(actor, "plan.read")
    inputs = service.load_inputs(session, params, today=service._today(clock))
    places = _places(inputs, params)
    rows = repository.active_sites(session)
    vans = repository.vans_per_site(session)
    sites = [
        MapSite(
            code=r.code,
            name_zh=r.name_zh,
            name_en=r.name_en,
            kind=r.kind,
            province=r.province,
            latitude=r.latitude,
            longitude=r.longitude,
            vans=vans.get(r.id, 0),
        )
        for r in rows
    ]
    owners = np.array([p.owners for p in places], dtype=np.float64)
    best = np.array([p.minutes for p in places], dtype=np.float64)
    return Studio(
        params=params,
        start=inputs.horizon.start,
        places=places,
        sites=sites,
        forecast=service.network_forecast(inputs, params),
        within_share=share_within(best, owners, params.coverage_minutes) if places else 1.0,
    )


def province_names_zh() -> dict[str, str]:
    """Chinese province names by their English name (regions are keyed in English)."""
    try:
        from pitstop.demo.geography import PROVINCES
    except ImportError:  # pragma: no cover - the demo package ships with Pitstop
        return {}
    return {p.name_en: p.name_zh for p in PROVINCES.values()}


def coverage_gaps(
    session: Session, *, actor: Actor, params: PlanningParams, clock: Clock
) -> list[MapPlace]:
    """Places whose nearest site is beyond ``params.coverage_minutes``, farthest first."""
    policy.require(actor, "plan.read")
    inputs = service.load_inputs(session, params, today=service._today(clock))
    limit = params.coverage_minutes
    far = [p for p in _places(inputs, params) if p.owners > 0 and p.minutes > limit]
    return sorted(far, key=lambda p: (-p.minutes, p.name))
