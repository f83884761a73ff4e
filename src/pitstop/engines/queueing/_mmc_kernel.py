"""Compiled inner loop of the M/M/c simulation (numba).

A FIFO queue with ``c`` identical servers needs no event list: customer ``n`` starts at
``max(arrival_n, earliest time a server frees)`` and that server then frees at
``start_n + service_n`` (the Kiefer-Wolfowitz recursion). Keeping the servers' free times
in a binary min-heap makes each customer ``O(log c)``, so tens of millions of customers
take about a second; SimPy's event loop takes 15-40 s per million.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pitstop.engines._compiled import compiled

FloatArray = npt.NDArray[np.float64]


@compiled()
def _sift_down(heap: FloatArray, k: int) -> None:
    size = heap.size
    value = heap[k]
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= value:
            break
        heap[k] = heap[child]
        k = child
    heap[k] = value


@compiled()
def fifo_waits(
    gaps: FloatArray, services: FloatArray, free_at: FloatArray, clock: float, waits: FloatArray
) -> float:
    """Fill ``waits`` for customers arriving ``gaps`` apart after ``clock``; returns the
    last arrival time.

    ``free_at`` is a min-heap of the servers' free times, updated in place, so a long run
    can be fed in chunks: the queue carries over from one chunk to the next. Arrival times
    are summed one gap at a time, as SimPy's clock does, so both give the same waits.
    """
    for n in range(gaps.size):
        clock = clock + gaps[n]
        earliest = free_at[0]
        start = earliest if earliest > clock else clock
        waits[n] = start - clock
        free_at[0] = start + services[n]
        _sift_down(free_at, 0)
    return clock


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernel on a tiny input."""
    draws = np.ones(3)
    fifo_waits(draws, draws, np.zeros(2), 0.0, np.empty(3))
