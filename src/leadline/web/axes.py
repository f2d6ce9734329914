"""A chart's axes: "nice" y ticks in the metric's unit, and the band zones behind the bars.

The y scale runs from 0 to the highest tick, and the ticks are 0, s, 2s, … with s a nice
step (1, 2, 2.5 or 5 times a power of ten, in the unit the values read best in: per day,
week or month; seconds, minutes, hours or days; per cent), 3 to 5 ticks in all, the highest
at or above the highest value, so every bar fits and each gridline reads as a round number.

The zones are the band scale's levels (``metrics/bands.py``, the one rule set) as ranges of
the metric's value — for a metric where less is better the best level from 0 up to its
edge, for deployment frequency the best level above its edge — each with its range in
words for the legend, so a bar's band is read from where it stands and never from its own
colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from leadline.metrics.bands import CUSTOM, BandScale

HOUR, DAY = 3600.0, 86400.0
STEPS = (1.0, 2.0, 2.5, 5.0)
MAX_STEPS = 4  # at most 5 ticks, 0 included


@dataclass(frozen=True)
class Unit:
    """How a value reads on an axis: ``value / size`` then the ``suffix``."""

    size: float
    suffix: str
    whole: bool = False  # counts: no fractional steps

    def text(self, value: float) -> str:
        number = round(value / self.size, 9)
        return f"{number:g}{self.suffix}"


def unit_of(kind: str, peak: float) -> Unit:
    """The unit of an axis of ``kind`` (``per_day``, ``duration``, ``percent`` or ``count``)
    whose highest value is ``peak``."""
    if kind == "duration":
        for size, suffix in ((DAY, " d"), (HOUR, " h"), (60.0, " min")):
            if peak >= 2 * size:
                return Unit(size, suffix)
        return Unit(1.0, " s")
    if kind == "percent":
        return Unit(0.01, " %")
    if kind == "per_day":
        if peak >= 1:
            return Unit(1.0, "/day")
        if peak * 7 >= 1:
            return Unit(1 / 7, "/week")
        return Unit(1 / 30, "/month")
    return Unit(1.0, "", whole=True)


def nice_step(peak: float, whole: bool = False) -> float:
    """The smallest nice step (1, 2, 2.5, 5 × 10^k) that covers ``peak`` in at most
    ``MAX_STEPS`` steps (whole numbers only for counts)."""
    if peak <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(peak / MAX_STEPS))
    for scale in (power, power * 10):
        for base in STEPS:
            step = base * scale
            if whole and (step < 1 or step != int(step)):
                continue
            if math.ceil(round(peak / step, 9)) <= MAX_STEPS:
                return step
    return 10 * power * 10  # not reached: 10 × power covers peak in 4 steps or fewer


def ticks(peak: float, unit: Unit) -> list[float]:
    """The tick values (in the metric's own unit, e.g. seconds), 0 first: at least 3, at most
    5, the last at or above ``peak``; ``peak`` 0 (every value a real 0) gives 0, 1, 2 units."""
    scaled = peak / unit.size
    step = nice_step(scaled, unit.whole)
    count = max(2, math.ceil(round(scaled / step, 9))) if scaled > 0 else 2
    return [i * step * unit.size for i in range(count + 1)]


@dataclass(frozen=True)
class Zone:
    """A band's range ``[low, high)`` of the metric's value (``high`` ``None``: no upper
    bound), its name, its colour (a class for a preset, ``fill`` for a custom level) and its
    range in words."""

    name: str
    low: float
    high: float | None
    css: str
    fill: str | None
    words: str


INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def zones(scale: BandScale, metric: str, shown: Callable[[float], str]) -> list[Zone]:
    """The levels of ``scale`` for ``metric`` as value ranges, best first; none when the scale
    does not band the metric (the rework rate without custom edges)."""
    rules = scale.edges.get(metric)
    if not rules:
        return []
    custom = scale.name == CUSTOM
    out = []
    for i, level in enumerate(scale.levels):
        if i < len(rules):
            rule = rules[i]
            words = f"{rule.op.replace('<=', '≤').replace('>=', '≥')} {shown(float(rule.edge))}"
        else:
            last = rules[-1]
            op = INVERSE[last.op].replace("<=", "≤").replace(">=", "≥")
            words = f"{op} {shown(float(last.edge))}"
        edges: Sequence[float] = [float(r.edge) for r in rules]
        more_is_better = rules[0].op in (">", ">=")
        if more_is_better:  # the best level on top
            low = edges[i] if i < len(edges) else 0.0
            high: float | None = edges[i - 1] if i > 0 else None
        else:
            low = edges[i - 1] if i > 0 else 0.0
            high = edges[i] if i < len(edges) else None
        css = "zone band-level" if custom else f"zone band-{level.name}"
        out.append(Zone(level.name, low, high, css, level.colour if custom else None, words))
    return out
