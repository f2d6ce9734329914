"""The stored baseline marks: each stream's first deployment and its tracking start.

``correlate/baseline.py`` decides which deployments are baseline deployments; this module
reads what it needs (the earliest run per source and repository) and keeps the table
``baseline_deployments`` equal to its answer. ``services/shipments.py`` refreshes it with
``deployment_commits``; the timelines read the marks through ``marks_of``.
``observed_commits`` answers which commits a run that is not a baseline deployment names
(one indexed query per chunk of SHAs: the run SHAs under their 7-character prefixes, the
stored marks anti-joined), the commit-level half of the rule's "observed".
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select

from leadline.correlate.baseline import TrackingKey, observed_shas, tracking_key, tracking_starts
from leadline.store import tables as t
from leadline.store.bulk import insert_tuples
from leadline.store.keyset import chunk_size, values_in
from leadline.store.mapping import sha7


def load_tracking_starts(conn: Connection) -> dict[TrackingKey, int]:
    """The earliest known run (any source, type and status; started, else finished) per
    repository (service, pipeline): one grouped query."""
    r = t.pipeline_runs.c
    first = func.min(func.coalesce(r.started_at, r.finished_at))
    query = select(r.system, r.repo, r.service, r.pipeline, first).group_by(
        r.system, r.repo, r.service, r.pipeline
    )
    return tracking_starts(
        (tracking_key(system, repo, service, pipeline), int(at))
        for system, repo, service, pipeline, at in conn.execute(query)
    )


def stored_marks(conn: Connection) -> dict[int, int]:
    """Run row id → tracking start, for every stored baseline deployment."""
    b = t.baseline_deployments.c
    return {
        int(run): int(at) for run, at in conn.execute(select(b.pipeline_run_id, b.tracking_start))
    }


def replace_marks(conn: Connection, marks: Mapping[int, int]) -> set[int]:
    """Make the table hold ``marks`` (run row id → tracking start); returns the runs whose
    mark appeared, moved or went."""
    old = stored_marks(conn)
    changed = {run for run in old.keys() | marks.keys() if old.get(run) != marks.get(run)}
    if changed:
        b = t.baseline_deployments
        size = chunk_size(conn)
        ids = sorted(changed)
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            conn.execute(delete(b).where(values_in(b.c.pipeline_run_id, chunk)))
        rows = [(run, marks[run]) for run in ids if run in marks]
        insert_tuples(conn, b, ["pipeline_run_id", "tracking_start"], rows)
    return changed


def marks_of(conn: Connection, runs: Sequence[int]) -> dict[int, int]:
    """The marks of ``runs`` (run row ids) that are baseline deployments."""
    b = t.baseline_deployments.c
    out: dict[int, int] = {}
    size = chunk_size(conn)
    for start in range(0, len(runs), size):
        query = select(b.pipeline_run_id, b.tracking_start).where(
            values_in(b.pipeline_run_id, runs[start : start + size])
        )
        out.update((int(run), int(at)) for run, at in conn.execute(query))
    return out


def observed_commits(
    conn: Connection, shas: Collection[str], baseline_runs: Collection[int] | None = None
) -> set[str]:
    """The commits of ``shas`` (lower case) that a known pipeline run names, that run being
    no baseline deployment: not one of ``baseline_runs`` (run row ids: a report's own,
    computed from the records it read), or, when ``None``, not stored as one
    (``baseline_deployments``, anti-joined in the query)."""
    rc, b = t.pipeline_run_commits.c, t.baseline_deployments.c
    query = select(rc.sha, rc.pipeline_run_id)
    if baseline_runs is None:
        query = query.outerjoin(
            t.baseline_deployments, b.pipeline_run_id == rc.pipeline_run_id
        ).where(b.id.is_(None))
    excluded = baseline_runs or ()
    prefixes = sorted({sha7(s) for s in shas})
    named: set[str] = set()
    size = chunk_size(conn)
    for start in range(0, len(prefixes), size):
        rows = conn.execute(query.where(values_in(rc.sha7, prefixes[start : start + size])))
        named.update(sha for sha, run in rows if run not in excluded)
    return observed_shas(shas, named)


@dataclass(frozen=True)
class BaselineRow:
    """A stored baseline deployment, as the data-quality report lists it."""

    run_row_id: int
    key: str  # system/pipeline/run_id
    repo: str | None
    service: str | None
    finished_at: int
    tracking_start: int


def iter_baseline_runs(conn: Connection) -> Iterator[BaselineRow]:
    """Every stored baseline deployment with its run, in time order."""
    b, r = t.baseline_deployments.c, t.pipeline_runs.c
    query = (
        select(
            b.pipeline_run_id, r.system, r.pipeline, r.run_id, r.repo, r.service,
            r.finished_at, b.tracking_start,
        )
        .join(t.pipeline_runs, r.id == b.pipeline_run_id)
        .order_by(r.finished_at, r.id)
    )  # fmt: skip
    for row_id, system, pipeline, run_id, repo, service, at, start in conn.execute(query):
        yield BaselineRow(
            int(row_id), f"{system}/{pipeline}/{run_id}", repo, service, int(at), int(start)
        )
