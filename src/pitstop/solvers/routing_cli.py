"""``pitstop solve vrptw FILE``: solve a standard VRPTW instance (VRPLIB or Solomon layout).

Distances follow the DIMACS convention of the published Solomon optima: Euclidean, truncated
to one decimal; travel time equals distance; the objective is total distance.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pitstop.engines.routing import Stop, check_vrptw, solve, to_problem
from pitstop.engines.routing.io import read_instance

SCALE = 10


def register(solve_app: typer.Typer) -> None:
    """Add the ``vrptw`` command to the CLI's ``solve`` group."""
    solve_app.command("vrptw")(vrptw)


def vrptw(
    file: Annotated[str, typer.Argument(help="Instance file: VRPLIB .vrp or Solomon .txt.")],
    seconds: Annotated[float, typer.Option(help="Time limit in seconds.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    iterations: Annotated[
        int | None, typer.Option(help="Also stop after this many iterations.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Solve a VRPTW instance with PyVRP and print vehicles, distance and routes.

    Routes list customer numbers 1..N in visiting order, depot left out (as in .sol files).
    """
    try:
        if seconds <= 0:
            raise ValueError("--seconds must be positive")
        if iterations is not None and iterations <= 0:
            raise ValueError("--iterations must be positive")
        instance = read_instance(file)
        problem = to_problem(instance, scale=SCALE)
        began = time.perf_counter()
        result = solve(
            problem, stop=Stop(max_iterations=iterations, max_seconds=seconds), seed=seed
        )
        elapsed = time.perf_counter() - began
    except ValueError as exc:  # RoutingInputError is a ValueError
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None

    routes = [[int(visit.job_id) for visit in route.visits] for route in result.routes]
    routes = [route for route in routes if route]
    check = check_vrptw(instance, routes, scale=SCALE)
    payload = {
        "instance": instance.name,
        "vehicles": check.vehicles,
        "distance": round(check.distance, 1),
        "routes": routes,
        "seconds": round(elapsed, 3),
        "feasible": check.feasible,
        "seed": seed,
        "iterations": result.iterations,
    }
    if as_json:
        typer.echo(json.dumps(payload))
        return
    console = Console()
    table = Table(
        title=f"{instance.name}: {check.vehicles} vehicles, distance {check.distance:.1f}"
    )
    table.add_column("route", justify="right")
    table.add_column("customers", justify="right")
    table.add_column("load", justify="right")
    table.add_column("visits")
    for k, route in enumerate(routes, start=1):
        load = sum(instance.demands[c] for c in route)
        table.add_row(str(k), str(len(route)), str(load), " ".join(map(str, route)))
    console.print(table)
    status = "feasible" if check.feasible else "INFEASIBLE: " + "; ".join(check.violations[:3])
    console.print(f"{status}; {elapsed:.1f} s, {result.iterations} iterations, seed {seed}")
