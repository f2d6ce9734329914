"""Derived data kept current in bounded chunks: what each deployment shipped, then a
profile's timelines.

``refresh(engine, profile)`` brings the profile's timeline set up to the change log's head.
It is the one refresh behind the CLI (in the foreground, with a progress bar) and the
server's background refresher (``services/refresher.py``); a read never runs it.

Why in chunks: a first build at a few hundred thousand records takes minutes. Held in one
write transaction it would stop every webhook and API write for that long. Here each step
holds the write lock for milliseconds:

1. shipments: the ancestry walk runs in a read snapshot; only the changed rows are written
   (``services/shipments.refresh``);
2. claim: one short write transaction creates the set (incomplete) or starts an incremental
   build, fixing its ``target`` — the change-log head it brings the set to;
3. chunks of ``REBUILD_CHUNK`` changes, in key order: their records are read in a snapshot
   taken after the claim (so it holds every record up to ``target``), linked and built
   outside any transaction, then written in one short write transaction together with the
   build's new cursor (a compare-and-set: see ``store/timelines.py``);
4. finish: the set's watermark becomes ``target``; a first build marks it complete.

A kill at any moment leaves the set at a chunk boundary; the next refresh (of any process)
resumes from the stored cursor. Records written during a build are past ``target``: the
next refresh rebuilds the changes they touch. Two builders of one set (two servers, a server
and the CLI) never write the same chunk twice; the loser of a chunk goes on after the
winner's cursor.
"""

from __future__ import annotations

import hashlib
import json
import time
from bisect import bisect_right
from collections.abc import Callable

from sqlalchemy import Engine

from leadline.correlate.linking import Unit, link
from leadline.correlate.timeline import build_timeline, profile_unit, reads_change_requests
from leadline.profiles.loader import profile_to_dict
from leadline.profiles.models import Profile
from leadline.services import shipments
from leadline.store import changelog
from leadline.store import shipments as shipments_store
from leadline.store import timelines as store
from leadline.store.db import reading, writing
from leadline.store.neighbourhood import (
    all_change_keys,
    ensure_statistics,
    load_neighbourhood,
    resolve_refs,
)

Progress = Callable[[int, int], None]
Stop = Callable[[], bool]
REBUILD_CHUNK = 1000  # changes a chunk: about half a second of linking at 350k records
MAX_ROUNDS = 50  # builds of one refresh call while writers keep moving the head


def refresh(
    engine: Engine,
    profile: Profile,
    on_progress: Progress | None = None,
    stop: Stop | None = None,
    *,
    with_shipments: bool = True,
) -> int:
    """Bring the profile's timelines up to the change log's head as it was when called;
    returns how many changes were rebuilt. ``stop()`` is asked between chunks: when it says
    yes the build is left where it is (the next refresh resumes it). ``with_shipments``:
    refresh what deployments shipped first (the background refresher does that once for
    all its profiles)."""
    fingerprint = timeline_fingerprint(profile)
    with reading(engine) as conn:
        ts = store.get_set(conn, fingerprint)
        head = changelog.last_seq(conn)
        # Behind only when records arrived during the last walk: a build may since have
        # passed them (its target is the head at its claim), but not what they ship.
        shipped = shipments_store.watermark(conn)
    current = ts is not None and not ts.building and ts.watermark >= head
    if current and (shipped >= head or not with_shipments):
        return 0  # the common case: current, no write lock taken (the refresher walks
        # shipments once a cycle itself)
    if with_shipments:
        shipments.refresh(engine)
    rebuilt = 0
    for _ in range(MAX_ROUNDS):
        claimed = _claim(engine, profile, fingerprint)
        if claimed is None:
            break
        count, finished = _build(engine, profile, claimed, on_progress, stop)
        rebuilt += count
        if not finished:
            break  # stopped
        with reading(engine) as conn:
            ts = store.get_set(conn, fingerprint)
        if ts is not None and not ts.building and ts.watermark >= head:
            break
    return rebuilt


def _claim(engine: Engine, profile: Profile, fingerprint: str) -> store.TimelineSet | None:
    """The set with a build running towards the head: a new set, a build a killed builder
    left (resumed), or an incremental build started now; ``None`` when it is current."""
    with writing(engine) as conn:
        ts = store.get_set(conn, fingerprint)
        head = changelog.last_seq(conn)
        if ts is None:
            unit = profile_unit(profile)
            stages = len(profile.stages)
            return store.create_set(conn, fingerprint, profile.name, unit, stages, _now(), head)
        if ts.building:
            return ts
        if ts.watermark >= head:
            return None
        store.start_build(conn, ts, head)  # we hold the write lock: nobody raced us
        return store.get_set(conn, fingerprint)


