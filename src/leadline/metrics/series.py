"""Time series over a window ``[start, end)``: buckets per day, week or month
(docs/dora.md#series).

Times are integer microseconds since the Unix epoch, UTC. Buckets are UTC calendar days,
weeks starting on Monday, or calendar months. The first bucket is the one that contains
``start`` — labelled by its own start date (``YYYY-MM-DD``), even when that is before the
window — and buckets follow one another until they cover ``[start, end)``; the last may run
past ``end``. Only times inside ``[start, end)`` are ever counted, so a partial first or last
bucket holds only the part of it inside the window.

The building blocks are vectorised (``np.searchsorted``, ``np.bincount``):

* ``buckets`` lists the buckets; ``bucket_index`` maps every time to its bucket (−1 outside
  the window);
* ``bucket_counts`` counts per bucket; ``bucket_summary`` reduces values per bucket
  (``sum``, ``mean``, ``median``, ``p90``, ``p95``; ``None`` for an empty bucket), with the
  one linear-quantile formula of ``metrics/stats.py``;
* ``count_series`` and ``value_series`` give the zero-filled JSON points.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypedDict

import numpy as np
import numpy.typing as npt

from leadline.domain.times import format_time, from_micros, to_micros
from leadline.errors import InputError
from leadline.metrics.choices import INTERVALS, STATISTICS
from leadline.metrics.stats import FloatArray, IntArray, interpolate, linear_ranks, quantile_of

DAY_US = 86_400_000_000
WEEK_US = 7 * DAY_US
SERIES_STATISTICS: tuple[str, ...] = ("sum", *STATISTICS)
_THURSDAY = 3  # 1970-01-01, day 0 of the epoch, was a Thursday (Monday = 0)


#: Times that may be absent: ``NaN``/``None`` entries or a numpy masked array.
OptionalTimes = npt.ArrayLike | Sequence[float | None]


class Bucket(NamedTuple):
    """One bucket of a series: where it starts and its label (the start date)."""

    start_us: int
    label: str


class CountPoint(TypedDict):
    start: str
    count: int


class RatePoint(TypedDict):
    """A bucket of a change failure rate series."""

    start: str
    failures: int
    deployments: int
    rate: float | None  # None when the metric has no failure source


class RestorePoint(TypedDict):
    """A bucket of a time-to-restore series (``None`` means: no incidents in the bucket)."""

    start: str
    incidents: int
    mean_seconds: float | None
    median_seconds: float | None


def window_json(start_us: int | None, end_us: int | None) -> dict[str, Any]:
    """The window every report states: ``{"from", "to", "days"}`` (RFC 3339, UTC; ``days``
    may be fractional), ``null`` for an open bound (all time)."""
    return {
        "from": None if start_us is None else format_time(from_micros(int(start_us))),
        "to": None if end_us is None else format_time(from_micros(int(end_us))),
        "days": None if start_us is None or end_us is None else (end_us - start_us) / DAY_US,
    }


def check_interval(interval: str) -> str:
    """Return ``interval`` if it is ``day``, ``week`` or ``month``; raise ``InputError``."""
    if interval not in INTERVALS:
        allowed = ", ".join(INTERVALS)
        raise InputError(
            f"unknown interval {interval!r}; use one of: {allowed}",
            [f"interval: must be one of {allowed}"],
        )
    return interval


def check_window(start_us: int, end_us: int) -> None:
    """Raise ``InputError`` unless the window ``[start, end)`` is non-empty."""
    if int(end_us) <= int(start_us):
        raise InputError(
            "empty window: 'to' must be later than 'from'", ["to: must be later than from"]
        )


def as_times(values: npt.ArrayLike) -> IntArray:
    """A 1-D int64 array of microseconds (floats must be finite; they are rounded)."""
    data = np.asarray(values)
    if data.ndim != 1:
        raise ValueError(f"times must be a 1-D array, got {data.ndim} dimension(s)")
    if data.dtype.kind in "iub":
        return data.astype(np.int64, copy=False)
    floats = np.asarray(data, dtype=np.float64)
    if not np.isfinite(floats).all():
        raise ValueError("times must be finite (NaN is allowed only where a time is optional)")
    return np.rint(floats).astype(np.int64)


def as_optional_times(values: OptionalTimes) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """``(times, present)`` of optional times: int µs (all present), floats with ``NaN`` or
    ``None`` for "absent", or a numpy masked array (masked = absent; absent times read 0)."""
    if isinstance(values, np.ma.MaskedArray):
        return as_times(values.filled(0)), ~np.ma.getmaskarray(values)
    data = np.asarray(values)
    if data.dtype.kind in "iub":
        return as_times(data), np.ones(data.shape, dtype=bool)
    floats = np.asarray(data, dtype=np.float64)  # None → NaN
    present = ~np.isnan(floats)
    return as_times(np.where(present, floats, 0.0)), present


def bucket_floor(time_us: int, interval: str) -> int:
    """Start of the bucket (UTC day, Monday-based week, calendar month) holding ``time_us``."""
    day = int(time_us) // DAY_US
    if check_interval(interval) == "day":
        return day * DAY_US
    if interval == "week":
        return (day - (day + _THURSDAY) % 7) * DAY_US
    moment = from_micros(day * DAY_US)
    return to_micros(datetime(moment.year, moment.month, 1, tzinfo=UTC))


def _next_start(bucket_start_us: int, interval: str) -> int:
    if interval == "day":
        return bucket_start_us + DAY_US
    if interval == "week":
        return bucket_start_us + WEEK_US
    moment = from_micros(bucket_start_us)
    year, month = divmod(moment.year * 12 + moment.month, 12)  # month is 0-based here
    return to_micros(datetime(year, month + 1, 1, tzinfo=UTC))


def bucket_end(bucket_start_us: int, interval: str) -> int:
    """Where the bucket that starts at ``bucket_start_us`` ends (the next one's start)."""
    return _next_start(bucket_start_us, check_interval(interval))


MAX_BUCKETS = 10_000


def buckets(start_us: int, end_us: int, interval: str) -> list[Bucket]:
    """The buckets covering ``[start, end)``, the first being the one containing ``start``.

    At most ``MAX_BUCKETS`` (an ``InputError`` says to widen the interval): a series is for
    charts, and a day-by-day series over centuries would only tie up a worker."""
    size = {"day": DAY_US, "week": WEEK_US}.get(interval, 28 * DAY_US)
    if interval in INTERVALS and (end_us - start_us) // size > MAX_BUCKETS:
        raise InputError(
            f"the window has more than {MAX_BUCKETS} {interval}s: "
            "use a larger --interval or a shorter window"
        )
    check_interval(interval)
    check_window(start_us, end_us)
    current = bucket_floor(start_us, interval)
    result: list[Bucket] = []
    while current < end_us:
        result.append(Bucket(current, from_micros(current).date().isoformat()))
        current = _next_start(current, interval)
    return result


def bucket_index(
    times_us: npt.ArrayLike, grid: Sequence[Bucket], start_us: int, end_us: int
) -> IntArray:
    """The bucket of every time (an index into ``grid``), −1 for times outside [start, end)."""
    times = as_times(times_us)
    starts = np.fromiter((b.start_us for b in grid), dtype=np.int64, count=len(grid))
    index: IntArray = np.searchsorted(starts, times, side="right").astype(np.int64) - 1
    index[(times < start_us) | (times >= end_us)] = -1
    return index


def bucket_counts(
    index: npt.NDArray[np.int64], size: int, where: npt.ArrayLike | None = None
) -> IntArray:
    """How many indices fall in each of ``size`` buckets (−1 and ``where``-False skipped)."""
    keep = index >= 0
    if where is not None:
        keep &= np.asarray(where, dtype=bool)
    counts: IntArray = np.bincount(index[keep], minlength=size).astype(np.int64)
    return counts


class _Groups(NamedTuple):
    """Values inside the window, sorted by bucket and then by value."""

    ordered: FloatArray
    counts: IntArray


def _group(index: npt.NDArray[np.int64], values: npt.ArrayLike, size: int) -> _Groups:
    data = np.asarray(values, dtype=np.float64)
    if data.shape != index.shape:
        raise ValueError(f"values must have shape {index.shape}, got {data.shape}")
    inside = index >= 0
    kept, groups = data[inside] + 0.0, index[inside]  # + 0.0 turns -0.0 into 0.0
    # Sort by value (equal values are interchangeable, so any sort will do), then stably by
    # bucket; numpy radix-sorts 16-bit keys, which makes this far faster than np.lexsort.
    by_value = np.argsort(kept)
    keys = groups[by_value].astype(np.uint16 if size <= 1 << 16 else np.int64)
    order = by_value[np.argsort(keys, kind="stable")]
    return _Groups(kept[order], np.bincount(groups, minlength=size).astype(np.int64))


def _reduce(groups: _Groups, stat: str) -> FloatArray:
    if stat not in SERIES_STATISTICS:
        raise ValueError(f"unknown statistic {stat!r}; use one of {SERIES_STATISTICS}")
    ordered, counts = groups
    present = counts > 0
    result = np.full(counts.shape, np.nan, dtype=np.float64)
    if not present.any():
        return result
    offsets = (np.cumsum(counts) - counts)[present]
    sizes = counts[present]
    if stat in ("sum", "mean"):
        sums = np.add.reduceat(ordered, offsets)
        result[present] = sums if stat == "sum" else sums / sizes
        return result
    q = quantile_of(stat)
    assert q is not None
    previous, following, gamma = linear_ranks(sizes, q)
    result[present] = interpolate(ordered[offsets + previous], ordered[offsets + following], gamma)
    return result


def bucket_summary(
    index: npt.NDArray[np.int64], values: npt.ArrayLike, size: int, stats: Sequence[str]
) -> tuple[list[int], dict[str, list[float | None]]]:
    """Per bucket: the count and every statistic of ``stats`` (``None`` for an empty bucket).

    The values are grouped and sorted once for all the statistics.
    """
    groups = _group(index, values, size)
    counts: list[int] = groups.counts.tolist()
    columns: dict[str, list[float | None]] = {}
    for stat in stats:
        column = _reduce(groups, stat).tolist()
        columns[stat] = [float(v) if n else None for v, n in zip(column, counts, strict=True)]
    return counts, columns


def count_points(grid: Sequence[Bucket], counts: npt.NDArray[np.int64]) -> list[CountPoint]:
    """``[{"start": label, "count": n}, …]`` for per-bucket counts."""
    return [
        CountPoint(start=b.label, count=int(c)) for b, c in zip(grid, counts.tolist(), strict=True)
    ]


def count_series(
    times_us: npt.ArrayLike, start_us: int, end_us: int, interval: str
) -> list[CountPoint]:
    """Zero-filled counts per bucket of the times inside ``[start, end)``."""
    grid = buckets(start_us, end_us, interval)
    return count_points(
        grid, bucket_counts(bucket_index(times_us, grid, start_us, end_us), len(grid))
    )


def value_series(
    times_us: npt.ArrayLike,
    values: npt.ArrayLike,
    start_us: int,
    end_us: int,
    interval: str,
    stats: Sequence[str] = ("mean",),
) -> list[dict[str, Any]]:
    """Per bucket: ``{"start", "count", <stat>: value or None, …}`` of the values whose time is
    inside ``[start, end)`` (``values[i]`` belongs to ``times_us[i]``)."""
    grid = buckets(start_us, end_us, interval)
    index = bucket_index(times_us, grid, start_us, end_us)
    counts, columns = bucket_summary(index, values, len(grid), stats)
    points: list[dict[str, Any]] = []
    for i, bucket in enumerate(grid):
        point: dict[str, Any] = {"start": bucket.label, "count": counts[i]}
        point.update((stat, column[i]) for stat, column in columns.items())
        points.append(point)
    return points
