"""Lead time by stage: aggregate a profile's materialized timelines.

``build=True`` (the CLI) first brings the timelines up to date (``services/refresh.py``, in
chunks, with progress). ``build=False`` (the server) never writes: it answers from the last
complete build, says how current that is (``as_of``), and raises ``NotReady`` with the
build's progress while a profile's first build is still running — the server's background
refresher does the building.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from leadline.correlate.categories import UNCATEGORIZED
from leadline.domain.times import format_time, from_micros
from leadline.errors import InputError, NotFoundError, NotReady
from leadline.metrics.bands import add_stage_levels
from leadline.metrics.leadtime import (
    LeadTimeResult,
    aggregate,
    change_totals,
    explain_change,
    first_out_of_order,
    out_of_order,
    outliers,
    stage_durations,
)
from leadline.metrics.series import bucket_index, buckets, window_json
from leadline.metrics.stats import FloatArray, check_statistic
from leadline.metrics.windows import Window
from leadline.profiles.models import Profile
from leadline.services.leadtime_groups import GROUPINGS, by_group
from leadline.services.refresh import Progress, refresh, timeline_fingerprint
from leadline.store import changelog
from leadline.store import timelines as store
from leadline.store.db import reading
from leadline.store.timeline_groups import read_grouped

__all__ = ["Progress", "Window", "as_of", "explain", "lead_time", "ready_set", "refresh"]

# The groupings of ``lead_time(by=…)``: the profile's categories, or a record attribute
# (services/leadtime_groups.py).
BY: tuple[str, ...] = ("category", *GROUPINGS)


def lead_time(
    engine: Engine,
    profile: Profile,
    stat: str = "mean",
    window: Window | None = None,
    on_progress: Progress | None = None,
    interval: str | None = None,
    *,
    build: bool = True,
    by: str | None = None,
) -> dict[str, Any]:
    """``lead-time --format json`` for the changes that finished in ``window``.

    With ``interval`` (and a closed window) the result also has ``series``: per day, week
    or month (by when each change reached its last stage) the changes, the total and each
    stage's figure (``stages``: ``{name, seconds, samples}``, the stacked trend).
    Without ``build`` the answer comes from the last complete build and carries ``as_of``.
    ``by="category"``: also ``categories``, the same figures per profile category;
    ``by`` type, priority, label or project: ``by`` and ``groups``, the same figures per
    value of the change's record attribute (``services/leadtime_groups.py``).
    """
    out, _ = lead_time_and_totals(
        engine, profile, stat, window, on_progress, interval, build=build, by=by
    )
    return out


def lead_time_and_totals(
    engine: Engine,
    profile: Profile,
    stat: str = "mean",
    window: Window | None = None,
    on_progress: Progress | None = None,
    interval: str | None = None,
    *,
    build: bool = True,
    by: str | None = None,
) -> tuple[dict[str, Any], FloatArray]:
    """``lead_time`` and each counted change's total lead time in seconds (``change_totals``;
    a stage duration outside the stage's ``minimum``/``maximum`` counts 0 there)."""
    check_statistic(stat)
    check_by(profile, by)
    if build:
        refresh(engine, profile, on_progress)
    start_us, end_us = (window or Window()).micros()
    include = profile.deployments.baseline == "include"
    with reading(engine) as conn:
        ts = ready_set(conn, profile)
        matrix = (
            read_grouped(conn, ts, start_us, end_us, by, baseline=None if include else False)
            if by in GROUPINGS else store.read_matrix(
                conn, ts, start_us, end_us, baseline=None if include else False,
                with_ends=profile.completed == "all", with_categories=by == "category",
            )
        )  # fmt: skip
        in_flight = store.count_in_flight(conn, ts)
        baseline = store.count_baseline(conn, ts, start_us, end_us)
        fresh = None if build else as_of(conn, ts)
    matrix, unordered = in_order(profile, matrix)
    durations = stage_durations(matrix.start, matrix.times)
    durations /= 1_000_000.0
    result = aggregate(durations, profile.stages, stat, profile.missing_stages)
    out = result.to_json(profile.name, stat)
    if profile.dora is not None:  # maturity levels per stage, when dora.bands gives ranges
        add_stage_levels(out["stages"], profile.dora.bands)
    out["window"] = window_json(start_us, end_us)
    out["in_flight"] = in_flight
    out["baseline"] = baseline_section(baseline, include)
    if profile.workflow_order is not None:
        out["out_of_order"] = {"changes": unordered, "excluded": profile.order == "enforce"}
    if profile.completed_work is not None:
        out["completed_work"] = completed_section(profile, matrix)
    if by == "category":
        out["categories"] = _by_category(profile, stat, durations, matrix.categories or [])
    if by in GROUPINGS:
        out |= by_group(profile, stat, durations, str(by), matrix.groups or [])
    if interval is not None and start_us is not None and end_us is not None:
        out["series"] = _series(profile, stat, durations, matrix.end, start_us, end_us, interval)
    if fresh is not None:
        out["as_of"] = fresh
    kept = np.where(outliers(durations, profile.stages), np.nan, durations)
    return out, change_totals(kept)


