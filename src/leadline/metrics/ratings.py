"""Ratings of a lead-time figure against a stage's ``ideal`` and ``acceptable`` thresholds.

* both thresholds: ``good`` (≤ ideal), ``needs_attention`` (≤ acceptable), ``slow`` (above);
* one threshold only: it is a pass/fail line — ``good`` (≤ it) or ``slow`` (above);
  the missing threshold is taken to be equal to the given one;
* no threshold: ``None``.

Comparisons are inclusive: a value exactly equal to a threshold is on the better side.
When ``acceptable`` < ``ideal`` (a profile mistake), ``good`` wins up to ``ideal`` and
anything above it is ``slow``.

The total is rated against the sums of the stages' (effective) thresholds, and only when
every stage has at least one threshold; otherwise its rating is ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadline.profiles import Stage

GOOD = "good"
NEEDS_ATTENTION = "needs_attention"
SLOW = "slow"


def thresholds(ideal: float | None, acceptable: float | None) -> tuple[float, float] | None:
    """The effective ``(ideal, acceptable)`` pair: a missing one copies the other."""
    if ideal is None:
        return None if acceptable is None else (float(acceptable), float(acceptable))
    if acceptable is None:
        return float(ideal), float(ideal)
    return float(ideal), float(acceptable)


def rate(value: float, ideal: float | None, acceptable: float | None) -> str | None:
    """Rate ``value`` (seconds) against the thresholds (seconds)."""
    pair = thresholds(ideal, acceptable)
    if pair is None:
        return None
    good, tolerable = pair
    if value <= good:
        return GOOD
    if value <= tolerable:
        return NEEDS_ATTENTION
    return SLOW


def stage_thresholds(stage: Stage) -> tuple[float, float] | None:
    """A stage's effective thresholds (``None`` when it has neither)."""
    return thresholds(stage.ideal, stage.acceptable)


def total_thresholds(stages: Sequence[Stage]) -> tuple[float, float] | None:
    """Sums of the stages' effective thresholds; ``None`` unless every stage has one."""
    pairs = [stage_thresholds(stage) for stage in stages]
    if not pairs or any(pair is None for pair in pairs):
        return None
    ideal = sum(pair[0] for pair in pairs if pair is not None)
    acceptable = sum(pair[1] for pair in pairs if pair is not None)
    return ideal, acceptable


def rate_stage(value: float, stage: Stage) -> str | None:
    """Rate one stage's value against its own thresholds."""
    return rate(value, stage.ideal, stage.acceptable)


def rate_total(value: float, stages: Sequence[Stage]) -> str | None:
    """Rate the total against the summed thresholds of all stages."""
    pair = total_thresholds(stages)
    if pair is None:
        return None
    return rate(value, pair[0], pair[1])
