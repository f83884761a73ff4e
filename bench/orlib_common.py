"""Shared parts of the OR-Library location benchmarks: machine info, the spopt anchor, checks.

The spopt anchor builds spopt's own model (``spopt.locate.PMedian.from_cost_matrix``) from the
same cost matrix our engine gets and solves it with pulp's HiGHS interface (one thread,
``mip_rel_gap`` 1e-6 like our engine, the time cap as HiGHS's time limit). It runs in a
child process (from a fork server) with an address-space limit and a hard wall-clock limit,
so a model that is too large for the machine shows up as ``failed`` instead of ending the
benchmark.

Every solution, ours or spopt's, is checked here against the matrices: the number of open
sites, each customer assigned to exactly one open site, capacities, and the cost recomputed
from the matrix.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import platform
import resource
import time
import traceback
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

PACKAGES = ("numpy", "scipy", "highspy", "spopt", "pulp")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_info() -> dict[str, object]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    mem_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "memory_gib": mem_gib,
        "load_average_1_5_15": load_average(),
        "packages": packages,
    }


# ----- independent checks ----------------------------------------------------------------


def check_pmedian(
    distances: np.ndarray,
    weights: np.ndarray,
    p: int,
    facilities: Sequence[int],
    assignment: Sequence[int] | None,
) -> dict[str, Any]:
    """p distinct sites open; cost = Σ w·d(nearest open) recomputed from the matrix.

    If the solver reported an assignment, each customer must go to an open site and the
    cost of that assignment is recomputed too (it may exceed the nearest-site cost only if
    the solver was stopped early).
    """
    errors: list[str] = []
    n_customers, n_sites = distances.shape
    fac = np.asarray(sorted(set(int(j) for j in facilities)), dtype=np.intp)
    if len(fac) != len(facilities):
        errors.append("repeated facility")
    if fac.size and (fac.min() < 0 or fac.max() >= n_sites):
        errors.append("facility index out of range")
        return {"ok": False, "errors": errors, "cost": None}
    if fac.size != p:
        errors.append(f"{fac.size} facilities open, p = {p}")
    if fac.size == 0:
        return {"ok": False, "errors": errors, "cost": None}
    nearest_cost = float(weights @ distances[:, fac].min(axis=1))
    out: dict[str, Any] = {"cost": nearest_cost}
    if assignment is not None:
        a = np.asarray(assignment, dtype=np.intp)
        if a.shape != (n_customers,):
            errors.append("assignment has the wrong length")
        elif not np.isin(a, fac).all():
            errors.append(f"{int((~np.isin(a, fac)).sum())} customers assigned to closed sites")
        else:
            out["assignment_cost"] = float(weights @ distances[np.arange(n_customers), a])
    out["ok"] = not errors
    out["errors"] = errors
    return out


def check_cfl(
    cost: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    assignment: Sequence[int] | None,
    facilities: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Each customer to exactly one open site, loads within capacity; cost recomputed.

    ``facilities`` (if given) are the sites the solver reports open; a reported site with no
    customer still pays its fixed cost. Cost = Σ fixed cost of open sites + Σ c[i, a_i].
    """
    errors: list[str] = []
    n_customers, n_sites = cost.shape
    if assignment is None:
        return {"ok": False, "errors": ["no assignment"], "cost": None}
    a = np.asarray(assignment, dtype=np.intp)
    if a.shape != (n_customers,):
        return {"ok": False, "errors": ["assignment has the wrong length"], "cost": None}
    if a.min() < 0 or a.max() >= n_sites:
        return {"ok": False, "errors": ["site index out of range"], "cost": None}
    open_mask = np.zeros(n_sites, dtype=bool)
    open_mask[a] = True
    if facilities is not None:
        reported = np.zeros(n_sites, dtype=bool)
        reported[list(facilities)] = True
        if (open_mask & ~reported).any():
            errors.append("customers assigned to a site not reported open")
        open_mask |= reported
    load = np.bincount(a, weights=demand, minlength=n_sites)
    over = load - capacity
    if (over > 1e-9 * max(1.0, float(capacity.max()))).any():
        errors.append(f"capacity exceeded at {int((over > 0).sum())} sites (max +{over.max():g})")
    total = float(fixed_cost[open_mask].sum() + cost[np.arange(n_customers), a].sum())
    return {
        "ok": not errors,
        "errors": errors,
        "cost": total,
        "open_sites": int(open_mask.sum()),
        "max_load_share": round(float((load[open_mask] / capacity[open_mask]).max()), 4),
    }


