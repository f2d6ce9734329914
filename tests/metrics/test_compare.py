"""Comparison with the previous window: Mann–Whitney, two proportions, two Poisson rates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadline.metrics.compare import (
    BETTER,
    NO_DATA,
    SAME,
    WORSE,
    Significance,
    binomial_two_sided,
    change_percent,
    comparison,
    mann_whitney,
    mann_whitney_u,
    poisson_rates,
    two_proportions,
    verdict,
)

DAY = 86400.0


@pytest.mark.parametrize(
    ("current", "previous", "u"),
    [
        # Every current value above every previous one: all 3·3 pairs.
        ([4, 5, 6], [1, 2, 3], 9.0),
        ([1, 2, 3], [4, 5, 6], 0.0),
        # 1 beats none; 4 beats 2 and 3; 6 beats 2, 3 and 5 → 0 + 2 + 3.
        ([1, 4, 6], [2, 3, 5], 5.0),
        # Ties count a half: each 2 ties with the previous 2 (½) and loses to 3 → ½ + ½.
        ([1, 2, 2], [2, 3], 1.0),
    ],
)
def test_mann_whitney_u_by_hand(current: list[float], previous: list[float], u: float) -> None:
    assert mann_whitney_u(current, previous) == u


def test_exact_permutation_test_on_a_tiny_sample() -> None:
    # N = 6, n1 = 3: C(6, 3) = 20 splits. The current ranks 4, 5, 6 sum to 15; the mean rank
    # sum is 3·7/2 = 10.5. Only the splits {4,5,6} (15) and {1,2,3} (6) are as far → 2/20.
    test = mann_whitney([4, 5, 6], [1, 2, 3])
    assert test == Significance(0.1, 1, "mann-whitney exact")


def test_a_known_significant_change_in_lead_time() -> None:
    # Lead times 1..20 days before, 30..49 days now: U = 400 of 400 pairs, mean 200,
    # σ² = 20·20·41/12 = 1366.67, z = (200 − 0.5)/36.968 = 5.397 → p ≈ 6.8e-8.
    before = np.arange(1, 21) * DAY
    now = np.arange(30, 50) * DAY
    test = mann_whitney(now, before)
    assert test is not None and test.method == "mann-whitney"
    assert test.p_value == pytest.approx(math.erfc(199.5 / math.sqrt(400 * 41 / 12) / math.sqrt(2)))
    assert test.p_value < 0.001
    assert verdict(test, lower_is_better=True) == WORSE
    assert verdict(mann_whitney(before, now), lower_is_better=True) == BETTER


def test_two_samples_from_the_same_list_are_no_significant_change() -> None:
    values = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
    # The same values in another order: U = n1·n2/2 exactly, z = 0, p = 1.
    test = mann_whitney(values, values[::-1])
    assert test is not None and test.p_value == 1.0
    assert verdict(test, lower_is_better=True) == SAME
    # Two halves of one small list, small samples: the exact test.
    small = mann_whitney([3, 1, 4, 1, 5], [9, 2, 6, 5, 3])
    assert small is not None and small.method == "mann-whitney exact"
    assert small.p_value > 0.05 and verdict(small, lower_is_better=True) == SAME


def test_ties_reduce_the_variance() -> None:
    # With ties the tie-corrected σ is smaller, so the same U gives a smaller p-value than
    # the formula without the correction would.
    now = [2.0] * 10 + [3.0] * 5
    before = [1.0] * 5 + [2.0] * 10
    test = mann_whitney(now, before)
    assert test is not None
    u = mann_whitney_u(now, before)  # 10·5 + 10·10·½ + 5·15 = 50 + 50 + 75 = 175
    assert u == 175.0
    plain = math.erfc((abs(u - 112.5) - 0.5) / math.sqrt(15 * 15 * 31 / 12) / math.sqrt(2))
    assert test.p_value < plain


def test_random_permutations_for_a_small_side_with_many_splits() -> None:
    # C(48, 8) ≈ 3.8e8 splits: 10 000 seeded permutations, reproducible.
    now, before = np.arange(8.0), np.arange(100.0, 140.0)
    first, again = mann_whitney(now, before), mann_whitney(now, before)
    assert first is not None and first == again
    assert first.method == "mann-whitney permutation"
    # No random split puts the 8 lowest ranks on one side: p = 1/10 001.
    assert first.p_value == pytest.approx(1 / 10_001)


def test_no_samples_is_not_enough_data() -> None:
    assert mann_whitney([], [1.0]) is None
    assert verdict(None, lower_is_better=True) == NO_DATA


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "p_value", "expected"),
    [
        # pooled 22/100 = 0.22; se = √(0.22·0.78·(1/50 + 1/50)) = 0.082849;
        # z = (0.04 − 0.40)/0.082849 = −4.3453 → p = 1.39e-5: the rate fell, better.
        (2, 50, 20, 50, 1.3912e-5, BETTER),
        (20, 50, 2, 50, 1.3912e-5, WORSE),
        # pooled 0.11; se = √(0.11·0.89·0.04) = 0.062578; z = 0.02/0.062578 = 0.3196 → p = 0.749
        (6, 50, 5, 50, 0.7493, SAME),
        # Nothing failed in either window: no difference at all.
        (0, 40, 0, 30, 1.0, SAME),
    ],
)
def test_two_proportions(x1: int, n1: int, x2: int, n2: int, p_value: float, expected: str) -> None:
    test = two_proportions(x1, n1, x2, n2)
    assert test is not None
    assert test.p_value == pytest.approx(p_value, rel=1e-3)
    assert verdict(test, lower_is_better=True) == expected


def test_two_proportions_without_deployments() -> None:
    assert two_proportions(0, 0, 3, 10) is None


@pytest.mark.parametrize(
    ("k1", "k2", "p_value", "expected"),
    [
        # Equal windows: k1 ~ Binomial(40, ½); P(X ≥ 30) = 0.0011107, doubled → 0.0022214.
        (30, 10, 0.0022214, BETTER),
        (10, 30, 0.0022214, WORSE),
        # Binomial(22, ½): P(X ≥ 12) = 0.41591, doubled → 0.83181.
        (12, 10, 0.83181, SAME),
    ],
)
def test_poisson_rates(k1: int, k2: int, p_value: float, expected: str) -> None:
    test = poisson_rates(k1, 30.0, k2, 30.0)
    assert test is not None
    assert test.p_value == pytest.approx(p_value, rel=1e-4)
    assert verdict(test, lower_is_better=False) == expected


def test_poisson_rates_with_unequal_windows() -> None:
    # 10 in 10 days against 10 in 30 days: k1 ~ Binomial(20, ¼) under equal rates.
    test = poisson_rates(10, 10.0, 10, 30.0)
    assert test is not None and test.direction == 1
    assert test.p_value == pytest.approx(binomial_two_sided(10, 20, 0.25))
    assert test.p_value < 0.05
    assert poisson_rates(0, 30.0, 0, 30.0) is None


def test_binomial_two_sided_by_hand() -> None:
    # Binomial(4, ½): pmf 1, 4, 6, 4, 1 sixteenths; k = 0 → outcomes 0 and 4 → 2/16.
    assert binomial_two_sided(0, 4, 0.5) == pytest.approx(2 / 16)
    # k = 1 → outcomes with pmf ≤ 4/16: 0, 1, 3, 4 → 10/16.
    assert binomial_two_sided(1, 4, 0.5) == pytest.approx(10 / 16)


@pytest.mark.parametrize(
    ("current", "previous", "percent"),
    [(112.0, 100.0, 12.0), (50.0, 100.0, -50.0), (1.0, 0.0, None), (None, 3.0, None),
     (3.0, None, None), (0.0, 4.0, -100.0)],
)  # fmt: skip
def test_change_percent(
    current: float | None, previous: float | None, percent: float | None
) -> None:
    assert change_percent(current, previous) == percent


def test_comparison_section() -> None:
    test = Significance(0.03, 1, "mann-whitney")
    assert comparison(112.0, 100.0, test, lower_is_better=True) == {
        "previous": 100.0, "change_percent": 12.0, "p_value": 0.03, "verdict": WORSE
    }  # fmt: skip
    assert comparison(None, None, None, lower_is_better=True)["verdict"] == NO_DATA
