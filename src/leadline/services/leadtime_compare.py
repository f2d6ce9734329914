"""What-if: the same window's lead time under two profiles (``lead-time --profile A
--profile B``, ``/v1/metrics/lead-time/compare``, the dashboard's ``/compare``).

Each side is that profile's own lead-time report (``services/leadtime.py``), so a side's
figures are exactly what ``lead-time --profile X`` gives. The stages are matched by name (a
stage only one profile has shows ``None`` on the other side); each difference is B − A, in
seconds and in % of A (``None`` when either side has no data, or A is 0). The changes both
profiles count (the same change key) are listed with their total under each and the
difference, the biggest differences first, at most ``SHOWN`` of them (``both`` is how many
there are). A change's total is the sum of its stage durations (a stage not reached, or out
of the stage's ``minimum``/``maximum``, counts 0), as the DORA comparison resamples it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sqlalchemy import Engine

from leadline.metrics.leadtime import change_totals, outliers, stage_durations
from leadline.metrics.windows import Window
from leadline.profiles.models import Profile
from leadline.services.leadtime import in_order, lead_time, ready_set
from leadline.services.refresh import Progress
from leadline.store import timelines as store
from leadline.store.db import reading

SHOWN = 200  # the changes both count, listed (the biggest differences first)


def compare(
    engine: Engine,
    a: Profile,
    b: Profile,
    stat: str = "mean",
    window: Window | None = None,
    on_progress: Progress | None = None,
    *,
    build: bool = True,
) -> dict[str, Any]:
    """The what-if document (docs/lead-time.md#what-if)."""
    left = lead_time(engine, a, stat, window, on_progress, build=build)
    right = lead_time(engine, b, stat, window, on_progress, build=build)
    totals_a = change_totals_by_key(engine, a, window)
    totals_b = change_totals_by_key(engine, b, window)
    both = sorted(set(totals_a) & set(totals_b))
    both.sort(key=lambda k: (-abs(totals_b[k] - totals_a[k]), k))  # the biggest first
    items = [
        {"change": k, "a_seconds": totals_a[k], "b_seconds": totals_b[k],
         "difference_seconds": totals_b[k] - totals_a[k]}
        for k in both
    ]  # fmt: skip
    out: dict[str, Any] = {
        "statistic": stat,
        "window": left["window"],
        "a": _side(left),
        "b": _side(right),
        "stages": stage_rows(left["stages"], right["stages"]),
        "total": difference(_total(left), _total(right)),
        "changes": {"both": len(items), "shown": min(len(items), SHOWN), "items": items[:SHOWN]},
    }
    fresh = [s["as_of"] for s in (left, right) if "as_of" in s]
    if fresh:
        out["as_of"] = fresh[0]
    return out


def _side(report: dict[str, Any]) -> dict[str, Any]:
    keep = ("profile", "changes", "total_seconds", "rating", "stages")
    side = {k: report[k] for k in keep}
    side["total_seconds"] = _total(report)
    return side


def _total(report: dict[str, Any]) -> float | None:
    return float(report["total_seconds"]) if report["changes"] else None


def _seconds(stage: dict[str, Any] | None) -> float | None:
    """A stage's figure, ``None`` (no data, not 0) when it has no samples."""
    if stage is None or not stage["samples"]:
        return None
    return float(stage["seconds"])


def difference(a: float | None, b: float | None) -> dict[str, Any]:
    """``a``, ``b``, ``b − a`` and that in % of ``a`` (``None`` where it cannot be said)."""
    diff = None if a is None or b is None else b - a
    percent = None if diff is None or not a else diff / a * 100.0
    return {"a_seconds": a, "b_seconds": b, "difference_seconds": diff,
            "difference_percent": percent}  # fmt: skip


def stage_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stages of both, matched by name: A's in its order, then those only B has."""
    by_a = {s["name"]: s for s in a}
    by_b = {s["name"]: s for s in b}
    names = [s["name"] for s in a] + [s["name"] for s in b if s["name"] not in by_a]
    return [
        {"name": n, "in_a": n in by_a, "in_b": n in by_b,
         **difference(_seconds(by_a.get(n)), _seconds(by_b.get(n)))}
        for n in names
    ]  # fmt: skip


def change_totals_by_key(
    engine: Engine, profile: Profile, window: Window | None
) -> dict[str, float]:
    """Each change the profile's lead time counts in ``window``: its total in seconds (read
    from the last build: ``compare`` has brought it up to date when asked to)."""
    start_us, end_us = (window or Window()).micros()
    include = profile.deployments.baseline == "include"
    with reading(engine) as conn:
        ts = ready_set(conn, profile)
        matrix = store.read_matrix(
            conn, ts, start_us, end_us, True, baseline=None if include else False
        )
    matrix, _ = in_order(profile, matrix)
    durations = stage_durations(matrix.start, matrix.times) / 1_000_000.0
    kept = np.where(outliers(durations, profile.stages), np.nan, durations)
    totals = change_totals(kept)
    keys = matrix.keys or []
    return {k: float(t) for k, t in zip(keys, totals, strict=True) if math.isfinite(t)}
