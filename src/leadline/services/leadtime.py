"""Lead time by stage: keep each profile's timelines current, then aggregate them."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, text

from leadline.correlate.linking import link
from leadline.correlate.timeline import build_timeline, profile_unit
from leadline.domain.times import format_time, from_micros, to_micros
from leadline.errors import InputError, NotFoundError
from leadline.metrics.leadtime import aggregate, explain_change, stage_durations
from leadline.metrics.series import bucket_index, buckets
from leadline.metrics.stats import check_statistic
from leadline.profiles.loader import profile_to_dict
from leadline.profiles.models import Profile
from leadline.services import shipments
from leadline.store import changelog
from leadline.store import timelines as store
from leadline.store.db import reading, writing
from leadline.store.neighbourhood import (
    _chunks,
    all_change_keys,
    ensure_statistics,
    load_neighbourhood,
    resolve_refs,
)

Progress = Callable[[int, int], None]
REBUILD_CHUNK = 1000


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise InputError(
                f"--from {format_time(self.start)} is not before --to {format_time(self.end)}"
            )

    def micros(self) -> tuple[int | None, int | None]:
        return (
            None if self.start is None else to_micros(self.start),
            None if self.end is None else to_micros(self.end),
        )


def refresh(engine: Engine, profile: Profile, on_progress: Progress | None = None) -> int:
    """Bring the profile's timelines up to date; returns how many changes were rebuilt.

    The first call for a profile builds every change; later calls rebuild only the changes
    that the change log names after the set's watermark.
    """
    fingerprint = timeline_fingerprint(profile)
    unit = profile_unit(profile)
    with reading(engine) as conn:  # the common case: up to date, no write lock needed
        ts = store.get_set(conn, fingerprint)
        if ts is not None and ts.watermark >= changelog.last_seq(conn):
            return 0
    with writing(engine) as conn:
        _lock(conn, fingerprint)
        shipments.update(conn)  # may log more refs: read the head after it
        ts = store.get_set(conn, fingerprint)
        head = changelog.last_seq(conn)
        if ts is not None and ts.watermark >= head:
            return 0
        fresh = ts is None  # a set created now has no rows to replace
        if ts is None:
            ts = store.create_set(
                conn, fingerprint, profile.name, unit, len(profile.stages), _now()
            )
            keys = all_change_keys(conn, unit)
            ensure_statistics(conn)
        else:
            keys = sorted(resolve_refs(conn, changelog.refs_since(conn, ts.watermark), unit))
        done = 0
        for chunk in _chunks(keys, REBUILD_CHUNK):
            records = load_neighbourhood(conn, chunk, unit)
            bundles = link(records, unit, keys=chunk)
            built = [build_timeline(profile, bundles[k]) for k in sorted(bundles)]
            store.replace(conn, ts.id, chunk, [b for b in built if b is not None], fresh)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, len(keys))
        if fresh:
            store.analyze(conn)
        store.set_watermark(conn, ts.id, head, _now())
        return len(keys)


def lead_time(
    engine: Engine,
    profile: Profile,
    stat: str = "mean",
    window: Window | None = None,
    on_progress: Progress | None = None,
    interval: str | None = None,
) -> dict[str, Any]:
    """CONTRACT §3 ``lead-time --format json`` for the changes that finished in ``window``.

    With ``interval`` (and a closed window) the result also has ``series``: per day, week
    or month (by when each change reached its last stage) the changes and the total.
    """
    check_statistic(stat)
    refresh(engine, profile, on_progress)
    start_us, end_us = (window or Window()).micros()
    with reading(engine) as conn:
        ts = _set(conn, profile)
        matrix = store.read_matrix(conn, ts, start_us, end_us)
        in_flight = store.count_in_flight(conn, ts)
    durations = stage_durations(matrix.start, matrix.times)
    durations /= 1_000_000.0
    result = aggregate(durations, profile.stages, stat, profile.missing_stages)
    out = result.to_json(profile.name, stat)
    out["in_flight"] = in_flight
    if interval is not None and start_us is not None and end_us is not None:
        out["series"] = _series(profile, stat, durations, matrix.end, start_us, end_us, interval)
    return out


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
    engine: Engine, profile: Profile, key: str, on_progress: Progress | None = None
) -> dict[str, Any]:
    """CONTRACT §3 ``lead-time --change KEY``: each stage's time, duration and record."""
    refresh(engine, profile, on_progress)
    with reading(engine) as conn:
        ts = _set(conn, profile)
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
    }


TIMELINE_VERSION = 1  # bump when linking or stage rules change: every set is rebuilt


def timeline_fingerprint(profile: Profile) -> str:
    """What a profile's timelines depend on: start, scope and each stage's event, filters
    and occurrence — not names, descriptions, thresholds, statistics or the dora block, so
    editing those reuses the materialized timelines."""
    data = profile_to_dict(profile)
    stages = [
        {k: v for k, v in stage.items() if k not in ("name", "ideal", "acceptable")}
        | {"occurrence": profile.stages[i].effective_occurrence}
        for i, stage in enumerate(data["stages"])
    ]
    relevant = {
        "v": TIMELINE_VERSION,
        "start": data.get("start"),
        "scope": data.get("scope"),
        "stages": stages,
    }
    text = json.dumps(relevant, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _set(conn: Connection, profile: Profile) -> store.TimelineSet:
    ts = store.get_set(conn, timeline_fingerprint(profile))
    assert ts is not None, "refresh() creates the set"
    return ts


def _lock(conn: Connection, fingerprint: str) -> None:
    """Serialise refreshes of one profile across processes (SQLite already holds the lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:fp))"), {"fp": fingerprint})


def _now() -> int:
    return int(time.time() * 1_000_000)
