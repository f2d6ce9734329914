"""Confidence intervals at their boundaries: exact clamps, closed-form Poisson bounds, the
bootstrap against its one-resample-at-a-time definition, small large-sample inputs, messages.

Expectations are worked by hand (closed forms noted beside each case) or computed by an
independent reference written here, never read back from the implementation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadline.metrics import intervals as iv
from leadline.metrics.choices import STATISTICS
from leadline.metrics.intervals import (
    LEVEL,
    Z_95,
    Interval,
    bootstrap,
    bootstrap_seed,
    poisson,
    poisson_cdf,
    poisson_mean_bounds,
    wilson,
)
from leadline.metrics.stats import statistic


def test_interval_order_message_and_rounding() -> None:
    with pytest.raises(ValueError, match=r"^interval low 2\.0 is above high 1\.0$"):
        Interval(2.0, 1.0)
    interval = Interval(0.123456, 0.987654, 0.95, "wilson")
    assert interval.rounded(3) == Interval(0.123, 0.988, 0.95, "wilson")
    assert interval.rounded(0) == Interval(0.0, 1.0, 0.95, "wilson")


@pytest.mark.parametrize(
    ("successes", "n", "message"),
    [(3, 2, "got 3 of 2"), (-1, 5, "got -1 of 5"), (0, -1, "got 0 of -1")],
)
def test_wilson_rejects_impossible_counts(successes: int, n: int, message: str) -> None:
    with pytest.raises(ValueError, match=f"^need 0 <= successes <= n, {message}$"):
        wilson(successes, n)


@pytest.mark.parametrize("n", [1, 7, 9, 10, 12, 13, 25, 1000])
def test_wilson_bounds_are_exactly_zero_and_one_at_the_extremes(n: int) -> None:
    # No failure: the low bound is 0 exactly; all failed: the high bound is 1 exactly (the
    # formula gives them only up to rounding: e.g. 0/7 and 10/10 miss by an ulp).
    none, every = wilson(0, n), wilson(n, n)
    assert none is not None and none.low == 0.0
    assert none.high == pytest.approx(Z_95**2 / (n + Z_95**2), rel=1e-12)  # z²/(n + z²)
    assert every is not None and every.high == 1.0
    assert every.low == pytest.approx(n / (n + Z_95**2), rel=1e-12)  # n/(n + z²)


def test_wilson_has_no_sample_limit() -> None:
    # 2³¹ deployments: high = z²/(n + z²) = 1.78886e-9; a half: centre ½, half-width
    # ≈ z/(2√n) = 1.959964/(2 · 46 340.95) = 2.11473e-5.
    n = 2**31
    none, half = wilson(0, n), wilson(n // 2, n)
    assert none is not None and none.high == pytest.approx(1.78886e-9, rel=1e-5)
    assert half is not None
    assert half.high - 0.5 == pytest.approx(2.11473e-5, rel=1e-5)
    assert 0.5 - half.low == pytest.approx(2.11473e-5, rel=1e-5)


@pytest.mark.parametrize(
    ("k", "mean", "expected"),
    [
        (-1, 2.0, 0.0),  # no outcome is below 0
        (3, 0.0, 1.0),  # a mean of 0: X = 0 surely
        (0, 2.0, math.exp(-2.0)),
        (1, 2.0, 3 * math.exp(-2.0)),  # e^−2 (1 + 2)
        (50, 3.0, 1.0),  # 1 − 1e-40: the nearest double is 1 (the raw sum rounds above it)
    ],
)
def test_poisson_cdf_by_hand(k: int, mean: float, expected: float) -> None:
    assert poisson_cdf(k, mean) == pytest.approx(expected, rel=1e-14, abs=0.0)
    assert poisson_cdf(k, mean) <= 1.0


@pytest.mark.parametrize(
    ("alpha", "upper_0", "lower_1"),
    [
        # k = 0: e^−λ = α/2 → λ = ln(2/α); k = 1: 1 − e^−λ = α/2 → λ = −ln(1 − α/2).
        (0.05, math.log(40.0), -math.log1p(-0.025)),
        (2e-4, math.log(1e4), -math.log1p(-1e-4)),  # a small root: relative precision counts
        (0.9, math.log(2 / 0.9), -math.log1p(-0.45)),  # an upper bound below 1
        (1e-30, math.log(2e30), None),  # 69.8: past the first bracket, which must grow
    ],
)
def test_poisson_bounds_in_closed_form(alpha: float, upper_0: float, lower_1: float | None) -> None:
    low, high = poisson_mean_bounds(0, alpha)
    assert low == 0.0
    assert high == pytest.approx(upper_0, rel=1e-11, abs=0.0)
    if lower_1 is not None:
        assert poisson_mean_bounds(1, alpha)[0] == pytest.approx(lower_1, rel=1e-11, abs=0.0)


def test_poisson_bounds_reject_a_negative_count() -> None:
    with pytest.raises(ValueError, match=r"^a count must be >= 0, got -1$"):
        poisson_mean_bounds(-1)


def test_poisson_rate_over_less_than_a_day() -> None:
    # 5 deployments in half a day: [1.6234864, 11.6683321] / 0.5
    interval = poisson(5, 0.5)
    assert interval is not None
    assert interval.low == pytest.approx(1.6234864 * 2, rel=1e-6)
    assert interval.high == pytest.approx(11.6683321 * 2, rel=1e-6)
    assert (interval.level, interval.method) == (LEVEL, "poisson")


def test_bootstrap_seed_reads_numbers_and_fits_64_bits() -> None:
    assert bootstrap_seed(["1", "2", "3"]) == bootstrap_seed([1.0, 2.0, 3.0])
    assert bootstrap_seed(np.array([1, 2, 3])) == bootstrap_seed([1.0, 2.0, 3.0])
    for samples in ([1.0], [1.0, 2.0, 3.0], np.arange(100.0)):
        assert 0 <= bootstrap_seed(samples) < 2**64


def _bootstrap_by_definition(samples: list[float], stat: str, resamples: int) -> Interval:
    """The documented bootstrap one resample at a time: ``resamples`` rows of ``n`` int32
    indices into the sorted samples from the data-seeded generator, each row's statistic by
    ``metrics.stats.statistic``, then the 2.5th and 97.5th percentiles."""
    ordered = np.sort(np.asarray(samples, dtype=np.float64))
    rng = np.random.default_rng(bootstrap_seed(ordered))
    picks = rng.integers(0, ordered.size, size=(resamples, ordered.size), dtype=np.int32)
    values = [statistic(ordered[row], stat) for row in picks]
    low, high = np.percentile(values, [2.5, 97.5])
    return Interval(float(low), float(high), 0.95, "bootstrap")


@pytest.mark.parametrize("stat", STATISTICS)
@pytest.mark.parametrize(
    ("samples", "resamples"),
    [
        ([3.0, 1.0, 2.0], 1),
        ([0.1, 0.2, 0.7, 1.3, 2.9], 7),
        ([float(v) for v in (5, 3, 8, 13, 1, 21, 2, 34, 55, 1)], 2_000),
    ],
)
def test_bootstrap_is_its_definition(samples: list[float], resamples: int, stat: str) -> None:
    got = bootstrap(samples, stat, resamples)
    expected = _bootstrap_by_definition(samples, stat, resamples)
    assert got is not None and (got.level, got.method) == (0.95, "bootstrap")
    # The same resample statistics; the percentile rank 2.5 is (1 − 0.95)/2·100 in floating
    # point there, 2.5000000000000022: the bounds agree to the last few bits.
    assert got.low == pytest.approx(expected.low, rel=1e-13)
    assert got.high == pytest.approx(expected.high, rel=1e-13)


def test_bootstrap_edges() -> None:
    with pytest.raises(ValueError, match=r"^bootstrap needs a 1-D array, got 2 dimension\(s\)$"):
        bootstrap([[1.0, 2.0]], "mean")
    # The mean of identical values is that value (summing 0.1 three times would not give it).
    assert bootstrap([0.1] * 3, "mean") == Interval(0.1, 0.1, 0.95, "bootstrap")
    assert bootstrap(["3", "1", "2"], "median") == bootstrap([3.0, 1.0, 2.0], "median")


def test_numbers_given_as_text_are_read_as_numbers() -> None:
    text = [str(v) for v in range(1, 21)]
    numbers = [float(v) for v in range(1, 21)]
    assert iv.durations(text, "p90") == iv.durations(numbers, "p90")
    assert iv.large_sample(text, "median") == iv.large_sample(numbers, "median")
    assert iv.large_sample(text, "mean") == iv.large_sample(numbers, "mean")


@pytest.mark.parametrize(
    ("samples", "stat", "expected"),
    [
        # One sample: no spread to estimate, the interval is the value.
        ([5.0], "mean", Interval(5.0, 5.0, 0.95, "normal")),
        # 1 and 3: mean 2, s = √2, half-width z·√2/√2 = z.
        ([1.0, 3.0], "mean", Interval(2 - Z_95, 2 + Z_95, 0.95, "normal")),
        # n = 10, median: 5 ± 1.96·√2.5 = 5 ± 3.099 → ranks ⌊1.90⌋ = 1 and ⌈8.10⌉ = 9.
        (list(range(10, 0, -1)), "median", Interval(1.0, 9.0, 0.95, "order-statistics")),
        # n = 20, median: 10 ± 1.96·√5 = 10 ± 4.383 → ranks 5 and 15.
        (list(range(20, 0, -1)), "median", Interval(5.0, 15.0, 0.95, "order-statistics")),
        # n = 20, p95: 19 ± 1.96·√0.95 = 19 ± 1.910 → ranks 17 and ⌈20.91⌉ = 21, clipped to 20.
        (list(range(20, 0, -1)), "p95", Interval(17.0, 20.0, 0.95, "order-statistics")),
    ],
)
def test_large_sample_intervals_of_small_inputs(
    samples: list[float], stat: str, expected: Interval
) -> None:
    got = iv.large_sample(samples, stat)
    assert got is not None
    assert (got.low, got.high) == (pytest.approx(expected.low, abs=1e-12),
                                   pytest.approx(expected.high, abs=1e-12))  # fmt: skip
    assert (got.level, got.method) == (expected.level, expected.method)
