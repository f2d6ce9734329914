"""The statistics a lead-time report can use: mean, median, p90 and p95.

Percentiles interpolate linearly between closest ranks: with the ``n`` samples sorted and
numbered from 1, the p-th percentile sits at position ``1 + p·(n−1)`` (numpy's default
``linear`` method, Hyndman & Fan type 7). The median is the 50th percentile, which is the
average of the two middle values for an even ``n``. That formula is written once, in
``linear_ranks`` (where) and ``interpolate`` (the value between the two ranks); one column,
every row of a matrix, and every bucket of a series (``metrics/series.py``) all use it.

Everything works column-wise on a 2-D array (one column per stage, one row per change) with
``NaN`` meaning "not a sample", without Python loops over the rows. A column without samples
gives ``0.0``.

Results do not depend on the order of the rows: a mean sums each column in sorted order, so
even its floating-point rounding is the same for any permutation of the changes; a percentile
picks its two closest ranks with a partition (the same values a sort would put there).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leadline.errors import InputError
from leadline.metrics.choices import STATISTICS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

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
    if q is None:
        # Summed in sorted order (NaN sorts to the end of each row), for order independence.
        ordered = np.array(data.T, order="C")  # our own copy: one contiguous row per column
        ordered.sort(axis=1)
        missing = np.isnan(ordered)
        samples: IntArray = ordered.shape[1] - missing.sum(axis=1, dtype=np.int64)
        values = np.zeros(ordered.shape[0], dtype=np.float64)
        if missing.any():
            ordered[missing] = 0.0
        np.divide(ordered.sum(axis=1), samples, out=values, where=samples > 0)
        return values, samples
    by_column = np.ascontiguousarray(data.T)  # one contiguous row per column
    present = ~np.isnan(by_column)
    samples = present.sum(axis=1, dtype=np.int64)
    values = np.zeros(by_column.shape[0], dtype=np.float64)
    for j, row in enumerate(by_column):
        if samples[j]:
            values[j] = _quantile(row if samples[j] == row.size else row[present[j]], q)
    return values, samples


def linear_ranks(count: int | IntArray, q: float) -> tuple[IntArray, IntArray, FloatArray]:
    """Where quantile ``q`` of ``count`` sorted samples sits (``count`` ≥ 1, or an array of
    such counts): the 0-based ranks ``(previous, following)`` of the two closest samples and
    ``gamma``, the weight of the following one: position ``(count − 1)·q`` (the 1-based
    ``1 + q·(n−1)``), exactly as ``numpy.quantile(method="linear")`` computes it."""
    sizes = np.asarray(count, dtype=np.int64)
    virtual = (sizes - 1).astype(np.float64) * q
    previous = np.floor(virtual).astype(np.int64)
    following = np.minimum(previous + 1, sizes - 1)
    gamma: FloatArray = virtual - previous
    return previous, following, gamma


def interpolate(low: npt.ArrayLike, high: npt.ArrayLike, gamma: npt.ArrayLike) -> FloatArray:
    """The value at ``gamma`` between the samples ``low`` and ``high`` (element-wise), with
    numpy's "linear" arithmetic, including its switch of formula at ``gamma`` 0.5, so results
    agree with ``numpy.quantile`` bit for bit."""
    lo, hi, g = (np.asarray(x, dtype=np.float64) for x in (low, high, gamma))
    diff = hi - lo
    with np.errstate(invalid="ignore", over="ignore"):  # the branch not taken may overflow
        result: FloatArray = np.where(g >= 0.5, hi - diff * (1.0 - g), lo + diff * g)
    return result


def _quantile(samples: FloatArray, q: float) -> float:
    """Quantile ``q`` of ``samples`` (no NaN, at least one).

    The two ranks it needs come from a partition (linear time), not a sort. Equal samples are
    interchangeable (only -0.0 and 0.0 are equal with different bits, and durations, being
    differences of integer micros clamped at 0, are never -0.0).
    """
    ranks = linear_ranks(samples.size, q)
    previous, following = int(ranks[0]), int(ranks[1])
    ranked = np.partition(samples, sorted({previous, following}))
    return float(interpolate(ranked[previous], ranked[following], ranks[2]))


def statistic(values: npt.ArrayLike, stat: str) -> float:
    """The statistic of a 1-D array of samples (``NaN`` entries are not samples).

    An empty array (or one with only ``NaN``) gives ``0.0``; a single value gives itself.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.ndim != 1:
        raise ValueError(f"statistic needs a 1-D array, got {data.ndim} dimension(s)")
    result, _ = column_statistic(data.reshape(-1, 1), stat)
    return float(result[0])


def row_statistic(matrix: npt.ArrayLike, stat: str, *, sorted_rows: bool = False) -> FloatArray:
    """The statistic of every row of a 2-D array of samples (no ``NaN``, at least one column).

    Vectorised (no Python loop over the rows) and bit for bit what ``statistic`` gives for each
    row on its own: a mean sums each row in sorted order, a percentile interpolates between the
    same two ranks with the same arithmetic (``linear_ranks``, ``interpolate``). The bootstrap
    uses it, one row per resample. ``sorted_rows``: every row is sorted already (no sort or
    partition needed).
    """
    q = quantile_of(stat)
    data = np.array(matrix, dtype=np.float64)  # our own copy: sorted or partitioned in place
    if data.ndim != 2 or data.shape[1] == 0:
        raise ValueError(f"row_statistic needs a 2-D array with columns, got shape {data.shape}")
    count = data.shape[1]
    if q is None:
        if not sorted_rows:
            data.sort(axis=1)
        result: FloatArray = data.sum(axis=1) / count
        return result
    ranks = linear_ranks(count, q)
    previous, following = int(ranks[0]), int(ranks[1])
    if not sorted_rows:
        data.partition(sorted({previous, following}), axis=1)
    return interpolate(data[:, previous], data[:, following], ranks[2])
