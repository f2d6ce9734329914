"""The statistics a lead-time report can use: mean, median, p90 and p95.

Percentiles interpolate linearly between closest ranks: with the ``n`` samples sorted and
numbered from 1, the p-th percentile sits at position ``1 + p·(n−1)`` (numpy's default
``linear`` method, Hyndman & Fan type 7). The median is the 50th percentile, which is the
average of the two middle values for an even ``n``.

Everything works column-wise on a 2-D array (one column per stage, one row per change) with
``NaN`` meaning "not a sample", without Python loops over the rows. A column without samples
gives ``0.0``.

Results do not depend on the order of the rows: every column is sorted before it is reduced,
so even the floating-point rounding of a mean is the same for any permutation of the changes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leadline.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STATISTICS: tuple[str, ...] = ("mean", "median", "p90", "p95")
_QUANTILES: dict[str, float] = {"median": 0.5, "p90": 0.9, "p95": 0.95}


def check_statistic(stat: str) -> str:
    """Return ``stat`` if it is one of ``STATISTICS``; raise ``InputError`` otherwise."""
    if stat not in STATISTICS:
        allowed = ", ".join(STATISTICS)
        raise InputError(
            f"unknown statistic {stat!r}; use one of: {allowed}",
            [f"stat: must be one of {allowed}"],
        )
    return stat


def quantile_of(stat: str) -> float | None:
    """The quantile (0–1) a statistic stands for; ``None`` for the mean."""
    return _QUANTILES.get(check_statistic(stat))


def column_statistic(matrix: npt.ArrayLike, stat: str) -> tuple[FloatArray, IntArray]:
    """The statistic of every column of a 2-D array, ``NaN`` meaning "not a sample".

    Returns ``(values, samples)``, both of shape ``(columns,)``: ``values[j]`` is the statistic
    over the non-NaN entries of column ``j`` (``0.0`` when there are none) and ``samples[j]`` is
    how many there were.
    """
    q = quantile_of(stat)
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"column_statistic needs a 2-D array, got {data.ndim} dimension(s)")
    # One contiguous row per column; NaN sorts to the end of each row.
    by_column = np.sort(np.ascontiguousarray(data.T), axis=1)
    present = ~np.isnan(by_column)
    samples: IntArray = present.sum(axis=1, dtype=np.int64)
    values = np.zeros(by_column.shape[0], dtype=np.float64)
    has_samples = samples > 0
    if not has_samples.any():
        return values, samples
    if q is None:
        totals = np.where(present, by_column, 0.0).sum(axis=1)
        np.divide(totals, samples, out=values, where=has_samples)
    else:
        values[has_samples] = _sorted_quantile(by_column[has_samples], samples[has_samples], q)
    return values, samples


def _sorted_quantile(rows: FloatArray, counts: IntArray, q: float) -> FloatArray:
    """Quantile ``q`` of each sorted row's first ``counts[i]`` values (``counts`` ≥ 1).

    Mirrors ``numpy.quantile(method="linear")`` step by step, so results agree bit for bit.
    """
    virtual = (counts - 1).astype(np.float64) * q
    previous = np.floor(virtual).astype(np.intp)
    following = np.minimum(previous + 1, counts - 1).astype(np.intp)
    gamma = virtual - previous
    low = np.take_along_axis(rows, previous[:, None], axis=1)[:, 0]
    high = np.take_along_axis(rows, following[:, None], axis=1)[:, 0]
    diff = high - low
    result: FloatArray = low + diff * gamma
    upper = gamma >= 0.5
    result[upper] = (high - diff * (1.0 - gamma))[upper]
    return result


def statistic(values: npt.ArrayLike, stat: str) -> float:
    """The statistic of a 1-D array of samples (``NaN`` entries are not samples).

    An empty array (or one with only ``NaN``) gives ``0.0``; a single value gives itself.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.ndim != 1:
        raise ValueError(f"statistic needs a 1-D array, got {data.ndim} dimension(s)")
    result, _ = column_statistic(data.reshape(-1, 1), stat)
    return float(result[0])