def gap_to(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or not math.isfinite(value) or reference == 0:
        return None
    return (value - reference) / abs(reference)


def matches(value: float | None, reference: float | None, rel: float) -> bool:
    if value is None or reference is None or not math.isfinite(value):
        return False
    return abs(value - reference) <= max(1e-6, rel * abs(reference))


# ----- the spopt anchor (runs in a child process) ----------------------------------------


def _highs_solver(seconds: float) -> Any:
    import pulp

    return pulp.HiGHS(msg=False, timeLimit=float(seconds), threads=1, gapRel=1e-6)


def _extract(model: Any, n_customers: int, n_sites: int) -> tuple[list[int], list[int] | None]:
    y = [j for j, var in enumerate(model.fac_vars) if (var.varValue or 0.0) > 0.5]
    z = model.cli_assgn_vars
    assignment: list[int] | None = []
    for i in range(n_customers):
        row = [j for j in range(n_sites) if (z[i, j].varValue or 0.0) > 0.5]
        if len(row) != 1:
            assignment = None
            break
        assert assignment is not None
        assignment.append(row[0])
    return y, assignment


def _status(model: Any) -> dict[str, Any]:
    import pulp

    problem = model.problem
    sol_status = problem.sol_status
    info: dict[str, Any] = {
        "pulp_status": pulp.LpStatus.get(problem.status, str(problem.status)),
        "pulp_solution_status": pulp.LpSolution.get(sol_status, str(sol_status)),
    }
    try:
        highs_info = problem.solverModel.getInfo()
        bound = float(highs_info.mip_dual_bound)
        info["lower_bound"] = bound if math.isfinite(bound) else None
        info["mip_gap_reported"] = float(highs_info.mip_gap)
    except Exception:  # pragma: no cover - informative only
        info["lower_bound"] = None
    if sol_status == pulp.LpSolutionOptimal:
        info["status"] = "optimal"
    elif sol_status == pulp.LpSolutionIntegerFeasible:
        info["status"] = "time-capped"
    else:
        info["status"] = "failed"
    value = problem.objective.value() if info["status"] != "failed" else None
    info["solver_objective"] = float(value) if value is not None else None
    return info


def spopt_pmedian_child(
    notify: Callable[..., None], distances: np.ndarray, weights: np.ndarray, p: int, seconds: float
) -> dict:
    """spopt's p-median (PMedian.from_cost_matrix) solved by HiGHS through pulp."""
    from spopt.locate import PMedian

    started = time.perf_counter()
    model = PMedian.from_cost_matrix(distances, weights, p_facilities=p, name="pmedian")
    built = time.perf_counter()
    notify(build_seconds=built - started)
    try:
        model.solve(_highs_solver(seconds), results=False)
    except RuntimeError as exc:  # spopt's check_status: no solution
        solved = time.perf_counter()
        return {
            "status": "failed",
            "reason": str(exc),
            "build_seconds": built - started,
            "solve_seconds": solved - built,
        }
    solved = time.perf_counter()
    out = _status(model)
    facilities, assignment = _extract(model, *distances.shape)
    out.update(
        facilities=facilities,
        assignment=assignment,
        build_seconds=built - started,
        solve_seconds=solved - built,
    )
    return out


def spopt_sscflp_child(
    notify: Callable[..., None],
    cost: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    seconds: float,
) -> dict:
    """Single-source CFL through spopt's capacitated p-median model.

    spopt 0.7 has no facility-location model with fixed opening costs. Its capacitated
    p-median (``PMedian.from_cost_matrix(..., facility_capacities=...)``) is single-source
    (binary z_ij, Σ_j z_ij = 1, z_ij <= y_j, Σ_i d_i z_ij <= s_j y_j) and minimises
    Σ d_i c'_ij z_ij. We give it c'_ij = c_ij / d_i (so its objective is Σ c_ij z_ij), build
    it with p = every site, then, on the pulp problem spopt built, drop its Σ y_j = p row and
    add Σ f_j y_j to its objective: exactly the SSCFLP, in spopt's formulation.
    """
    import pulp
    from spopt.locate import PMedian

    n_customers, n_sites = cost.shape
    started = time.perf_counter()
    model = PMedian.from_cost_matrix(
        cost / demand[:, None],
        demand,
        p_facilities=n_sites,
        facility_capacities=capacity,
        name="sscflp",
    )
    fac_set = {var.name for var in model.fac_vars}
    p_rows = [
        name
        for name, row in model.problem.constraints.items()
        if row.sense == pulp.LpConstraintEQ
        and {var.name for var in row} == fac_set
        and len(row) == n_sites
    ]
    if len(p_rows) != 1:
        raise RuntimeError(f"could not find spopt's p-constraint ({len(p_rows)} candidates)")
    del model.problem.constraints[p_rows[0]]
    model.problem.objective += pulp.lpSum(
        float(f) * var for f, var in zip(fixed_cost, model.fac_vars, strict=True)
    )
    built = time.perf_counter()
    notify(build_seconds=built - started)
    try:
        model.solve(_highs_solver(seconds), results=False)
    except RuntimeError as exc:
        solved = time.perf_counter()
        return {
            "status": "failed",
            "reason": str(exc),
            "build_seconds": built - started,
            "solve_seconds": solved - built,
        }
    solved = time.perf_counter()
    out = _status(model)
    facilities, assignment = _extract(model, n_customers, n_sites)
    out.update(
        facilities=facilities,
        assignment=assignment,
        build_seconds=built - started,
        solve_seconds=solved - built,
    )
    return out


def _child_main(conn: Any, target: Callable[..., dict], args: tuple, memory_gib: float) -> None:
    try:
        limit = int(memory_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        def notify(**progress: float) -> None:
            conn.send(("phase", progress))

        conn.send(("ok", target(notify, *args)))
    except MemoryError:
        conn.send(("error", f"out of memory (address-space limit {memory_gib:g} GiB)"))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))
    finally:
        conn.close()


