"""95 % confidence intervals for the DORA figures (``docs/metrics.md#confidence-intervals``).

- ``wilson``: a proportion (change failure rate: failures of deployments);
- ``poisson``: a count over an exposure (deployments per day), the exact (Garwood) interval;
- ``bootstrap``: a statistic of durations (lead time, time to restore), the percentile interval
  of 2 000 seeded resamples computed with the same statistic the metric reports;
- ``durations``: ``bootstrap`` up to ``BOOTSTRAP_MAX`` samples; past it the large-sample
  intervals, which cost one pass instead of 2 000 (a bootstrap of 60,000 lead times took
  2 s, and a year of a large organisation has hundreds of thousands): the normal interval of
  the mean, and the distribution-free order-statistic interval of a percentile. At that
  size the bootstrap and these agree to well under a percent.

Pure: no database, no clock, no global random state (the bootstrap's seed comes from the data).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from leadline.metrics.stats import quantile_of, row_statistic

LEVEL = 0.95
Z_95 = 1.959963984540054  # the 0.975 quantile of the standard normal distribution
FEW_SAMPLES = 10
BOOTSTRAP_RESAMPLES = 2_000
BOOTSTRAP_MAX = 5_000  # samples; more use the large-sample intervals (``durations``)
_CELLS_PER_CHUNK = 4_000_000  # resample matrix cells computed at once (32 MB of float64)


class IntervalJson(TypedDict):
    """An interval as reports write it."""

    low: float
    high: float
    level: float
    method: str


@dataclass(frozen=True)
class Interval:
    """A confidence interval ``[low, high]`` at ``level``, computed by ``method``."""

    low: float
    high: float
    level: float = LEVEL
    method: str = ""

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"interval low {self.low} is above high {self.high}")

    def to_json(self) -> IntervalJson:
        return {"low": self.low, "high": self.high, "level": self.level, "method": self.method}

    def rounded(self, digits: int) -> Interval:
        return Interval(round(self.low, digits), round(self.high, digits), self.level, self.method)


def few_samples(n: int) -> bool:
    """Whether ``n`` samples are too few to read much into a figure (fewer than 10)."""
    return n < FEW_SAMPLES


def wilson(successes: int, n: int) -> Interval | None:
    """Wilson score interval for the proportion ``successes / n``; ``None`` when ``n`` is 0.

    With p = successes/n and z = 1.96: centre (p + z²/2n) / (1 + z²/n), half-width
    z / (1 + z²/n) · √(p(1−p)/n + z²/4n²). Clamped to [0, 1] against rounding.
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None
    p = successes / n
    z2 = Z_95 * Z_95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z_95 / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low, high, LEVEL, "wilson")


@functools.lru_cache(maxsize=8)
def _log_factorials(k: int) -> npt.NDArray[np.float64]:
    """log(i!) for i = 0 … k (cached: a bisection evaluates the same k a hundred times)."""
    return np.array([math.lgamma(i + 1.0) for i in range(k + 1)], dtype=np.float64)


