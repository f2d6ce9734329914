"""Lead time by stage: from per-change stage times to the figures of a lead-time report.

Pure and vectorised (numpy): no database, no clock, no Python loops over changes.

* ``stage_durations`` turns a timeline matrix (one row per change, one column per stage,
  epoch seconds, ``NaN`` = the stage never happened) into stage durations: a stage lasts from
  the time of the nearest earlier stage that happened (or the start) to its own time,
  clamped at 0.
* ``aggregate`` takes a statistic of every stage over the changes and sums them into the
  total (the total is the sum of the stage statistics, not a statistic of per-change totals).
* ``explain_change`` shows the same rule for one change (``leadline lead-time --change``).

See ``docs/metrics.md`` for the definitions and the worked examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from leadline.errors import InputError
from leadline.metrics.ratings import rate_stage, rate_total
from leadline.metrics.stats import FloatArray, check_statistic, column_statistic
from leadline.profiles import Profile, Stage

MISSING_STAGES: tuple[str, ...] = ("zero", "exclude")


def stage_durations(start: npt.ArrayLike, times: npt.ArrayLike) -> FloatArray:
    """Duration of every stage of every change, in seconds.

    ``start`` has shape ``(n,)`` and ``times`` shape ``(n, k)``, both epoch seconds; ``NaN`` in
    ``times`` means the change never reached that stage. The result has shape ``(n, k)``:
    ``times[i, j]`` minus the time of the nearest earlier stage of change ``i`` that happened
    (or ``start[i]`` if none did), negative differences clamped to 0, and ``NaN`` where the
    stage did not happen. The reference is the earlier stage's own time, not the latest time
    seen so far: a stage that happened "too early" counts 0 and the next one is measured from it.
    """
    durations = stage_differences(start, times)
    np.maximum(durations, 0.0, out=durations)  # NaN (stage not reached) stays NaN
    return durations


def clamped_stages(start: npt.ArrayLike, times: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """``(n, k)``: where ``stage_durations`` clamped a negative difference to 0 (the stage's
    event came before the earlier stage's, or before the start)."""
    with np.errstate(invalid="ignore"):
        return stage_differences(start, times) < 0  # NaN compares False


def out_of_order(start: npt.ArrayLike, times: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """``(n,)``: the changes with a stage reached before the nearest earlier stage that
    happened (or before the start) — the changes ``workflow_order: enforce`` leaves out."""
    clamped = clamped_stages(start, times)
    return np.asarray(clamped.any(axis=1), dtype=np.bool_)


def first_out_of_order(
    start: float, times: Sequence[float | None]
) -> tuple[int, int | None] | None:
    """Why one change is out of order: ``(j, p)`` where stage ``j`` is the first stage reached
    before ``p``, the nearest earlier stage that happened (``None``: the start); ``None`` when
    its stages came in order. The same rule as ``clamped_stages`` (strictly earlier)."""
    previous, index = float(start), None
    for j, at in enumerate(times):
        if at is None or math.isnan(at):
            continue
        if at < previous:
            return j, index
        previous, index = float(at), j
    return None


def stage_differences(start: npt.ArrayLike, times: npt.ArrayLike) -> FloatArray:
    """``stage_durations`` before the clamp: a stage's time minus the nearest earlier stage's
    that happened (or the start); negative where the events came out of order."""
    starts = np.asarray(start, dtype=np.float64)
    stamps = np.asarray(times, dtype=np.float64)
    if stamps.ndim != 2:
        raise ValueError(f"times must be a 2-D array (changes × stages), got {stamps.ndim}-D")
    rows, columns = stamps.shape
    if starts.shape != (rows,):
        raise ValueError(f"start must have shape ({rows},), got {starts.shape}")
    if np.isnan(starts).any():
        raise ValueError("every change needs a start time (start contains NaN)")

    # Stage by stage (a loop over the k stages, each step vectorised over the n changes):
    # ``previous`` is the time of the nearest earlier stage that happened, or the start.
    by_stage = np.ascontiguousarray(stamps.T)
    out = np.empty((columns, rows), dtype=np.float64)
    previous = starts
    for j in range(columns):
        np.subtract(by_stage[j], previous, out=out[j])
        if j + 1 < columns:
            previous = np.where(np.isnan(by_stage[j]), previous, by_stage[j])
    # (n, k) with each stage contiguous: the per-stage statistics read columns.
    durations: FloatArray = out.T
    return durations


@dataclass(frozen=True, slots=True)
class StageResult:
    """One stage of a lead-time report."""

    name: str
    seconds: float
    samples: int
    missing: int
    rating: str | None
    outliers: int = 0
    minimum: float | None = None
    maximum: float | None = None

    @property
    def bounded(self) -> bool:
        """The stage has outlier bounds (then its JSON says them and the outliers)."""
        return self.minimum is not None or self.maximum is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "seconds": float(self.seconds),
            "samples": int(self.samples),
            "missing": int(self.missing),
            "rating": self.rating,
        }
        if self.bounded:
            out["minimum"] = self.minimum
            out["maximum"] = self.maximum
            out["outliers"] = int(self.outliers)
        return out


@dataclass(frozen=True, slots=True)
class LeadTimeResult:
    """A lead-time report: the statistic of every stage and their sum."""

    stages: tuple[StageResult, ...]
    changes: int
    total_seconds: float
    rating: str | None

    def to_json(self, profile_name: str, statistic: str) -> dict[str, Any]:
        """The ``lead-time --format json`` document (docs/lead-time.md)."""
        return {
            "profile": profile_name,
            "statistic": statistic,
            "changes": int(self.changes),
            "stages": [stage.to_json() for stage in self.stages],
            "total_seconds": float(self.total_seconds),
            "rating": self.rating,
        }


def check_missing_stages(mode: str) -> str:
    """Return ``mode`` if it is ``zero`` or ``exclude``; raise ``InputError`` otherwise."""
    if mode not in MISSING_STAGES:
        allowed = ", ".join(MISSING_STAGES)
        raise InputError(
            f"unknown missing_stages mode {mode!r}; use one of: {allowed}",
            [f"missing_stages: must be one of {allowed}"],
        )
    return mode


def outliers(durations: npt.ArrayLike, stages: Sequence[Stage]) -> npt.NDArray[np.bool_]:
    """``(n, k)``: the stage durations outside their stage's ``[minimum, maximum]`` (bounds
    inclusive: a duration equal to a bound is kept). A stage not reached is never an outlier,
    nor is any duration of a stage without bounds."""
    data = np.asarray(durations, dtype=np.float64)
    low = np.array([-math.inf if s.minimum is None else s.minimum for s in stages])
    high = np.array([math.inf if s.maximum is None else s.maximum for s in stages])
    with np.errstate(invalid="ignore"):
        flags: npt.NDArray[np.bool_] = (data < low) | (data > high)  # NaN compares False
    return flags


def aggregate(
    durations: npt.ArrayLike,
    stages: Sequence[Stage],
    stat: str,
    missing_stages: str = "zero",
) -> LeadTimeResult:
    """Aggregate a ``(changes, stages)`` duration matrix (``NaN`` = stage not reached).

    ``missing_stages="zero"`` counts a missing stage as 0 seconds (every change is a sample);
    ``"exclude"`` leaves it out of that stage's statistic. A duration outside the stage's
    ``[minimum, maximum]`` is an outlier: left out of the statistic in both modes, and
    counted (``outliers``). ``total_seconds`` is the sum of the stage values. A stage is
    rated only when it has samples; the total only when there are changes. Zero changes give
    zeros everywhere, not an error.
    """
    check_statistic(stat)
    check_missing_stages(missing_stages)
    data = np.asarray(durations, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != len(stages):
        raise ValueError(f"durations must have shape (changes, {len(stages)}), got {data.shape}")
    changes = int(data.shape[0])
    not_reached = np.isnan(data)
    missing = not_reached.sum(axis=0)
    samples_matrix = np.where(not_reached, 0.0, data) if missing_stages == "zero" else data
    outlying = outliers(data, stages)
    if outlying.any():
        samples_matrix = np.where(outlying, math.nan, samples_matrix)
    values, samples = column_statistic(samples_matrix, stat)

    results = tuple(
        StageResult(
            name=stage.name,
            seconds=float(value),
            samples=int(count),
            missing=int(gone),
            rating=rate_stage(float(value), stage) if count > 0 else None,
            outliers=int(odd),
            minimum=stage.minimum,
            maximum=stage.maximum,
        )
        for stage, value, count, gone, odd in zip(
            stages, values, samples, missing, outlying.sum(axis=0), strict=True
        )
    )
    total = math.fsum(result.seconds for result in results)
    return LeadTimeResult(
        stages=results,
        changes=changes,
        total_seconds=total,
        rating=rate_total(total, stages) if changes > 0 else None,
    )


def change_totals(durations: npt.ArrayLike) -> FloatArray:
    """Each change's total lead time: the sum of its stage durations, a stage not reached
    counting 0 (the samples the DORA interval and comparison resample)."""
    data = np.asarray(durations, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"durations must be 2-D, got {data.ndim} dimension(s)")
    totals: FloatArray = np.where(np.isnan(data), 0.0, data).sum(axis=1)
    return totals


def lead_time(
    start: npt.ArrayLike, times: npt.ArrayLike, profile: Profile, stat: str = "mean"
) -> LeadTimeResult:
    """``aggregate(stage_durations(start, times), ...)`` with the profile's stages and mode."""
    return aggregate(stage_durations(start, times), profile.stages, stat, profile.missing_stages)


class StageTiming(TypedDict):
    """One stage of one change: when it was reached and how long it took."""

    name: str
    at: float | None
    seconds: float | None


class ChangeExplanation(TypedDict):
    """The stage-by-stage breakdown of one change (``lead-time --change KEY``)."""

    start: float
    stages: list[StageTiming]
    total_seconds: float


def explain_change(
    start: float, times: Sequence[float | None], stages: Sequence[Stage]
) -> ChangeExplanation:
    """Break one change down by stage with the same rule as ``stage_durations``.

    ``times[j]`` is when the change reached ``stages[j]`` (epoch seconds; ``None`` or ``NaN``
    = never). ``seconds`` is ``None`` for a stage that was not reached; ``total_seconds`` is
    the sum of the stages that were.
    """
    if len(times) != len(stages):
        raise ValueError(f"expected {len(stages)} stage times, got {len(times)}")
    row = np.array([[math.nan if t is None else float(t) for t in times]], dtype=np.float64)
    durations = stage_durations(np.array([float(start)]), row)[0]
    timings: list[StageTiming] = []
    for stage, at, seconds in zip(stages, row[0], durations, strict=True):
        reached = not math.isnan(at)
        timings.append(
            StageTiming(
                name=stage.name,
                at=float(at) if reached else None,
                seconds=float(seconds) if reached else None,
            )
        )
    total = math.fsum(t["seconds"] for t in timings if t["seconds"] is not None)
    return ChangeExplanation(start=float(start), stages=timings, total_seconds=total)