def check_by(profile: Profile, by: str | None) -> None:
    """``by`` is ``None`` or a grouping the profile can give (``category`` needs
    ``categories``); an ``InputError`` otherwise."""
    if by is None:
        return
    if by not in BY:
        raise InputError(f"--by: unknown grouping {by!r} (expected one of {', '.join(BY)})")
    if by == "category" and profile.categories is None:
        raise InputError(
            f"--by category: profile {profile.name!r} has no categories "
            "(add a categories list: docs/profiles.md#categories)"
        )


def in_order(profile: Profile, matrix: store.Matrix) -> tuple[store.Matrix, int]:
    """The rows a report counts under ``workflow_order``, and how many of the window's rows
    are out of order (a stage reached before the stage before it, or before the start):
    ``enforce`` leaves those out, ``allow_exceptions`` (the default) counts them, their
    early stages counting 0."""
    flags = out_of_order(matrix.start, matrix.times)
    count = int(flags.sum())
    if profile.order != "enforce" or count == 0:
        return matrix, count
    keep = ~flags
    rows = np.flatnonzero(keep).tolist()
    keys = None if matrix.keys is None else [matrix.keys[i] for i in rows]
    cats = None if matrix.categories is None else [matrix.categories[i] for i in rows]
    groups = None if matrix.groups is None else [matrix.groups[i] for i in rows]
    narrowed = store.Matrix(
        keys, matrix.start[keep], matrix.times[keep], matrix.end[keep], cats, groups
    )
    return narrowed, count


def completed_section(profile: Profile, matrix: store.Matrix) -> dict[str, Any]:
    """The ``completed_work`` part of a lead-time JSON: the switch, and how many counted
    changes finished without reaching the last (deployment) stage."""
    not_deployed = int(np.isnan(matrix.times[:, -1]).sum()) if len(profile.stages) else 0
    return {"work": profile.completed, "not_deployed": not_deployed}


def _by_category(
    profile: Profile, stat: str, durations: Any, categories: list[str | None]
) -> list[dict[str, Any]]:
    """Each category's figures, in the profile's order (then the uncategorized changes, if
    any): its sample size (``changes``), per-stage figures, total and rating."""
    names = [c.name for c in profile.categories or []]
    if any(c is None for c in categories):
        names.append(UNCATEGORIZED)
    labels = np.array([UNCATEGORIZED if c is None else c for c in categories], dtype=object)
    out = []
    for name in names:
        rows = durations[labels == name] if len(labels) else durations[:0]
        part = aggregate(rows, profile.stages, stat, profile.missing_stages)
        entry = part.to_json(profile.name, stat)
        del entry["profile"], entry["statistic"]
        out.append({"name": name, **entry})
    return out


def baseline_section(changes: int, included: bool) -> dict[str, Any]:
    """The ``baseline`` part of a lead-time JSON: how many changes (or commits) of the window
    a first known deployment shipped from before tracking began, and whether they are in
    the figures (``deployments.baseline: include``) or left out (the default)."""
    return {"changes": changes, "included": included}


def _series(
    profile: Profile,
    stat: str,
    durations: Any,
    ends: Any,
    start_us: int,
    end_us: int,
    interval: str,
) -> list[dict[str, Any]]:
    grid = buckets(start_us, end_us, interval)
    index = bucket_index(ends, grid, start_us, end_us)
    # The rows grouped by bucket: each bucket one slice (statistics ignore the row order).
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(grid) + 1))
    points = []
    for i, bucket in enumerate(grid):
        rows = durations[order[bounds[i] : bounds[i + 1]]]
        part = aggregate(rows, profile.stages, stat, profile.missing_stages)
        points.append(
            {"start": bucket.label, "changes": part.changes, "total_seconds": part.total_seconds,
             "stages": stage_points(part)}
        )  # fmt: skip
    return points


