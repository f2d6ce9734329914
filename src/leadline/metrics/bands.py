"""DORA performance bands: elite, high, medium or low (DESIGN decision 6).

Two band sets, chosen by the profile's ``dora.bands``:

* ``harness`` (default): deployment frequency elite > 1/day, high ≥ 1/week, medium ≥ 1/month;
  change failure rate elite ≤ 15 %, high ≤ 30 %, medium ≤ 45 %; time to restore elite < 1 h,
  high < 1 day, medium < 1 week; lead time elite ≤ 1 day, high ≤ 7 days, medium ≤ 30 days.
* ``dora-2023`` (State of DevOps 2023): deployment frequency elite ≥ 1/day, high ≥ 1/week,
  medium ≥ 1/month; change failure rate elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %; lead time
  elite < 1 day, high < 1 week, medium < 1 month; restore elite < 1 h, high < 1 day,
  medium < 1 week.

Anything that meets no edge is ``low``; a month is 30 days. Units: deployment frequency in
deployments per day, lead time and time to restore in seconds, change failure rate as a
fraction (0.15 = 15 %). A ``None`` value has no band.

Edges are exact rationals (1/7 per day, 3/20, 3600 s …). The value is compared exactly when
it is an ``int`` or a ``Fraction`` — the DORA functions pass exact ratios such as
``Fraction(deployments · 86 400 000 000, window_µs)``. A ``float`` cannot hold 1/7 or 0.15
exactly, so a float within a relative ``REL_TOL`` (1e-13) of an edge counts as exactly on it:
``1 / 7``, ``13 / 91`` and ``0.15`` all land on their edges; ``0.1500001`` does not.
1e-13 is far above float rounding (about 1e-16) and small enough that a duration one
microsecond off an edge stays on its own side (30 days · 1e-13 ≈ 0.26 µs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from leadline.errors import InputError

ELITE = "elite"
HIGH = "high"
MEDIUM = "medium"
LOW = "low"
BANDS: tuple[str, ...] = (ELITE, HIGH, MEDIUM, LOW)

HARNESS = "harness"
DORA_2023 = "dora-2023"
BAND_SETS: tuple[str, ...] = (HARNESS, DORA_2023)
DEFAULT_BAND_SET = HARNESS

DEPLOYMENT_FREQUENCY = "deployment_frequency"
LEAD_TIME = "lead_time"
CHANGE_FAILURE_RATE = "change_failure_rate"
MTTR = "mttr"
METRICS: tuple[str, ...] = (DEPLOYMENT_FREQUENCY, LEAD_TIME, CHANGE_FAILURE_RATE, MTTR)

#: A float this close (relative) to an edge is taken to be exactly on the edge.
REL_TOL = 1e-13

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 30 * DAY


@dataclass(frozen=True, slots=True)
class Edge:
    """``band`` applies when ``value <op> edge`` holds (edges are tried best band first)."""

    band: str
    op: str  # one of ">", ">=", "<", "<="
    edge: Fraction

    def holds(self, value: float | Fraction) -> bool:
        sign = compare(value, self.edge)
        return {">": sign > 0, ">=": sign >= 0, "<": sign < 0, "<=": sign <= 0}[self.op]


def _edges(
    op: str, elite: Fraction | int, high: Fraction | int, medium: Fraction | int
) -> tuple[Edge, ...]:
    return tuple(
        Edge(band, op, Fraction(edge))
        for band, edge in ((ELITE, elite), (HIGH, high), (MEDIUM, medium))
    )


_PER_DAY = (Fraction(1), Fraction(1, 7), Fraction(1, 30))

#: ``(band set, metric)`` → the edges of elite, high and medium; anything else is low.
EDGES: dict[tuple[str, str], tuple[Edge, ...]] = {
    (HARNESS, DEPLOYMENT_FREQUENCY): (
        Edge(ELITE, ">", _PER_DAY[0]),
        Edge(HIGH, ">=", _PER_DAY[1]),
        Edge(MEDIUM, ">=", _PER_DAY[2]),
    ),
    (HARNESS, CHANGE_FAILURE_RATE): _edges(
        "<=", Fraction(15, 100), Fraction(30, 100), Fraction(45, 100)
    ),
    (HARNESS, MTTR): _edges("<", HOUR, DAY, WEEK),
    (HARNESS, LEAD_TIME): _edges("<=", DAY, 7 * DAY, 30 * DAY),
    (DORA_2023, DEPLOYMENT_FREQUENCY): _edges(">=", *_PER_DAY),
    (DORA_2023, CHANGE_FAILURE_RATE): _edges(
        "<=", Fraction(5, 100), Fraction(10, 100), Fraction(15, 100)
    ),
    (DORA_2023, MTTR): _edges("<", HOUR, DAY, WEEK),
    (DORA_2023, LEAD_TIME): _edges("<", DAY, WEEK, MONTH),
}


def check_band_set(band_set: str) -> str:
    """Return ``band_set`` if it is known; raise ``InputError`` otherwise."""
    if band_set not in BAND_SETS:
        allowed = ", ".join(BAND_SETS)
        raise InputError(
            f"unknown band set {band_set!r}; use one of: {allowed}",
            [f"dora.bands: must be one of {allowed}"],
        )
    return band_set


def edges(metric: str, band_set: str = DEFAULT_BAND_SET) -> tuple[Edge, ...]:
    """The elite, high and medium edges of ``metric`` in ``band_set``."""
    if metric not in METRICS:
        raise ValueError(f"unknown DORA metric {metric!r}; use one of: {', '.join(METRICS)}")
    return EDGES[check_band_set(band_set), metric]


def compare(value: float | Fraction, edge: Fraction) -> int:
    """-1, 0 or 1 as ``value`` is below, on or above ``edge`` (floats within ``REL_TOL``: 0)."""
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("cannot band NaN")
        if math.isinf(value):
            return 1 if value > 0 else -1
        target = float(edge)
        if abs(value - target) <= REL_TOL * abs(target):
            return 0
        return 1 if value > target else -1
    exact = Fraction(value)
    return int(exact > edge) - int(exact < edge)


def band(
    metric: str, value: float | Fraction | None, band_set: str = DEFAULT_BAND_SET
) -> str | None:
    """The band of ``value`` for ``metric`` (``None`` for a ``None`` value)."""
    rules = edges(metric, band_set)
    if value is None:
        return None
    for rule in rules:
        if rule.holds(value):
            return rule.band
    return LOW


def lead_time_band(total_seconds: float | None, band_set: str = DEFAULT_BAND_SET) -> str | None:
    """The band of a lead time in seconds (``None`` → ``None``)."""
    return band(LEAD_TIME, total_seconds, band_set)
