"""What counts as a deployment and how failures are counted, beyond runs, PRs and releases
(docs/dora.md#deployment-frequency, #change-failure-rate):

* ``deployments.source: issues`` — a deployment is a ticket entering the resolving statuses
  (``statuses``, case-insensitive, or ``category``). An *entry* is a status change into the
  set from a status outside it (a ticket starts outside it), so ``Done → Closed`` with both
  resolving is one entry. ``occurrence``: ``first`` (default) counts a ticket once, at its
  first entry; ``last`` once, at its last entry (a reopened and re-resolved ticket counts when
  it was resolved for the last time); ``every`` counts each entry (reopened and re-resolved =
  two deployments). Each is a ``Deployment`` with id the ticket key (``KEY@2``, ``KEY@3`` …
  for further entries with ``every``), ``run_id`` the key (an incident or failure ticket
  naming the key as its ``deployment_run_id`` links to it) and the ticket's ``service`` (the
  time-window rule links failures of the same service).
* ``deployments.source: releases`` with ``names``: version names matching a glob.
* ``failures.total: all_runs`` — the change failure rate's denominator is every deployment run
  the filters keep in the window, whatever its status (cancelled and skipped runs too).
* ``failures.count: absolute`` — the figure is the number of failures, not a rate.
* A drill-down line per record saying which rule counted it.

Pure functions over loaded records, plus the one query each needs; ``services/dora.py`` calls
them (through ``services/dora_select.py``), so the figures and the drill-downs share them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection

from leadline.correlate.ancestry import Deployment
from leadline.correlate.scope import (
    glob_match,
    issue_selected,
    service_ok,
    status_set,
    ticket_in_scope,
)
from leadline.domain.records import Issue
from leadline.domain.times import to_micros
from leadline.metrics import dora as metrics
from leadline.metrics.bands import BandSet
from leadline.profiles.dora_models import DeploymentsSpec, DoraSpec
from leadline.profiles.models import Profile
from leadline.services.dora_filters import DEPLOY_TYPES, failure_filter, run_filter
from leadline.store import dora_queries as q

ISSUES_STREAM = "issues"  # a ticket deployment's stream: ["issues", project]


@dataclass(frozen=True)
class TicketDeployment:
    """A ticket's entry into the resolving statuses, as a deployment; ``status`` is the status
    it entered."""

    deployment: Deployment
    status: str


def entries(
    issue: Issue, names: Sequence[str] | None, category: str | None
) -> list[tuple[int, str]]:
    """``(time µs, status)`` of each entry of ``issue`` into the statuses ``names``
    (case-insensitive) or of ``category``, oldest first. A ticket starts outside them."""
    wanted = {n.strip().lower() for n in names or ()}
    inside, out = False, []
    for change in sorted(issue.status_changes, key=lambda c: c.at):
        now = change.to.strip().lower() in wanted or (
            category is not None and change.category == category
        )
        if now and not inside:
            out.append((to_micros(change.at), change.to))
        inside = now
    return out


def pick_entries(found: list[tuple[int, str]], occurrence: str | None) -> list[tuple[int, str]]:
    """The entries that count: the first (default), the last, or ``every`` one."""
    if not found or occurrence == "every":
        return found
    return [found[-1]] if occurrence == "last" else [found[0]]


def ticket_deployments(
    conn: Connection, profile: Profile, d: DeploymentsSpec, end: int
) -> list[TicketDeployment]:
    """``deployments.source: issues``: the tickets' counted entries before ``end``, oldest
    first. Tickets must match ``issue_types``/``projects`` (globs), any of ``labels`` and the
    profile's scope (projects, issue types, services)."""
    out = []
    for issue in q.load_issues(conn):
        if not (
            issue_selected(issue, d.issue_types, d.projects, d.labels)
            and ticket_in_scope(issue.project, issue.type, profile.scope)
            and service_ok(issue.service, profile.scope.services)
        ):  # fmt: skip
            continue
        picked = pick_entries(entries(issue, d.statuses, d.category), d.occurrence)
        for n, (at, status) in enumerate(picked, start=1):
            if at >= end:
                continue
            deployment = Deployment(
                id=issue.key if n == 1 else f"{issue.key}@{n}",
                stream=json.dumps([ISSUES_STREAM, issue.project or ""]),
                at_us=at,
                sha=None,
                service=issue.service,
                run_id=issue.key,
            )
            out.append(TicketDeployment(deployment, status))
    return sorted(out, key=lambda t: (t.deployment.at_us, t.deployment.id))


def release_named(name: str, d: DeploymentsSpec) -> bool:
    """``deployments.source: releases``: a version whose name matches ``names`` (globs,
    case-insensitive; every version without ``names``)."""
    return glob_match(name, d.names)


# -- the change failure rate over every run ----------------------------------------------


