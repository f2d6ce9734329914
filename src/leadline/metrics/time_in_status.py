"""Time in status, with bounces: how long the issues spent in each status of their workflow
(docs/flow.md, "Time in status").

Pure: the service (``services/time_in_status.py``) reads the issues and their status
history; this module turns each history into visits and aggregates them per status. Times are
integer microseconds since the epoch; results are seconds.

The rules, one place for each:

* A history is sorted by time; changes at the same time keep their recorded order (the
  last one is where the issue went). A change *into* status S starts a visit to S, which
  lasts until the next change into another status. A change into the status the issue is
  already in continues the visit.
* A visit ends at the issue's **resolution** at the latest (``end``): the time after it is not
  counted, and changes at or after it are ignored.
* The time before the first recorded change is not counted: a status change names only
  the status entered, so the status an issue was created in is unknown.
* A visit of no length (two changes at the same time) is no visit: the issue passed
  through. Dropping it can join two visits of one status (``A, B, A`` at the same moment as
  ``B``): they are then one visit.
* A **bounce** is a re-entry into a status the issue had left: an issue's visits to a
  status beyond the first. The issue bounced in that status.

Per status (``aggregate``): the issues that visited it (the sample size), the statistic
(mean/median/p90/p95, ``metrics/stats.py``) of each issue's total time there, the total time,
the visits, the bounces and the issues that bounced. Statuses come in workflow order: to-do
category, then in progress, then done, each in first-seen order (the order of the issues
given, then of their histories).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leadline.metrics.stats import check_statistic, column_statistic

CATEGORY_ORDER = ("todo", "in_progress", "done")
US = 1_000_000.0


@dataclass(frozen=True)
class Change:
    """One status change: the status entered (``to``), its category, when (micros)."""

    at: int
    to: str
    category: str = "in_progress"


@dataclass(frozen=True)
class History:
    """An issue's status changes (any order) and its resolution (micros): where counting
    stops."""

    key: str
    changes: Sequence[Change]
    end: int


@dataclass(frozen=True)
class Visit:
    status: str
    category: str
    start: int
    end: int


@dataclass
class IssueTimes:
    """One issue's time per status: seconds over all its visits, and the visits."""

    key: str
    seconds: dict[str, float] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)

    def bounces(self, status: str) -> int:
        return max(self.visits.get(status, 0) - 1, 0)


def visits(history: History) -> list[Visit]:
    """The visits of one issue, in time order (module doc)."""
    ordered = sorted(enumerate(history.changes), key=lambda p: (p[1].at, p[0]))
    changes = [c for _, c in ordered if c.at < history.end]
    spans: list[Visit] = []
    for i, change in enumerate(changes):
        until = changes[i + 1].at if i + 1 < len(changes) else history.end
        if until > change.at:
            spans.append(Visit(change.to, change.category, change.at, until))
    joined: list[Visit] = []
    for span in spans:
        if joined and joined[-1].status == span.status and joined[-1].end == span.start:
            last = joined[-1]
            joined[-1] = Visit(last.status, last.category, last.start, span.end)
        else:
            joined.append(span)
    return joined


def issue_times(history: History, spans: Sequence[Visit] | None = None) -> IssueTimes:
    """One issue's total time and visits per status (``spans``: its ``visits``, when the
    caller has them already)."""
    out = IssueTimes(history.key)
    for v in visits(history) if spans is None else spans:
        out.seconds[v.status] = out.seconds.get(v.status, 0.0) + (v.end - v.start)
        out.visits[v.status] = out.visits.get(v.status, 0) + 1
    out.seconds = {k: v / US for k, v in out.seconds.items()}
    return out


def status_order(
    histories: Sequence[History], spans: Sequence[Sequence[Visit]] | None = None
) -> list[tuple[str, str]]:
    """``(status, category)`` of every status the histories visit, in workflow order: by
    category (to do, in progress, done), then first-seen. A status's category is the one its
    first visit carries (``spans``: each history's ``visits``, when the caller has them)."""
    seen: dict[str, str] = {}
    for found in [visits(h) for h in histories] if spans is None else spans:
        for v in found:
            seen.setdefault(v.status, v.category)
    rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    first = {s: i for i, s in enumerate(seen)}
    return sorted(seen.items(), key=lambda p: (rank.get(p[1], len(rank)), first[p[0]]))


@dataclass(frozen=True)
class StatusFigure:
    name: str
    category: str
    issues: int  # the issues that visited it: the sample size
    seconds: float | None  # the statistic of the per-issue totals; None without samples
    total_seconds: float
    visits: int
    bounces: int  # re-entries
    bounced_issues: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "issues": self.issues,
            "seconds": self.seconds,
            "total_seconds": self.total_seconds,
            "visits": self.visits,
            "bounces": self.bounces,
            "bounced_issues": self.bounced_issues,
        }


@dataclass(frozen=True)
class Report:
    issues: int  # issues counted (with or without a visit)
    statuses: list[StatusFigure]
    rows: list[IssueTimes]  # per issue, in the order given
    bounced_issues: int  # issues with a bounce in any status


def aggregate(histories: Sequence[History], stat: str = "mean") -> Report:
    """Per status, over ``histories`` (module doc)."""
    check_statistic(stat)
    spans = [visits(h) for h in histories]  # once: the order and the times both need them
    order = status_order(histories, spans)
    rows = [issue_times(h, found) for h, found in zip(histories, spans, strict=True)]
    figures = []
    for name, category in order:
        samples = [r.seconds[name] for r in rows if name in r.visits]
        column = np.asarray(samples, dtype=np.float64).reshape(-1, 1)
        value = float(column_statistic(column, stat)[0][0]) if samples else None
        bounced = [r.bounces(name) for r in rows if r.bounces(name)]
        figures.append(
            StatusFigure(
                name,
                category,
                len(samples),
                value,
                float(sum(sorted(samples))),
                sum(r.visits.get(name, 0) for r in rows),
                sum(bounced),
                len(bounced),
            )
        )
    bounced_issues = sum(1 for r in rows if any(n > 1 for n in r.visits.values()))
    return Report(len(histories), figures, rows, bounced_issues)
