"""A horizon starting late in a month (its first week's middle day in the next month) still
plans that first month: vans for far towns from day one, not from the month after."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pitstop.clock import FixedClock
from pitstop.identity.actor import SYSTEM
from pitstop.planning import service
from pitstop.planning.schemas import PlanningParams
from tests.conftest import TEST_NOW
from tests.planning.helpers import build_planning_world


@pytest.mark.parametrize("start", [date(2026, 11, 23), date(2026, 11, 28)])
def test_far_towns_have_mobile_service_from_the_first_day(database: Any, start: date) -> None:
    build_planning_world(database, per_owner=5, minutes_per_day=300)
    params = PlanningParams(start=start, weeks=26, candidate_min_population=300_000)
    with database.unit_of_work(write=False) as s:
        plan = service.capacity(s, actor=SYSTEM, params=params, clock=FixedClock(TEST_NOW))
    assert plan["problems"] == []
    assert plan["meets_targets"] is True
    assert plan["mobile_reach_by_month"][0] == 1.0
    assert min(v["month"] for v in plan["vans"]) == 0