def poisson_cdf(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean): the finite sum of the k + 1 terms, each in log space."""
    if k < 0:
        return 0.0
    if mean <= 0:
        return 1.0
    i = np.arange(k + 1, dtype=np.float64)
    logs = -mean + i * math.log(mean) - _log_factorials(k)
    return min(1.0, float(np.exp(logs).sum()))  # pairwise summation


def _solve(f: Callable[[float], float], low: float, high: float) -> float:
    """The root of the decreasing ``f`` in ``[low, high]`` (f(low) > 0 > f(high)), by bisection
    to a relative width of 1e-12."""
    for _ in range(400):
        middle = (low + high) / 2
        if f(middle) > 0:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(high, 1e-300):
            break
    return (low + high) / 2


def poisson_mean_bounds(k: int, alpha: float = 1 - LEVEL) -> tuple[float, float]:
    """Exact (Garwood) bounds for the mean of a Poisson count ``k``: lower is the λ with
    P(X ≥ k | λ) = α/2 (0 for k = 0), upper the λ with P(X ≤ k | λ) = α/2."""
    if k < 0:
        raise ValueError(f"a count must be >= 0, got {k}")
    tail = alpha / 2
    top = k + 10 * math.sqrt(k + 1) + 10.0
    while poisson_cdf(k, top) > tail:  # never more than once or twice
        top *= 2
    upper = _solve(lambda m: poisson_cdf(k, m) - tail, 0.0, top)
    if k == 0:
        return 0.0, upper
    # P(X >= k) = 1 − P(X ≤ k−1) rises with λ; f = tail − P(X ≥ k) falls.
    lower = _solve(lambda m: tail - (1.0 - poisson_cdf(k - 1, m)), 0.0, float(k))
    return lower, upper


def poisson(count: int, exposure: float) -> Interval | None:
    """Exact interval for a rate ``count / exposure`` (e.g. deployments per day);
    ``None`` when the exposure is not positive."""
    if exposure <= 0:
        return None
    low, high = poisson_mean_bounds(int(count))
    return Interval(low / exposure, high / exposure, LEVEL, "poisson")


def bootstrap_seed(samples: npt.ArrayLike) -> int:
    """A seed that depends only on the sample's size and (order-independent) sum."""
    data = np.asarray(samples, dtype=np.float64)
    total = math.fsum(np.sort(data).tolist())
    digest = hashlib.sha256(f"{data.size}:{total!r}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def bootstrap(
    samples: npt.ArrayLike, stat: str, resamples: int = BOOTSTRAP_RESAMPLES
) -> Interval | None:
    """Percentile bootstrap interval of ``stat`` (mean, median, p90, p95) of ``samples``.

    ``resamples`` resamples with replacement, drawn by ``numpy.random.default_rng`` seeded from
    the data (``bootstrap_seed``), so the same samples give the same interval every time; each
    resample's statistic is the one the metric reports (``metrics.stats``). The bounds are the
    2.5th and 97.5th percentiles of those statistics. ``None`` without samples.
    """
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim != 1:
        raise ValueError(f"bootstrap needs a 1-D array, got {data.ndim} dimension(s)")
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return None
    if n >= 2**31:
        raise ValueError("too many samples to bootstrap")
    if np.all(data == data[0]):
        value = float(data[0])
        return Interval(value, value, LEVEL, "bootstrap")
    rng = np.random.default_rng(bootstrap_seed(data))
    ordered = np.sort(data)  # the resamples index the sorted data: input order never matters
    chunk = max(1, _CELLS_PER_CHUNK // n)
    values = np.empty(resamples, dtype=np.float64)
    for first in range(0, resamples, chunk):  # chunks bound the memory, not one per resample
        rows = min(chunk, resamples - first)
        picks = rng.integers(0, n, size=(rows, n), dtype=np.int32)
        if stat == "mean":
            # The mean sums in sorted order: how often each sample was drawn, per resample,
            # and the sorted samples repeated that many times give every resample already
            # sorted (linear time, where sorting each resample is not).
            flat = (np.arange(rows, dtype=np.int64)[:, None] * n + picks).ravel()
            counts = np.bincount(flat, minlength=rows * n)
            resampled = np.repeat(np.tile(ordered, rows), counts).reshape(rows, n)
            values[first : first + rows] = row_statistic(resampled, stat, sorted_rows=True)
        else:  # a percentile partitions around two ranks: cheaper than sorting
            values[first : first + rows] = row_statistic(ordered[picks], stat)
    tail = (1 - LEVEL) / 2 * 100
    # The same linear interpolation between closest ranks as metrics.stats.
    low, high = (float(x) for x in np.percentile(values, [tail, 100 - tail]))
    return Interval(min(low, high), max(low, high), LEVEL, "bootstrap")


def durations(samples: npt.ArrayLike, stat: str) -> Interval | None:
    """The interval of ``stat`` of durations: ``bootstrap`` up to ``BOOTSTRAP_MAX`` samples,
    else ``large_sample``. ``None`` without samples."""
    data = np.asarray(samples, dtype=np.float64)
    data = data[~np.isnan(data)]
    if data.size <= BOOTSTRAP_MAX:
        return bootstrap(data, stat)
    return large_sample(data, stat)


def large_sample(samples: npt.ArrayLike, stat: str) -> Interval | None:
    """The large-sample 95 % interval of ``stat``.

    - mean: ``mean ± z·s/√n`` (``s`` the sample standard deviation, ``n - 1`` degrees);
    - a percentile ``p``: the order statistics at ranks ``⌊np − z·√(np(1−p))⌋`` and
      ``⌈np + z·√(np(1−p))⌉`` (1-based, clipped to 1…n) — distribution-free, since the
      number of samples below the true percentile is Binomial(n, p).
    """
    data = np.asarray(samples, dtype=np.float64)
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return None
    q = quantile_of(stat)
    if q is None:
        mean = math.fsum(np.sort(data).tolist()) / n
        spread = float(np.std(data, ddof=1)) if n > 1 else 0.0
        half = Z_95 * spread / math.sqrt(n)
        return Interval(mean - half, mean + half, LEVEL, "normal")
    centre, half = n * q, Z_95 * math.sqrt(n * q * (1 - q))
    lo = min(max(math.floor(centre - half), 1), n)
    hi = min(max(math.ceil(centre + half), 1), n)
    low, high = np.partition(data, (lo - 1, hi - 1))[[lo - 1, hi - 1]]
    return Interval(float(low), float(high), LEVEL, "order-statistics")
