"""``pitstop solve pmedian`` and ``pitstop solve cfl``: location solvers on benchmark files.

Bad input prints one line on stderr and exits with code 2 (never a traceback).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, cast

import typer
from rich.console import Console
from rich.table import Table

from pitstop.engines.location import (
    CFLParams,
    LocationInfeasibleError,
    LocationInputError,
    MaxSeconds,
    PMedianParams,
    Result,
)
from pitstop.engines.location import solve as solve_location
from pitstop.engines.location.io import read_cfl, read_orlib_pmedian

Method = Literal["auto", "mip", "heuristic"]
_METHODS: tuple[Method, ...] = ("auto", "mip", "heuristic")


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    return typer.Exit(code=2)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _payload(name: str, model: str, result: Result, extra: dict[str, object]) -> dict[str, object]:
    return {
        "instance": name,
        "model": model,
        "objective": _finite(result.objective),
        "lower_bound": _finite(result.lower_bound),
        "gap": _finite(result.gap),
        "facilities": [j + 1 for j in result.facilities],
        "seconds": round(result.seconds, 4),
        "method": result.method,
        "optimal": result.optimal,
        **extra,
    }


def _show(payload: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(payload))
        return
    table = Table(title=f"{payload['model']} — {payload['instance']}")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in payload.items():
        if key in ("instance", "model"):
            continue
        if key == "facilities" and isinstance(value, list):
            value = " ".join(str(v) for v in value)
        table.add_row(key, str(value))
    Console().print(table)


def _check_common(seconds: float, method: str) -> None:
    if not (math.isfinite(seconds) and seconds > 0):
        raise _fail(f"--seconds must be a positive number, got {seconds}")
    if method not in _METHODS:
        raise _fail(f"--method must be one of {', '.join(_METHODS)}, got {method!r}")


def _run_with_status(label: str, seconds: float, run: Callable[[], Result]) -> Result:
    """Run a solve behind a Rich spinner on stderr (stdout stays clean for --json)."""
    with Console(stderr=True).status(f"{label} (limit {seconds:g} s) ..."):
        return run()


def pmedian_command(
    orlib: Annotated[
        Path, typer.Option("--orlib", help="OR-Library p-median file (pmed1..pmed40 format).")
    ],
    p: Annotated[int | None, typer.Option("--p", help="Medians; default: the file's p.")] = None,
    seconds: Annotated[float, typer.Option("--seconds", help="Wall-time limit.")] = 60.0,
    method: Annotated[str, typer.Option("--method", help="auto, mip or heuristic.")] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the heuristic.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Solve an OR-Library p-median instance; facilities are 1-based vertex numbers."""
    _check_common(seconds, method)
    try:
        data = read_orlib_pmedian(orlib, p=p)
    except LocationInputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot read {orlib}: {exc.strerror or exc}") from None
    params = PMedianParams(method=cast(Method, method))
    result = _run_with_status(
        f"p-median {orlib.name}, n={data.distances.shape[0]}, p={data.p}",
        seconds,
        lambda: solve_location(data, stop=MaxSeconds(seconds), seed=seed, params=params),
    )
    _show(_payload(orlib.name, "p-median", result, {"p": data.p}), as_json)


def cfl_command(
    file: Annotated[
        Path, typer.Argument(help="Single-source CFL file (Guastaroba-Speranza layout).")
    ],
    seconds: Annotated[float, typer.Option("--seconds", help="Wall-time limit.")] = 60.0,
    method: Annotated[str, typer.Option("--method", help="auto, mip or heuristic.")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Solve a single-source capacitated facility location instance (1-based facilities)."""
    _check_common(seconds, method)
    try:
        instance = read_cfl(file)
    except LocationInputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror or exc}") from None
    params = CFLParams(method=cast(Method, method))
    try:
        result = _run_with_status(
            f"CFL {file.name}",
            seconds,
            lambda: solve_location(instance.data, stop=MaxSeconds(seconds), params=params),
        )
    except LocationInfeasibleError as exc:
        raise _fail(f"{file}: infeasible: {exc}") from None
    extra: dict[str, object] = {"reference_value": instance.reference_value}
    _show(_payload(file.name, "single-source CFL", result, extra), as_json)


def register(solve_app: typer.Typer) -> None:
    """Add the ``pmedian`` and ``cfl`` commands to the ``solve`` command group."""
    solve_app.command("pmedian")(pmedian_command)
    solve_app.command("cfl")(cfl_command)
