"""The demo's loaner pools: at every site, as many cars as its busiest weekday lends.

The weekday templates already give each site its loaner capacity (cars that can be out per
day); without cars behind that number a booking with a loaner would have nothing to lend at
check-in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from pitstop.demo.scenario import Scenario
from pitstop.demo.sites import SiteSpec
from pitstop.loaners.models import Loaner


def write_loaners(
    session: Session,
    scenario: Scenario,
    sites: list[SiteSpec],
    site_ids: dict[int, int],
    *,
    now: datetime,
) -> int:
    """Insert each site's pool; returns how many cars. Plates read ``沪·LN0001``, numbered
    across the network: owners' plates put a letter before the dot, so the two never meet."""
    models = [m.name for m in scenario.brand.models]
    rows: list[dict[str, object]] = []
    for spec in sites:
        cars = max((t.loaners for t in spec.templates.values()), default=0)
        for k in range(cars):
            rows.append(
                {
                    "site_id": site_ids[spec.index],
                    "plate": f"{spec.city.province.plate}·LN{len(rows) + 1:04d}",
                    "model": models[k % len(models)],
                    "state": "available",
                    "odometer_km": 0,
                    "charge_pct": 100,
                    "created_at": now,
                }
            )
    if rows:
        session.execute(insert(Loaner), rows)
    return len(rows)
