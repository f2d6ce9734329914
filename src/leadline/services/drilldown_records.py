"""The stored record a timeline names as a stage's source (``issue PAY-1 → In Progress``,
``commit acme/api@1a2b3c4``, ``pull_request acme/api#12``, ``pipeline_run gha/build/7``,
``version PAY/1.2``, ``event deploy/PAY-1/started``, ``review acme/api#12 by eli (approved)``):
what the change page shows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from leadline.store import tables as t
from leadline.store.db import reading


def records(engine: Engine, sources: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """Each source that names a stored record → that record (its stored JSON)."""
    out: dict[str, dict[str, Any]] = {}
    with reading(engine) as conn:
        for source in sources:
            if source and source not in out:
                found = _lookup(conn, source)
                if found is not None:
                    out[source] = found
    return out


def _lookup(conn: Connection, source: str) -> dict[str, Any] | None:
    kind, _, rest = source.partition(" ")
    rest = rest.strip()
    if kind == "issue":
        key = rest.split(" → ", 1)[0].strip()
        return _first(conn, t.issues, [t.issues.c.key == key])
    if kind == "commit" and "@" in rest:
        repo, _, sha = rest.rpartition("@")
        c = t.commits.c
        rows = _rows(conn, t.commits, [c.repo == repo, c.sha7 == sha[:7].lower()])
        return _only([r for r in rows if str(r.get("sha", "")).lower().startswith(sha.lower())])
    if kind == "review":  # "review acme/api#12 by eli (approved)": the pull request's
        kind, rest = "pull_request", rest.split(" by ", 1)[0]
    if kind == "pull_request" and "#" in rest:
        repo, _, number = rest.rpartition("#")
        if not number.isdigit():
            return None
        p = t.pull_requests.c
        return _first(conn, t.pull_requests, [p.repo == repo, p.number == int(number)])
    parts = rest.split("/")
    if len(parts) < 3 and kind != "version":
        return None
    if kind == "pipeline_run":
        r = t.pipeline_runs.c
        where = [r.system == parts[0], r.pipeline == "/".join(parts[1:-1]), r.run_id == parts[-1]]
        return _first(conn, t.pipeline_runs, where)
    if kind == "version" and len(parts) >= 2:
        v = t.versions.c
        return _first(conn, t.versions, [v.project == parts[0], v.name == "/".join(parts[1:])])
    if kind == "event":
        e = t.events.c
        where = [e.component == parts[0], e.key == "/".join(parts[1:-1]),
                 e.event_type == parts[-1]]  # fmt: skip
        return _first(conn, t.events, where)
    return None


def _rows(conn: Connection, table: Table, where: list[Any]) -> list[dict[str, Any]]:
    query = select(table.c.data).where(*where).order_by(table.c.id).limit(20)
    out = []
    for (data,) in conn.execute(query):
        try:
            parsed = json.loads(data)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            out.append(parsed)
    return out


def _first(conn: Connection, table: Table, where: list[Any]) -> dict[str, Any] | None:
    rows = _rows(conn, table, where)
    return rows[0] if rows else None


def _only(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if len(rows) == 1 else None
