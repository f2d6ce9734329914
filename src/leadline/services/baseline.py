"""Baseline deployments for the data-quality report (``leadline doctor``'s check
``baseline_deployment``).

``baseline_deployments(engine, profile_or_scope, window)`` answers how many deployments in
the window are the first known deployment of their stream and shipped commits from before
their repository's tracking start that no other run observed (named) — the commits lead
time leaves out by default — and lists up to ``EXAMPLES`` of them, newest first. The rule
is ``correlate/baseline.py``'s; the marks are the stored ones (``store/baseline.py``),
brought up to date first unless ``build`` is false (the server's reads never write). See
docs/deployments.md#baseline-deployments.

``commit_flags`` is the commit lead time's half (``dora.lead_time: commits``): which of the
shipped commits are baseline, from the deployments the report read (its own marks, not the
stored ones, so the figure never depends on a refresh); only the commits that predate
tracking are looked up among the SHAs other runs name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from leadline.correlate.ancestry import Deployment
from leadline.correlate.baseline import (
    TrackingKey,
    baseline_marks,
    commit_baseline,
    is_baseline,
)
from leadline.correlate.commit_lead_times import CommitLeadTimes
from leadline.correlate.scope import glob_any
from leadline.correlate.shas import same_sha
from leadline.profiles.models import Profile, Scope
from leadline.services import shipments
from leadline.services.leadtime import Window
from leadline.store import tables as t
from leadline.store.baseline import (
    BaselineRow,
    iter_baseline_runs,
    load_tracking_starts,
    observed_commits,
)
from leadline.store.db import reading
from leadline.store.dora_queries import RunRow
from leadline.store.keyset import chunk_size, values_in
from leadline.store.mapping import sha7
from leadline.store.shipments import shipped_by

EXAMPLES = 20


@dataclass(frozen=True)
class BaselineDeployment:
    """One baseline deployment: its id (``system/pipeline/run_id``), repository and service,
    time and tracking start (micros), and how many of its commits predate tracking."""

    id: str
    repo: str | None
    service: str | None
    at_us: int
    tracking_start_us: int
    baseline_commits: int


def baseline_deployments(
    engine: Engine,
    profile_or_scope: Profile | Scope,
    window: Window | tuple[int | None, int | None] | None = None,
    *,
    build: bool = True,
) -> tuple[int, list[BaselineDeployment]]:
    """``(count, examples)``: the baseline deployments finished in ``window`` (``[from,
    to)``; ``None`` or open ends: no limit) of runs in scope (a run without a repository or
    service passes, as everywhere) that shipped at least one commit from before tracking
    began; up to ``EXAMPLES`` of them, newest first."""
    scope = profile_or_scope.scope if isinstance(profile_or_scope, Profile) else profile_or_scope
    start, end = _bounds(window)
    if build:
        shipments.refresh(engine)
    with reading(engine) as conn:
        found = find_baseline(conn, scope, start, end)
    return len(found), found[:EXAMPLES]


def find_baseline(
    conn: Connection, scope: Scope, start: int | None, end: int | None
) -> list[BaselineDeployment]:
    """Every baseline deployment of ``baseline_deployments``, newest first, read in the
    caller's snapshot ``conn`` (the data-quality report's)."""
    rows = [
        row
        for row in iter_baseline_runs(conn)
        if (start is None or row.finished_at >= start)
        and (end is None or row.finished_at < end)
        and (row.repo is None or glob_any(row.repo, scope.repos, ignore_case=True))
        and (row.service is None or glob_any(row.service, scope.services, ignore_case=True))
    ]
    found = [d for row in rows if (d := _counted(conn, row)).baseline_commits]
    found.sort(key=lambda d: (-d.at_us, d.id))
    return found


def _bounds(window: Window | tuple[int | None, int | None] | None) -> tuple[int | None, int | None]:
    if window is None:
        return None, None
    if isinstance(window, Window):
        return window.micros()
    return window


def _counted(conn: Connection, row: BaselineRow) -> BaselineDeployment:
    """``row`` with the number of the commits it shipped that predate its tracking start and
    that no run other than a baseline deployment names."""
    shas = set(shipped_by(conn, [row.run_row_id]).get(row.run_row_id, []))
    rc = t.pipeline_run_commits.c
    heads = select(rc.sha).where(rc.pipeline_run_id == row.run_row_id)
    shas.update(sha.lower() for (sha,) in conn.execute(heads))
    times = _commit_times(conn, sorted(shas))
    early = [s for s in shas if is_baseline(row.tracking_start, _time_of(times, s))]
    observed = observed_commits(conn, early)
    count = sum(1 for sha in early if sha not in observed)
    return BaselineDeployment(
        row.key, row.repo, row.service, row.finished_at, row.tracking_start, count
    )


def _commit_times(conn: Connection, shas: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """sha7 → the known commits ``(sha, committed_at)`` under it."""
    c = t.commits.c
    out: dict[str, list[tuple[str, int]]] = {}
    prefixes = sorted({sha7(s) for s in shas})
    size = chunk_size(conn)
    for i in range(0, len(prefixes), size):
        query = select(c.sha7, c.sha, c.committed_at).where(
            values_in(c.sha7, prefixes[i : i + size])
        )
        for prefix, sha, at in conn.execute(query):
            out.setdefault(prefix, []).append((sha, int(at)))
    return out


def _time_of(times: dict[str, list[tuple[str, int]]], sha: str) -> int | None:
    """The commit time of ``sha`` (the earliest, should two repositories hold it)."""
    found = [at for known, at in times.get(sha7(sha), []) if same_sha(known, sha)]
    return min(found) if found else None


def commit_flags(
    conn: Connection,
    lead: CommitLeadTimes,
    committed_us: Mapping[str, int],
    deployments: Sequence[Deployment],
    deploying_runs: Sequence[RunRow],
) -> list[bool]:
    """Per commit of ``lead``: whether it is baseline (``correlate/baseline.commit_baseline``)
    given the report's ``deployments`` and every deploying run it loaded (``deploying_runs``,
    any status; empty for merged pull requests and releases, which have no baseline)."""
    starts = load_tracking_starts(conn)
    marks = baseline_marks(deployments, starts)
    early = commit_baseline(lead, committed_us, marks)
    candidates = {sha for sha, flag in zip(lead.shas, early, strict=True) if flag}
    if not candidates:
        return early
    baseline_runs = _baseline_runs(deploying_runs, marks.keys(), starts)
    observed = observed_commits(conn, candidates, baseline_runs)
    return commit_baseline(lead, committed_us, marks, observed)


def _baseline_runs(
    runs: Sequence[RunRow], marked: Collection[str], starts: Mapping[TrackingKey, int]
) -> set[int]:
    """Run row ids of the baseline deployments, which observe nothing: the report's own
    (``marked`` deployment ids) and every stream's first deployment among all deploying runs,
    as the stored marks have them (``services/shipments.py``): a staging stream's first
    deployment is one for a production-only profile too."""
    deployed = [r.deployment() for r in runs if r.status not in shipments.NOT_DEPLOYED]
    ids = set(marked) | baseline_marks(deployed, starts).keys()
    return {r.row_id for r in runs if r.key in ids}
