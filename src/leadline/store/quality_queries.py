"""Reads for ``leadline doctor``: the records a data-quality check finds, as light rows.

Each query does the set work in the database — the window, the joins and ``NOT EXISTS``
that make a record a finding (a pull request with no ticket key, a commit in no pull
request, a run with neither a commit nor an artifact, a time out of range) — and returns
only the findings, newest first, with the columns the profile's scope looks at (repo,
service, project, type, labels). The scope itself is applied by the caller with the same
predicates the timelines and the DORA metrics use (``correlate/scope.py``,
``services/dora_filters.py``): a scope rule lives in one place.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Table, and_, exists, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from leadline.store import tables as t
from leadline.store.keyset import in_chunks


@dataclass(frozen=True, slots=True)
class Finding:
    """One record a check found: what the check prints and what the scope looks at."""

    record: str  # "pull_request acme/api#12", as the timelines name their sources
    at_us: int | None
    detail: str | None = None
    repo: str | None = None
    service: str | None = None
    project: str | None = None
    type: str | None = None
    labels: tuple[str, ...] = ()
    change: str | None = None  # the change (of the profile's timelines) it is
    key: str | None = None  # a ticket's key
    pipeline: str | None = None
    environment: str | None = None


def stored_labels(data: str | None) -> tuple[str, ...]:
    """The ``labels`` of a stored record's JSON (an issue's or a pull request's); none when
    the JSON cannot be read."""
    try:
        parsed = json.loads(data or "{}")
    except ValueError:
        return ()
    labels = parsed.get("labels") if isinstance(parsed, dict) else None
    return tuple(x for x in labels if isinstance(x, str)) if isinstance(labels, list) else ()


def _window(column: Any, start: int, end: int) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def prs_without_ticket(conn: Connection, start: int, end: int) -> list[Finding]:
    """Pull requests merged in the window (never-merged ones: created in it) whose title and
    source branch name no ticket key (``pr_ticket_keys`` is empty)."""
    p, k = t.pull_requests.c, t.pr_ticket_keys.c
    at = func.coalesce(p.merged_at, p.created_at)
    query = (
        select(p.repo, p.number, p.title, at.label("at"), p.data)
        .where(_window(at, start, end), ~exists().where(k.pull_request_id == p.id))
        .order_by(at.desc(), p.id)
    )
    return [
        Finding(f"pull_request {repo}#{number}", at_us, title, repo=repo,
                labels=stored_labels(data))
        for repo, number, title, at_us, data in conn.execute(query)
    ]  # fmt: skip


def done_tickets(conn: Connection, start: int, end: int) -> list[Finding]:
    """Tickets done in the window: their first move to a ``done`` status there (with no
    status history: their resolution). ``repo`` is unset; ``type``/``project``/``labels``
    are the ticket's."""
    i, s = t.issues.c, t.issue_status_changes.c
    first_done = (
        select(func.min(s.at)).where(s.issue_id == i.id, s.category == "done").scalar_subquery()
    )
    done_at = func.coalesce(first_done, i.resolved_at)
    query = (
        select(i.key, i.project, i.type, i.title, done_at.label("at"), i.data)
        .where(_window(done_at, start, end))
        .order_by(done_at.desc(), i.id)
    )
    return [
        Finding(f"issue {key}", at_us, title, project=project, type=kind,
                labels=stored_labels(data), key=key)
        for key, project, kind, title, at_us, data in conn.execute(query)
    ]  # fmt: skip


def code_repos_by_key(conn: Connection, keys: Iterable[str]) -> dict[str, set[str]]:
    """Each ticket key → the repos of the commits (by message) and pull requests (by title
    or branch) that name it: the records that link code to a ticket (``correlate/linking``)."""
    out: dict[str, set[str]] = {}
    ck, c = t.commit_ticket_keys.c, t.commits.c
    pk, p = t.pr_ticket_keys.c, t.pull_requests.c
    for chunk in in_chunks(sorted(set(keys))):
        by_commit = select(ck.key, c.repo).join(t.commits, c.id == ck.commit_id)
        by_pr = select(pk.key, p.repo).join(t.pull_requests, p.id == pk.pull_request_id)
        for query in (by_commit.where(ck.key.in_(chunk)), by_pr.where(pk.key.in_(chunk))):
            for key, repo in conn.execute(query.distinct()):
                out.setdefault(key, set()).add(repo)
    return out


def commits_without_pr(conn: Connection, start: int, end: int) -> list[Finding]:
    """Commits made in the window, in a repository that has pull requests, that are neither
    a commit of a pull request nor one's merge commit: pushed straight to a branch. A pull
    request may name them abbreviated (Bitbucket Cloud's 12 characters): a prefix of 7 or
    more matches, as the correlation resolves it."""
    c, pc, p = t.commits.c, t.pr_commits.c, t.pull_requests.c
    sha = func.lower(c.sha)
    in_pr = exists().where(pc.sha7 == c.sha7, sha.startswith(func.lower(pc.sha)))
    merged = exists().where(p.merge_sha7 == c.sha7, sha.startswith(func.lower(p.merge_commit_sha)))
    with_prs = exists().where(p.repo == c.repo)
    query = (
        select(c.repo, c.sha, c.committed_at, c.branch, c.data)
        .where(_window(c.committed_at, start, end), with_prs, ~in_pr, ~merged)
        .order_by(c.committed_at.desc(), c.id)
    )
    return [
        Finding(f"commit {repo}@{sha[:12]}", at_us, _first_line(data), repo=repo)
        for repo, sha, at_us, _branch, data in conn.execute(query)
    ]


