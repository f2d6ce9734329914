"""DORA performance bands: elite, high, medium or low (docs/dora.md#bands), or custom levels.

A ``BandScale`` is the one rule set: its levels (best first) and, per metric, the edges
between them (and, for custom scales, per lead-time stage). The profile's ``dora.bands``
names a preset or gives a mapping (``profiles/bandspec.py``), and ``scale_of`` turns either
into a scale. Three presets:

* ``harness`` (default): deployment frequency elite > 1/day, high ≥ 1/week, medium ≥ 1/month;
  change failure rate elite ≤ 15 %, high ≤ 30 %, medium ≤ 45 %; time to restore elite < 1 h,
  high < 1 day, medium < 1 week; lead time elite ≤ 1 day, high ≤ 7 days, medium ≤ 30 days.
* ``dora-2023`` (State of DevOps 2023): deployment frequency elite ≥ 1/day, high ≥ 1/week,
  medium ≥ 1/month; change failure rate elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %; lead time
  elite < 1 day, high < 1 week, medium < 1 month; restore elite < 1 h, high < 1 day,
  medium < 1 week.
* ``dora-2024`` (Accelerate State of DevOps 2024): as ``dora-2023`` except change failure
  rate medium ≤ 20 % (the report's cluster values 5, 20, 10 and 40 % are not monotone; the
  edges are the three better clusters' values in order: docs/dora.md#dora-2024).

Anything that meets no edge is the last level (``low``); a month is 30 days. Units:
deployment frequency in deployments per day, lead time and time to restore in seconds,
change failure rate as a fraction (0.15 = 15 %). A ``None`` value has no band.

Edges are exact rationals (1/7 per day, 3/20, 3600 s …). The value is compared exactly when
it is an ``int`` or a ``Fraction`` — the DORA functions pass exact ratios such as
``Fraction(deployments · 86 400 000 000, window_µs)``. A ``float`` cannot hold 1/7 or 0.15
exactly, so a float within a relative ``REL_TOL`` (1e-13) of an edge counts as exactly on it:
``1 / 7``, ``13 / 91`` and ``0.15`` all land on their edges; ``0.1500001`` does not.
1e-13 is far above float rounding (about 1e-16) and small enough that a duration one
microsecond off an edge stays on its own side (30 days · 1e-13 ≈ 0.26 µs).

The deployment rework rate (``REWORK``, a fraction like the change failure rate) has no
preset edges — the 2024 report publishes no bands for it — so a scale bands it only when a
custom mapping gives its range (``dora.bands.deployment_rework_rate``); otherwise its band is
``None`` (docs/dora.md#deployment-rework-rate).

Custom edges (``on_edge: better``, the default) include their edge in the better level:
``value ≤ edge`` when less is better, ``value ≥ edge`` for deployment frequency;
``on_edge: worse`` makes them exclusive (``<``, ``>``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeAlias

from leadline.errors import InputError
from leadline.profiles import bandspec

if TYPE_CHECKING:
    from leadline.profiles.dora_models import BandsSpec

ELITE = "elite"
HIGH = "high"
MEDIUM = "medium"
LOW = "low"
BANDS: tuple[str, ...] = (ELITE, HIGH, MEDIUM, LOW)

HARNESS = "harness"
DORA_2023 = "dora-2023"
DORA_2024 = "dora-2024"
BAND_SETS: tuple[str, ...] = (HARNESS, DORA_2023, DORA_2024)
DEFAULT_BAND_SET = HARNESS
#: ``bands`` of a report whose scale is a mapping (custom levels or ranges).
CUSTOM = "custom"

DEPLOYMENT_FREQUENCY = "deployment_frequency"
LEAD_TIME = "lead_time"
CHANGE_FAILURE_RATE = "change_failure_rate"
MTTR = "mttr"
METRICS: tuple[str, ...] = (DEPLOYMENT_FREQUENCY, LEAD_TIME, CHANGE_FAILURE_RATE, MTTR)
#: The fifth metric: banded only by a scale that gives its edges (no preset does).
REWORK = bandspec.DEPLOYMENT_REWORK_RATE
#: Every metric ``band`` accepts.
BANDABLE: tuple[str, ...] = (*METRICS, REWORK)
#: The profile's (and the report's) name of each metric.
SECTIONS: dict[str, str] = {
    DEPLOYMENT_FREQUENCY: bandspec.DEPLOYMENT_FREQUENCY,
    LEAD_TIME: bandspec.LEAD_TIME,
    CHANGE_FAILURE_RATE: bandspec.CHANGE_FAILURE_RATE,
    MTTR: bandspec.TIME_TO_RESTORE,
}

#: A float this close (relative) to an edge is taken to be exactly on the edge.
REL_TOL = 1e-13

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 30 * DAY

#: The colours of the preset levels (the dashboard's); white text on each is WCAG AA.
PRESET_COLOURS: dict[str, str] = {
    ELITE: "#116329", HIGH: "#1a7f37", MEDIUM: "#9a6700", LOW: "#cf222e",
}  # fmt: skip
#: Colours of custom levels given none, by the number of levels (best first).
PALETTES: dict[int, tuple[str, ...]] = {
    2: ("#1a7f37", "#cf222e"),
    3: ("#1a7f37", "#9a6700", "#cf222e"),
    4: ("#116329", "#1a7f37", "#9a6700", "#cf222e"),
    5: ("#116329", "#1a7f37", "#9a6700", "#bc4c00", "#cf222e"),
    6: ("#116329", "#1a7f37", "#4b6b00", "#9a6700", "#bc4c00", "#cf222e"),
}


@dataclass(frozen=True, slots=True)
class Edge:
    """``band`` applies when ``value <op> edge`` holds (edges are tried best band first)."""

    band: str
    op: str  # one of ">", ">=", "<", "<="
    edge: Fraction

    def holds(self, value: float | Fraction) -> bool:
        sign = compare(value, self.edge)
        return {">": sign > 0, ">=": sign >= 0, "<": sign < 0, "<=": sign <= 0}[self.op]


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    colour: str


@dataclass(frozen=True)
class BandScale:
    """Levels (best first) and the edges of every metric (and, optionally, of lead-time
    stages): the first edge that holds names the level; none holding, the last level."""

    name: str  # a preset's name, or CUSTOM
    levels: tuple[Level, ...]
    edges: Mapping[str, tuple[Edge, ...]]  # metric → one edge per level but the last
    stages: Mapping[str, tuple[Edge, ...]] = field(default_factory=dict)  # casefolded name
    every_stage: tuple[Edge, ...] | None = None

    @property
    def worst(self) -> str:
        return self.levels[-1].name

    def band(self, metric: str, value: float | Fraction | None) -> str | None:
        """The level of ``value``; ``None`` for a ``None`` value, or for the rework rate when
        the scale has no edges for it."""
        _check_metric(metric)
        rules = self.edges.get(metric)
        return None if rules is None else self._first(rules, value)

    def stage_edges(self, stage: str) -> tuple[Edge, ...] | None:
        """The edges of a lead-time stage (by name, ignoring case), or ``None``."""
        return self.stages.get(stage.strip().casefold(), self.every_stage)

    def stage_level(self, stage: str, seconds: float | None) -> str | None:
        """The level of a stage's figure; ``None`` without ranges for it or without a figure."""
        rules = self.stage_edges(stage)
        return None if rules is None else self._first(rules, seconds)

    def rank(self, level: str) -> int:
        """1 for the best level, ``len(levels)`` for the worst."""
        return [lv.name for lv in self.levels].index(level) + 1

    def levels_json(self) -> list[dict[str, Any]]:
        return [
            {"name": lv.name, "rank": rank, "colour": lv.colour}
            for rank, lv in enumerate(self.levels, start=1)
        ]

    def _first(self, rules: tuple[Edge, ...], value: float | Fraction | None) -> str | None:
        if value is None:
            return None
        for rule in rules:
            if rule.holds(value):
                return rule.band
        return self.worst


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
    # Accelerate State of DevOps 2024: where its wording is 2023's, 2023's edges
    # (docs/dora.md#dora-2024 has the report's table and each decision).
    (DORA_2024, DEPLOYMENT_FREQUENCY): _edges(">=", *_PER_DAY),
    (DORA_2024, CHANGE_FAILURE_RATE): _edges(
        "<=", Fraction(5, 100), Fraction(10, 100), Fraction(20, 100)
    ),
    (DORA_2024, MTTR): _edges("<", HOUR, DAY, WEEK),
    (DORA_2024, LEAD_TIME): _edges("<", DAY, WEEK, MONTH),
}

