"""M/M/c simulation: the check that the simulation machinery agrees with Erlang C.

Two engines give the same waits on the same draws: ``"simpy"`` runs the queue as SimPy
processes (the machinery the network simulation is built on), ``"compiled"`` runs the FIFO
recursion in :mod:`._mmc_kernel`, 100x faster or more, which is what makes runs of tens of
millions of customers (a mean wait within 1-2 % of Erlang C) practical. Draws come in
chunks (warm-up, then one per batch) so a long run never holds more than a batch in memory.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import simpy

from pitstop.engines.queueing._mmc_kernel import fifo_waits
from pitstop.engines.queueing.errors import QueueingInputError

FloatArray = npt.NDArray[np.float64]
Engine = Literal["compiled", "simpy"]
Draws = tuple[FloatArray, FloatArray]


@dataclass(frozen=True)
class MMCSimulation:
    """Simulated M/M/c figures; times in the unit of the rates.

    ``mean_wait_ci`` is a ``confidence`` interval from batch means.
    """

    customers: int
    mean_wait: float
    mean_wait_ci: tuple[float, float]
    prob_wait: float


def simulate_mmc(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    *,
    customers: int,
    warmup: int = 1_000,
    batches: int = 20,
    confidence: float = 0.99,
    seed: int = 0,
    engine: Engine = "compiled",
) -> MMCSimulation:
    """Simulate ``warmup + customers`` arrivals to an M/M/c queue (FIFO, one queue).

    Raises:
        QueueingInputError: invalid rates, counts, or an unstable queue (``lambda >= c mu``).
    """
    _check(arrival_rate, service_rate, servers)
    if customers < batches or batches < 2 or warmup < 0:
        raise QueueingInputError("need customers >= batches >= 2 and warmup >= 0")
    size, rest = divmod(customers, batches)
    sizes = [warmup] + [size] * batches + ([rest] if rest else [])
    chunks = _waits(_draws(arrival_rate, service_rate, sizes, seed), servers, engine)
    next(chunks)  # the warm-up: the queue starts empty, which biases early waits low
    means = np.empty(batches)
    total = 0.0
    waited = 0
    for k, waits in enumerate(chunks):
        if k < batches:
            means[k] = waits.mean()
        total += float(waits.sum())
        waited += int(np.count_nonzero(waits > 0))
    centre = float(means.mean())
    half = _t_quantile(confidence, batches - 1) * float(means.std(ddof=1)) / math.sqrt(batches)
    return MMCSimulation(
        customers=customers,
        mean_wait=total / customers,
        mean_wait_ci=(centre - half, centre + half),
        prob_wait=waited / customers,
    )


def mmc_waits(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    *,
    customers: int,
    seed: int = 0,
    engine: Engine = "compiled",
) -> FloatArray:
    """Every customer's wait, from an empty queue; for comparing the engines."""
    _check(arrival_rate, service_rate, servers)
    draws = _draws(arrival_rate, service_rate, [customers], seed)
    return np.concatenate(list(_waits(draws, servers, engine)))


def _check(arrival_rate: float, service_rate: float, servers: int) -> None:
    if not (arrival_rate > 0 and service_rate > 0 and servers >= 1):
        raise QueueingInputError("need arrival_rate > 0, service_rate > 0, servers >= 1")
    if arrival_rate >= servers * service_rate:
        raise QueueingInputError("unstable queue: arrival_rate >= servers * service_rate")


def _draws(
    arrival_rate: float, service_rate: float, sizes: list[int], seed: int
) -> Iterator[Draws]:
    rng = np.random.default_rng(seed)
    for n in sizes:
        yield rng.exponential(1 / arrival_rate, n), rng.exponential(1 / service_rate, n)


def _waits(draws: Iterator[Draws], servers: int, engine: Engine) -> Iterator[FloatArray]:
    """Each chunk's waits, the queue carried over from chunk to chunk."""
    if engine == "compiled":
        free_at = np.zeros(servers)
        clock = 0.0
        for gaps, services in draws:
            waits = np.empty(gaps.size)
            clock = fifo_waits(gaps, services, free_at, clock, waits)
            yield waits
        return
    chunks = list(draws)
    gaps = np.concatenate([g for g, _ in chunks])
    services = np.concatenate([s for _, s in chunks])
    waits = _simpy_waits(gaps, services, servers)
    yield from np.split(waits, np.cumsum([g.size for g, _ in chunks])[:-1])


def _simpy_waits(gaps: FloatArray, services: FloatArray, servers: int) -> FloatArray:
    waits = np.empty(gaps.size)
    env = simpy.Environment()
    bays = simpy.Resource(env, capacity=servers)

    def customer(k: int) -> Generator[Any, Any, None]:
        arrived = env.now
        with bays.request() as request:
            yield request
            waits[k] = env.now - arrived
            yield env.timeout(services[k])

    def source() -> Generator[Any, Any, None]:
        for k in range(gaps.size):
            yield env.timeout(gaps[k])
            env.process(customer(k))

    env.process(source())
    env.run()
    return waits


def _t_quantile(confidence: float, dof: int) -> float:
    # scipy.stats costs seconds to import; only validation runs need it, not the web app.
    from scipy import stats

    return float(stats.t.ppf(0.5 + confidence / 2, dof))
