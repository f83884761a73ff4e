"""The one way the engines compile a numba kernel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def compiled(*, error_model: Literal["python", "numpy"] = "python") -> Callable[[F], F]:
    """``numba.njit`` with an on-disk cache (``make install`` fills it once), typed as the
    function it wraps so callers keep their signatures. ``error_model="numpy"`` drops
    zero-division checks, for kernels whose divisors are positive by construction."""

    def wrap(fn: F) -> F:
        return cast(F, numba.njit(cache=True, nogil=True, error_model=error_model)(fn))

    return wrap
