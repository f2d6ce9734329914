"""The edges of the series building blocks that the main series tests do not pin: the bucket
limit per interval, exact integer times past 2**53, negative zero, bit-for-bit quantiles,
and the messages. Each expectation is worked out here, not by the code under test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadline.errors import InputError
from leadline.metrics.series import (
    DAY_US,
    MAX_BUCKETS,
    WEEK_US,
    Bucket,
    as_optional_times,
    as_times,
    bucket_counts,
    bucket_index,
    bucket_summary,
    buckets,
    check_window,
    window_json,
)


def per_bucket(index: np.ndarray, values: object, size: int, stat: str) -> np.ndarray:
    """``stat`` of each bucket through ``bucket_summary`` (``NaN`` for an empty bucket)."""
    _, columns = bucket_summary(index, values, size, [stat])  # type: ignore[arg-type]
    return np.array([math.nan if v is None else v for v in columns[stat]], dtype=np.float64)


MONDAY = 4 * DAY_US  # 1970-01-05, a Monday: a week bucket starts there
SIZE = {"day": DAY_US, "week": WEEK_US, "month": 28 * DAY_US}  # the month limit counts 28 days


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_a_window_of_exactly_the_limit_plus_a_microsecond_is_allowed(interval: str) -> None:
    # (end - start) // size == MAX_BUCKETS: not more than the limit.
    start = MONDAY
    end = start + MAX_BUCKETS * SIZE[interval] + 1
    grid = buckets(start, end, interval)
    expected = {"day": MAX_BUCKETS + 1, "week": MAX_BUCKETS + 1, "month": 9_200}
    # months: 280,000 days from 1970-01-05 end in 2736-08, 766 years and 8 months of buckets
    assert len(grid) == expected[interval]


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_one_bucket_more_than_the_limit_is_refused_with_the_interval_named(interval: str) -> None:
    start = MONDAY
    end = start + (MAX_BUCKETS + 1) * SIZE[interval]
    with pytest.raises(InputError) as caught:
        buckets(start, end, interval)
    assert str(caught.value) == (
        f"the window has more than {MAX_BUCKETS} {interval}s: "
        "use a larger --interval or a shorter window"
    )


def test_an_unknown_interval_is_refused_as_unknown_not_as_too_long() -> None:
    with pytest.raises(InputError, match="unknown interval 'quarter'"):
        buckets(0, (MAX_BUCKETS + 1) * 28 * DAY_US, "quarter")


def test_an_empty_window_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        check_window(5, 5)
    assert caught.value.message == "empty window: 'to' must be later than 'from'"
    assert caught.value.details == ["to: must be later than from"]
    check_window(5, 6)  # one microsecond is a window


def test_window_json_with_open_bounds() -> None:
    assert window_json(None, DAY_US) == {"from": None, "to": "1970-01-02T00:00:00Z", "days": None}
    assert window_json(DAY_US, None) == {"from": "1970-01-02T00:00:00Z", "to": None, "days": None}
    assert window_json(None, None) == {"from": None, "to": None, "days": None}
    assert window_json(0, DAY_US // 2) == {
        "from": "1970-01-01T00:00:00Z",
        "to": "1970-01-01T12:00:00Z",
        "days": 0.5,
    }


BIG = 2**62 + 1  # not a float: float64 rounds it to 2**62


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_integer_times_are_kept_exactly(dtype: type) -> None:
    times = as_times(np.array([BIG, 3], dtype=dtype))
    assert times.dtype == np.int64
    assert times.tolist() == [BIG, 3]
    present_times, present = as_optional_times(np.array([BIG], dtype=dtype))
    assert present_times.tolist() == [BIG]
    assert present.tolist() == [True]


def test_boolean_times_are_integers() -> None:
    assert as_times(np.array([True, False])).tolist() == [1, 0]


def test_float_times_are_rounded_to_int64() -> None:
    times = as_times([1.4, 1.6, -0.6])
    assert times.dtype == np.int64
    assert times.tolist() == [1, 2, -1]


def test_non_finite_times_are_refused_with_the_rule() -> None:
    with pytest.raises(ValueError) as caught:
        as_times([1.0, math.nan])
    assert str(caught.value) == (
        "times must be finite (NaN is allowed only where a time is optional)"
    )


def test_bucket_index_far_in_the_future_is_exact() -> None:
    # Year 2300: microsecond times are past 2**53, so a float grid would round
    # "one microsecond before the second bucket" onto the second bucket.
    first = (330 * 365 + 80) * DAY_US  # a day boundary in 2300
    grid = [Bucket(first, "a"), Bucket(first + DAY_US, "b")]
    assert first + DAY_US > 2**53
    times = [first + DAY_US - 1, first + DAY_US]
    assert bucket_index(times, grid, first, first + 2 * DAY_US).tolist() == [0, 1]


def test_bucket_counts_takes_where_as_zeros_and_ones() -> None:
    index = np.array([0, 0, 1, -1, 1], dtype=np.int64)
    counts = bucket_counts(index, 3, where=[1, 0, 1, 1, 0])
    assert counts.dtype == np.int64
    assert counts.tolist() == [1, 1, 0]


def test_negative_zero_becomes_zero() -> None:
    index = np.array([0, 0], dtype=np.int64)
    low = per_bucket(index, [-0.0, -0.0], 1, "median")[0]
    assert low == 0.0
    assert math.copysign(1.0, low) == 1.0
    total = per_bucket(index, [-0.0, -0.0], 1, "sum")[0]
    assert math.copysign(1.0, total) == 1.0


def test_more_buckets_than_a_16_bit_key_holds() -> None:
    # Bucket 69,999 must not wrap around to bucket 4,463 (69,999 - 65,536).
    size = 70_000
    index = np.array([69_999, 4_463, 69_999, 10_000], dtype=np.int64)
    counts, columns = bucket_summary(index, [5.0, 1.0, 7.0, 100.0], size, ["mean"])
    assert counts[69_999] == 2
    assert columns["mean"][69_999] == 6.0
    assert columns["mean"][4_463] == 1.0
    assert columns["mean"][10_000] == 100.0


def test_the_median_of_two_uses_numpys_formula_at_gamma_one_half() -> None:
    # For these two values high - (high - low) / 2 and low + (high - low) / 2 differ in the
    # last bit; numpy (and so leadline) takes the first at gamma >= 0.5.
    low, high = 39592.87666420286, 528589.2632600217
    assert high - (high - low) * 0.5 != low + (high - low) * 0.5
    median = per_bucket(np.array([0, 0], dtype=np.int64), [high, low], 1, "median")[0]
    assert median == high - (high - low) * 0.5 == np.percentile([low, high], 50)


@pytest.mark.parametrize("stat, q", [("median", 50), ("p90", 90), ("p95", 95)])
def test_quantiles_agree_with_numpy_bit_for_bit(stat: str, q: int) -> None:
    # numpy's linear method switches formula at gamma 0.5; a different formula differs in the
    # last bit for some inputs, so compare with ==, over many buckets of random sizes, and
    # with enough values per bucket that the sort within a bucket must be stable by value.
    rng = np.random.default_rng(17)
    size = 400
    index = rng.integers(0, size, 20_000).astype(np.int64)
    values = rng.random(20_000) * 1e6
    got = per_bucket(index, values, size, stat)
    for bucket in range(size):
        mine = values[index == bucket]
        assert got[bucket] == np.percentile(mine, q), bucket


def test_an_unknown_statistic_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown statistic 'p50'; use one of \('sum', "):
        per_bucket(np.array([0], dtype=np.int64), [1.0], 1, "p50")


def test_a_summary_with_an_unknown_statistic_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown statistic 'p50'; use one of \('sum', "):
        bucket_summary(np.array([0], dtype=np.int64), [1.0], 1, ["mean", "p50"])
