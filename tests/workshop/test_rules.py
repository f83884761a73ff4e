"""Pure workshop rules: image sniffing, recall matching, expected-ready time, the state data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pitstop.errors import InvalidTransitionError
from pitstop.workshop import rules, states
from tests.workshop.helpers import png

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (png()[:16], "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"<svg xmlns=", None),
        (b"", None),
    ],
)
def test_image_type_is_judged_by_content(head: bytes, kind: str | None) -> None:
    assert rules.image_type(head) == kind


def test_recall_matches_listed_vins_and_inclusive_ranges() -> None:
    lo, hi = "LPS1A2B3000000010", "LPS1A2B3000000020"
    assert rules.vin_matches("LPS1A2B3000000010", vin_from=lo, vin_to=hi, vins=[])
    assert rules.vin_matches("lps1a2b3000000020", vin_from=lo, vin_to=hi, vins=[])
    assert not rules.vin_matches("LPS1A2B3000000021", vin_from=lo, vin_to=hi, vins=[])
    assert rules.vin_matches(
        "LPS1A2B3000000099", vin_from=lo, vin_to=hi, vins=["LPS1A2B3000000099"]
    )
    assert not rules.vin_matches("LPS1A2B3000000099", vin_from=None, vin_to=None, vins=[])


def test_parts_on_order_push_expected_ready_to_arrival_plus_fitting() -> None:
    promised = T0 + timedelta(hours=4)
    eta = T0 + timedelta(days=2)
    assert (
        rules.expected_ready(
            promised=promised, approved_work=[], parts_etas=[], labour_after_parts_minutes=0
        )
        == promised
    )
    assert rules.expected_ready(
        promised=promised,
        approved_work=[(T0 + timedelta(hours=1), 60)],
        parts_etas=[eta, eta - timedelta(hours=5)],
        labour_after_parts_minutes=90,
    ) == eta + timedelta(minutes=90)
    # Work approved late cannot be done before it is approved.
    late = T0 + timedelta(hours=6)
    assert rules.expected_ready(
        promised=promised, approved_work=[(late, 30)], parts_etas=[], labour_after_parts_minutes=0
    ) == late + timedelta(minutes=30)


def test_loaner_threshold_is_strictly_longer_than_the_setting() -> None:
    assert not rules.needs_loaner(
        checked_in_at=T0, expected_ready_at=T0 + timedelta(hours=24), threshold_hours=24
    )
    assert rules.needs_loaner(
        checked_in_at=T0, expected_ready_at=T0 + timedelta(hours=24, minutes=1), threshold_hours=24
    )


def test_every_state_is_reachable_and_finished_states_are_final() -> None:
    seen, todo = {states.CHECKED_IN}, [states.CHECKED_IN]
    while todo:
        for nxt in states.TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(states.ORDER) == set(states.TRANSITIONS)
    assert all(not states.TRANSITIONS[s] for s in states.FINISHED)
    assert states.HANDED_OVER in states.TRANSITIONS[states.READY]


@given(st.lists(st.sampled_from(states.ORDER), max_size=30))
def test_walks_follow_only_listed_transitions(path: list[str]) -> None:
    current = states.CHECKED_IN
    for target in path:
        if target in states.TRANSITIONS[current]:
            states.check(current, target)
            current = target
        else:
            with pytest.raises(InvalidTransitionError):
                states.check(current, target)
    assert current in states.TRANSITIONS