def stage_points(part: LeadTimeResult) -> list[dict[str, Any]]:
    """A series bucket's figure of each stage, the statistic the headline's stage table uses
    over the bucket's changes: ``{name, seconds, samples}``, ``seconds`` ``None`` for a stage
    with no sample in the bucket (no data, not 0)."""
    return [
        {"name": s.name, "seconds": s.seconds if s.samples else None, "samples": s.samples}
        for s in part.stages
    ]


def explain(
    engine: Engine,
    profile: Profile,
    key: str,
    on_progress: Progress | None = None,
    *,
    build: bool = True,
) -> dict[str, Any]:
    """``lead-time --change KEY``: each stage's time, duration and record."""
    if build:
        refresh(engine, profile, on_progress)
    with reading(engine) as conn:
        ts = ready_set(conn, profile)
        stored = store.read_one(conn, ts, key)
    if stored is None:
        raise NotFoundError(
            f"no change {key!r} under profile {profile.name!r} "
            "(unknown key, out of the profile's scope, or not started)"
        )
    times = [None if t is None else float(t) for t in stored.times]
    explained = explain_change(float(stored.start_at), times, profile.stages)
    stages = []
    for stage, source in zip(explained["stages"], stored.sources[1:], strict=True):
        at = stage["at"]
        seconds = stage["seconds"]
        stages.append(
            {
                "name": stage["name"],
                "at": None if at is None else format_time(from_micros(int(at))),
                "seconds": None if seconds is None else seconds / 1_000_000.0,
                "source": source,
            }
        )
    return {
        "change": key,
        "start": format_time(from_micros(stored.start_at)),
        "start_source": stored.sources[0],
        "stages": stages,
        "total_seconds": float(explained["total_seconds"]) / 1_000_000.0,
        "baseline": stored.baseline,
        **_explained_options(profile, stored, times),
    }


def _explained_options(
    profile: Profile, stored: store.StoredTimeline, times: list[float | None]
) -> dict[str, Any]:
    """What the options a profile sets say about one change (nothing for a profile that
    sets none, so its explanation is as it always was)."""
    out: dict[str, Any] = {}
    if profile.workflow_order is not None:
        why = order_reason(profile, float(stored.start_at), times)
        out["out_of_order"] = why
        out["excluded"] = f"out of order ({why})" if why and profile.order == "enforce" else None
    if profile.completed_work is not None:
        finished = stored.end_at
        out["completed"] = None if finished is None else {
            "at": format_time(from_micros(finished)),
            "source": stored.extras.get("completed", stored.sources[-1]),
        }  # fmt: skip
    if profile.categories is not None:
        out["category"] = stored.extras.get("category", UNCATEGORIZED)
    if profile.scope.people is not None:  # who the change counts for
        out["member"] = stored.extras.get("member")
    return out


def order_reason(profile: Profile, start: float, times: list[float | None]) -> str | None:
    """``stage X before stage Y`` (or ``before the start``) for a change whose stages came
    out of order (``metrics.leadtime.first_out_of_order``), else ``None``."""
    found = first_out_of_order(start, times)
    if found is None:
        return None
    j, previous = found
    before = "the start" if previous is None else f"stage {profile.stages[previous].name}"
    return f"stage {profile.stages[j].name} before {before}"


def ready_set(conn: Connection, profile: Profile) -> store.TimelineSet:
    """The profile's timeline set, once its first build is complete; ``NotReady`` (with the
    build's progress) before."""
    ts = store.get_set(conn, timeline_fingerprint(profile))
    if ts is None or not ts.complete:
        raise NotReady(profile.name, ts.done if ts else 0, ts.total if ts else 0)
    return ts


def as_of(conn: Connection, ts: store.TimelineSet) -> dict[str, Any]:
    """How current an answer from ``ts`` is: the change-log position it reflects, the head,
    how many change-log entries wait past it, and when it was last brought up to date."""
    head = changelog.last_seq(conn)
    return {
        "position": ts.watermark,
        "head": head,
        "waiting": max(0, head - ts.watermark),
        "updated_at": format_time(from_micros(ts.built_at)),
    }
