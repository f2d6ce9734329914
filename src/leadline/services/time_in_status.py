"""Time in status, with bounces: the read behind ``leadline time-in-status``, ``GET
/v1/time-in-status`` and the ``time-in-status`` page (docs/flow.md).

**The issues counted** are the tickets of the profile's scope resolved in the window:

* in scope: ``scope.projects``, ``scope.issue_types`` and ``scope.labels`` — the tests a
  ticket change passes in ``correlate/scoped.apply_scope``, by the same predicates
  (``correlate/scope.py``). The code filters (``repos``, ``paths``, ``services``, ``people``)
  narrow code records and do not apply to a ticket's own history;
* resolved in ``[start, end)``: the resolution is the issue's ``resolved_at``, else its latest
  move into a ``done``-category status; an issue never resolved is still in flight and not
  counted (its times are not final).

The window and the resolution are worked out in SQL (one query, and the status changes of the
issues found, in chunks); the scope's globs in Python, by the one predicate of each filter.
The rules of visits and bounces are ``metrics/time_in_status.py``'s: counting stops at the
resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, func, select

from leadline.correlate.scope import any_glob, ticket_in_scope
from leadline.errors import InputError
from leadline.metrics.series import window_json
from leadline.metrics.stats import check_statistic
from leadline.metrics.time_in_status import Change, History, Report, aggregate
from leadline.metrics.windows import Window, default_window
from leadline.profiles.models import Profile
from leadline.store import tables as t
from leadline.store.db import reading
from leadline.store.keyset import in_chunks
from leadline.store.quality_queries import stored_labels

Which = Literal["visited", "bounced"]
WHICH: tuple[Which, ...] = ("visited", "bounced")


@dataclass(frozen=True)
class Resolved:
    """An issue counted: its key, title and resolution (micros)."""

    key: str
    title: str | None
    resolved_at: int


def time_in_status(
    engine: Engine, profile: Profile, stat: str = "mean", window: Window | None = None
) -> dict[str, Any]:
    """``time-in-status --format json``: per status, in workflow order (module doc)."""
    check_statistic(stat)
    start, end = default_window(window, datetime.now(UTC))
    _, report = _report(engine, profile, start, end, stat)
    return {
        "profile": profile.name,
        "window": window_json(start, end),
        "statistic": stat,
        "issues": report.issues,
        "bounced_issues": report.bounced_issues,
        "statuses": [s.to_json() for s in report.statuses],
    }


def issue_rows(
    engine: Engine,
    profile: Profile,
    window: Window | None = None,
    status: str | None = None,
    which: str = "visited",
) -> list[dict[str, Any]]:
    """The issues behind the figures, by resolution (newest first): each one's time and
    visits per status. With ``status``: the issues that visited it (``which="bounced"``:
    those that bounced there)."""
    return issue_list(engine, profile, window, status, which)[1]


def issue_list(
    engine: Engine,
    profile: Profile,
    window: Window | None = None,
    status: str | None = None,
    which: str = "visited",
) -> tuple[list[str], list[dict[str, Any]]]:
    """``issue_rows``, and every status of the report in workflow order (a page's columns)."""
    if which not in WHICH:
        raise InputError(f"which: expected one of {', '.join(WHICH)}, got {which!r}")
    start, end = default_window(window, datetime.now(UTC))
    issues, report = _report(engine, profile, start, end, "mean")
    out: list[dict[str, Any]] = []
    for issue, row in zip(issues, report.rows, strict=True):
        if status is not None:
            visits = row.visits.get(status, 0)
            if visits == 0 or (which == "bounced" and visits < 2):
                continue
        out.append(
            {
                "key": issue.key,
                "title": issue.title,
                "resolved_at": issue.resolved_at,
                "seconds": row.seconds,
                "visits": row.visits,
                "total_seconds": sum(sorted(row.seconds.values())),
            }
        )
    out.sort(key=lambda r: (-int(r["resolved_at"]), str(r["key"])))
    return [s.name for s in report.statuses], out


def _report(
    engine: Engine, profile: Profile, start: int, end: int, stat: str
) -> tuple[list[Resolved], Report]:
    with reading(engine) as conn:
        found = resolved_issues(conn, profile, start, end)
        changes = status_changes(conn, list(found))
    issues = list(found.values())
    histories = [
        History(i.key, changes.get(issue_id, []), i.resolved_at) for issue_id, i in found.items()
    ]
    return issues, aggregate(histories, stat)


def resolved_issues(
    conn: Connection, profile: Profile, start: int, end: int
) -> dict[int, Resolved]:
    """The issues of the profile's scope resolved in ``[start, end)``, by key (id → issue)."""
    i, s = t.issues.c, t.issue_status_changes.c
    last_done = (
        select(func.max(s.at)).where(s.issue_id == i.id, s.category == "done").scalar_subquery()
    )
    resolved = func.coalesce(i.resolved_at, last_done)
    query = (
        select(i.id, i.key, i.title, i.project, i.type, i.data, resolved.label("resolved"))
        .where(resolved >= start, resolved < end)
        .order_by(i.key)
    )
    scope = profile.scope
    out: dict[int, Resolved] = {}
    for issue_id, key, title, project, kind, data, at in conn.execute(query):
        if ticket_in_scope(project, kind, scope) and any_glob(stored_labels(data), scope.labels):
            out[issue_id] = Resolved(key, title, int(at))
    return out


def status_changes(conn: Connection, issue_ids: list[int]) -> dict[int, list[Change]]:
    """Each issue's status changes, in their recorded order."""
    s = t.issue_status_changes.c
    out: dict[int, list[Change]] = {}
    for chunk in in_chunks(issue_ids):
        query = (
            select(s.issue_id, s.at, s.to_status, s.category)
            .where(s.issue_id.in_(chunk))
            .order_by(s.issue_id, s.seq)
        )
        for issue_id, at, to, category in conn.execute(query):
            out.setdefault(issue_id, []).append(Change(int(at), to, category))
    return out
