"""Pure network calculations: distances, travel estimates, slots."""

from __future__ import annotations

import math
from datetime import date, time, timedelta

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def road_km(lat1: float, lon1: float, lat2: float, lon2: float, *, circuity: float) -> float:
    """Great-circle distance times a road-circuity factor (roads are never straight)."""
    return great_circle_km(lat1, lon1, lat2, lon2) * circuity


def travel_minutes(km: float, *, speed_kmh: float) -> int:
    return max(1, math.ceil(km / speed_kmh * 60))


def slot_times(opens: time, last_dropoff: time, *, minutes: int = 30) -> list[str]:
    """Drop-off windows from opening to the last drop-off, inclusive, as ``HH:MM``."""
    slots = []
    t = opens.hour * 60 + opens.minute
    end = last_dropoff.hour * 60 + last_dropoff.minute
    while t <= end:
        slots.append(f"{t // 60:02d}:{t % 60:02d}")
        t += minutes
    return slots


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
