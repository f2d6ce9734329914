"""PR lead time by stage, and its trend (docs/flow.md, "PR lead time by stage").

Pure: the service (``services/pr_lead_time.py``) reads each merged pull request's events;
this module turns them into stage durations and aggregates them. Times are integer
microseconds since the epoch; results are seconds.

A pull request's events, in order: its **first commit** (the earliest commit time of its
commits), its **creation**, its **first comment** (the earliest review of any state), its
**first approval** (the earliest approved review) and its **merge**. The stages are the
spans between them:

=====================  ===================================
PR creation            creation − first commit
Time to first comment  first comment − creation
Approval               first approval − first comment
Merge                  merge − first approval
=====================  ===================================

Missing events: a stage whose event is missing (no known commit, no review, no approval)
is *missing* (not a sample, not zero), and the next stage is measured from the last event
reached, so a PR's stages still add up to merge − its first event. A review after the merge
gated nothing and is not counted. A negative span (a PR opened before its first commit's
time, e.g. after a rebase) counts 0.

Per stage: the statistic (mean, median, p90, p95; ``metrics/stats.py``) over its samples,
the samples and the missing; the total is the sum of the stage figures (the seed's
"total = sum"), as lead time by stage adds its stages. The trend buckets the PRs by merge
time (``metrics/series.py``); an empty bucket has no figure (``None``), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadline.metrics.series import bucket_index, buckets
from leadline.metrics.stats import FloatArray, check_statistic, column_statistic

STAGES: tuple[tuple[str, str], ...] = (
    ("pr_creation", "PR creation"),
    ("first_comment", "Time to first comment"),
    ("approval", "Approval"),
    ("merge", "Merge"),
)
US = 1_000_000.0


@dataclass(frozen=True)
class PrEvents:
    """One merged pull request's events (micros; ``None``: unknown)."""

    key: str
    created: int
    merged: int
    first_commit: int | None = None
    first_comment: int | None = None
    first_approval: int | None = None


def durations(pr: PrEvents) -> list[float | None]:
    """The PR's four stage durations in seconds (``None``: missing), module doc."""

    def gated(at: int | None) -> int | None:
        return at if at is not None and at <= pr.merged else None

    points = [
        pr.first_commit,
        pr.created,
        gated(pr.first_comment),
        gated(pr.first_approval),
        pr.merged,
    ]
    out: list[float | None] = []
    last = points[0]
    for at in points[1:]:
        if at is None:
            out.append(None)
            continue
        out.append(None if last is None else max(at - last, 0) / US)
        last = at
    return out


def matrix(prs: Sequence[PrEvents]) -> FloatArray:
    """One row per PR, one column per stage; ``NaN`` for a missing stage."""
    rows = [[np.nan if d is None else d for d in durations(p)] for p in prs]
    return np.asarray(rows, dtype=np.float64).reshape(len(prs), len(STAGES))


@dataclass(frozen=True)
class Summary:
    prs: int
    stages: list[dict[str, Any]]
    total_seconds: float | None  # the sum of the stage figures; None without a PR

    def to_json(self) -> dict[str, Any]:
        return {"prs": self.prs, "stages": self.stages, "total_seconds": self.total_seconds}


def summarize(data: FloatArray, stat: str) -> Summary:
    """Per stage: the statistic of its samples (``None`` without one), samples, missing."""
    check_statistic(stat)
    values, samples = column_statistic(data, stat)
    stages = []
    for (key, name), value, n in zip(STAGES, values.tolist(), samples.tolist(), strict=True):
        stages.append(
            {
                "key": key,
                "name": name,
                "seconds": value if n else None,
                "samples": n,
                "missing": len(data) - n,
            }
        )
    total = sum(s["seconds"] or 0.0 for s in stages) if len(data) else None
    return Summary(len(data), stages, total)


def trend(
    data: FloatArray, merged: Sequence[int], stat: str, start_us: int, end_us: int, interval: str
) -> list[dict[str, Any]]:
    """Per bucket of merge time: its start, the PRs, each stage's figure (``None`` without a
    sample) and samples, and the total (``None`` in an empty bucket)."""
    grid = buckets(start_us, end_us, interval)
    index = bucket_index(np.asarray(merged, dtype=np.int64), grid, start_us, end_us)
    points = []
    for i, bucket in enumerate(grid):
        part = summarize(data[index == i], stat)
        points.append(
            {
                "start": bucket.label,
                "prs": part.prs,
                "total_seconds": part.total_seconds,
                "stages": {s["key"]: s["seconds"] for s in part.stages},
                "samples": {s["key"]: s["samples"] for s in part.stages},
            }
        )
    return points