_PRESET_LEVELS = tuple(Level(name, PRESET_COLOURS[name]) for name in BANDS)
PRESETS: dict[str, BandScale] = {
    name: BandScale(name, _PRESET_LEVELS, {m: EDGES[name, m] for m in METRICS})
    for name in BAND_SETS
}

#: What a ``band_set`` argument may be: a preset's name, a scale, or the profile's mapping.
BandSet: TypeAlias = "str | BandScale | BandsSpec"


def check_band_set(band_set: str) -> str:
    """Return ``band_set`` if it is known; raise ``InputError`` otherwise."""
    if band_set not in BAND_SETS:
        allowed = ", ".join(BAND_SETS)
        raise InputError(
            f"unknown band set {band_set!r}; use one of: {allowed}",
            [f"dora.bands: must be one of {allowed}"],
        )
    return band_set


def scale_of(band_set: BandSet) -> BandScale:
    """The scale a ``dora.bands`` value stands for (a preset name, a mapping, or a scale)."""
    if isinstance(band_set, BandScale):
        return band_set
    if isinstance(band_set, str):
        return PRESETS[check_band_set(band_set)]
    return custom_scale(band_set.model_dump(exclude_none=True))


def custom_scale(spec: Mapping[str, Any]) -> BandScale:
    """The scale of a valid ``dora.bands`` mapping (``profiles/bandspec.py`` reads it)."""
    problems = bandspec.bands_problems(spec, None)
    if problems:
        raise InputError("invalid dora.bands", [f"dora.bands: {what}" for _, what in problems])
    base = PRESETS[spec.get("preset") or DEFAULT_BAND_SET]
    given = spec.get("levels")
    if given:
        palette = PALETTES[len(given)]
        levels = tuple(
            Level(lv["name"], lv.get("colour") or palette[i]) for i, lv in enumerate(given)
        )
    else:
        levels = base.levels
    better = spec.get("on_edge", "better") == "better"
    unit = spec.get("unit")

    def ranged(metric: str, key: str, range_spec: Mapping[str, Any]) -> tuple[Edge, ...]:
        values, _ = bandspec.range_edges(key, range_spec, unit)
        more = bandspec.more_is_better(key)
        op = (">=" if better else ">") if more else ("<=" if better else "<")
        return tuple(Edge(lv.name, op, v) for lv, v in zip(levels, values, strict=False))

    edges = {
        metric: ranged(metric, SECTIONS[metric], spec[SECTIONS[metric]])
        if SECTIONS[metric] in spec
        else base.edges[metric]
        for metric in METRICS
    }
    if REWORK in spec:  # optional: without it the rework rate stays unbanded
        edges[REWORK] = ranged(REWORK, REWORK, spec[REWORK])
    stages = {
        name.strip().casefold(): ranged("stage", "stage", range_spec)
        for name, range_spec in (spec.get("stages") or {}).items()
    }
    every = spec.get("every_stage")
    return BandScale(
        CUSTOM, levels, edges, stages, None if every is None else ranged("stage", "stage", every)
    )


