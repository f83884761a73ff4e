"""Planning's refusals, each carrying what it is about as data (which target, which places,
which figures) beside the English ``detail`` the API and CLI show, so that the studio pages
can word it in their own language (``planning.refusals``)."""

from __future__ import annotations

from typing import Any

from pitstop.errors import ConflictError, FieldProblem, InvalidInputError, ManyInvalidInputError
from pitstop.planning.capacity import PlanInfeasibleError


class PlanNotMetError(ManyInvalidInputError):
    """No plan can meet the targets: the detail lists the places and why; ``infeasible``
    holds the same as data."""

    title = "Targets cannot be met"

    def __init__(self, error: PlanInfeasibleError) -> None:
        super().__init__(
            str(error),
            problems=[FieldProblem(f"place {name}", why) for name, why in error.places[:50]],
        )
        self.infeasible = error


class PlanInputError(InvalidInputError):
    """A parameter the network cannot plan with. ``code`` names the refusal (``target_below``,
    ``no_fleet``, ``no_vehicles``) and ``values`` holds its figures; ``reason`` is English."""

    def __init__(self, field: str, reason: str, *, code: str, **values: Any) -> None:
        super().__init__(field, reason)
        self.field = field
        self.code = code
        self.values = values


class ScenarioNameTakenError(ConflictError):
    """A saved scenario, or a run still in progress, has the name."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"a scenario named {name!r} exists", problems=[FieldProblem("name", "is taken")]
        )
        self.name = name
