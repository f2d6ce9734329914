"""Comparison tests at their boundaries: sample sizes, exact ties, clamps and messages.

Each expectation is worked by hand or by an independent reference written here (the exact
test by enumerating U over every split; the permutation test against the hypergeometric law of
two-valued samples), never read back from the implementation.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from leadline.metrics.compare import (
    ALPHA,
    PERMUTATIONS,
    SAME,
    Significance,
    binomial_two_sided,
    change_percent,
    mann_whitney,
    mann_whitney_u,
    poisson_rates,
    two_proportions,
    verdict,
)


def _normal_p(z: float) -> float:
    return math.erfc(z / math.sqrt(2))


def _exact_p_by_pairs(current: list[float], previous: list[float]) -> float:
    """The exact two-sided p-value by brute force: U counted pair by pair for every split."""
    pool = current + previous
    n1, n2 = len(current), len(previous)

    def u_of(chosen: tuple[int, ...]) -> float:
        rest = [pool[i] for i in range(len(pool)) if i not in chosen]
        mine = [pool[i] for i in chosen]
        return sum((c > p) + 0.5 * (c == p) for c in mine for p in rest)

    observed = abs(u_of(tuple(range(n1))) - n1 * n2 / 2)
    splits = list(itertools.combinations(range(len(pool)), n1))
    extreme = sum(abs(u_of(s) - n1 * n2 / 2) >= observed for s in splits)
    return float(Fraction(extreme, len(splits)))


@pytest.mark.parametrize(
    ("current", "previous"),
    [
        ([1, 2, 3], [5]),  # splits' rank sums 6, 7, 8, 9 around 7.5: p = 2/4
        ([1, 4, 6], [2, 3, 5]),
        ([1, 2, 2], [2, 3]),
        ([3, 1, 4, 1, 5], [9, 2, 6, 5, 3]),
        ([7, 7, 8], [7, 9, 9, 10]),
        ([10, 20, 30, 40, 50, 60, 70, 80], [1, 2]),
        ([1], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ],
)
def test_exact_test_matches_enumerating_every_split(
    current: list[float], previous: list[float]
) -> None:
    test = mann_whitney(current, previous)
    assert test is not None and test.method == "mann-whitney exact"
    assert test.p_value == pytest.approx(_exact_p_by_pairs(current, previous), abs=1e-12)


def test_one_sample_on_a_side_is_still_a_test() -> None:
    # Ranks 1, 2, 3 against 4: rank sums of the 4 splits 6, 7, 8, 9 around 7.5 → 2/4; U = 0.
    assert mann_whitney([1, 2, 3], [5]) == Significance(0.5, -1, "mann-whitney exact")
    assert mann_whitney([5], [1, 2, 3]) == Significance(0.5, 1, "mann-whitney exact")
    assert mann_whitney([1.0], []) is None


def test_ten_on_each_side_is_enough_for_the_normal_approximation() -> None:
    # 11…20 against 1…10: U = 100 of 100 pairs, centre 50, σ² = 10·10·21/12 = 175.
    test = mann_whitney(np.arange(11.0, 21.0), np.arange(1.0, 11.0))
    assert test == Significance(pytest.approx(_normal_p(49.5 / math.sqrt(175))), 1, "mann-whitney")
    # 9 on one side: the permutation test (C(19, 9) = 92 378 splits is too many to enumerate).
    fewer = mann_whitney(np.arange(12.0, 21.0), np.arange(1.0, 11.0))
    assert fewer is not None and fewer.method == "mann-whitney permutation"
    fewer = mann_whitney(np.arange(11.0, 21.0), np.arange(1.0, 10.0))
    assert fewer is not None and fewer.method == "mann-whitney permutation"


def test_tie_corrected_variance_by_hand() -> None:
    # Now 10 × 2 and 5 × 3; before 5 × 1 and 10 × 2. n = 30; tie groups of 5, 20, 5:
    # Σ(t³ − t) = 120 + 7980 + 120 = 8220; σ² = 15·15/12 · (31 − 8220/(30·29)) = 404.0948;
    # U = 175, centre 112.5 → z = 62/√404.0948 = 3.08425.
    test = mann_whitney([2.0] * 10 + [3.0] * 5, [1.0] * 5 + [2.0] * 10)
    variance = 15 * 15 / 12 * (31 - 8220 / (30 * 29))
    p_value = _normal_p(62 / math.sqrt(variance))
    assert test == Significance(pytest.approx(p_value, rel=1e-12), 1, "mann-whitney")
    assert round(62 / math.sqrt(variance), 5) == 3.08425


def test_identical_values_on_both_sides_are_no_change() -> None:
    # All 20 values tied: σ² = 0, nothing to test.
    assert mann_whitney([4.0] * 10, [4.0] * 10) == Significance(1.0, 0, "mann-whitney")
    # Small sides, too many splits: every random split is as extreme as the observed one.
    assert mann_whitney([4.0] * 5, [4.0] * 40) == Significance(1.0, 0, "mann-whitney permutation")
    # 255 values: the random splits are drawn in more than one chunk; all of them count.
    assert mann_whitney([4.0] * 5, [4.0] * 250) == Significance(1.0, 0, "mann-whitney permutation")


def _hypergeometric_p(ones_now: int, n1: int, ones: int, n: int) -> float:
    """Two-valued samples: the rank sum depends only on the count k of ones among the n1
    current values, k ~ Hypergeometric(n, ones, n1); p = P(|k − E k| ≥ |observed − E k|)."""
    mean = n1 * ones / n
    far = abs(ones_now - mean)
    total = math.comb(n, n1)
    return (
        sum(
            math.comb(ones, k) * math.comb(n - ones, n1 - k)
            for k in range(n1 + 1)
            if abs(k - mean) >= far - 1e-12
        )
        / total
    )


@pytest.mark.parametrize(
    ("current", "previous", "direction"),
    [
        # 20 ones of 30: P(k = 5) + P(k ≤ 1) = (15 504 + 252 + 4 200)/142 506 = 0.14004
        ([1.0] * 5, [0.0] * 10 + [1.0] * 15, 1),
        # 25 ones of 45, k = 5 and k = 0: (53 130 + 15 504)/1 221 759 = 0.05618
        ([1.0] * 5, [0.0] * 20 + [1.0] * 20, 1),
        # k = 0 of 25 ones in 45: only k = 0 is as far: 15 504/1 221 759 = 0.01269
        ([0.0] * 5, [0.0] * 15 + [1.0] * 25, -1),
    ],
)
def test_random_permutations_agree_with_the_exact_law(
    current: list[float], previous: list[float], direction: int
) -> None:
    test = mann_whitney(current, previous)
    ones_now, ones = int(sum(current)), int(sum(current) + sum(previous))
    exact = _hypergeometric_p(ones_now, len(current), ones, len(current) + len(previous))
    assert test is not None and test.method == "mann-whitney permutation"
    assert test.direction == direction
    # 10 000 draws: the standard error is at most √(0.15·0.85/10 000) = 0.0036.
    assert test.p_value == pytest.approx(exact, abs=0.0075)
    # The seed is fixed: the same samples, the same p-value, to the last draw.
    assert mann_whitney(current, previous) == test
    assert (test.p_value * (PERMUTATIONS + 1)) % 1 == pytest.approx(0.0, abs=1e-6)


def _rank_sum_p(ranks_now: list[int], n: int) -> float:
    """Distinct values: the exact two-sided p-value of the rank sum of ``len(ranks_now)`` ranks
    drawn from 1…n, by counting the subsets of each size and sum (dynamic programming)."""
    n1 = len(ranks_now)
    ways = [[0] * (n * n1 + 1) for _ in range(n1 + 1)]  # ways[size][sum]
    ways[0][0] = 1
    for rank in range(1, n + 1):
        for size in range(min(rank, n1), 0, -1):
            for total in range(n * n1, rank - 1, -1):
                ways[size][total] += ways[size - 1][total - rank]
    centre = n1 * (n + 1) / 2
    far = abs(sum(ranks_now) - centre)
    extreme = sum(w for total, w in enumerate(ways[n1]) if abs(total - centre) >= far)
    return extreme / math.comb(n, n1)


@pytest.mark.parametrize(
    "now",
    [
        [5, 10, 14, 16, 20],  # rank sum 65 of a mean 77.5: p ≈ 0.5, near the peak
        [1, 2, 3, 4, 15],  # rank sum 25: far out
        [18, 22, 25, 26, 29],  # rank sum 120
    ],
)
def test_random_permutations_of_distinct_values_agree_with_the_exact_law(now: list[int]) -> None:
    # 5 of the values 1…30 now, the other 25 before: C(30, 5) = 142 506 splits.
    before = [v for v in range(1, 31) if v not in now]
    test = mann_whitney([float(v) for v in now], [float(v) for v in before])
    assert test is not None and test.method == "mann-whitney permutation"
    assert test.p_value == pytest.approx(_rank_sum_p(now, 30), abs=0.0075)


def test_numbers_given_as_text_are_read_as_numbers() -> None:
    # "10" sorts before "9" as text; as numbers every current value is above every previous one.
    assert mann_whitney_u(["10", "11"], ["9", "8"]) == 4.0
    assert mann_whitney(["10", "11"], ["9", "8"]) == mann_whitney([10, 11], [9, 8])


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "expected"),
    [
        # One trial each: pooled ½, se = √(¼ · 2) = 0.70711, z = 1/0.70711 = √2 → erfc(1).
        (1, 1, 0, 1, Significance(math.erfc(1.0), 1, "two-proportion z")),
        (0, 1, 1, 1, Significance(math.erfc(1.0), -1, "two-proportion z")),
        # The same rate (½) on both sides: z = 0, p = 1, no direction.
        (5, 10, 10, 20, Significance(1.0, 0, "two-proportion z")),
        # Nothing failed, or everything failed, in both windows: se = 0.
        (0, 40, 0, 30, Significance(1.0, 0, "two-proportion z")),
        (7, 7, 3, 3, Significance(1.0, 0, "two-proportion z")),
    ],
)
def test_two_proportions_edges(x1: int, n1: int, x2: int, n2: int, expected: Significance) -> None:
    assert two_proportions(x1, n1, x2, n2) == Significance(
        pytest.approx(expected.p_value, rel=1e-12), expected.direction, expected.method
    )


def test_two_proportions_without_trials_on_either_side() -> None:
    assert two_proportions(3, 10, 0, 0) is None
    assert two_proportions(0, 0, 3, 10) is None


@pytest.mark.parametrize(
    ("k", "n", "p", "expected"),
    [
        (0, 0, 0.5, 1.0),  # no trial: nothing is unusual
        (0, 1, 0.9, 0.1),  # pmf 0.1, 0.9: only the outcome 0 is as unlikely
        (1, 1, 0.9, 1.0),
        # The most likely outcome: every outcome is as unlikely, p = 1 exactly (the sum of
        # the pmf rounds above 1 for these).
        (1, 3, 0.5, 1.0),
        (2, 5, 0.5, 1.0),
        (5, 11, 0.5, 1.0),
    ],
)
def test_binomial_two_sided_edges(k: int, n: int, p: float, expected: float) -> None:
    assert binomial_two_sided(k, n, p) == pytest.approx(expected, abs=1e-15)
    assert binomial_two_sided(k, n, p) <= 1.0


@pytest.mark.parametrize(("t1", "t2"), [(0.0, 30.0), (30.0, 0.0), (-1.0, 30.0), (30.0, -2.0)])
def test_poisson_rates_need_positive_exposures(t1: float, t2: float) -> None:
    with pytest.raises(ValueError, match=r"^exposures must be positive$"):
        poisson_rates(3, t1, 4, t2)


def test_poisson_rates_edges() -> None:
    # Exposures under one day are still exposures: 4 in ½ day against 1 in ½ day.
    # Binomial(5, ½): P(X ≥ 4) = 6/32, doubled → 12/32.
    assert poisson_rates(4, 0.5, 1, 0.5) == Significance(
        pytest.approx(12 / 32), 1, "poisson conditional"
    )
    assert poisson_rates(1, 0.5, 4, 0.5) == Significance(
        pytest.approx(12 / 32), -1, "poisson conditional"
    )
    # The same rate: the most likely split, p = 1, no direction.
    assert poisson_rates(10, 30.0, 10, 30.0) == Significance(1.0, 0, "poisson conditional")


@pytest.mark.parametrize(
    ("current", "previous", "percent"),
    [(1.0, 3.0, -66.67), (2.0, 3.0, -33.33), (100.5, 99.0, 1.52), (10.0, 7.0, 42.86)],
)
def test_change_percent_keeps_two_decimals(current: float, previous: float, percent: float) -> None:
    assert change_percent(current, previous) == percent


def test_verdict_at_the_significance_level() -> None:
    # p < 0.05 is significant; p = 0.05 itself is not.
    assert verdict(Significance(ALPHA, 1, "m"), lower_is_better=True) == SAME
    assert verdict(Significance(ALPHA, -1, "m"), lower_is_better=False) == SAME
