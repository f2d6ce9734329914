"""Time to restore for a profile's ``dora.restore`` (docs/dora.md#mean-time-to-restore).

Which incidents (or tickets) count — ``scope.services``, then the section's filters — and
when each one's clock starts and stops (``correlate/restore.py``, with the rule that picked
each time). ``mttr`` is the report's section; ``services/drilldown.py`` lists the same
``Restore`` records, so the drill-down shows exactly what the figure averages.

``incident_filter`` is also what ``dora.failures`` (``source: incidents``) selects incidents
by: one rule for both sections.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection

from leadline.correlate.restore import Change, incident_clock, ticket_clock
from leadline.correlate.scope import Given, exact_match, glob_match, issue_selected, service_ok
from leadline.domain.records import Issue
from leadline.domain.times import to_micros
from leadline.metrics import dora as metrics
from leadline.profiles.dora_models import RestoreSpec
from leadline.profiles.models import Profile
from leadline.store import dora_queries as q


@dataclass(frozen=True)
class Restore:
    """An incident (or a ticket, with ``restore.source: issues``) that MTTR looks at."""

    key: str  # "source/id" or the ticket key
    created_us: int  # when it came to exist: open at the end of a window from then
    start_us: int  # the clock's start ...
    stop_us: int | None  # ... and stop (None: not restored)
    start_rule: str  # which rule picked each (correlate/restore.py)
    stop_rule: str
    title: str | None
    service: str | None

    @property
    def seconds(self) -> float | None:
        """stop − start, never negative; ``None`` while not restored."""
        return None if self.stop_us is None else max(self.stop_us - self.start_us, 0) / 1e6


def incident_filter(
    priorities: Given | None,
    severities: Given | None,
    urgencies: Given | None,
    services: Given | None,
) -> Callable[[q.IncidentRow], bool]:
    """Whether an incident's priority, severity and urgency are among the given ones (exact,
    any case, as ``failures.priorities`` of tickets) and its service matches the globs (as
    ``scope.services``). A list that is given selects: an incident without that field does
    not match it."""

    def keep(i: q.IncidentRow) -> bool:
        return (
            exact_match(i.priority, priorities) and exact_match(i.severity, severities)
            and exact_match(i.urgency, urgencies) and glob_match(i.service, services)
        )  # fmt: skip

    return keep


def restores(conn: Connection, profile: Profile) -> list[Restore]:
    """Every incident (ticket) ``dora.restore`` selects, with its clock."""
    assert profile.dora is not None
    r, services = profile.dora.restore, profile.scope.services
    if r.source == "incidents":
        keep = incident_filter(r.priorities, r.severities, r.urgencies, r.services)
        start = r.start or "created"
        return [
            _incident(i, start)
            for i in q.load_incidents(conn)
            if service_ok(i.service, services) and keep(i)
        ]
    return [
        _ticket(i, r)
        for i in q.load_issues(conn)
        if issue_selected(i, r.issue_types, r.projects, r.labels)
        and service_ok(i.service, services)
        and exact_match(i.priority, r.priorities)
        and glob_match(i.service, r.services)
    ]


def _incident(i: q.IncidentRow, start: Any) -> Restore:
    clock = incident_clock(i.created_at, i.acknowledged_at, i.resolved_at, start)
    return Restore(
        f"{i.source}/{i.id}", i.created_at, clock.start_us, clock.stop_us,
        clock.start_rule, clock.stop_rule, i.title, i.service,
    )  # fmt: skip


def _ticket(issue: Issue, r: RestoreSpec) -> Restore:
    created = to_micros(issue.created_at)
    resolved = None if issue.resolved_at is None else to_micros(issue.resolved_at)
    changes = [Change(to_micros(c.at), c.to, c.category) for c in issue.status_changes]
    clock = ticket_clock(created, resolved, changes, r.start_statuses, r.stop_statuses)
    return Restore(
        issue.key, created, clock.start_us, clock.stop_us, clock.start_rule, clock.stop_rule,
        issue.title, issue.service,
    )  # fmt: skip


def mttr(
    conn: Connection,
    profile: Profile,
    start: int,
    end: int,
    interval: str,
    keep: Collection[str] | None = None,
) -> tuple[Any, np.ndarray[Any, np.dtype[np.float64]], bool]:
    """The MTTR section, the restore times (seconds) it averages, and whether any incident
    (or ticket) it could count was created before ``end`` (else it has no source).
    ``keep``: only the incidents with these keys (a people-based team's:
    ``services/dora_select.team_restores``)."""
    assert profile.dora is not None
    every = restores(conn, profile)
    # Recorded at all, before a team's selection: a team none of whose incidents linked to
    # its deployments has a source; it simply restored nothing.
    recorded = any(x.created_us < end for x in every)
    found = [x for x in every if keep is None or x.key in keep]
    began = np.array([x.start_us for x in found], dtype=np.int64)
    opened = np.array([x.created_us for x in found], dtype=np.int64)
    stopped = [x.stop_us for x in found]
    section = metrics.mean_time_to_restore(
        began, stopped, start, end, interval, profile.dora.bands, opened_us=opened
    )
    return section, metrics.restore_seconds(began, stopped, start, end), recorded
