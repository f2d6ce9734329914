"""``dora.bands`` as a mapping: custom maturity levels and their ranges (docs/dora.md#bands).

The SEI efficiency profile lets an organisation name its own maturity levels and, per metric
(and per lead-time stage), the edges between them. This module reads such a mapping into exact
edges in the units ``leadline.metrics.bands`` compares in — deployments per day, seconds, a
fraction — and lists every problem of it as ``(where, what)`` (locations relative to
``dora.bands``). It takes raw data (YAML, JSON or a model dump) and never raises on ill-typed
input: the model's types report those.

Reading rules (decisions, documented in docs/dora.md#custom-levels):

* ``levels`` is best first, 2 to 6 levels, names unique ignoring case; a metric then needs one
  edge fewer than there are levels, best edge first. Without ``levels`` the levels are the
  preset's four (elite, high, medium, low) and a metric not given keeps the preset's edges.
* Deployment frequency: a number of deployments ``per_day`` (default), ``per_week`` (7 days)
  or ``per_month`` (30 days); more is better, so the edges decrease and must be above 0.
* Lead time, time to restore and stage durations: a bare number is in ``unit`` (the metric's,
  else the mapping's, else seconds); a string is a profile duration (``4h``, ``1d12h``); less is
  better, so the edges increase.
* Change failure rate: ``"12.5%"`` or a fraction from 0 to 1 (``0.125``); the edges increase.
* Deployment rework rate: read as the change failure rate, but optional even with ``levels``
  (the presets have no bands for it): a scale without it leaves the rework rate unbanded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from leadline.profiles.durations import parse_duration
from leadline.profiles.problems import Problem

PRESETS: tuple[str, ...] = ("harness", "dora-2023", "dora-2024")
PRESET_LEVELS: tuple[str, ...] = ("elite", "high", "medium", "low")

#: The profile's metric keys (the report's section names), in report order.
DEPLOYMENT_FREQUENCY = "deployment_frequency"
LEAD_TIME = "lead_time_for_changes"
CHANGE_FAILURE_RATE = "change_failure_rate"
TIME_TO_RESTORE = "mean_time_to_restore"
METRIC_KEYS: tuple[str, ...] = (
    DEPLOYMENT_FREQUENCY,
    LEAD_TIME,
    CHANGE_FAILURE_RATE,
    TIME_TO_RESTORE,
)
#: The fifth metric: optional in every mapping (no preset bands it), read as a rate.
DEPLOYMENT_REWORK_RATE = "deployment_rework_rate"
#: The metrics whose edges are a share: ``"12.5%"`` or a fraction from 0 to 1.
RATE_KEYS: tuple[str, ...] = (CHANGE_FAILURE_RATE, DEPLOYMENT_REWORK_RATE)

#: Deployments per <unit> → deployments per day.
RATE_UNITS: dict[str, Fraction] = {
    "per_day": Fraction(1),
    "per_week": Fraction(1, 7),
    "per_month": Fraction(1, 30),
}
#: <unit> → seconds.
DURATION_UNITS: dict[str, int] = {
    "seconds": 1,
    "minutes": 60,
    "hours": 3600,
    "days": 86_400,
    "weeks": 604_800,
}
MIN_LEVELS, MAX_LEVELS = 2, 6
MAX_NAME = 40
COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
ON_EDGE = ("better", "worse")


def more_is_better(metric: str) -> bool:
    """Deployment frequency: more is better; the rest (and stages): less is better."""
    return metric == DEPLOYMENT_FREQUENCY


def level_count(bands: Mapping[str, Any]) -> int | None:
    """How many levels the mapping has (``None`` when ``levels`` is not a usable list)."""
    levels = bands.get("levels")
    if levels is None:
        return len(PRESET_LEVELS)
    if isinstance(levels, list) and MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        return len(levels)
    return None


def range_edges(
    metric: str, spec: Mapping[str, Any], default_unit: object
) -> tuple[list[Fraction], list[Problem]]:
    """The exact edges of one range (``{unit, edges}``) and its problems (relative to it).

    ``metric`` is a metric key or ``"stage"``; ``default_unit`` is the mapping's ``unit``.
    """
    unit = spec.get("unit")
    problems: list[Problem] = []
    factor: Fraction | None = Fraction(1)
    if metric == DEPLOYMENT_FREQUENCY:
        unit = "per_day" if unit is None else unit
        factor = RATE_UNITS.get(unit) if isinstance(unit, str) else None
        if factor is None and isinstance(unit, str):
            problems.append((("unit",), _unit_problem(unit, RATE_UNITS)))
    elif metric in RATE_KEYS:
        if unit is not None:
            problems.append((("unit",), f'not used by {metric} (write "10%" or 0.1)'))
    else:
        given = unit is not None
        if not given:
            unit = default_unit if isinstance(default_unit, str) else "seconds"
        seconds = DURATION_UNITS.get(unit) if isinstance(unit, str) else None
        factor = None if seconds is None else Fraction(seconds)
        if seconds is None and given and isinstance(unit, str):
            problems.append((("unit",), _unit_problem(unit, DURATION_UNITS)))
    raw = spec.get("edges")
    if not isinstance(raw, list):
        return [], problems
    edges: list[Fraction] = []
    for index, value in enumerate(raw):
        try:
            edges.append(_edge(metric, value, factor))
        except ValueError as exc:
            problems.append((("edges", index), str(exc)))
    if len(edges) == len(raw):
        problems += _order_problems(metric, edges)
    return edges, problems


def bands_problems(bands: Mapping[str, Any], stage_names: list[str] | None) -> list[Problem]:
    """Every problem of a ``dora.bands`` mapping; ``stage_names`` (the profile's, when known)
    checks the keys of ``stages``."""
    problems: list[Problem] = []
    levels = bands.get("levels")
    if levels is not None and bands.get("preset") is not None:
        problems.append((("levels",), "give either preset or levels, not both"))
    if isinstance(levels, list):
        problems += _level_problems(levels)
    count = level_count(bands)
    default_unit = bands.get("unit")
    for metric in METRIC_KEYS:
        spec = bands.get(metric)
        if spec is None and levels is not None:
            problems.append(((metric,), "required when levels are given (one range per metric)"))
        if isinstance(spec, Mapping):
            problems += _range_problems((metric,), metric, spec, default_unit, count)
    rework = bands.get(DEPLOYMENT_REWORK_RATE)
    if isinstance(rework, Mapping):
        problems += _range_problems(
            (DEPLOYMENT_REWORK_RATE,), DEPLOYMENT_REWORK_RATE, rework, default_unit, count
        )
    every = bands.get("every_stage")
    if isinstance(every, Mapping):
        problems += _range_problems(("every_stage",), "stage", every, default_unit, count)
    stages = bands.get("stages")
    if isinstance(stages, Mapping):
        known = {name.strip().casefold() for name in stage_names or []}
        given: dict[str, str] = {}
        for name, spec in stages.items():
            folded = name.strip().casefold() if isinstance(name, str) else None
            if folded is not None and folded in given:
                problems.append((("stages", name), f"the same stage as {given[folded]!r}"))
            elif folded is not None:
                given[folded] = name
            if stage_names is not None and folded is not None and folded not in known:
                problems.append((("stages", name), _unknown_stage(name, stage_names)))
            if isinstance(spec, Mapping):
                problems += _range_problems(("stages", name), "stage", spec, default_unit, count)
    return problems


def _range_problems(
    where: tuple[str, ...], metric: str, spec: Mapping[str, Any], unit: object, count: int | None
) -> list[Problem]:
    edges, problems = range_edges(metric, spec, unit)
    raw = spec.get("edges")
    if count is not None and isinstance(raw, list) and len(raw) != count - 1:
        need = "1 edge" if count == 2 else f"{count - 1} edges"
        problems.append((("edges",), f"{count} levels need {need}, got {len(raw)}"))
    del edges
    return [((*where, *loc), what) for loc, what in problems]


def _level_problems(levels: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        problems.append(
            (
                ("levels",),
                f"give {MIN_LEVELS} to {MAX_LEVELS} levels, best first; got {len(levels)}",
            )
        )
    first: dict[str, int] = {}
    for index, level in enumerate(levels):
        if not isinstance(level, Mapping):
            continue
        name, colour = level.get("name"), level.get("colour")
        if isinstance(name, str) and name.strip():
            folded = name.strip().casefold()
            if len(name) > MAX_NAME:
                problems.append((("levels", index, "name"), f"at most {MAX_NAME} characters"))
            if folded in first:
                problems.append(
                    (
                        ("levels", index, "name"),
                        f"level name {name!r} is already used by levels[{first[folded]}]",
                    )
                )
            else:
                first[folded] = index
        if isinstance(colour, str) and not COLOUR.match(colour):
            problems.append(
                (
                    ("levels", index, "colour"),
                    f"not a colour: {colour[:40]!r} (expected #rgb or #rrggbb, e.g. #1a7f37)",
                )
            )
    return problems


def _edge(metric: str, value: object, factor: Fraction | None) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number{_forms(metric)}, got {_kind(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if metric in RATE_KEYS:
        return _rate(value)
    if isinstance(value, str):
        if metric == DEPLOYMENT_FREQUENCY:
            raise ValueError(f"expected a number of deployments, got {value[:40]!r}")
        return _exact(parse_duration(value))
    exact = _exact(value)
    if exact < 0:
        raise ValueError("must not be negative")
    if metric == DEPLOYMENT_FREQUENCY and exact == 0:
        raise ValueError("must be above 0 (every frequency is at least 0)")
    return exact * (factor if factor is not None else 1)


def _rate(value: int | float | str) -> Fraction:
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"\d+(?:\.\d+)?\s*%", text):
            raise ValueError(f'not a percentage: {value[:40]!r} (expected e.g. "10%" or 0.1)')
        exact = Fraction(text.rstrip("%").strip()) / 100
    else:
        exact = _exact(value)
        if exact > 1:
            raise ValueError(f'a fraction from 0 to 1 (write "{value}%" for {value} percent)')
    if not 0 <= exact <= 1:
        raise ValueError("must be from 0 % to 100 %")
    return exact


def _exact(value: int | float) -> Fraction:
    """The number as written: 0.1 is 1/10 (its shortest repr), not the binary double."""
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _order_problems(metric: str, edges: list[Fraction]) -> list[Problem]:
    more = more_is_better(metric)
    for index in range(1, len(edges)):
        before, edge = edges[index - 1], edges[index]
        if (edge >= before) if more else (edge <= before):
            way = (
                "decrease (more is better: the best level's edge first)"
                if more
                else ("increase (less is better: the best level's edge first)")
            )
            return [
                (
                    ("edges", index),
                    f"edges must strictly {way}; edges[{index}] is not "
                    f"{'below' if more else 'above'} edges[{index - 1}]",
                )
            ]
    return []


def _unit_problem(unit: str, allowed: Mapping[str, object]) -> str:
    return f"must be one of {', '.join(allowed)}, got {unit[:40]!r}"


def _unknown_stage(name: str, stage_names: list[str]) -> str:
    listed = ", ".join(repr(n) for n in stage_names[:12])
    return f"no stage named {name[:40]!r} (the profile's stages: {listed})"


def _forms(metric: str) -> str:
    if metric in RATE_KEYS:
        return ' or a percentage ("10%")'
    if metric == DEPLOYMENT_FREQUENCY:
        return ""
    return ' or a duration ("4h")'


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
