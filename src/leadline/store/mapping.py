"""How each record kind maps onto its table and child tables."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Table

from leadline.correlate.linking import event_ticket_key, pr_ticket_keys
from leadline.domain.records import (
    Commit,
    Event,
    Incident,
    Issue,
    PipelineRun,
    PullRequest,
    RecordModel,
    Version,
)
from leadline.store import tables as t

Row = dict[str, Any]


def sha7(sha: str) -> str:
    """The lookup prefix of a SHA: lower case, first 7 characters (git's abbreviation)."""
    return sha.strip().lower()[:7]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def _us(value: Any) -> int | None:
    """``to_micros`` (exact integer microseconds since the epoch), in one C-level division."""
    return None if value is None else (value - _EPOCH) // _ONE_US


@dataclass(frozen=True)
class Child:
    table: Table
    parent_column: str


@dataclass(frozen=True)
class KindMapping:
    kind: str
    table: Table
    key_columns: tuple[str, ...]
    row: Callable[[Any], Row]
    children: Callable[[Any], dict[str, list[Row]]]
    child_tables: tuple[Child, ...] = ()

    def key_of(self, row: Row) -> tuple[Any, ...]:
        return tuple(row[c] for c in self.key_columns)


def _no_children(_: Any) -> dict[str, list[Row]]:
    return {}


def _issue_row(r: Issue) -> Row:
    return {
        "key": r.key,
        "project": r.project,
        "type": r.type,
        "title": r.title,
        "priority": r.priority,
        "service": r.service,
        "created_at": _us(r.created_at),
        "resolved_at": _us(r.resolved_at),
        "assignee": r.assignee,
    }


def _issue_children(r: Issue) -> dict[str, list[Row]]:
    return {
        "issue_status_changes": [
            {"seq": i, "to_status": c.to, "category": c.category, "at": _us(c.at)}
            for i, c in enumerate(r.status_changes)
        ],
        "issue_fix_versions": [{"name": n} for n in dict.fromkeys(r.fix_versions)],
    }


def _version_row(r: Version) -> Row:
    return {"project": r.project, "name": r.name, "released_at": _us(r.released_at)}


def _commit_row(r: Commit) -> Row:
    return {
        "repo": r.repo,
        "sha": r.sha,
        "sha7": sha7(r.sha),
        "committed_at": _us(r.committed_at),
        "authored_at": _us(r.authored_at),
        "author": r.author,
        "author_email": _extra_text(r, "author_email"),
        "branch": r.branch,
    }


def _extra_text(r: Commit, name: str) -> str | None:
    """An extra field that is text (``leadline git``'s ``author_email``), else ``None``."""
    value = (r.model_extra or {}).get(name)
    return value if isinstance(value, str) and value else None


def _commit_children(r: Commit) -> dict[str, list[Row]]:
    return {
        "commit_parents": [{"position": i, "parent_sha": p} for i, p in enumerate(r.parents)],
        "commit_paths": [{"path": p} for p in dict.fromkeys(r.paths)],
        "commit_ticket_keys": [{"key": k} for k in sorted(_find_keys(r.message, False))],
    }


def _pr_row(r: PullRequest) -> Row:
    return {
        "repo": r.repo,
        "number": r.number,
        "title": r.title,
        "source_branch": r.source_branch,
        "target_branch": r.target_branch,
        "author": r.author,
        "created_at": _us(r.created_at),
        "merged_at": _us(r.merged_at),
        "closed_at": _us(r.closed_at),
        "merge_commit_sha": r.merge_commit_sha,
        "merge_sha7": sha7(r.merge_commit_sha) if r.merge_commit_sha else None,
    }


def _pr_children(r: PullRequest) -> dict[str, list[Row]]:
    keys = pr_ticket_keys(r)
    return {
        "pr_commits": [
            {"sha": s, "sha7": sha7(s)} for s in dict.fromkeys(x.lower() for x in r.commit_shas)
        ],
        "pr_reviews": [{"author": v.author, "state": v.state, "at": _us(v.at)} for v in r.reviews],
        "pr_ticket_keys": [{"key": k} for k in sorted(keys)],
    }


def _run_row(r: PipelineRun) -> Row:
    return {
        "system": r.system,
        "pipeline": r.pipeline,
        "run_id": r.run_id,
        "type": r.type,
        "status": r.status,
        "started_at": _us(r.started_at),
        "finished_at": _us(r.finished_at),
        "environment": r.environment,
        "repo": r.repo,
        "commit_sha": r.commit_sha,
        "branch": r.branch,
        "service": r.service,
    }


def _run_children(r: PipelineRun) -> dict[str, list[Row]]:
    artifacts = {(a.name, a.version, a.direction): None for a in r.artifacts}
    return {
        "pipeline_run_commits": [
            {"sha": s, "sha7": sha7(s)}
            for s in dict.fromkeys(x.lower() for x in r.all_commit_shas())
        ],
        "pipeline_artifacts": [
            {"name": n, "version": v, "direction": d} for (n, v, d) in artifacts
        ],
    }


def _incident_row(r: Incident) -> Row:
    return {
        "source": r.source,
        "ext_id": r.id,
        "title": r.title,
        "service": r.service,
        "severity": r.severity,
        "created_at": _us(r.created_at),
        "resolved_at": _us(r.resolved_at),
        "deployment_run_id": r.deployment_run_id,
        "commit_sha": r.commit_sha,
        "priority": r.priority,
        "urgency": r.urgency,
        "acknowledged_at": _us(r.acknowledged_at),
    }


def _event_row(r: Event) -> Row:
    return {
        "component": r.component,
        "key": r.key,
        "event_type": r.event_type,
        "event_time": _us(r.event_time),
        "key7": sha7(r.key),
        "ticket_key": event_ticket_key(r),
    }


def _find_keys(text: str | None, ignore_case: bool) -> set[str]:
    from leadline.correlate.keys import find_keys

    return find_keys(text, ignore_case=ignore_case)


MAPPINGS: dict[str, KindMapping] = {
    "issue": KindMapping(
        "issue",
        t.issues,
        ("key",),
        _issue_row,
        _issue_children,
        (Child(t.issue_status_changes, "issue_id"), Child(t.issue_fix_versions, "issue_id")),
    ),
    "version": KindMapping("version", t.versions, ("project", "name"), _version_row, _no_children),
    "commit": KindMapping(
        "commit",
        t.commits,
        ("repo", "sha"),
        _commit_row,
        _commit_children,
        (
            Child(t.commit_parents, "commit_id"),
            Child(t.commit_paths, "commit_id"),
            Child(t.commit_ticket_keys, "commit_id"),
        ),
    ),
    "pull_request": KindMapping(
        "pull_request",
        t.pull_requests,
        ("repo", "number"),
        _pr_row,
        _pr_children,
        (
            Child(t.pr_commits, "pull_request_id"),
            Child(t.pr_reviews, "pull_request_id"),
            Child(t.pr_ticket_keys, "pull_request_id"),
        ),
    ),
    "pipeline_run": KindMapping(
        "pipeline_run",
        t.pipeline_runs,
        ("system", "pipeline", "run_id"),
        _run_row,
        _run_children,
        (
            Child(t.pipeline_run_commits, "pipeline_run_id"),
            Child(t.pipeline_artifacts, "pipeline_run_id"),
        ),
    ),
    "incident": KindMapping(
        "incident", t.incidents, ("source", "ext_id"), _incident_row, _no_children
    ),
    "event": KindMapping(
        "event",
        t.events,
        ("component", "key", "event_type", "event_time"),
        _event_row,
        _no_children,
    ),
}


# A JSON number with a fraction or an exponent right after ``:``, ``,`` or ``[``: where
# orjson and json may spell a float differently (``1e16`` vs ``1e+16``). Also matches such
# text inside strings; that only costs the slower (always exact) path.
_FLOAT = re.compile(rb"[:,\[]-?[0-9]+[.eE]")
_SORTED = orjson.OPT_SORT_KEYS


def serialise(record: RecordModel) -> tuple[str, str]:
    """The stored JSON text of a record and its sha256 digest (stable: sorted keys).

    The text is exactly ``json.dumps(data, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` — digests of stored rows stay comparable — written by orjson,
    which produces the same bytes for everything but floats (checked for), integers past
    64 bits and lone surrogates (which it refuses): those take the ``json`` path.
    """
    data = record.model_dump(mode="json")
    try:
        raw = orjson.dumps(data, option=_SORTED)
    except TypeError:
        raw = None
    if raw is None or _FLOAT.search(raw) is not None:
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text, hashlib.sha256(text.encode()).hexdigest()
    return raw.decode(), hashlib.sha256(raw).hexdigest()
