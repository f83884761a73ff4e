"""Helpers shared by the location models: validation and array conversion."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from pitstop.engines.location.errors import LocationInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


def as_matrix(value: object, name: str) -> FloatArray:
    """A read-only float64 copy of a 2-D, finite, non-negative matrix."""
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise LocationInputError(f"{name} is not numeric: {exc}") from exc
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise LocationInputError(f"{name} must be a non-empty 2-D matrix, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise LocationInputError(f"{name} has non-finite entries")
    if np.any(array < 0):
        raise LocationInputError(f"{name} has negative entries")
    array.setflags(write=False)
    return array


def as_vector(value: object, size: int, name: str, *, default: float | None = None) -> FloatArray:
    """A read-only float64 copy of a finite, non-negative vector of length ``size``."""
    if value is None:
        if default is None:
            raise LocationInputError(f"{name} is required")
        array = np.full(size, default, dtype=np.float64)
    else:
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise LocationInputError(f"{name} is not numeric: {exc}") from exc
    if array.shape != (size,):
        raise LocationInputError(f"{name} must have length {size}, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise LocationInputError(f"{name} must be finite and non-negative")
    array.setflags(write=False)
    return array


def as_sites(value: tuple[int, ...] | list[int], n_sites: int, name: str) -> tuple[int, ...]:
    """Sorted, unique 0-based site indices, each in ``range(n_sites)``."""
    sites = tuple(int(j) for j in value)
    if len(set(sites)) != len(sites):
        raise LocationInputError(f"{name} has duplicates")
    for j in sites:
        if not 0 <= j < n_sites:
            raise LocationInputError(f"{name}: site {j} is outside 0..{n_sites - 1}")
    return tuple(sorted(sites))


def is_integral(*arrays: FloatArray) -> bool:
    """True when every entry is a whole number (then optima are whole numbers too)."""
    return all(bool(np.all(a == np.round(a))) for a in arrays)


def round_bound(bound: float, integral: bool) -> float:
    """Round a lower bound up to the next whole number when the optimum must be whole."""
    if integral and math.isfinite(bound):
        return float(math.ceil(bound - 1e-6))
    return bound
