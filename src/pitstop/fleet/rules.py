"""Pure fleet rules: VIN check digit (ISO 3779 / North-American check digit) and due dates."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_problem(vin: str) -> str | None:
    """Why ``vin`` is not a valid 17-character VIN with a correct check digit, or None."""
    if len(vin) != 17:
        return "must be 17 characters"
    bad = sorted({c for c in vin if c not in _TRANSLITERATION})
    if bad:
        return f"contains characters not allowed in a VIN: {''.join(bad)} (I, O and Q never appear)"
    if vin[8] != vin_check_digit(vin):
        return f"check digit is {vin[8]}, expected {vin_check_digit(vin)}"
    return None


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) that ISO 3779 VINs carry: weighted sum mod 11, 10 is X."""
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def with_check_digit(vin17: str) -> str:
    """Replace position 9 of a 17-character VIN body with its correct check digit."""
    return vin17[:8] + vin_check_digit(vin17[:8] + "0" + vin17[9:]) + vin17[9:]


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(
    *,
    last_service: date,
    last_service_km: int,
    odometer_km: int,
    odometer_date: date,
    delivery_date: date,
    every_months: int,
    every_km: int,
) -> date:
    """When the next service falls due: by time, or earlier by distance at the car's own pace.

    The pace is the average km per day since delivery; a car with no history yet is assumed to
    keep to the time rule.
    """
    by_time = add_months(last_service, every_months)
    days_driven = (odometer_date - delivery_date).days
    if days_driven <= 0 or odometer_km <= 0:
        return by_time
    km_per_day = odometer_km / days_driven
    km_left = last_service_km + every_km - odometer_km
    by_distance = odometer_date + timedelta(days=max(0, int(km_left / km_per_day)))
    return min(by_time, by_distance)