def commits_without_paths(conn: Connection, start: int, end: int) -> list[Finding]:
    """Commits made in the window that carry no paths (no ``commit_paths`` row) and are not
    merge commits (which carry none by design): ``scope.paths`` can place them nowhere."""
    c, cp, par = t.commits.c, t.commit_paths.c, t.commit_parents.c
    parents = select(func.count()).where(par.commit_id == c.id).scalar_subquery()
    query = (
        select(c.repo, c.sha, c.committed_at, c.data)
        .where(
            _window(c.committed_at, start, end),
            ~exists().where(cp.commit_id == c.id),
            parents < 2,
        )
        .order_by(c.committed_at.desc(), c.id)
    )
    return [
        Finding(f"commit {repo}@{sha[:12]}", at_us, _first_line(data), repo=repo)
        for repo, sha, at_us, data in conn.execute(query)
    ]


def _first_line(data: str | None) -> str | None:
    try:
        message = json.loads(data or "{}").get("message")
    except (ValueError, AttributeError):
        return None
    return message.strip().splitlines()[0] if isinstance(message, str) and message.strip() else None


def runs_without_commit(
    conn: Connection, types: Sequence[str], start: int, end: int
) -> list[Finding]:
    """Runs of ``types`` finished in the window with neither a commit SHA nor an artifact:
    nothing can say what they deployed."""
    r = t.pipeline_runs.c
    rc, a = t.pipeline_run_commits.c, t.pipeline_artifacts.c
    query = (
        select(r.system, r.pipeline, r.run_id, r.finished_at, r.status, r.environment,
               r.repo, r.service)
        .where(
            r.type.in_(list(types)), _window(r.finished_at, start, end),
            ~exists().where(rc.pipeline_run_id == r.id),
            ~exists().where(a.pipeline_run_id == r.id),
        )
        .order_by(r.finished_at.desc(), r.id)
    )  # fmt: skip
    return [
        Finding(f"pipeline_run {system}/{pipeline}/{run_id}", at_us, status, repo=repo,
                service=service, pipeline=pipeline, environment=environment)
        for system, pipeline, run_id, at_us, status, environment, repo, service
        in conn.execute(query)
    ]  # fmt: skip


def known_shas(conn: Connection, shas: Iterable[str]) -> set[str]:
    """The given SHAs (lower case, full or abbreviated) that name a stored commit: one that
    starts with the given SHA, or that the given SHA starts with. Both then share their
    first seven characters (``sha7``, indexed), so each stored commit is compared with the
    given SHAs of its own prefix only — linear in the number of SHAs, not quadratic."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for given in {s.strip().lower() for s in shas if s and s.strip()}:
        by_prefix[given[:7]].append(given)
    c = t.commits.c
    found: set[str] = set()
    for chunk in in_chunks(sorted(by_prefix)):
        for (sha,) in conn.execute(select(c.sha).where(c.sha7.in_(chunk))):
            stored = sha.lower()
            found.update(
                w
                for w in by_prefix.get(stored[:7], ())
                if stored.startswith(w) or w.startswith(stored)
            )
    return found


# --- times out of range ------------------------------------------------------------------


@dataclass(frozen=True)
class _Timed:
    """A table whose time columns are checked, and how to name and scope its rows."""

    table: Table
    times: tuple[str, ...]
    name: tuple[str, ...]  # columns joined into the record's name
    kind: str
    repo: str | None = None
    service: str | None = None
    project: str | None = None


def _name(kind: str, parts: Sequence[Any]) -> str:
    if kind == "pull_request":
        return f"{kind} {parts[0]}#{parts[1]}"
    if kind == "commit":
        return f"commit {parts[0]}@{str(parts[1])[:12]}"
    return f"{kind} {'/'.join(str(x) for x in parts)}"


_TIMED = (
    _Timed(t.issues, ("created_at", "resolved_at"), ("key",), "issue", project="project",
           service="service"),
    _Timed(t.commits, ("committed_at", "authored_at"), ("repo", "sha"), "commit", repo="repo"),
    _Timed(t.pull_requests, ("created_at", "merged_at", "closed_at"), ("repo", "number"),
           "pull_request", repo="repo"),
    _Timed(t.pipeline_runs, ("started_at", "finished_at"), ("system", "pipeline", "run_id"),
           "pipeline_run", repo="repo", service="service"),
    _Timed(t.incidents, ("created_at", "resolved_at"), ("source", "ext_id"), "incident",
           service="service"),
    _Timed(t.versions, ("released_at",), ("project", "name"), "version", project="project"),
    _Timed(t.events, ("event_time",), ("component", "key", "event_type"), "event"),
)  # fmt: skip


def times_out_of_range(conn: Connection, low_us: int, high_us: int) -> list[Finding]:
    """Records with a time before ``low_us`` or at or after ``high_us`` (``detail`` names
    the field), in every record table; newest first."""
    out: list[Finding] = []
    for spec in _TIMED:
        cols = spec.table.c
        for field in spec.times:
            column: Column[Any] = cols[field]
            scoped = [
                cols[x] if x else literal(None) for x in (spec.repo, spec.service, spec.project)
            ]
            query = select(column, *scoped, *(cols[n] for n in spec.name)).where(
                or_(column < low_us, column >= high_us)
            )
            for at_us, repo, service, project, *name in conn.execute(query):
                out.append(Finding(_name(spec.kind, name), at_us, field, repo=repo,
                                   service=service, project=project))  # fmt: skip
    out.sort(key=lambda f: (-(f.at_us or 0), f.record, f.detail or ""))
    return out


# --- what the patterns of a profile can match ----------------------------------------------


def distinct(conn: Connection, *columns: Column[Any]) -> set[str]:
    """The distinct non-null values of ``columns`` (of one or more tables)."""
    out: set[str] = set()
    for column in columns:
        query = select(column).where(column.is_not(None)).distinct()
        out.update(str(v) for (v,) in conn.execute(query))
    return out
