"""The deployment rework rate of a profile's ``dora.rework`` block (docs/dora.md).

A deployment of the window is **rework** (unplanned: made to fix a user-facing problem) when
any configured signal says so (``correlate/unplanned.rework`` names each rule that did):

* ``pull_requests``: it shipped a merged hotfix or revert PR (the same patterns, and the same
  predicate, as ``failures.source: pull_requests``). What a deployment shipped is
  ``ancestry.ship``'s answer (the PRs whose commits it first deployed); a PR deployment
  (``deployments.source: pull_requests``) ships its own PR too;
* ``issues``: it shipped a ticket the filters select (type ``Bug``, a label, a priority …): a
  ticket is shipped when a PR the deployment shipped names its key (title or source branch),
  or, for a released version (``deployments.source: releases``), when the version is one of
  the ticket's fix versions;
* ``incidents``: it restored an incident — the latest deployment of the incident's service
  that finished while the incident was open (``created ≤ finished ≤ resolved``).

No ``dora.rework`` block: ``rate`` ``null`` with a reason, and nothing else in the report
changes. The deployments are those of deployment frequency, loaded by the caller's ``load``
(``services/dora.py``'s, passed in: this module does not import it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection, Engine

from leadline.correlate.ancestry import Deployment, Shipments
from leadline.correlate.linking import pr_ticket_keys
from leadline.correlate.scope import service_ok
from leadline.correlate.unplanned import (
    Restore,
    TicketPatterns,
    pr_rule,
    restoring_deployments,
    rework,
    ticket_rule,
)
from leadline.metrics import compare as cmp
from leadline.metrics import intervals as iv
from leadline.metrics.compare import ComparisonEntry
from leadline.metrics.dora_json import DeploymentRework
from leadline.metrics.rework import (
    NOT_CONFIGURED,
    RATE_DECIMALS,
    DeploymentReworkRate,
    deployment_rework_rate,
    without_source,
)
from leadline.profiles.dora_models import DoraSpec, ReworkSpec
from leadline.profiles.models import Profile
from leadline.services.dora_people import pr_counted
from leadline.services.dora_sources import missing
from leadline.services.dora_unplanned import pr_key, pr_patterns, scoped_prs
from leadline.store import dora_queries as q
from leadline.store.db import reading

SECTION = "deployment_rework_rate"
SIGNALS = ("pull_requests", "issues", "incidents")
_WHAT = {
    "pull_requests": "hotfix or revert pull request",
    "issues": "ticket",
    "incidents": "incident with a service",
}


class Found(Protocol):
    """What ``services/dora.py``'s deployments give: every successful deployment up to the
    window's end (history included), the runs they came from, and what each shipped."""

    items: list[Deployment]
    runs: list[Any]

    def shipments(self) -> Shipments: ...


Load = Callable[[Connection, Profile, DoraSpec, int], Found]


def signals(spec: ReworkSpec) -> list[str]:
    """The configured signals, in the order of the docs."""
    on = {"pull_requests": spec.pull_requests is not None, "issues": spec.issues is not None,
          "incidents": bool(spec.incidents)}  # fmt: skip
    return [s for s in SIGNALS if on[s]]


@dataclass
class Classified:
    """The window's deployments, the rules that made each rework one, and whether any record
    a signal counts exists at all (else the metric has no source)."""

    inside: list[Deployment]
    rules: dict[str, tuple[str, ...]]
    sourced: bool
    deployed: bool


_LATER = 2**62  # after any time


def horizon(profile: Profile, end: int) -> int:
    """Up to when to load deployments for a window ending at ``end``: with the ``incidents``
    signal, all of them — an incident open at the window's end may be restored by a later
    deployment, and the answer must not depend on where the window ends."""
    rework_spec = profile.dora.rework if profile.dora is not None else None
    return _LATER if rework_spec is not None and rework_spec.incidents else end


