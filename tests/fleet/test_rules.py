"""VIN check digits and service due dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pitstop.fleet.rules import add_months, due_date, vin_check_digit, vin_problem, with_check_digit

VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "11111111111111111", "1HGCM82633A004352"])
def test_published_vins_are_valid(vin):  # type: ignore[no-untyped-def]
    assert vin_problem(vin) is None


def test_check_digit_by_hand():  # type: ignore[no-untyped-def]
    # 1M8GDM9A?KP042788: the worked example of the check-digit algorithm; remainder 10 is X.
    values = [1, 4, 8, 7, 4, 4, 9, 1, 0, 2, 7, 0, 4, 2, 7, 8, 8]
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    assert sum(v * w for v, w in zip(values, weights, strict=True)) % 11 == 10
    assert vin_check_digit("1M8GDM9A0KP042788") == "X"


@pytest.mark.parametrize(
    ("vin", "reason"),
    [
        ("1M8GDM9A1KP042788", "check digit is 1, expected X"),
        ("1M8GDM9AXKP04278", "must be 17 characters"),
        ("1M8GDM9AXKP0427I8", "I, O and Q never appear"),
        ("1m8gdm9axkp042788", "not allowed"),
    ],
)
def test_invalid_vins_say_why(vin, reason):  # type: ignore[no-untyped-def]
    problem = vin_problem(vin)
    assert problem is not None and reason in problem


@given(st.text(alphabet=VIN_CHARS, min_size=17, max_size=17))
def test_with_check_digit_always_valid(body):  # type: ignore[no-untyped-def]
    vin = with_check_digit(body)
    assert vin_problem(vin) is None
    assert vin[:8] == body[:8] and vin[9:] == body[9:]


@given(
    st.text(alphabet=VIN_CHARS, min_size=17, max_size=17),
    st.integers(0, 16),
    st.sampled_from(list(VIN_CHARS)),
)
def test_single_character_change_is_caught_when_its_value_changes(body, pos, char):  # type: ignore[no-untyped-def]
    vin = with_check_digit(body)
    if pos == 8:
        return
    changed = vin[:pos] + char + vin[pos + 1 :]
    from pitstop.fleet.rules import _TRANSLITERATION, _WEIGHTS

    delta = (_TRANSLITERATION[char] - _TRANSLITERATION[vin[pos]]) * _WEIGHTS[pos]
    # Mod 11 is prime, so any change of value at a non-zero weight moves the check digit.
    assert (vin_problem(changed) is None) == (delta % 11 == 0)


def test_add_months_clamps_to_month_end():  # type: ignore[no-untyped-def]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_due_by_time_for_a_quiet_car():  # type: ignore[no-untyped-def]
    due = due_date(
        last_service=date(2026, 3, 1),
        last_service_km=0,
        odometer_km=2000,
        odometer_date=date(2026, 9, 1),
        delivery_date=date(2026, 3, 1),
        every_months=12,
        every_km=20000,
    )
    assert due == date(2027, 3, 1)


def test_due_by_distance_for_a_busy_car():  # type: ignore[no-untyped-def]
    # 100 km a day since delivery: 20,000 km come after 200 days, before 12 months.
    due = due_date(
        last_service=date(2026, 1, 1),
        last_service_km=0,
        odometer_km=10000,
        odometer_date=date(2026, 4, 11),
        delivery_date=date(2026, 1, 1),
        every_months=12,
        every_km=20000,
    )
    assert due == date(2026, 7, 20)
