"""Reads for the DORA metrics: pipeline runs, the commit graph, PRs, incidents, issues.

Set-oriented: one query per table (plus one for the child rows), grouped in Python. Glob
filters (pipelines, labels) are applied by the caller; columns that SQL can narrow cheaply
(type, time) are narrowed here.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, func, select

from leadline.correlate.ancestry import Deployment
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.pr_index import PrIndex, PrRow
from leadline.correlate.scope import RunParams, run_params
from leadline.correlate.shas import norm_sha, sha_bytes, sorted_positions
from leadline.domain.parse import parse_line
from leadline.domain.records import Commit, Issue, PullRequest
from leadline.store import tables as t
from leadline.store.raw import fetch_all

_BATCH = 20_000  # rows per fetch of a streamed cursor


@dataclass(frozen=True, slots=True)
class RunRow:
    row_id: int  # pipeline_runs.id
    key: str  # system/pipeline/run_id
    system: str
    pipeline: str
    run_id: str
    type: str
    status: str
    finished_at: int
    environment: str | None
    service: str | None
    repo: str | None
    branch: str | None
    shas: tuple[str, ...]
    started_at: int | None = None
    # The run's params as sorted (name, text) pairs, when read (``with_params``), for the
    # ``params`` filter (correlate.scope.run_params).
    params: RunParams | None = None

    def at(self, count_at: str | None = None) -> int:
        """When the run counts: its finish (``count_at`` ``finish``, the default), or its start
        with ``start`` (its finish when it has no start time)."""
        if count_at == "start" and self.started_at is not None:
            return self.started_at
        return self.finished_at

    def deployment(self, count_at: str | None = None) -> Deployment:
        """This run as a deployment of its first SHA (the rest as ``more_shas``), in the stream
        of its system, pipeline and environment (case-folded), at ``self.at(count_at)``."""
        return Deployment(
            id=self.key,
            stream=json.dumps([self.system, self.pipeline, (self.environment or "").lower()]),
            at_us=self.at(count_at),
            sha=self.shas[0] if self.shas else None,
            more_shas=self.shas[1:],
            branch=self.branch,
            repo=self.repo,
            service=self.service,
            run_id=self.run_id,
            system=self.system,
            pipeline=self.pipeline,
        )


def load_runs(
    conn: Connection,
    types: Sequence[str],
    until_us: int | None,
    count_at: str | None = None,
    *,
    with_params: bool = False,
) -> list[RunRow]:
    """The runs counted before ``until_us`` (``count_at``: by finish, the default, or start),
    with their ``params`` when ``with_params``."""
    return list(iter_runs(conn, types, until_us, count_at=count_at, with_params=with_params))


def iter_runs(
    conn: Connection,
    types: Sequence[str],
    until_us: int | None,
    skip_statuses: Collection[str] = (),
    *,
    count_at: str | None = None,
    with_params: bool = False,
) -> Iterator[RunRow]:
    """``load_runs`` streamed (in ``finished_at`` order), leaving out runs whose status is in
    ``skip_statuses`` (exact match). ``with_params``: also each run's ``params`` (read from
    the stored record, so only when a filter needs them)."""
    r, rc = t.pipeline_runs, t.pipeline_run_commits
    where: list[Any] = [r.c.type.in_(list(types))]
    if until_us is not None:
        where.append(_counted_at(count_at) < until_us)
    if skip_statuses:
        where.append(r.c.status.not_in(sorted(skip_statuses)))
    shas: dict[int, list[str]] = defaultdict(list)
    for run_id, sha in conn.execute(
        select(rc.c.pipeline_run_id, rc.c.sha)
        .join(r, r.c.id == rc.c.pipeline_run_id)
        .where(*where)
        .order_by(rc.c.id)
        .execution_options(yield_per=_BATCH)
    ):
        shas[run_id].append(sha)
    rows = conn.execute(
        select(
            r.c.id, r.c.system, r.c.pipeline, r.c.run_id, r.c.type, r.c.status,
            r.c.finished_at, r.c.environment, r.c.service, r.c.repo, r.c.branch, r.c.started_at,
            *([r.c.data] if with_params else []),
        ).where(*where).order_by(r.c.finished_at, r.c.id).execution_options(yield_per=_BATCH)
    )  # fmt: skip
    for row in rows:
        yield RunRow(
            row_id=int(row.id),
            key=f"{row.system}/{row.pipeline}/{row.run_id}",
            system=row.system,
            pipeline=row.pipeline,
            run_id=row.run_id,
            type=row.type,
            status=row.status,
            finished_at=row.finished_at,
            environment=row.environment,
            service=row.service,
            repo=row.repo,
            branch=row.branch,
            shas=tuple(shas.pop(row.id, ())),
            started_at=row.started_at,
            params=_params(row.data) if with_params else None,
        )


def _counted_at(count_at: str | None) -> Any:
    """The column a run counts at: ``finished_at``, or its start (``count_at: start``; the
    finish when the run has no start time)."""
    r = t.pipeline_runs.c
    return func.coalesce(r.started_at, r.finished_at) if count_at == "start" else r.finished_at


def _params(stored: str) -> RunParams:
    params = json.loads(stored).get("params")
    return run_params(params if isinstance(params, dict) else {})


RunKind = tuple[str, str | None, str | None, str | None, str]

# The finish times of a group of runs as one comma-separated text (no row per run).
_TIMES_TEXT = {
    "sqlite": "group_concat(finished_at)",
    "postgresql": "string_agg(CAST(finished_at AS TEXT), ',')",
}


def load_run_times(
    conn: Connection,
    types: Sequence[str],
    since_us: int,
    until_us: int,
    count_at: str | None = None,
) -> list[tuple[RunKind, NDArray[np.int64]]]:
    """The runs of ``types`` finished in ``[since_us, until_us)``, grouped by ``(pipeline,
    environment, repo, service, status)`` (what the deployment and failure filters look at),
    each group with its finish times: counting deployments needs no row per run.
    ``count_at: start``: started (finished, without a start time) in the window, with those
    times."""
    marks = ", ".join("?" * len(types))
    at = "COALESCE(started_at, finished_at)" if count_at == "start" else "finished_at"
    times = _TIMES_TEXT[conn.dialect.name].replace("finished_at", at)
    sql = (
        f"SELECT pipeline, environment, repo, service, status, {times}"
        f" FROM pipeline_runs WHERE type IN ({marks}) AND {at} >= ? AND {at} < ?"
        " GROUP BY pipeline, environment, repo, service, status"
    )
    return [
        ((pipeline, environment, repo, service, status), np.array(times.split(","), np.int64))
        for pipeline, environment, repo, service, status, times in fetch_all(
            conn, sql, [*types, since_us, until_us]
        )
    ]


def load_run_kinds(
    conn: Connection, types: Sequence[str], until_us: int, count_at: str | None = None
) -> list[RunKind]:
    """The distinct ``(pipeline, environment, repo, service, status)`` of the runs of ``types``
    finished (``count_at: start``: started) before ``until_us``: whether any run a filter
    keeps exists, without a row per run."""
    marks = ", ".join("?" * len(types))
    at = "COALESCE(started_at, finished_at)" if count_at == "start" else "finished_at"
    sql = (
        "SELECT DISTINCT pipeline, environment, repo, service, status FROM pipeline_runs"
        f" WHERE type IN ({marks}) AND {at} < ?"
    )
    return [tuple(row) for row in fetch_all(conn, sql, [*types, until_us])]


def load_commit_parents(conn: Connection) -> dict[str, list[str]]:
    """Stored commits (lower-case SHA) → parents in order. ``[]`` is a root commit, so a
    repository none of whose commits has parents (no parent data at all) is left out."""
    c, p = t.commits, t.commit_parents
    by_repo: dict[str, dict[str, list[str]]] = defaultdict(dict)
    ids: dict[int, list[str]] = {}
    for commit_id, repo, sha in conn.execute(select(c.c.id, c.c.repo, c.c.sha)):
        ids[commit_id] = by_repo[repo].setdefault(sha.lower(), [])
    query = select(p.c.commit_id, p.c.parent_sha).order_by(p.c.commit_id, p.c.position)
    for commit_id, parent in conn.execute(query):
        ids[commit_id].append(parent.lower())
    return {
        sha: parents
        for graph in by_repo.values()
        if any(graph.values())
        for sha, parents in graph.items()
    }


def load_commit_graph(conn: Connection) -> CommitGraph:
    """``load_commit_parents`` as an id graph (``CommitGraph``), streamed into numpy arrays
    instead of dicts of strings: the memory-lean read for millions of commits."""
    c, p = t.commits, t.commit_parents
    with_parents = {
        repo for (repo,) in conn.execute(
            select(c.c.repo).where(c.c.id.in_(select(p.c.commit_id))).distinct()
        )
    }  # fmt: skip
    ids, child = array("q"), array("q")
    rows = conn.execute(
        select(c.c.id, c.c.repo, c.c.sha).order_by(c.c.id).execution_options(yield_per=_BATCH)
    )

    def keys() -> Iterator[str]:
        for commit_id, repo, sha in rows:
            if repo in with_parents and sha.strip():
                ids.append(commit_id)
                yield norm_sha(sha)

    def parents() -> Iterator[str]:
        query = select(p.c.commit_id, p.c.parent_sha).order_by(p.c.commit_id, p.c.position)
        for commit_id, parent in conn.execute(query.execution_options(yield_per=_BATCH)):
            if parent.strip():
                child.append(commit_id)
                yield norm_sha(parent)

    key_arr, parent_arr = sha_bytes(keys()), sha_bytes(parents())
    commit_ids = np.frombuffer(ids, dtype=np.int64)  # views, no copies
    edge_commit = np.frombuffer(child, dtype=np.int64)
    pos, known = sorted_positions(commit_ids, edge_commit)
    if not known.all():  # parents of commits left out above (no copy in the usual case)
        pos, parent_arr = pos[known], parent_arr[known]
    return CommitGraph.from_arrays(key_arr, pos, parent_arr)


def load_pr_index(conn: Connection) -> PrIndex:
    """The merged PRs as a ``PrIndex``, read as slim rows (``PrRow``: the columns ``ship``
    needs) from two streamed cursors instead of parsing every stored record."""
    return PrIndex.from_rows(_pr_rows(conn))


def _pr_rows(conn: Connection) -> Iterator[PrRow]:
    p, pc = t.pull_requests, t.pr_commits
    merged = p.c.merged_at.is_not(None)
    prs = conn.execute(
        select(p.c.id, p.c.repo, p.c.number, p.c.merged_at, p.c.target_branch,
               p.c.merge_commit_sha).where(merged).order_by(p.c.id)
        .execution_options(yield_per=_BATCH)
    )  # fmt: skip
    shas = conn.execute(
        select(pc.c.pull_request_id, pc.c.sha)
        .join(p, p.c.id == pc.c.pull_request_id)
        .where(merged)
        .order_by(pc.c.pull_request_id, pc.c.id)
        .execution_options(yield_per=_BATCH)
    )
    sha_rows = iter(shas)
    pending = next(sha_rows, None)
    for pk, repo, number, merged_at, target, merge_sha in prs:
        own: list[str] = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                own.append(pending[1])
            pending = next(sha_rows, None)
        yield (repo, int(number), int(merged_at), target, merge_sha, own)


def load_pull_requests(conn: Connection, merged_only: bool = True) -> list[PullRequest]:
    p = t.pull_requests
    query = select(p.c.data)
    if merged_only:
        query = query.where(p.c.merged_at.is_not(None))
    return [r for r in _records(conn, query) if isinstance(r, PullRequest)]


def load_commits(conn: Connection) -> list[Commit]:
    """Every stored commit, as its record (authors: people-based teams, exclusions)."""
    return [r for r in _records(conn, select(t.commits.c.data)) if isinstance(r, Commit)]


def load_issues(conn: Connection) -> list[Issue]:
    return [r for r in _records(conn, select(t.issues.c.data)) if isinstance(r, Issue)]


def _records(conn: Connection, query: Any) -> list[Any]:
    out = []
    for (data,) in conn.execute(query):
        parsed = parse_line(data, "<stored>", 0)
        if not isinstance(parsed, Exception):
            out.append(parsed)
    return out


@dataclass(frozen=True)
class IncidentRow:
    source: str
    id: str
    created_at: int
    resolved_at: int | None
    service: str | None
    deployment_run_id: str | None
    commit_sha: str | None
    title: str | None
    # What dora.restore and dora.failures filter by, and the first acknowledgement.
    severity: str | None = None
    priority: str | None = None
    urgency: str | None = None
    acknowledged_at: int | None = None


def load_incidents(conn: Connection) -> list[IncidentRow]:
    i = t.incidents
    rows = conn.execute(
        select(
            i.c.source, i.c.ext_id, i.c.created_at, i.c.resolved_at, i.c.service,
            i.c.deployment_run_id, i.c.commit_sha, i.c.title, i.c.severity, i.c.priority,
            i.c.urgency, i.c.acknowledged_at,
        ).order_by(i.c.created_at, i.c.id)
    )  # fmt: skip
    return [IncidentRow(*row) for row in rows]


@dataclass(frozen=True)
class ReleaseRow:
    project: str
    name: str
    released_at: int


def load_releases(conn: Connection, until_us: int | None) -> list[ReleaseRow]:
    v = t.versions
    where: list[Any] = [v.c.released_at.is_not(None)]
    if until_us is not None:
        where.append(v.c.released_at < until_us)
    rows = conn.execute(select(v.c.project, v.c.name, v.c.released_at).where(*where))
    return [ReleaseRow(*row) for row in rows]


def load_commit_times(conn: Connection) -> list[tuple[str, str, int]]:
    """``(repo, sha, committed_at)`` of every stored commit."""
    c = t.commits.c
    return [(r, s, int(at)) for r, s, at in conn.execute(select(c.repo, c.sha, c.committed_at))]


def load_commit_paths(conn: Connection) -> Iterator[tuple[str, str, str]]:
    """``(repo, sha, path)`` of every path a stored commit changes (``commit_paths``)."""
    c, p = t.commits, t.commit_paths
    query = select(c.c.repo, c.c.sha, p.c.path).join(c, c.c.id == p.c.commit_id)
    for repo, sha, path in conn.execute(query):
        yield str(repo), str(sha), str(path)
