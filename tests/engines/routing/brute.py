"""A tiny exhaustive solver, written independently of the engine, to prove optima.

Vehicles are identical (same base, shift, capacity, mode). Every subset of jobs is tried in
every order as one route; then every way of splitting the served jobs over the vehicles, with
optional jobs' prizes counted when left out. Exponential: only for about 7 jobs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations


@dataclass(frozen=True)
class BruteJob:
    start: int  # place index where service starts (A)
    end: int  # place index where the job is done (B; = A for a van visit)
    service: int  # whole service time, valet drive included
    earliest: int
    latest: int
    demand: int = 0
    prize: int | None = None  # None: required


@dataclass(frozen=True)
class BruteFleet:
    base: int
    shift_start: int
    shift_end: int
    capacity: int
    count: int


def route_distance(
    seq: tuple[int, ...],
    jobs: list[BruteJob],
    fleet: BruteFleet,
    dist: list[list[int]],
    dur: list[list[int]],
) -> int | None:
    """Distance of serving ``seq`` in order, or None when a window, the shift or the capacity
    is broken (serving each job as early as possible)."""
    if sum(jobs[k].demand for k in seq) > fleet.capacity:
        return None
    t, pos, total = fleet.shift_start, fleet.base, 0
    for k in seq:
        job = jobs[k]
        total += dist[pos][job.start]
        t = max(t + dur[pos][job.start], job.earliest)
        if t > job.latest:
            return None
        t += job.service
        pos = job.end
    total += dist[pos][fleet.base]
    if t + dur[pos][fleet.base] > fleet.shift_end:
        return None
    return total


def optimum(
    jobs: list[BruteJob], fleet: BruteFleet, dist: list[list[int]], dur: list[list[int]]
) -> int:
    """Minimum of route distance + prizes of optional jobs left out (inf if impossible)."""
    n = len(jobs)
    best_route = [math.inf] * (1 << n)
    best_route[0] = 0
    for mask in range(1, 1 << n):
        members = [k for k in range(n) if mask >> k & 1]
        for seq in permutations(members):
            cost = route_distance(seq, jobs, fleet, dist, dur)
            if cost is not None and cost < best_route[mask]:
                best_route[mask] = cost
    # best[v][mask]: cheapest way to serve exactly ``mask`` with at most v vehicles.
    best = best_route[:]
    for _ in range(fleet.count - 1):
        nxt = best[:]
        for mask in range(1 << n):
            sub = mask
            while sub:
                cand = best_route[sub] + best[mask ^ sub]
                if cand < nxt[mask]:
                    nxt[mask] = cand
                sub = (sub - 1) & mask
        best = nxt
    answer = math.inf
    for mask in range(1 << n):
        left_out = [k for k in range(n) if not mask >> k & 1]
        if any(jobs[k].prize is None for k in left_out):
            continue
        penalty = sum(jobs[k].prize or 0 for k in left_out)
        answer = min(answer, best[mask] + penalty)
    assert answer < math.inf, "test instance has no feasible solution"
    return int(answer)
