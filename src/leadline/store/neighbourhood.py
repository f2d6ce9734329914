"""Set queries that feed the pure linker: which changes a write affected, and the records
around a set of changes.

Both over-approximate on purpose (SHAs are looked up by their 7-character prefix, see
``mapping.sha7``); ``leadline.correlate.linking`` applies the exact rules to what is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import Connection, Select, and_, or_, select, text

from leadline.correlate.baseline import TRACKING_START
from leadline.correlate.keys import find_keys
from leadline.correlate.linking import CHANGE_REQUEST_PREFIX, CHANGE_REQUEST_SYSTEMS
from leadline.domain.parse import parse_line
from leadline.domain.records import PipelineRun, RecordModel
from leadline.errors import LineError
from leadline.store import tables as t
from leadline.store.baseline import marks_of
from leadline.store.changelog import SEP
from leadline.store.keyset import chunk_size, in_chunks, keys_in, values_in
from leadline.store.shipments import shipped_by

Unit = Literal["ticket", "pull_request"]


def _scalars(conn: Connection, make: Any, values: Iterable[Any]) -> set[Any]:
    """Run ``make(chunk)`` for each chunk of ``values``; union of the first column."""
    out: set[Any] = set()
    for chunk in in_chunks(sorted(set(values)), chunk_size(conn)):
        out.update(r[0] for r in conn.execute(make(chunk)))
    return out


def _pairs(ref: str) -> tuple[str, str]:
    a, _, b = ref.partition(SEP)
    return a, b


def resolve_refs(conn: Connection, refs: Iterable[str], unit: Unit) -> set[str]:
    """Change keys (ticket keys, or ``repo#number``) that the change-log refs may affect."""
    keys: set[str] = set()
    prs: set[str] = set()
    shas: set[str] = set()
    artifacts: set[tuple[str, str]] = set()
    versions: set[tuple[str, str]] = set()
    for ref in refs:
        kind, value = ref[:1], ref[2:]
        if kind == "k":
            keys.add(value)
        elif kind == "p":
            prs.add(value)
        elif kind == "s":
            shas.add(value)
        elif kind == "a":
            artifacts.add(_pairs(value))
        elif kind == "v":
            versions.add(_pairs(value))
    if artifacts:
        shas |= _producer_shas_upstream(conn, artifacts)
    if versions:
        keys |= _scalars(conn, _issues_with_versions, versions)
    if unit == "ticket":
        if shas:
            keys |= _scalars(conn, _keys_of_commit_shas, shas)
            keys |= _scalars(conn, _keys_of_pr_shas, shas)
        return keys
    if keys:
        prs |= {f"{r}#{n}" for r, n in _rows(conn, _prs_with_keys, keys)}
    if shas:
        prs |= {f"{r}#{n}" for r, n in _rows(conn, _prs_with_shas, shas)}
    return prs


def _rows(conn: Connection, make: Any, values: Iterable[Any]) -> set[tuple[Any, ...]]:
    out: set[tuple[Any, ...]] = set()
    for chunk in in_chunks(sorted(set(values)), chunk_size(conn)):
        out.update(tuple(r) for r in conn.execute(make(chunk)))
    return out


def _producer_shas_upstream(conn: Connection, artifacts: set[tuple[str, str]]) -> set[str]:
    """SHA prefixes of the runs that produced the artifacts, following promotions upstream
    (a producer without SHAs of its own consumed an artifact from an earlier run)."""
    shas: set[str] = set()
    seen: set[tuple[str, str]] = set()
    frontier = set(artifacts)
    while frontier:
        seen |= frontier
        shas |= _scalars(conn, _producer_shas, frontier)
        upstream = {(r[0], r[1]) for r in _rows(conn, _producer_inputs, frontier)}
        frontier = upstream - seen
    return shas


def _producer_inputs(chunk: list[tuple[str, str]]) -> Select[Any]:
    a = t.pipeline_artifacts
    out = a.alias("out")
    return (
        select(a.c.name, a.c.version)
        .join(out, out.c.pipeline_run_id == a.c.pipeline_run_id)
        .where(
            out.c.direction == "output",
            keys_in([out.c.name, out.c.version], chunk),
            a.c.direction == "input",
            a.c.version.is_not(None),
        )
    )


def _producer_shas(chunk: list[tuple[str, str]]) -> Select[Any]:
    a, c = t.pipeline_artifacts, t.pipeline_run_commits
    return (
        select(c.c.sha7)
        .join(a, a.c.pipeline_run_id == c.c.pipeline_run_id)
        .where(a.c.direction == "output", keys_in([a.c.name, a.c.version], chunk))
    )


def _issues_with_versions(chunk: list[tuple[str, str]]) -> Select[Any]:
    i, f = t.issues, t.issue_fix_versions
    return (
        select(i.c.key)
        .join(f, f.c.issue_id == i.c.id)
        .where(keys_in([i.c.project, f.c.name], chunk))
    )


def _keys_of_commit_shas(chunk: list[str]) -> Select[Any]:
    k, c = t.commit_ticket_keys, t.commits
    return select(k.c.key).join(c, c.c.id == k.c.commit_id).where(values_in(c.c.sha7, chunk))


def _keys_of_pr_shas(chunk: list[str]) -> Select[Any]:
    k, p, pc = t.pr_ticket_keys, t.pull_requests, t.pr_commits
    via_commits = select(pc.c.pull_request_id).where(values_in(pc.c.sha7, chunk))
    return (
        select(k.c.key)
        .join(p, p.c.id == k.c.pull_request_id)
        .where(or_(values_in(p.c.merge_sha7, chunk), p.c.id.in_(via_commits)))
    )


def _prs_with_keys(chunk: list[str]) -> Select[Any]:
    k, p = t.pr_ticket_keys, t.pull_requests
    return (
        select(p.c.repo, p.c.number)
        .join(k, k.c.pull_request_id == p.c.id)
        .where(values_in(k.c.key, chunk))
    )


def _prs_with_shas(chunk: list[str]) -> Select[Any]:
    p, pc = t.pull_requests, t.pr_commits
    via_commits = select(pc.c.pull_request_id).where(values_in(pc.c.sha7, chunk))
    return select(p.c.repo, p.c.number).where(
        or_(values_in(p.c.merge_sha7, chunk), p.c.id.in_(via_commits))
    )


_READ = (
    t.issues, t.issue_fix_versions, t.versions, t.commits, t.commit_ticket_keys,
    t.pull_requests, t.pr_commits, t.pr_ticket_keys, t.pipeline_runs, t.pipeline_run_commits,
    t.pipeline_artifacts, t.deployment_commits, t.events, t.timelines,
)  # fmt: skip


def ensure_statistics(conn: Connection) -> None:
    """ANALYZE the tables a full build reads, on PostgreSQL, if they never were.

    Without statistics (a fresh import, autovacuum not yet round or off) the planner
    guesses that each key matches 0.5 % of a table, so a lookup of a few hundred keys looks
    like most of it: a sequential scan per chunk, and a full build quadratic in the table
    sizes. ANALYZE samples a bounded number of rows: a second or two at 100k changes.
    """
    if conn.dialect.name != "postgresql":
        return
    names = [table.name for table in _READ]
    never = conn.execute(
        text(
            "SELECT relname FROM pg_class "
            "WHERE oid = ANY(CAST(:names AS regclass[])) AND reltuples < 0"
        ),
        {"names": names},
    ).scalars()
    stale = sorted(str(name) for name in never)
    if stale:
        conn.execute(text("ANALYZE " + ", ".join(stale)))


def all_change_keys(conn: Connection, unit: Unit) -> list[str]:
    if unit == "ticket":
        return [str(r[0]) for r in conn.execute(select(t.issues.c.key).order_by(t.issues.c.key))]
    p = t.pull_requests
    rows = conn.execute(select(p.c.repo, p.c.number).order_by(p.c.repo, p.c.number))
    return [f"{r}#{n}" for r, n in rows]


def load_neighbourhood(
    conn: Connection, keys: Sequence[str], unit: Unit, *, change_requests: bool = False
) -> list[RecordModel]:
    """Every record that can link to one of ``keys`` (a superset; the linker decides);
    with ``change_requests``, also the ITSM change requests naming one of their tickets
    (only a profile with a ``change_request`` stage reads them)."""
    data: dict[tuple[str, int], str] = {}
    size = chunk_size(conn)

    def fetch(table: Any, where: Any) -> list[Any]:
        rows = list(conn.execute(select(table.c.id, table.c.data, *_extra(table)).where(where)))
        for row in rows:
            data[(table.name, row[0])] = row[1]
        return rows

    p, c, i = t.pull_requests, t.commits, t.issues
    issue_keys: set[str] = set()
    pr_ids: set[int] = set()
    if unit == "ticket":
        issue_keys = set(keys)
        pr_ids = {r[0] for r in _id_rows(conn, t.pr_ticket_keys, "pull_request_id", issue_keys)}
        commit_ids = {r[0] for r in _id_rows(conn, t.commit_ticket_keys, "commit_id", issue_keys)}
    else:
        pairs = [(k.rpartition("#")[0], int(k.rpartition("#")[2])) for k in keys]
        for chunk in in_chunks(pairs, size):
            pr_ids.update(r[0] for r in conn.execute(
                select(p.c.id).where(keys_in([p.c.repo, p.c.number], chunk))
            ))  # fmt: skip
        ptk = t.pr_ticket_keys
        for chunk in in_chunks(pr_ids, size):
            issue_keys.update(r[0] for r in conn.execute(
                select(ptk.c.key).where(values_in(ptk.c.pull_request_id, chunk))
            ))  # fmt: skip
        commit_ids = set()
    shas: set[str] = set()
    for chunk in in_chunks(pr_ids, size):
        for row in fetch(p, values_in(p.c.id, chunk)):
            if row.merge_sha7:
                shas.add(row.merge_sha7)
        shas.update(r[0] for r in conn.execute(
            select(t.pr_commits.c.sha7).where(values_in(t.pr_commits.c.pull_request_id, chunk))
        ))  # fmt: skip
    for chunk in in_chunks(commit_ids, size):
        shas.update(row.sha7 for row in fetch(c, values_in(c.c.id, chunk)))
    for chunk in in_chunks(shas, size):
        fetch(c, values_in(c.c.sha7, chunk))
    versions: set[tuple[str, str]] = set()
    for chunk in in_chunks(issue_keys, size):
        fetch(i, values_in(i.c.key, chunk))
        versions.update((r[0], r[1]) for r in conn.execute(
            select(i.c.project, t.issue_fix_versions.c.name)
            .join(t.issue_fix_versions, t.issue_fix_versions.c.issue_id == i.c.id)
            .where(values_in(i.c.key, chunk))
        ))  # fmt: skip
    for chunk in in_chunks(versions, size):
        v = t.versions
        fetch(v, keys_in([v.c.project, v.c.name], chunk))
    _load_runs(conn, shas, fetch)
    if change_requests and issue_keys:
        _load_change_requests(conn, issue_keys, data)
    e = t.events
    upper = {k.strip().upper() for k in issue_keys}
    for chunk in in_chunks(upper, size):
        fetch(e, values_in(e.c.ticket_key, chunk))
    for chunk in in_chunks(shas, size):
        fetch(e, values_in(e.c.key7, chunk))
    run_pks = [pk for (table, pk) in data if table == t.pipeline_runs.name]
    shipped = shipped_by(conn, run_pks) if run_pks else {}
    marks = marks_of(conn, run_pks) if run_pks else {}
    records: list[RecordModel] = []
    for (_table, pk), stored in sorted(data.items()):
        parsed = parse_line(stored, "<stored>", 0)
        if isinstance(parsed, LineError):
            continue
        if isinstance(parsed, PipelineRun) and (shipped.get(pk) or pk in marks):
            # A deployment also carries what it shipped by ancestry (deployment_commits) in
            # the extra field the linker reads for cd_completed only, and a baseline
            # deployment its tracking start (correlate/baseline.py).
            dumped = parsed.model_dump(mode="json")
            if shipped.get(pk):
                dumped["shipped_shas"] = shipped[pk]
            if pk in marks:
                dumped[TRACKING_START] = marks[pk]
            parsed = PipelineRun.model_validate(dumped)
        records.append(parsed)
    return records


def _load_change_requests(conn: Connection, issue_keys: set[str], data: dict[Any, str]) -> None:
    """The change requests whose title names one of ``issue_keys``. No table indexes a run's
    title, so every change request is read (by the system index) and matched here: change
    requests are few next to commits and runs, and only these profiles pay for it."""
    r = t.pipeline_runs
    query = select(r.c.id, r.c.data).where(
        r.c.system.in_(sorted(CHANGE_REQUEST_SYSTEMS)),
        r.c.pipeline.startswith(CHANGE_REQUEST_PREFIX, autoescape=True),
    )
    for pk, stored in conn.execute(query):
        try:
            title = json.loads(stored).get("title")
        except (ValueError, AttributeError):
            continue
        if isinstance(title, str) and find_keys(title) & issue_keys:
            data[(r.name, pk)] = stored


def _extra(table: Any) -> list[Any]:
    if table is t.pull_requests:
        return [table.c.merge_sha7]
    if table is t.commits:
        return [table.c.sha7]
    return []


def _id_rows(conn: Connection, table: Any, column: str, keys: set[str]) -> set[tuple[Any, ...]]:
    out: set[tuple[Any, ...]] = set()
    size = chunk_size(conn)
    for chunk in in_chunks(keys, size):
        out.update(tuple(r) for r in conn.execute(select(table.c[column]).where(
            values_in(table.c.key, chunk)
        )))  # fmt: skip
    return out


def _load_runs(conn: Connection, shas: set[str], fetch: Any) -> None:
    """Runs for the SHAs, then, transitively, runs consuming an artifact they produced."""
    r, rc, a = t.pipeline_runs, t.pipeline_run_commits, t.pipeline_artifacts
    run_ids: set[int] = set()
    dc = t.deployment_commits
    size = chunk_size(conn)
    for chunk in in_chunks(shas, size):
        run_ids.update(x[0] for x in conn.execute(
            select(rc.c.pipeline_run_id).where(values_in(rc.c.sha7, chunk))
        ))  # fmt: skip
        run_ids.update(x[0] for x in conn.execute(
            select(dc.c.pipeline_run_id).where(values_in(dc.c.sha7, chunk))
        ))  # fmt: skip
    frontier = set(run_ids)
    while frontier:
        outputs: set[tuple[str, str]] = set()
        for chunk in in_chunks(frontier, size):
            outputs.update((x[0], x[1]) for x in conn.execute(
                select(a.c.name, a.c.version).where(
                    values_in(a.c.pipeline_run_id, chunk), a.c.direction == "output",
                    a.c.version.is_not(None),
                )
            ))  # fmt: skip
        consumers: set[int] = set()
        for chunk in in_chunks(outputs, size):
            consumers.update(x[0] for x in conn.execute(
                select(a.c.pipeline_run_id).where(
                    and_(a.c.direction == "input", keys_in([a.c.name, a.c.version], chunk))
                )
            ))  # fmt: skip
        frontier = consumers - run_ids
        run_ids |= frontier
    for chunk in in_chunks(run_ids, size):
        fetch(r, values_in(r.c.id, chunk))
