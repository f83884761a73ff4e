"""Erlang B and Erlang C (M/M/c) in a numerically stable form.

Erlang B is computed by the recursion ``B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))``
(no factorials, no overflow for thousands of servers); Erlang C follows from
``C = c B / (c - a (1 - B))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pitstop.engines.queueing.errors import QueueingInputError, UnstableQueueError


def _check(arrival_rate: float, service_rate: float, servers: int) -> None:
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0):
        raise QueueingInputError("arrival_rate must be finite and >= 0")
    if not (math.isfinite(service_rate) and service_rate > 0):
        raise QueueingInputError("service_rate must be finite and > 0")
    if servers < 1:
        raise QueueingInputError("servers must be >= 1")


def erlang_b(offered_load: float, servers: int) -> float:
    """Blocking probability of M/M/c/c with ``offered_load = lambda / mu`` erlangs.

    Raises:
        QueueingInputError: negative load or fewer than one server.
    """
    if not (math.isfinite(offered_load) and offered_load >= 0) or servers < 1:
        raise QueueingInputError("offered_load must be finite >= 0 and servers >= 1")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


@dataclass(frozen=True)
class ErlangC:
    """Steady-state M/M/c figures; times in the unit of the rates (e.g. hours).

    Attributes:
        utilisation: ``rho = lambda / (c mu)``.
        prob_wait: probability an arrival waits (Erlang C).
        mean_wait: mean time in queue ``Wq = C / (c mu - lambda)``.
        mean_queue: mean number waiting ``Lq = lambda Wq``.
        mean_response: mean time in system ``Wq + 1/mu``.
    """

    arrival_rate: float
    service_rate: float
    servers: int
    utilisation: float
    prob_wait: float
    mean_wait: float
    mean_queue: float
    mean_response: float

    def prob_wait_longer(self, t: float) -> float:
        """``P(Wq > t) = C exp(-(c mu - lambda) t)`` for ``t >= 0``."""
        rate = self.servers * self.service_rate - self.arrival_rate
        return self.prob_wait * math.exp(-rate * max(0.0, t))

    def wait_quantile(self, q: float) -> float:
        """Smallest ``t`` with ``P(Wq <= t) >= q`` (0 if enough arrivals never wait)."""
        if not 0 <= q < 1:
            raise QueueingInputError("q must lie in [0, 1)")
        if 1 - q >= self.prob_wait:
            return 0.0
        rate = self.servers * self.service_rate - self.arrival_rate
        return math.log(self.prob_wait / (1 - q)) / rate


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> ErlangC:
    """M/M/c waiting probability and mean wait.

    Args:
        arrival_rate: lambda, arrivals per time unit.
        service_rate: mu, services per time unit per server.
        servers: c, number of parallel servers (bays, technicians, advisors).

    Raises:
        QueueingInputError: a rate or the server count is invalid.
        UnstableQueueError: ``lambda >= c mu``.
    """
    _check(arrival_rate, service_rate, servers)
    load = arrival_rate / service_rate
    if load >= servers:
        raise UnstableQueueError(f"offered load {load:g} erlangs needs more than {servers} servers")
    b = erlang_b(load, servers)
    c = servers * b / (servers - load * (1 - b))
    wait = c / (servers * service_rate - arrival_rate)
    return ErlangC(
        arrival_rate=arrival_rate,
        service_rate=service_rate,
        servers=servers,
        utilisation=load / servers,
        prob_wait=c,
        mean_wait=wait,
        mean_queue=arrival_rate * wait,
        mean_response=wait + 1 / service_rate,
    )


def servers_for_wait(arrival_rate: float, service_rate: float, target_wait: float) -> int:
    """Fewest servers whose M/M/c mean wait is at most ``target_wait`` (same time unit).

    Raises:
        QueueingInputError: a rate or the target is invalid.
    """
    _check(arrival_rate, service_rate, 1)
    if arrival_rate == 0:
        return 1
    if not (math.isfinite(target_wait) and target_wait > 0):
        raise QueueingInputError("target_wait must be finite and > 0 when arrivals occur")
    c = max(1, math.floor(arrival_rate / service_rate) + 1)
    while erlang_c(arrival_rate, service_rate, c).mean_wait > target_wait:
        c += 1
    return c