def run_spopt(
    target: Callable[..., dict], args: tuple, *, wall_seconds: float, memory_gib: float
) -> dict[str, Any]:
    """Run an spopt child; never raises. Adds ``seconds`` (build + solve, in the child)."""
    # A child forked from this process made our next solve slower: its copy-on-write
    # faults on our pages cost cap71 4-5 ms (2.7 ms became 6-8 ms). Children come from a
    # fork server instead, which has spopt imported (its timer excludes the import).
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["spopt.locate", "pulp", "orlib_common"])
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child_main, args=(child, target, args, memory_gib))
    started = time.perf_counter()
    process.start()
    child.close()
    message = None
    progress: dict[str, float] = {}
    deadline = started + wall_seconds
    while message is None:
        left = deadline - time.perf_counter()
        if left <= 0 or not parent.poll(left):
            break
        try:
            kind, payload = parent.recv()
        except EOFError:
            break
        if kind == "phase":
            progress.update(payload)
        else:
            message = (kind, payload)
    wall = time.perf_counter() - started
    if process.is_alive():
        process.kill()
    process.join()
    if message is None:
        if wall >= wall_seconds:
            phase = (
                f"in spopt's solve (pulp passing the model to HiGHS, or HiGHS; model built "
                f"in {progress['build_seconds']:.1f} s)"
                if "build_seconds" in progress
                else "while spopt was still building the model"
            )
            reason = f"killed at the wall-clock limit ({wall_seconds:g} s), {phase}"
        else:
            reason = f"child exited with code {process.exitcode}"
        out: dict[str, Any] = {"status": "failed", "reason": reason, "seconds": round(wall, 3)}
        if "build_seconds" in progress:
            out["build_seconds"] = round(progress["build_seconds"], 3)
        return out
    kind, payload = message
    if kind == "error":
        return {"status": "failed", "reason": payload, "seconds": round(wall, 3)}
    payload["seconds"] = round(payload["build_seconds"] + payload["solve_seconds"], 3)
    payload["build_seconds"] = round(payload["build_seconds"], 3)
    payload["solve_seconds"] = round(payload["solve_seconds"], 3)
    payload["wall_seconds_with_start"] = round(wall, 3)
    return payload


def add_spopt(row: dict[str, Any], spopt: dict[str, Any]) -> None:
    """Put spopt's run beside ours in a result row, with the speed ratio (a lower bound when
    spopt stopped short of optimal)."""
    row["spopt"] = spopt
    ratio = spopt["seconds"] / max(row["ours"]["seconds"], 1e-3)
    row["speed_ratio_spopt_over_ours"] = round(ratio, 1)
    row["ratio_is_lower_bound"] = spopt["status"] != "optimal"


def spopt_line(row: dict[str, Any], value: str) -> str:
    """The spopt part of a bench's progress line; ``value`` is its objective, formatted."""
    sp = row["spopt"]
    return (
        f" | spopt {sp['status']:11s} {value} {sp['seconds']:7.2f}s"
        f" ratio {'>=' if row['ratio_is_lower_bound'] else ''}"
        f"{row['speed_ratio_spopt_over_ours']:g}x"
    )


def save(report: dict[str, Any], rows: list[dict[str, Any]], summary: Any, out: Path) -> None:
    """Write the report with its summary so far (after every instance: a long run that is
    stopped keeps what it measured)."""
    report["summary"] = summary(rows)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def finish(report: dict[str, Any], rows: list[dict[str, Any]], summary: Any, out: Path) -> None:
    report["complete"] = True
    report["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report["load_average_at_end"] = load_average()
    save(report, rows, summary, out)
    print(json.dumps(report["summary"], indent=2))
    print(f"saved {out}")
