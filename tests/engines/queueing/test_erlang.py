import math

import pytest

from pitstop.engines.queueing import (
    QueueingInputError,
    UnstableQueueError,
    erlang_b,
    erlang_c,
    servers_for_wait,
)


def textbook_erlang_c(lam: float, mu: float, c: int) -> float:
    """P(wait) from the closed form with factorials (independent of the engine's recursion)."""
    a = lam / mu
    rho = a / c
    tail = a**c / math.factorial(c) / (1 - rho)
    head = sum(a**k / math.factorial(k) for k in range(c))
    return tail / (head + tail)


@pytest.mark.parametrize(("lam", "mu"), [(0.5, 1.0), (3.0, 4.0), (0.9, 1.0)])
def test_one_server_reduces_to_mm1(lam: float, mu: float) -> None:
    result = erlang_c(lam, mu, 1)
    rho = lam / mu
    assert result.prob_wait == pytest.approx(rho)
    assert result.mean_wait == pytest.approx(rho / (mu - lam))
    assert result.mean_response == pytest.approx(1 / (mu - lam))
    assert result.mean_queue == pytest.approx(rho**2 / (1 - rho))


@pytest.mark.parametrize(
    ("lam", "mu", "c"), [(8, 1, 10), (2, 1, 3), (45, 2, 25), (1, 3, 2), (18, 1, 20)]
)
def test_matches_the_closed_form(lam: float, mu: float, c: int) -> None:
    result = erlang_c(lam, mu, c)
    expected = textbook_erlang_c(lam, mu, c)
    assert result.prob_wait == pytest.approx(expected, rel=1e-12)
    assert result.mean_wait == pytest.approx(expected / (c * mu - lam), rel=1e-12)
    assert result.utilisation == pytest.approx(lam / (c * mu))


def test_mm2_known_value() -> None:
    # M/M/2 with rho = lam/(2 mu): P(wait) = 2 rho^2 / (1 + rho).
    lam, mu = 1.5, 1.0
    rho = lam / 2
    assert erlang_c(lam, mu, 2).prob_wait == pytest.approx(2 * rho**2 / (1 + rho))


def test_thousands_of_servers_stay_finite() -> None:
    result = erlang_c(1990.0, 1.0, 2000)
    assert 0 < result.prob_wait < 1
    assert math.isfinite(result.mean_wait)


def test_erlang_b_one_server() -> None:
    assert erlang_b(2.0, 1) == pytest.approx(2 / 3)


def test_wait_distribution_tail_and_quantile() -> None:
    result = erlang_c(8, 1, 10)
    assert result.prob_wait_longer(0) == pytest.approx(result.prob_wait)
    t = result.wait_quantile(0.9)
    assert result.prob_wait_longer(t) == pytest.approx(0.1)
    assert result.wait_quantile(0.1) == 0.0


def test_unstable_queue_raises() -> None:
    with pytest.raises(UnstableQueueError):
        erlang_c(10, 1, 10)
    assert issubclass(UnstableQueueError, ValueError)


@pytest.mark.parametrize(("lam", "mu", "c"), [(-1, 1, 1), (1, 0, 1), (1, 1, 0), (math.nan, 1, 1)])
def test_invalid_inputs_raise(lam: float, mu: float, c: int) -> None:
    with pytest.raises(QueueingInputError):
        erlang_c(lam, mu, c)


def test_servers_for_wait_is_the_smallest_sufficient_count() -> None:
    c = servers_for_wait(8, 1, 0.05)
    assert erlang_c(8, 1, c).mean_wait <= 0.05
    assert erlang_c(8, 1, c - 1).mean_wait > 0.05
