"""Why the planner made no plan, as data that the studio pages word in the page's language.

A refusal is a ``kind`` (which message), its ``values`` (targets, numbers), the ``places`` it
is about (each a name and its figures, worst first; at most ``PLACES_KEPT``, ``more`` counts
the rest) and the form field it is about, if any. A failed ``PlanRun`` keeps one as JSON.

The kinds: the four of ``PlanInfeasibleError`` (``coverage``, ``capacity``, ``assignment``,
``van_reach``), ``target_below``, ``no_fleet`` and ``no_vehicles`` (``PlanInputError``),
``name_taken``; errors with no kind of their own become ``invalid`` (a parameter, with its
English ``reason``) or ``other`` (with the English ``detail``), which only the English page
shows: the Chinese one names the parameter or asks to check them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pitstop.errors import InvalidInputError, ManyInvalidInputError, PitstopError
from pitstop.planning.capacity import INFEASIBLE_KINDS, PlanInfeasibleError
from pitstop.planning.errors import PlanInputError, PlanNotMetError, ScenarioNameTakenError

KINDS = (
    *INFEASIBLE_KINDS,
    "target_below",
    "no_fleet",
    "no_vehicles",
    "name_taken",
    "invalid",
    "other",
)
PLACES_KEPT = 50


@dataclass(frozen=True)
class Refusal:
    """One refusal, ready to store (``to_json``) and to word (``planning.why.<kind>`` and
    ``planning.where.<kind>`` in ``planning.messages``)."""

    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    places: tuple[dict[str, Any], ...] = ()
    more: int = 0
    field_name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "values": self.values,
            "places": list(self.places),
            "more": self.more,
            "field": self.field_name,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Refusal:
        """The stored refusal; ``other`` for none, or for a kind this version does not know."""
        if not data or data.get("kind") not in KINDS:
            return cls("other")
        return cls(
            kind=str(data["kind"]),
            values=dict(data.get("values") or {}),
            places=tuple(dict(p) for p in data.get("places") or ()),
            more=int(data.get("more") or 0),
            field_name=str(data.get("field") or ""),
        )


def infeasible(error: PlanInfeasibleError) -> Refusal:
    kept = error.shortfalls[:PLACES_KEPT]
    return Refusal(
        error.kind,
        dict(error.figures),
        tuple({k: v for k, v in asdict(s).items() if v is not None} for s in kept),
        more=len(error.shortfalls) - len(kept),
    )


def of(error: PitstopError) -> Refusal:
    """The refusal a planning error stands for."""
    if isinstance(error, PlanNotMetError):
        return infeasible(error.infeasible)
    if isinstance(error, PlanInputError):
        return Refusal(error.code, dict(error.values), field_name=error.field)
    if isinstance(error, ScenarioNameTakenError):
        return Refusal("name_taken", {"name": error.name}, field_name="name")
    if isinstance(error, InvalidInputError | ManyInvalidInputError) and error.problems:
        first = error.problems[0]
        reason = first.reason if len(error.problems) == 1 else error.detail
        return Refusal("invalid", {"field": first.field, "reason": reason}, field_name=first.field)
    return Refusal("other", {"detail": error.detail})
