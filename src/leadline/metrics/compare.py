"""Each DORA figure against the previous window of the same length (``docs/metrics.md``).

The change in per cent, a two-sided test at α = 0.05 and a verdict by the metric's direction:

- durations (lead time, time to restore): Mann–Whitney U (``mann_whitney``);
- change failure rate: the pooled two-proportion z-test (``two_proportions``);
- deployment frequency: the conditional binomial test of two Poisson rates (``poisson_rates``).

Pure: no database, no clock (permutation tests draw from a generator with a fixed seed).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import numpy.typing as npt

ALPHA = 0.05
EXACT_SPLITS = 20_000  # the exact permutation test when C(n1 + n2, n1) is at most this
PERMUTATIONS = 10_000  # else this many seeded random splits
PERMUTATION_SEED = 20_240_101
NORMAL_MIN = 10  # the normal approximation from this many samples on each side

BETTER, WORSE, SAME, NO_DATA = "better", "worse", "no significant change", "not enough data"


@dataclass(frozen=True)
class Significance:
    """A two-sided test's p-value and the direction of the difference: +1 when the current
    window's figure is higher than the previous one's, −1 when lower, 0 when neither."""

    p_value: float
    direction: int
    method: str


def _normal_two_sided(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def _midranks(values: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float]:
    """Ranks 1…N, tied values sharing the mean of their ranks; and Σ(t³ − t) over the ties."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    _, first, counts = np.unique(ordered, return_index=True, return_counts=True)
    mean_rank = first + (counts + 1) / 2.0  # 1-based: first + 1 … first + counts
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, counts)
    t = counts.astype(np.float64)
    return ranks, float(np.sum(t**3 - t))


def mann_whitney_u(current: npt.ArrayLike, previous: npt.ArrayLike) -> float:
    """U of the current sample: the pairs (c, p) with c > p, plus half the ties."""
    a = np.asarray(current, dtype=np.float64)
    b = np.asarray(previous, dtype=np.float64)
    ranks, _ = _midranks(np.concatenate([a, b]))
    return float(ranks[: a.size].sum() - a.size * (a.size + 1) / 2.0)