def classify(conn: Connection, profile: Profile, found: Found, start: int, end: int) -> Classified:
    """Which deployments of ``[start, end)`` were rework, and by which rules."""
    assert profile.dora is not None and profile.dora.rework is not None
    spec, source = profile.dora.rework, profile.dora.deployments.source
    inside = [d for d in found.items if start <= d.at_us < end]
    prs = scoped_prs(conn, profile) if spec.pull_requests or spec.issues else []
    by_key = {pr_key(p): p for p in prs}
    shipped: dict[str, list[str]] = {}
    if prs:
        shipments = found.shipments()
        for d in inside:
            keys = [f"{repo}#{number}" for repo, number in shipments.prs_shipped(d.id)]
            own = [d.id] if source == "pull_requests" and d.id in by_key else []
            shipped[d.id] = keys + own
    pr_rules: dict[str, str] = {}
    if spec.pull_requests is not None:
        patterns = pr_patterns(spec.pull_requests)
        counted = pr_counted(profile)  # an excluded PR (a bot's) is no rework signal
        for key, p in by_key.items():
            why = pr_rule(p.title, p.source_branch, p.target_branch, p.labels, patterns)
            if why is not None and counted(p):
                pr_rules[key] = why
    ticket_rules: dict[str, str] = {}
    tickets: dict[str, set[str]] = {}
    if spec.issues is not None:
        i = spec.issues
        patterns_t = TicketPatterns(*(None if v is None else tuple(v) for v in (
            i.issue_types, i.labels, i.priorities, i.projects)))  # fmt: skip
        fixes: dict[tuple[str, str], set[str]] = {}
        for issue in q.load_issues(conn):
            if not service_ok(issue.service, profile.scope.services):
                continue
            why = ticket_rule(issue.type, issue.labels, issue.priority, issue.project, patterns_t)
            if why is not None:
                ticket_rules[issue.key] = why
            for version in issue.fix_versions:
                fixes.setdefault((issue.project or "", version), set()).add(issue.key)
        for d in inside:
            named = {k for pr in shipped.get(d.id, []) if pr in by_key
                     for k in pr_ticket_keys(by_key[pr])}  # fmt: skip
            tickets[d.id] = named | (_released(d, fixes) if source == "releases" else set())
    restored: dict[str, list[str]] = {}
    incidents: list[Restore] = []
    if spec.incidents:
        incidents = [
            Restore(f"{x.source}/{x.id}", x.service, x.created_at, x.resolved_at)
            for x in q.load_incidents(conn)
            if x.service is not None and service_ok(x.service, profile.scope.services)
        ]
        restored = restoring_deployments(incidents, found.items)
    rules = rework([d.id for d in inside], shipped, pr_rules, tickets, ticket_rules, restored)
    sourced = bool(pr_rules or ticket_rules or incidents)
    deployed = any(d.at_us < end for d in found.items) or any(
        r.finished_at < end for r in found.runs
    )
    return Classified(inside, rules, sourced, deployed)


def _released(d: Deployment, fixes: dict[tuple[str, str], set[str]]) -> set[str]:
    """The tickets a released version shipped: those with it as a fix version."""
    try:
        project = str(json.loads(d.stream)[1])
    except (ValueError, IndexError, TypeError):
        return set()
    return fixes.get((project, d.id[len(project) + 1 :]), set())


@dataclass(frozen=True)
class ReworkFigures:
    """The section of one window and the counts its interval and comparison need."""

    section: DeploymentRework
    rework: int = 0
    deployments: int = 0
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        value = self.section["rate"]
        return None if value is None else float(value)

    def compare(self, previous: ReworkFigures) -> ComparisonEntry:
        """The ``comparison`` entry: this window's rate against ``previous``'s (lower is
        better; the pooled two-proportion test, as for the change failure rate)."""
        test = None
        if self.rate is not None and previous.rate is not None:
            test = cmp.two_proportions(
                self.rework, self.deployments, previous.rework, previous.deployments
            )
        return cmp.comparison(self.rate, previous.rate, test, True)


def measure(
    engine: Engine, profile: Profile, start: int, end: int, interval: str, load: Load
) -> ReworkFigures:
    """The ``deployment_rework_rate`` section of ``[start, end)``, with its ``interval``
    (Wilson, of the rate) and ``few_samples`` (fewer than 10 deployments); its ``band`` is the
    level in the profile's ``dora.bands`` when that gives the rework rate a range."""
    assert profile.dora is not None
    spec = profile.dora.rework
    if spec is None:
        empty = deployment_rework_rate([], [], start, end, interval, [])
        return ReworkFigures(_finish(without_source(empty, NOT_CONFIGURED), 0, 0))
    with reading(engine) as conn:
        found = load(conn, profile, profile.dora, horizon(profile, end))
        got = classify(conn, profile, found, start, end)
    times = np.array([d.at_us for d in got.inside], dtype=np.int64)
    mask = np.array([d.id in got.rules for d in got.inside], dtype=bool)
    section = deployment_rework_rate(
        times, mask, start, end, interval, signals(spec), profile.dora.bands
    )
    reason = missing(profile.dora, got.deployed, True, True).deployments
    if reason is None and not got.sourced:
        what = " or ".join(_WHAT[s] for s in section["signals"])
        reason = f"no rework source: no {what} matches dora.rework"
    if reason is not None:
        section = without_source(section, reason)
    n, k = section["deployments"], section["rework"]
    return ReworkFigures(_finish(section, k, n), k, n, got.rules)


def _finish(section: DeploymentReworkRate, rework_count: int, n: int) -> DeploymentRework:
    """The section with its ``interval`` and ``few_samples`` (the keys every section ends
    with)."""
    found = iv.wilson(rework_count, n) if section["rate"] is not None else None
    return {
        **section,
        "interval": None if found is None else found.rounded(RATE_DECIMALS).to_json(),
        "few_samples": iv.few_samples(n),
    }
