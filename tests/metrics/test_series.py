"""Series buckets: UTC days, Monday weeks, calendar months; zero-filled
(docs/dora.md#series)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadline.domain.times import from_micros, parse_time, to_micros
from leadline.errors import InputError
from leadline.metrics.choices import INTERVALS
from leadline.metrics.series import (
    DAY_US,
    Bucket,
    as_optional_times,
    as_times,
    bucket_counts,
    bucket_floor,
    bucket_index,
    bucket_summary,
    buckets,
    count_series,
    value_series,
)


def per_bucket(index: np.ndarray, values: object, size: int, stat: str) -> np.ndarray:
    """``stat`` of each bucket through ``bucket_summary`` (``NaN`` for an empty bucket)."""
    _, columns = bucket_summary(index, values, size, [stat])  # type: ignore[arg-type]
    return np.array([math.nan if v is None else v for v in columns[stat]], dtype=np.float64)


def us(text: str) -> int:
    return to_micros(parse_time(text if "T" in text else text + "T00:00:00Z"))


def labels(start: str, end: str, interval: str) -> list[str]:
    return [b.label for b in buckets(us(start), us(end), interval)]


@pytest.mark.parametrize(
    ("start", "end", "interval", "expected"),
    [
        ("2024-01-01", "2024-01-04", "day", ["2024-01-01", "2024-01-02", "2024-01-03"]),
        ("2024-01-01T12:00:00Z", "2024-01-02T00:00:01Z", "day", ["2024-01-01", "2024-01-02"]),
        # A window starting on a Wednesday: the first week is the one from Monday 1 January.
        ("2024-01-03", "2024-01-17", "week", ["2024-01-01", "2024-01-08", "2024-01-15"]),
        ("2024-01-01", "2024-01-15", "week", ["2024-01-01", "2024-01-08"]),  # end on a Monday
        ("2024-01-07T23:59:59Z", "2024-01-08T00:00:01Z", "week", ["2024-01-01", "2024-01-08"]),
        ("2024-01-15", "2024-03-01", "month", ["2024-01-01", "2024-02-01"]),
        ("2024-01-15", "2024-03-01T00:00:01Z", "month", ["2024-01-01", "2024-02-01", "2024-03-01"]),
        ("2023-12-15", "2024-01-02", "month", ["2023-12-01", "2024-01-01"]),
        ("2024-01-01", "2024-04-01", "month", ["2024-01-01", "2024-02-01", "2024-03-01"]),
        # Before the epoch: 1970-01-01 was a Thursday, its week started on 1969-12-29.
        ("1970-01-01", "1970-01-06", "week", ["1969-12-29", "1970-01-05"]),
        ("1969-12-31T23:00:00Z", "1970-01-01T01:00:00Z", "day", ["1969-12-31", "1970-01-01"]),
    ],
)
def test_bucket_labels(start: str, end: str, interval: str, expected: list[str]) -> None:
    assert labels(start, end, interval) == expected


def test_buckets_are_named_tuples() -> None:
    grid = buckets(us("2024-01-03"), us("2024-01-05"), "week")
    assert grid == [Bucket(us("2024-01-01"), "2024-01-01")]
    start_us, label = grid[0]
    assert (start_us, label) == (us("2024-01-01"), "2024-01-01")


@pytest.mark.parametrize(
    ("start", "end"), [("2024-01-02", "2024-01-02"), ("2024-01-02", "2024-01-01")]
)
def test_empty_window_is_an_input_error(start: str, end: str) -> None:
    with pytest.raises(InputError, match="empty window"):
        buckets(us(start), us(end), "day")


def test_unknown_interval_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown interval 'quarter'") as info:
        buckets(us("2024-01-01"), us("2024-02-01"), "quarter")
    assert info.value.details == ["interval: must be one of day, week, month"]


@pytest.mark.parametrize(
    ("times", "interval", "expected"),
    [
        # Zero-filled days.
        (["2024-01-01T05:00:00Z", "2024-01-03T23:59:59Z"], "day", [1, 0, 1, 0, 0, 0, 0]),
        # A deployment exactly at the start counts, exactly at the end does not.
        (["2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z"], "day", [1, 0, 0, 0, 0, 0, 0]),
        (["2024-01-07T23:59:59.999999Z"], "day", [0, 0, 0, 0, 0, 0, 1]),
        # Outside the window on either side.
        (["2023-12-31T23:59:59Z", "2024-02-01T00:00:00Z"], "day", [0] * 7),
        ([], "day", [0] * 7),
        ([], "week", [0]),
        (["2024-01-01T00:00:00Z", "2024-01-07T12:00:00Z"], "week", [2]),
        (["2024-01-05T00:00:00Z"], "month", [1]),
    ],
)
def test_count_series(times: list[str], interval: str, expected: list[int]) -> None:
    series = count_series([us(t) for t in times], us("2024-01-01"), us("2024-01-08"), interval)
    assert [p["count"] for p in series] == expected
    assert all(isinstance(p["count"], int) for p in series)


def test_count_series_first_week_before_the_window_counts_only_inside() -> None:
    # Window from Wednesday 3 January; Tuesday 2 January is in the first bucket but not the window.
    times = [us("2024-01-02T10:00:00Z"), us("2024-01-03T00:00:00Z"), us("2024-01-09T00:00:00Z")]
    series = count_series(times, us("2024-01-03"), us("2024-01-17"), "week")
    assert series == [
        {"start": "2024-01-01", "count": 1},
        {"start": "2024-01-08", "count": 1},
        {"start": "2024-01-15", "count": 0},
    ]


def test_count_series_month_boundaries() -> None:
    times = [
        us("2024-01-31T23:59:59.999999Z"),
        us("2024-02-01T00:00:00Z"),
        us("2024-02-29T23:59:59Z"),  # leap day
        us("2024-03-01T00:00:00Z"),
    ]
    series = count_series(times, us("2024-01-01"), us("2024-04-01"), "month")
    assert [(p["start"], p["count"]) for p in series] == [
        ("2024-01-01", 1),
        ("2024-02-01", 2),
        ("2024-03-01", 1),
    ]


def test_bucket_index_marks_outside_times() -> None:
    start, end = us("2024-01-03"), us("2024-01-17")
    grid = buckets(start, end, "week")
    times = np.array([us("2024-01-02"), start, us("2024-01-10"), end - 1, end], dtype=np.int64)
    assert bucket_index(times, grid, start, end).tolist() == [-1, 0, 1, 2, -1]


def test_bucket_counts_with_where() -> None:
    index = np.array([0, 0, 1, -1, 2, 2], dtype=np.int64)
    assert bucket_counts(index, 4).tolist() == [2, 1, 2, 0]
    where = [True, False, True, True, False, True]
    assert bucket_counts(index, 4, where=where).tolist() == [1, 1, 1, 0]


def test_bucket_summary() -> None:
    index = np.array([0, 0, 0, 0, 2, -1, 2], dtype=np.int64)
    values = np.array([40.0, 10.0, 30.0, 20.0, 5.0, 1e9, 7.0])
    assert per_bucket(index, values, 4, "sum").tolist()[::2] == [100.0, 12.0]
    assert per_bucket(index, values, 4, "mean")[[0, 2]].tolist() == [25.0, 6.0]
    assert per_bucket(index, values, 4, "median")[[0, 2]].tolist() == [25.0, 6.0]
    assert per_bucket(index, values, 4, "p90")[0] == pytest.approx(37.0)
    empty = per_bucket(index, values, 4, "mean")
    assert math.isnan(empty[1]) and math.isnan(empty[3])
    with pytest.raises(ValueError, match="unknown statistic"):
        per_bucket(index, values, 4, "mode")
    with pytest.raises(ValueError, match="shape"):
        per_bucket(index, values[:3], 4, "mean")


def test_bucket_statistic_all_empty() -> None:
    index = np.array([-1, -1], dtype=np.int64)
    assert np.isnan(per_bucket(index, [1.0, 2.0], 3, "median")).all()


def test_value_series() -> None:
    times = [us("2024-01-01T01:00:00Z"), us("2024-01-01T02:00:00Z"), us("2024-01-03T00:00:00Z")]
    series = value_series(
        times, [10.0, 20.0, 6.0], us("2024-01-01"), us("2024-01-04"), "day", ("mean", "sum")
    )
    assert series == [
        {"start": "2024-01-01", "count": 2, "mean": 15.0, "sum": 30.0},
        {"start": "2024-01-02", "count": 0, "mean": None, "sum": None},
        {"start": "2024-01-03", "count": 1, "mean": 6.0, "sum": 6.0},
    ]


def test_as_times() -> None:
    assert as_times([1, 2]).dtype == np.int64
    assert as_times([]).tolist() == []
    assert as_times([1.0, 2.4]).tolist() == [1, 2]
    with pytest.raises(ValueError, match="finite"):
        as_times([1.0, math.nan])
    with pytest.raises(ValueError, match="1-D"):
        as_times([[1, 2]])


def test_as_optional_times() -> None:
    times, present = as_optional_times([5, None, 7])
    assert times.tolist() == [5, 0, 7] and present.tolist() == [True, False, True]
    times, present = as_optional_times(np.ma.masked_array([5, 6], mask=[False, True]))
    assert times.tolist() == [5, 0] and present.tolist() == [True, False]
    times, present = as_optional_times(np.array([2**60], dtype=np.int64))
    assert times.tolist() == [2**60] and present.tolist() == [True]
    assert as_optional_times([])[0].tolist() == []


def _reference_floor(moment: datetime, interval: str) -> datetime:
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


times_strategy = st.integers(min_value=us("1900-01-01"), max_value=us("2200-01-01"))


@given(time=times_strategy, interval=st.sampled_from(INTERVALS))
def test_bucket_floor_matches_calendar(time: int, interval: str) -> None:
    expected = _reference_floor(from_micros(time), interval)
    assert bucket_floor(time, interval) == to_micros(expected)


@given(
    start=times_strategy,
    length=st.integers(min_value=1, max_value=200 * DAY_US),
    offsets=st.lists(st.integers(min_value=-20 * DAY_US, max_value=220 * DAY_US), max_size=50),
    interval=st.sampled_from(INTERVALS),
)
def test_count_series_properties(
    start: int, length: int, offsets: list[int], interval: str
) -> None:
    end = start + length
    times = [start + offset for offset in offsets]
    series = count_series(times, start, end, interval)
    assert sum(p["count"] for p in series) == sum(start <= t < end for t in times)
    grid = buckets(start, end, interval)
    assert grid[0].start_us <= start < (grid[1].start_us if len(grid) > 1 else end + 1)
    assert grid[-1].start_us < end
    assert all(a.start_us < b.start_us for a, b in pairwise(grid))
    index = bucket_index(times, grid, start, end)
    for t, i in zip(times, index.tolist(), strict=True):
        if i >= 0:
            expected = _reference_floor(from_micros(t), interval).date().isoformat()
            assert grid[i].label == expected


@given(
    st.lists(
        st.tuples(st.integers(min_value=-1, max_value=4), st.floats(min_value=0, max_value=1e7)),
        max_size=60,
    ),
    st.sampled_from(["sum", "mean", "median", "p90", "p95"]),
)
def test_bucket_statistic_matches_numpy(pairs: list[tuple[int, float]], stat: str) -> None:
    index = np.array([i for i, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=np.float64)
    result = per_bucket(index, values, 5, stat)
    for bucket in range(5):
        members = values[index == bucket]
        if members.size == 0:
            assert math.isnan(result[bucket])
            continue
        if stat == "sum":
            expected = float(np.sum(members))
        elif stat == "mean":
            expected = float(np.mean(members))
        else:
            q = {"median": 0.5, "p90": 0.9, "p95": 0.95}[stat]
            expected = float(np.quantile(members, q))
        assert result[bucket] == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_bucket_statistic_with_many_buckets() -> None:
    # More buckets than a 16-bit sort key holds (daily over 200 years): the wide-key path.
    size = 70_000
    index = np.array([69_999, 0, 69_999, 65_536, 0], dtype=np.int64)
    values = np.array([3.0, 2.0, 1.0, 9.0, -0.0])
    median = per_bucket(index, values, size, "median")
    assert median[[0, 65_536, 69_999]].tolist() == [1.0, 9.0, 2.0]
    assert int(np.isnan(median).sum()) == size - 3


def test_value_series_percentiles() -> None:
    start = us("2024-01-01")
    times = [start + i for i in range(5)]
    series = value_series(times, [1, 2, 3, 4, 5], start, start + DAY_US, "day", ("p90", "p95"))
    assert series == [{"start": "2024-01-01", "count": 5, "p90": 4.6, "p95": 4.8}]