def _build(
    engine: Engine,
    profile: Profile,
    ts: store.TimelineSet,
    on_progress: Progress | None,
    stop: Stop | None,
) -> tuple[int, bool]:
    """Run ``ts``'s build to its end: ``(changes built here, whether the build ended)``."""
    assert ts.target is not None
    full = not ts.complete
    unit: Unit = profile_unit(profile)
    itsm = reads_change_requests(profile)
    if full:
        with engine.connect() as conn, conn.begin():
            ensure_statistics(conn)  # PostgreSQL: ANALYZE what a fresh import left unanalyzed
    keys = _keys(engine, ts, unit)
    cursor, done = ts.cursor, ts.done
    at = 0 if cursor is None else bisect_right(keys, cursor)
    built_here = 0
    while at < len(keys):
        if stop is not None and stop():
            return built_here, False
        chunk = keys[at : at + REBUILD_CHUNK]
        with reading(engine) as conn:
            records = load_neighbourhood(conn, chunk, unit, change_requests=itsm)
        bundles = link(records, unit, keys=chunk)
        built = [t for k in sorted(bundles) if (t := build_timeline(profile, bundles[k]))]
        with writing(engine) as conn:
            won = store.advance(conn, ts, cursor, chunk[-1], done + len(chunk), len(keys))
            if won:  # a full build's keys past the cursor have no rows yet: nothing to drop
                store.replace(conn, ts.id, chunk, built, fresh=full)
        if won:
            cursor, done = chunk[-1], done + len(chunk)
            at += len(chunk)
            built_here += len(chunk)
            if on_progress is not None:
                on_progress(min(done, len(keys)), len(keys))
            continue
        with reading(engine) as conn:  # another builder wrote this chunk: go on after it
            now = store.get_set(conn, ts.fingerprint)
        if now is None or now.id != ts.id or now.target != ts.target:
            return built_here, True  # it finished the build (or the set was dropped)
        cursor, done = now.cursor, now.done
        at = 0 if cursor is None else bisect_right(keys, cursor)
    with writing(engine) as conn:
        if store.finish_build(conn, ts, cursor, _now()) and full:
            store.analyze(conn)
    if on_progress is not None:
        on_progress(len(keys), len(keys))
    return built_here, True


def _keys(engine: Engine, ts: store.TimelineSet, unit: Unit) -> list[str]:
    """The change keys the build covers, sorted: every change for a first build, else the
    changes the change log names between the watermark and the target."""
    assert ts.target is not None
    with reading(engine) as conn:
        if not ts.complete:  # string order (the cursor's), not the table's (repo, number)
            return sorted(all_change_keys(conn, unit))
        refs = changelog.refs_between(conn, ts.watermark, ts.target)
        return sorted(resolve_refs(conn, refs, unit))


# Bump when linking or stage rules change: every set is rebuilt. 2: the first-commit rule
# and the baseline flag (correlate/baseline.py); 3: an observed change is never baseline.
TIMELINE_VERSION = 3


#: Stage keys the stored timelines do not depend on (thresholds are read by the reports).
_NOT_STORED = ("name", "ideal", "acceptable", "minimum", "maximum")


def timeline_fingerprint(profile: Profile) -> str:
    """What a profile's timelines depend on: start, scope and each stage's event, filters
    and occurrence, and — only when given, so that other profiles keep their sets —
    ``completed_work: all`` (the stored completion time), ``categories`` (each change's
    stored category) and ``exclude`` (the records a change keeps). Not names,
    descriptions, thresholds, statistics, the dora block, ``workflow_order`` or
    ``deployments.baseline``, so editing those reuses the
    materialized timelines (every timeline stores its baseline flag and its stage times;
    those switches only decide which stored rows a report counts)."""
    data = profile_to_dict(profile)
    stages = [
        {k: v for k, v in stage.items() if k not in _NOT_STORED}
        | {"occurrence": profile.stages[i].effective_occurrence}
        for i, stage in enumerate(data["stages"])
    ]
    relevant = {
        "v": TIMELINE_VERSION,
        "start": data.get("start"),
        "scope": data.get("scope"),
        "stages": stages,
    }
    if profile.completed == "all":
        relevant["completed_work"] = "all"
    if profile.categories is not None:
        relevant["categories"] = data["categories"]
    if profile.exclude is not None:  # which PRs and commits count (not where rules came from)
        relevant["exclude"] = {k: v for k, v in data["exclude"].items() if k != "origins"}
    text = json.dumps(relevant, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> int:
    return int(time.time() * 1_000_000)
