"""Confidence intervals: Wilson, exact Poisson (Garwood) and the seeded bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.metrics import intervals as iv
from leadline.metrics.choices import STATISTICS
from leadline.metrics.intervals import (
    Interval,
    bootstrap,
    bootstrap_seed,
    few_samples,
    poisson,
    poisson_mean_bounds,
    wilson,
)
from leadline.metrics.stats import row_statistic, statistic

# z = 1.959964, z² = 3.841459. Wilson: centre (p + z²/2n)/(1 + z²/n),
# half-width z/(1 + z²/n) · √(p(1−p)/n + z²/4n²).


@pytest.mark.parametrize(
    ("failures", "n", "low", "high"),
    [
        # 0/10: p = 0 → low 0; high = (z²/n)/(1 + z²/n) = z²/(n + z²) = 3.841459/13.841459
        (0, 10, 0.0, 0.277533),
        # 10/10: the mirror image: low = n/(n + z²) = 10/13.841459, high 1
        (10, 10, 0.722467, 1.0),
        # 0/1: high = 3.841459/4.841459
        (0, 1, 0.0, 0.793451),
        # 1/1: low = 1/4.841459
        (1, 1, 0.206549, 1.0),
        # 5/10: centre 0.5; half = 1.959964/1.384146 · √(0.025 + 0.009604)
        #        = 1.416005 · 0.186020 = 0.263406
        (5, 10, 0.236594, 0.763406),
        # 2/10: centre (0.2 + 0.192073)/1.384146 = 0.283259;
        #        half = 1.416005 · √(0.016 + 0.009604) = 1.416005 · 0.160011 = 0.226577
        (2, 10, 0.056682, 0.509836),
        # 2/50: z²/n = 0.076829; centre (0.04 + 0.038415)/1.076829 = 0.072820;
        #        half = 1.959964/1.076829 · √(0.000768 + 0.000384) = 1.820126 · 0.033943 = 0.061781
        (2, 50, 0.011039, 0.134601),
    ],
)
def test_wilson(failures: int, n: int, low: float, high: float) -> None:
    interval = wilson(failures, n)
    assert interval is not None
    assert (interval.low, interval.high) == (pytest.approx(low, abs=2e-6),
                                             pytest.approx(high, abs=2e-6))  # fmt: skip
    assert (interval.level, interval.method) == (0.95, "wilson")


def test_wilson_without_deployments_has_no_interval() -> None:
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(3, 2)


def _slow_poisson_cdf(k: int, mean: float) -> float:
    """P(X ≤ k), term by term with the recurrence term_i = term_{i−1} · mean / i."""
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return total


def _slow_bisection(f: object, low: float, high: float) -> float:
    assert callable(f)
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if f(middle) > 0 else (low, middle)
    return (low + high) / 2


@pytest.mark.parametrize(
    ("k", "published"),
    [(0, (0.0, 3.689)), (1, (0.0253, 5.572)), (5, (1.623, 11.668)), (20, (12.217, 30.888))],
)
def test_poisson_bounds_are_the_exact_garwood_ones(k: int, published: tuple[float, float]) -> None:
    low, high = poisson_mean_bounds(k)
    # Independently: the λ where P(X ≤ k) = 0.025 and the λ where P(X ≥ k) = 0.025.
    upper = _slow_bisection(lambda m: _slow_poisson_cdf(k, m) - 0.025, 0.0, 100.0)
    lower = (
        0.0 if k == 0
        else _slow_bisection(lambda m: 0.025 - (1 - _slow_poisson_cdf(k - 1, m)), 0.0, 100.0)
    )  # fmt: skip
    assert high == pytest.approx(upper, rel=1e-9)
    assert low == pytest.approx(lower, rel=1e-9, abs=1e-12)
    # And the published table, to its 3–4 digits.
    assert low == pytest.approx(published[0], abs=5e-4)
    assert high == pytest.approx(published[1], abs=5e-4)


def test_poisson_rate_divides_by_the_exposure() -> None:
    # 5 deployments in 91 days: [1.623487, 11.668332] / 91
    interval = poisson(5, 91.0)
    assert interval is not None
    assert interval.low == pytest.approx(1.6234864 / 91, rel=1e-6)
    assert interval.high == pytest.approx(11.6683321 / 91, rel=1e-6)
    assert interval.method == "poisson"
    assert poisson(3, 0.0) is None


def test_poisson_large_count_is_near_the_normal_approximation() -> None:
    low, high = poisson_mean_bounds(10_000)
    # ±1.96·√10 000 = ±196, shifted by about +1 at the top (the exact interval is skewed).
    assert low == pytest.approx(10_000 - 196, abs=2)
    assert high == pytest.approx(10_000 + 196, abs=3)


@pytest.mark.parametrize("n", [0, 1, 9, 10, 50])
def test_few_samples_below_ten(n: int) -> None:
    assert few_samples(n) is (n < 10)


def test_interval_json_and_order() -> None:
    assert Interval(1.0, 2.0, method="wilson").to_json() == {
        "low": 1.0, "high": 2.0, "level": 0.95, "method": "wilson"
    }  # fmt: skip
    with pytest.raises(ValueError):
        Interval(2.0, 1.0)


DAYS = np.arange(1, 21, dtype=float) * 86400.0


@pytest.mark.parametrize("stat", STATISTICS)
def test_bootstrap_reproduces_and_contains_the_estimate(stat: str) -> None:
    first = bootstrap(DAYS, stat)
    again = bootstrap(DAYS[::-1].copy(), stat)  # the order of the samples does not matter
    assert first is not None and first == again
    assert first.method == "bootstrap" and first.low < first.high
    assert first.low <= statistic(DAYS, stat) <= first.high


def test_bootstrap_mean_of_one_to_twenty_days() -> None:
    # Mean 10.5 days, standard error √(33.25/20) = 1.289 days: the 95 % interval is about
    # 10.5 ± 2.53 days; the bootstrap's own percentiles land within a quarter of a day of it.
    interval = bootstrap(DAYS, "mean")
    assert interval is not None
    assert interval.low / 86400 == pytest.approx(10.5 - 2.53, abs=0.25)
    assert interval.high / 86400 == pytest.approx(10.5 + 2.53, abs=0.25)


def test_bootstrap_degenerate_samples() -> None:
    assert bootstrap([], "mean") is None
    assert bootstrap([7200.0] * 12, "p90") == Interval(7200.0, 7200.0, method="bootstrap")
    assert bootstrap([5.0], "median") == Interval(5.0, 5.0, method="bootstrap")


def test_bootstrap_seed_depends_on_size_and_sum_only() -> None:
    assert bootstrap_seed([1.0, 2.0, 3.0]) == bootstrap_seed([3.0, 2.0, 1.0])
    assert bootstrap_seed([1.0, 2.0, 3.0]) != bootstrap_seed([1.0, 2.0, 4.0])
    assert bootstrap_seed([1.0, 2.0, 3.0]) != bootstrap_seed([1.0, 2.0, 3.0, 0.0])


samples = st.lists(st.floats(min_value=0, max_value=1e8), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(samples, st.sampled_from(STATISTICS))
def test_bootstrap_low_is_not_above_high(values: list[float], stat: str) -> None:
    interval = bootstrap(values, stat, resamples=200)
    assert interval is not None
    assert interval.low <= interval.high
    # Within the samples' range, up to the rounding of a mean (an ulp or two).
    slack = 1e-12 * max(values)
    assert min(values) - slack <= interval.low and interval.high <= max(values) + slack


@settings(max_examples=60, deadline=None)
@given(st.lists(samples, min_size=1, max_size=5), st.sampled_from(STATISTICS))
def test_row_statistic_is_statistic_bit_for_bit(rows: list[list[float]], stat: str) -> None:
    width = min(len(r) for r in rows)
    matrix = np.array([r[:width] for r in rows])
    expected = [statistic(row, stat) for row in matrix]
    assert row_statistic(matrix, stat).tolist() == expected


# --- large samples ---------------------------------------------------------------------------


def test_the_mean_of_a_large_sample_has_the_normal_interval() -> None:
    # 1…n: mean (n + 1)/2, sample variance n(n + 1)/12, half-width z·s/√n.
    n = 6_000
    half = 1.959963984540054 * math.sqrt(n * (n + 1) / 12) / math.sqrt(n)  # 43.8298…
    got = iv.large_sample(np.arange(1, n + 1, dtype=np.float64)[::-1], "mean")
    assert got is not None and got.method == "normal"
    assert got.low == pytest.approx(3000.5 - half, abs=1e-9)
    assert got.high == pytest.approx(3000.5 + half, abs=1e-9)
    assert round(half, 4) == 43.8298


@pytest.mark.parametrize(
    ("stat", "low", "high"),
    [
        # p90 of 1…6000: n·p = 5400, z·√(n·p·(1−p)) = 1.96·√540 = 45.545 → ranks 5354, 5446
        ("p90", 5354.0, 5446.0),
        # median: 3000 ± 1.96·√1500 = 3000 ± 75.91 → ranks 2924, 3076
        ("median", 2924.0, 3076.0),
        # p95: 5700 ± 1.96·√285 = 5700 ± 33.09 → ranks 5666, 5734
        ("p95", 5666.0, 5734.0),
    ],
)
def test_a_percentile_of_a_large_sample_has_the_order_statistic_interval(
    stat: str, low: float, high: float
) -> None:
    data = np.random.default_rng(7).permutation(np.arange(1, 6_001, dtype=np.float64))
    got = iv.large_sample(data, stat)
    assert got is not None and got.method == "order-statistics"
    assert (got.low, got.high) == (low, high)


def test_durations_bootstrap_small_samples_and_not_large_ones() -> None:
    small = np.arange(1, iv.BOOTSTRAP_MAX + 1, dtype=np.float64)
    large = np.arange(1, iv.BOOTSTRAP_MAX + 2, dtype=np.float64)
    assert iv.durations(small, "p90") == iv.bootstrap(small, "p90")
    assert iv.durations(large, "p90") == iv.large_sample(large, "p90")
    assert iv.durations(np.array([np.nan]), "mean") is None
    assert iv.large_sample([], "mean") is None
