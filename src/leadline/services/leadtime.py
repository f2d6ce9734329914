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

from leadline.domain.times import format_time, from_micros
from leadline.errors import NotFoundError, NotReady
from leadline.metrics.bands import add_stage_levels
from leadline.metrics.leadtime import (
    aggregate,
    change_totals,
    explain_change,
    stage_durations,
)
from leadline.metrics.series import bucket_index, buckets, window_json
from leadline.metrics.stats import FloatArray, check_statistic
from leadline.profiles.models import Profile
from leadline.services.refresh import Progress, refresh, timeline_fingerprint
from leadline.services.windows import Window
from leadline.store import changelog
from leadline.store import timelines as store
from leadline.store.db import reading

__all__ = ["Progress", "Window", "as_of", "explain", "lead_time", "ready_set", "refresh"]


def lead_time(
    engine: Engine,
    profile: Profile,
    stat: str = "mean",
    window: Window | None = None,
    on_progress: Progress | None = None,
    interval: str | None = None,
    *,
    build: bool = True,
) -> dict[str, Any]:
    """``lead-time --format json`` for the changes that finished in ``window``.

    With ``interval`` (and a closed window) the result also has ``series``: per day, week
    or month (by when each change reached its last stage) the changes and the total.
    Without ``build`` the answer comes from the last complete build and carries ``as_of``.
    """
    out, _ = lead_time_and_totals(engine, profile, stat, window, on_progress, interval, build=build)
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
) -> tuple[dict[str, Any], FloatArray]:
    """``lead_time`` and each counted change's total lead time in seconds (``change_totals``)."""
    check_statistic(stat)
    if build:
        refresh(engine, profile, on_progress)
    start_us, end_us = (window or Window()).micros()
    include = profile.deployments.baseline == "include"
    with reading(engine) as conn:
        ts = ready_set(conn, profile)
        matrix = store.read_matrix(conn, ts, start_us, end_us, baseline=None if include else False)
        in_flight = store.count_in_flight(conn, ts)
        baseline = store.count_baseline(conn, ts, start_us, end_us)
        fresh = None if build else as_of(conn, ts)
    durations = stage_durations(matrix.start, matrix.times)
    durations /= 1_000_000.0
    result = aggregate(durations, profile.stages, stat, profile.missing_stages)
    out = result.to_json(profile.name, stat)
    if profile.dora is not None:  # maturity levels per stage, when dora.bands gives ranges
        add_stage_levels(out["stages"], profile.dora.bands)
    out["window"] = window_json(start_us, end_us)
    out["in_flight"] = in_flight
    out["baseline"] = baseline_section(baseline, include)
    if interval is not None and start_us is not None and end_us is not None:
        out["series"] = _series(profile, stat, durations, matrix.end, start_us, end_us, interval)
    if fresh is not None:
        out["as_of"] = fresh
    return out, change_totals(durations)


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
            {"start": bucket.label, "changes": part.changes, "total_seconds": part.total_seconds}
        )
    return points


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
    }


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
