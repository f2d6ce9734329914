"""The records behind each dashboard figure, for a profile and a window ``[start, end)``.

Each list is selected by the same code that computes the figure (``services/dora_select.py``
and the materialised timelines), so its length is the figure: the deployments of deployment
frequency, the failures of the change failure rate, the incidents of time to restore and the
changes of lead time (``tests/services/test_drilldown.py`` checks it on both databases).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from sqlalchemy import Connection, Engine

from leadline.correlate.ancestry import Deployment
from leadline.correlate.baseline import LABEL as BASELINE_LABEL
from leadline.correlate.incidents import FailureKey
from leadline.correlate.timeline import profile_unit
from leadline.errors import InputError
from leadline.metrics.leadtime import stage_durations
from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile
from leadline.services import dora_deployments as more
from leadline.services import dora_restore
from leadline.services.dora_lead import COMMIT_STAGE
from leadline.services.dora_people import selective
from leadline.services.dora_select import (
    Deployments,
    commit_times,
    failed_runs,
    linked_failures,
    team_restores,
)
from leadline.services.dora_unplanned import pr_failure_rules
from leadline.services.drilldown_groups import group_matrix, parse_group
from leadline.services.leadtime import order_reason, ready_set
from leadline.services.refresh import refresh
from leadline.store import dora_queries as q
from leadline.store import timelines
from leadline.store.db import reading


@dataclass(frozen=True)
class DeploymentItem:
    """A deployment (or, with ``failures.source: cd``, a failed deployment run)."""

    id: str
    at_us: int
    status: str | None = None
    environment: str | None = None
    service: str | None = None
    repo: str | None = None
    branch: str | None = None
    sha: str | None = None
    failures: tuple[str, ...] = ()  # the failures linked to it (incidents or issues)
    rule: str | None = None  # which rule counted it (services/dora_deployments.py)


@dataclass(frozen=True)
class FailureRef:
    key: str  # "source/id" of an incident, or a ticket key
    at_us: int
    service: str | None
    title: str | None
    rule: str | None = None  # failures.source pull_requests: the pattern that matched


@dataclass
class FailureReport:
    """``items`` are the counted failures: failed runs (``cd``) or the deployments linked to
    at least one failure (``incidents``/``issues``); ``unlinked`` are failures of the window
    that attached to no deployment (reported, not counted)."""

    source: str
    items: list[DeploymentItem]
    refs: dict[str, FailureRef] = field(default_factory=dict)
    unlinked: list[FailureRef] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreItem:
    key: str
    created_us: int
    resolved_us: int | None  # when the clock stopped (dora.restore's stop rule)
    seconds: float | None  # stop − start, never negative; None while open
    title: str | None
    service: str | None
    start_us: int  # when the clock started (dora.restore's start rule)
    start_rule: str  # which rule picked each time (correlate/restore.py)
    stop_rule: str


@dataclass
class RestoreReport:
    source: str
    resolved: list[RestoreItem]  # resolved inside the window: the incidents MTTR averages
    open: list[RestoreItem]  # open at the end of the window


@dataclass(frozen=True)
class ChangeItem:
    key: str
    start_us: int | None  # None for a commit (its commit time is ``end_us − total``)
    end_us: int  # when it reached its last stage (or, by commit, was first deployed)
    seconds: tuple[float | None, ...]  # per stage; None: never reached
    total_seconds: float
    baseline: bool = False  # shipped by a baseline deployment from before tracking began
    excluded: str | None = None  # why lead time leaves it out (workflow_order: enforce)
    member: str | None = None  # a people-based team's: the member it counts for

    @property
    def note(self) -> str | None:
        if self.excluded is not None:
            return f"excluded: {self.excluded}"
        return BASELINE_LABEL if self.baseline else None


@dataclass
class ChangeReport:
    """``items`` are the changes lead time counts (marked ``baseline`` when the profile
    includes them); ``baseline`` the ones it leaves out (``deployments.baseline: exclude``,
    the default): reported, not counted."""

    unit: str  # ticket | pull_request | commit
    stages: list[str]
    items: list[ChangeItem]
    baseline: list[ChangeItem] = field(default_factory=list)
    # Out of order under ``workflow_order: enforce``: reported with the reason, not counted.
    excluded: list[ChangeItem] = field(default_factory=list)

    @property
    def explainable(self) -> bool:
        """A change has a stored timeline (not with ``dora.lead_time: commits``)."""
        return self.unit != "commit"


Which = Literal["all", "samples", "missing"]


def _dora_spec(profile: Profile) -> DoraSpec:
    if profile.dora is None:
        raise InputError(f"profile {profile.name!r} has no dora block")
    return profile.dora


def deployments(engine: Engine, profile: Profile, start: int, end: int) -> list[DeploymentItem]:
    """The deployments that deployment frequency counts, newest first."""
    spec = _dora_spec(profile)
    dep = spec.deployments
    with reading(engine) as conn:
        found = Deployments.load(conn, profile, spec, end)
        runs = {r.key: r for r in found.runs}
        reached = (
            more.ticket_statuses(more.ticket_deployments(conn, profile, dep, end))
            if dep.source == "issues" else {}
        )  # fmt: skip
    items = [
        deployment_item(x, runs.get(x.id), count_at=dep.count_at,
              rule=more.deployment_rule(dep, x, runs.get(x.id), reached.get(x.id)))
        for x in found.items
        if start <= x.at_us < end
    ]  # fmt: skip
    return _newest_first(items)


def failures(engine: Engine, profile: Profile, start: int, end: int) -> FailureReport:
    """The failures that the change failure rate counts."""
    spec = _dora_spec(profile)
    source, count_at = spec.failures.source, spec.deployments.count_at
    with reading(engine) as conn:
        if source == "cd":
            runs = failed_runs(conn, profile, spec, end)
            items = [
                run_item(r, count_at=count_at, rule=more.failure_rule(spec, r, []))
                for r in runs
                if start <= r.at(count_at) < end
            ]
            return FailureReport(source, _newest_first(items))
        found = Deployments.load(conn, profile, spec, end)
        found_failures, links = linked_failures(conn, profile, spec, found, start)
        titles = _titles(conn, source)
        matched = pr_failure_rules(conn, profile) if source == "pull_requests" else {}
    refs = {
        _key(f.key): FailureRef(
            _key(f.key), f.at_us, f.service, titles.get(_key(f.key)), matched.get(_key(f.key))
        )
        for f in found_failures
    }
    by_deployment: dict[str, list[str]] = {}
    rules: dict[str, list[tuple[str, str]]] = {}
    for key, link in links.items():
        if link.deployment_id is not None:
            by_deployment.setdefault(link.deployment_id, []).append(_key(key))
            rules.setdefault(link.deployment_id, []).append((_key(key), link.rule or ""))
    by_key = {r.key: r for r in found.runs}
    items = [
        deployment_item(x, by_key.get(x.id), tuple(sorted(by_deployment[x.id])), count_at=count_at,
              rule=more.failure_rule(spec, None, sorted(rules[x.id])))
        for x in found.items
        if start <= x.at_us < end and x.id in by_deployment
    ]  # fmt: skip
    unlinked = sorted(
        (refs[_key(f.key)] for f in found_failures
         if start <= f.at_us < end and links[f.key].deployment_id is None),
        key=lambda r: (-r.at_us, r.key),
    )  # fmt: skip
    return FailureReport(source, _newest_first(items), refs, unlinked)


def incidents(engine: Engine, profile: Profile, start: int, end: int) -> RestoreReport:
    """The incidents (or tickets) time to restore averages, and those open at the end, each
    with when its clock started and stopped and the rule that picked each time."""
    spec = _dora_spec(profile)
    with reading(engine) as conn:
        restores = dora_restore.restores(conn, profile)
        if selective(profile):  # those of the deployments kept (people, exclusions)
            keep = team_restores(conn, profile, Deployments.load(conn, profile, spec, end))
            restores = [x for x in restores if keep is None or x.key in keep]
    resolved, still_open = [], []
    for x in restores:
        if x.stop_us is not None and start <= x.stop_us < end:
            resolved.append(_restore(x, x.seconds))
        elif x.created_us < end and (x.stop_us is None or x.stop_us >= end):
            still_open.append(_restore(x, None))
    resolved.sort(key=lambda r: (-(r.resolved_us or 0), r.key))
    still_open.sort(key=lambda r: (-r.created_us, r.key))
    return RestoreReport(spec.restore.source, resolved, still_open)


def changes(
    engine: Engine,
    profile: Profile,
    start: int,
    end: int,
    stage: str | None = None,
    which: Which = "all",
    *,
    build: bool = True,
    group: str | None = None,
) -> ChangeReport:
    """The changes lead time counts (they reached the last stage inside the window), newest
    first. With ``stage``: only those in that stage's ``samples`` or ``missing`` count.
    With ``group`` (``type:Bug``): only that group's of ``lead-time --by``
    (``services/drilldown_groups.py``). ``build``: bring the timelines up to date first (the
    CLI); else read the last build."""
    commits = profile.dora is not None and profile.dora.lead_time == "commits"
    chosen = None if group is None else parse_group(profile, group)
    if commits and chosen is not None:
        raise InputError("group: not with dora.lead_time: commits (a commit has no group)")
    if commits:
        report = _commits(engine, profile, start, end)
    else:
        report = _timelines(engine, profile, start, end, build, chosen)
    if stage is None or which == "all":
        return report
    if stage not in report.stages:
        raise InputError(f"no stage named {stage!r} in profile {profile.name!r}")
    j = report.stages.index(stage)
    exclude = profile.missing_stages == "exclude" or report.unit == "commit"
    if which == "missing":
        keep = [c for c in report.items if c.seconds[j] is None]
    else:
        keep = [c for c in report.items if c.seconds[j] is not None or not exclude]
    return ChangeReport(report.unit, report.stages, keep, report.baseline, report.excluded)


def _split(profile: Profile, items: list[ChangeItem]) -> tuple[list[ChangeItem], list[ChangeItem]]:
    """Newest first: the counted changes, and the baseline ones the profile leaves out."""
    items.sort(key=lambda c: (-c.end_us, c.key))
    if profile.deployments.baseline == "include":
        return items, []
    return [c for c in items if not c.baseline], [c for c in items if c.baseline]


def _timelines(
    engine: Engine, profile: Profile, start: int, end: int, build: bool,
    group: tuple[str, str] | None = None,
) -> ChangeReport:  # fmt: skip
    if build:
        refresh(engine, profile)
    with reading(engine) as conn:
        ts = ready_set(conn, profile)
        matrix = (
            timelines.read_matrix(conn, ts, start, end, with_keys=True)
            if group is None else group_matrix(conn, ts, profile, start, end, group)
        )  # fmt: skip
        assert matrix.keys is not None
        flagged = timelines.baseline_keys(conn, ts, matrix.keys)
        who = timelines.members(conn, ts, matrix.keys) if profile.scope.people else {}
    durations = stage_durations(matrix.start, matrix.times) / 1_000_000.0
    enforce = profile.order == "enforce"
    items: list[ChangeItem] = []
    excluded: list[ChangeItem] = []
    for i, key in enumerate(matrix.keys):
        row = tuple(None if math.isnan(s) else float(s) for s in durations[i])
        total = math.fsum(s for s in row if s is not None)
        start_us, end_us = int(matrix.start[i]), int(matrix.end[i])
        times = [None if math.isnan(t) else float(t) for t in matrix.times[i]]
        why = order_reason(profile, float(matrix.start[i]), times) if enforce else None
        item = ChangeItem(key, start_us, end_us, row, total, key in flagged,
                          None if why is None else f"out of order ({why})",
                          who.get(key))  # fmt: skip
        (items if why is None else excluded).append(item)
    counted, left_out = _split(profile, items)
    excluded.sort(key=lambda c: (-c.end_us, c.key))
    names = [s.name for s in profile.stages]
    return ChangeReport(profile_unit(profile), names, counted, left_out, excluded)


def _commits(engine: Engine, profile: Profile, start: int, end: int) -> ChangeReport:
    spec = _dora_spec(profile)
    with reading(engine) as conn:
        found = Deployments.load(conn, profile, spec, end)
        times, baseline = commit_times(conn, profile, found)
    inside = np.flatnonzero((times.deployed_at_us >= start) & (times.deployed_at_us < end))
    seconds = [float(times.seconds[i]) for i in inside]
    items = [
        ChangeItem(times.shas[i], None, int(times.deployed_at_us[i]), (s,), s, bool(baseline[i]))
        for i, s in zip(inside, seconds, strict=True)
    ]
    counted, left_out = _split(profile, items)
    return ChangeReport("commit", [COMMIT_STAGE], counted, left_out)


def deployment_item(
    x: Deployment, run: q.RunRow | None, failed: tuple[str, ...] = (), *,
    count_at: str | None = None, rule: str | None = None,
) -> DeploymentItem:  # fmt: skip
    if run is not None:
        return run_item(run, failed, count_at=count_at, rule=rule)
    return DeploymentItem(
        id=x.id, at_us=x.at_us, status=None, environment=_environment(x.stream),
        service=x.service, repo=x.repo, branch=x.branch, sha=x.sha, failures=failed, rule=rule,
    )  # fmt: skip


def run_item(
    r: q.RunRow, failed: tuple[str, ...] = (), *, count_at: str | None = None,
    rule: str | None = None,
) -> DeploymentItem:  # fmt: skip
    return DeploymentItem(
        id=r.key, at_us=r.at(count_at), status=r.status, environment=r.environment,
        service=r.service, repo=r.repo, branch=r.branch, sha=r.shas[0] if r.shas else None,
        failures=failed, rule=rule,
    )  # fmt: skip


def _environment(stream: str) -> str | None:
    """A pull request's stream is ``["pull_requests", repo, branch]``: no environment."""
    try:
        parts = json.loads(stream)
    except ValueError:
        return None
    no_environment = ("pull_requests", "releases", more.ISSUES_STREAM)
    return None if not parts or parts[0] in no_environment else str(parts[-1])


def _newest_first(items: list[DeploymentItem]) -> list[DeploymentItem]:
    return sorted(items, key=lambda x: (-x.at_us, x.id))


def _key(key: FailureKey) -> str:
    return "/".join(key)


def _titles(conn: Connection, source: str) -> dict[str, str | None]:
    if source == "pull_requests":
        return {f"{p.repo}#{p.number}": p.title for p in q.load_pull_requests(conn)}
    if source == "incidents":
        return {f"{i.source}/{i.id}": i.title for i in q.load_incidents(conn)}
    return {i.key: i.title for i in q.load_issues(conn)}


def _restore(x: dora_restore.Restore, seconds: float | None) -> RestoreItem:
    return RestoreItem(
        x.key, x.created_us, x.stop_us, seconds, x.title, x.service, x.start_us, x.start_rule,
        x.stop_rule,
    )  # fmt: skip