def over_all_runs(
    times: np.ndarray[Any, np.dtype[np.int64]],
    failed: np.ndarray[Any, np.dtype[np.bool_]],
    start: int,
    end: int,
    interval: str,
    bands: BandSet,
    unlinked: int | None = None,
) -> Any:
    """``failures.total: all_runs``: ``rate = failures / runs``, one time per run of the
    window (any status) and whether it counts as a failure; ``unlinked`` (linked failures
    only) as in ``change_failure_rate_linked``. ``deployments`` is the number of runs."""
    section = metrics.change_failure_rate_linked(
        times, failed, start, end, interval, bands, unlinked_failures=unlinked or 0
    )
    if unlinked is None:
        section.pop("unlinked", None)
    return {**section, "total": "all_runs"}


def all_runs_of(
    runs: Iterable[q.RunRow], failed: set[str], count_at: str | None, start: int, end: int
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.bool_]]]:
    """The times of the distinct ``runs`` counted in ``[start, end)`` and whether each one's
    key is in ``failed``."""
    unique = {r.key: r for r in runs}
    inside = [r for r in unique.values() if start <= r.at(count_at) < end]
    times = np.array([r.at(count_at) for r in inside], dtype=np.int64)
    return times, np.array([r.key in failed for r in inside], dtype=np.bool_)


def window_all_runs(
    conn: Connection, profile: Profile, spec: DoraSpec, start: int, end: int, interval: str
) -> Any:
    """``failures.source: cd`` with ``total: all_runs`` from the window's runs alone: every
    run the deployment filter keeps (any status) or the failure filter counts as failed."""
    deploys = run_filter(profile, spec.deployments.pipelines, spec.deployments.environments)
    fails = failure_filter(profile, spec)
    bad = status_set(spec.failures.statuses, ["failure", "rolled_back"])
    times: list[np.ndarray[Any, np.dtype[np.int64]]] = [np.empty(0, np.int64)]
    failed: list[np.ndarray[Any, np.dtype[np.bool_]]] = [np.empty(0, np.bool_)]
    count_at = spec.deployments.count_at
    for (pipeline, environment, repo, service, status), at in q.load_run_times(
        conn, DEPLOY_TYPES, start, end, count_at
    ):
        failing = status in bad and fails(pipeline, environment, repo, service)
        if failing or deploys(pipeline, environment, repo, service):
            times.append(at)
            failed.append(np.full(at.size, failing, dtype=np.bool_))
    return over_all_runs(
        np.concatenate(times), np.concatenate(failed), start, end, interval, spec.bands
    )


# -- failures.count: absolute ------------------------------------------------------------


def absolute(section: Mapping[str, Any], no_source: bool) -> Any:
    """``failures.count: absolute``: the figure is ``failures`` (the rate's numerator), with
    no rate and no band (the band scales rate fractions). A window with nothing deployed
    has a real count (0 or more), so only a missing failure source leaves a ``reason``."""
    out = {**section, "count": "absolute", "rate": None, "band": None}
    out["series"] = [{**point, "rate": None} for point in section["series"]]
    if not no_source:
        out.pop("reason", None)
    return out


# -- which rule counted a record (drill-downs) -------------------------------------------


def deployment_rule(
    d: DeploymentsSpec, item: Deployment, run: q.RunRow | None, status: str | None
) -> str:
    """Why deployment frequency counts ``item``: ``ticket PAY-12 reached Done
    (deployments.source: issues)``."""
    source = f"deployments.source: {d.source}"
    if run is not None:
        at = ""
        if d.count_at == "start":
            at = ", counted at its start" if run.started_at is not None else (
                ", counted at its finish (no start time)"
            )  # fmt: skip
        return f"run {run.key} {run.status}{at} ({source})"
    if d.source == "pull_requests":
        into = f" into {item.branch}" if item.branch else ""
        return f"pull request {item.id} merged{into} ({source})"
    if d.source == "releases":
        return f"version {item.id} released ({source})"
    key = item.run_id or item.id
    occurrence = d.occurrence or "first"
    return f"ticket {key} reached {status or 'a resolving status'} ({source}, {occurrence} entry)"


def ticket_statuses(found: Iterable[TicketDeployment]) -> dict[str, str]:
    """Ticket deployment id → the status it entered."""
    return {t.deployment.id: t.status for t in found}


def failure_rule(spec: DoraSpec, run: q.RunRow | None, links: Sequence[tuple[str, str]]) -> str:
    """Why the change failure rate counts a record: a failed run (``cd``), or a deployment
    linked to failures ``(key, link rule)``."""
    f = spec.failures
    if run is not None and f.source == "cd":
        return f"run {run.key} {run.status} (failures.source: cd)"
    how = {"run_id": "names it", "commit": "by commit", "service": "same service"}
    linked = ", ".join(f"{key} ({how.get(rule, rule)})" for key, rule in links)
    return f"linked to {linked} (failures.source: {f.source})"