def mann_whitney(current: npt.ArrayLike, previous: npt.ArrayLike) -> Significance | None:
    """Two-sided Mann–Whitney U test; ``None`` when either side has no samples.

    With at least 10 samples on each side: the normal approximation, U's variance corrected
    for ties, z = (|U − n1·n2/2| − ½) / σ (continuity correction). With fewer: a permutation
    test of the rank sum, exact over every split when there are at most 20 000 of them, else
    over 10 000 seeded random splits.
    """
    a = np.asarray(current, dtype=np.float64)
    b = np.asarray(previous, dtype=np.float64)
    n1, n2 = int(a.size), int(b.size)
    if n1 == 0 or n2 == 0:
        return None
    n = n1 + n2
    ranks, ties = _midranks(np.concatenate([a, b]))
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2.0)
    centre = n1 * n2 / 2.0
    direction = int(np.sign(u - centre))
    if n1 >= NORMAL_MIN and n2 >= NORMAL_MIN:
        variance = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)))
        if variance <= 0:
            return Significance(1.0, 0, "mann-whitney")
        z = max(abs(u - centre) - 0.5, 0.0) / math.sqrt(variance)
        return Significance(min(1.0, _normal_two_sided(z)), direction, "mann-whitney")
    # Permutation test: the rank sum of n1 ranks drawn from all n, as far from its mean.
    observed = abs(float(ranks[:n1].sum()) - n1 * (n + 1) / 2.0)
    if math.comb(n, n1) <= EXACT_SPLITS:
        picks = np.array(list(itertools.combinations(range(n), n1)), dtype=np.int64)
        sums = ranks[picks].sum(axis=1)
        extreme = np.abs(sums - n1 * (n + 1) / 2.0) >= observed - 1e-9
        return Significance(float(extreme.mean()), direction, "mann-whitney exact")
    rng = np.random.default_rng(PERMUTATION_SEED)
    hits = 0
    chunk = max(1, 2_000_000 // n)
    for first in range(0, PERMUTATIONS, chunk):
        rows = min(chunk, PERMUTATIONS - first)
        shuffled = rng.permuted(np.tile(ranks, (rows, 1)), axis=1)
        sums = shuffled[:, :n1].sum(axis=1)
        hits += int((np.abs(sums - n1 * (n + 1) / 2.0) >= observed - 1e-9).sum())
    return Significance((hits + 1) / (PERMUTATIONS + 1), direction, "mann-whitney permutation")


def two_proportions(x1: int, n1: int, x2: int, n2: int) -> Significance | None:
    """Pooled two-proportion z-test of ``x1/n1`` (current) against ``x2/n2`` (previous);
    ``None`` when either has no trials. Both proportions 0 or both 1: p = 1."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    direction = (p1 > p2) - (p1 < p2)
    if se == 0:
        return Significance(1.0, 0, "two-proportion z")
    return Significance(min(1.0, _normal_two_sided((p1 - p2) / se)), direction, "two-proportion z")


def binomial_two_sided(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial p-value: the total probability of the outcomes no more likely
    than ``k`` successes in ``n`` trials of probability ``p``."""
    if n == 0:
        return 1.0
    i = np.arange(n + 1, dtype=np.float64)
    log_choose = np.array(
        [math.lgamma(n + 1.0) - math.lgamma(j + 1.0) - math.lgamma(n - j + 1.0)
         for j in range(n + 1)]
    )  # fmt: skip
    with np.errstate(divide="ignore"):
        logs = log_choose + i * np.log(p) + (n - i) * np.log1p(-p)
    pmf = np.exp(logs)
    observed = pmf[k]
    return float(min(1.0, pmf[pmf <= observed * (1 + 1e-7)].sum()))


def poisson_rates(k1: int, t1: float, k2: int, t2: float) -> Significance | None:
    """Two Poisson rates ``k1/t1`` (current) and ``k2/t2`` (previous): given k1 + k2 events,
    k1 ~ Binomial(k1 + k2, t1 / (t1 + t2)) when the rates are equal; the exact two-sided
    binomial p-value. ``None`` when there is no event in either window (nothing to compare)."""
    if t1 <= 0 or t2 <= 0:
        raise ValueError("exposures must be positive")
    if k1 + k2 == 0:
        return None
    r1, r2 = k1 / t1, k2 / t2
    direction = (r1 > r2) - (r1 < r2)
    return Significance(
        binomial_two_sided(k1, k1 + k2, t1 / (t1 + t2)), direction, "poisson conditional"
    )


def change_percent(current: float | None, previous: float | None) -> float | None:
    """(current − previous) / previous in per cent, 2 decimals; ``None`` when either is missing
    or the previous value is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 2)


def verdict(test: Significance | None, lower_is_better: bool) -> str:
    """``better`` / ``worse`` when p < 0.05 (by the metric's direction), else ``no significant
    change``; ``not enough data`` without a test."""
    if test is None:
        return NO_DATA
    if test.p_value >= ALPHA or test.direction == 0:
        return SAME
    higher = test.direction > 0
    return WORSE if higher == lower_is_better else BETTER


class ComparisonEntry(TypedDict):
    """One figure of a report's ``comparison``: the previous window's value, the change
    and the test's verdict."""

    previous: float | None
    change_percent: float | None
    p_value: float | None
    verdict: str


def comparison(
    current: float | None, previous: float | None, test: Significance | None, lower_is_better: bool
) -> ComparisonEntry:
    """One section of the ``comparison`` object."""
    return {
        "previous": previous,
        "change_percent": change_percent(current, previous),
        "p_value": None if test is None else test.p_value,
        "verdict": verdict(test, lower_is_better),
    }