def edges(metric: str, band_set: BandSet = DEFAULT_BAND_SET) -> tuple[Edge, ...]:
    """The edges of ``metric`` in ``band_set`` (best level first; the last level has none;
    none at all for the rework rate of a scale that does not band it)."""
    _check_metric(metric)
    return scale_of(band_set).edges.get(metric, ())


def _check_metric(metric: str) -> None:
    if metric not in BANDABLE:
        raise ValueError(f"unknown DORA metric {metric!r}; use one of: {', '.join(BANDABLE)}")


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
    metric: str, value: float | Fraction | None, band_set: BandSet = DEFAULT_BAND_SET
) -> str | None:
    """The band of ``value`` for ``metric`` (``None`` for a ``None`` value)."""
    _check_metric(metric)
    return scale_of(band_set).band(metric, value)


def lead_time_band(total_seconds: float | None, band_set: BandSet = DEFAULT_BAND_SET) -> str | None:
    """The band of a lead time in seconds (``None`` → ``None``)."""
    return band(LEAD_TIME, total_seconds, band_set)


def add_stage_levels(stages: list[dict[str, Any]], band_set: BandSet) -> None:
    """Give each stage of a lead-time JSON its ``level`` when the scale has stage ranges
    (``dora.bands.stages`` / ``every_stage``): the level of its ``seconds``, ``None`` for a
    stage with no samples or no range. Without stage ranges the stages are left as they are."""
    scale = scale_of(band_set)
    if not scale.stages and scale.every_stage is None:
        return
    for stage in stages:
        seconds = stage["seconds"] if stage.get("samples") else None
        stage["level"] = scale.stage_level(str(stage["name"]), seconds)
