"""Which records each DORA figure counts: the selection both the figures
(``services/dora.py``) and the drill-downs (``services/drilldown.py``, the doctor's checks)
use, so a drill-down's list is as long as its figure.

* ``Deployments.load`` — the successful deployments up to a window's end, history included
  (ancestry needs it), from CD runs, merged pull requests, released versions or tickets;
* ``window_runs_suffice`` / ``window_run_times`` — the fast path when deployments and
  failures both come from CD runs: the window's grouped run times, no history;
* ``failed_runs`` — ``failures.source: cd``: the failed deployment runs;
* ``failures`` and ``linked_failures`` — incidents, failure tickets or hotfix PRs, and the
  deployment each one links to (docs/deployments.md, rule 9);
* ``commit_times`` — ``lead_time: commits``: each commit's first deployment and lead time;
* ``selected_commits`` (``services/dora_people.py``) — the commits a selective profile
  counts: a monorepo component's (``scope.paths``), a people-based team's (``scope.people``),
  the ones no ``exclude`` rule takes out. The deployments then keep those that ship one
  (``correlate/ancestry.ships_selected``), the failed runs those whose head such a
  deployment shipped, the commit lead time only them; failures and incidents count when
  they link to a deployment kept (``Deployments.counts``, ``team_restores``).

Every filter goes through the pure predicates of ``correlate/scope.py`` (one case rule per
filter key) and the run filter of ``services/dora_filters.py``; this module adds the loading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Connection

from leadline.correlate.ancestry import (
    CommitSelected,
    Deployment,
    Shipments,
    ship,
    ships_selected,
)
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.commit_lead_times import CommitLeadTimes, commit_lead_times
from leadline.correlate.exclusions import exclusion_rules
from leadline.correlate.incidents import (
    DEFAULT_WINDOW,
    Failure,
    FailureKey,
    FailureLink,
    failure_from_issue,
    link_failures,
)
from leadline.correlate.scope import (
    any_glob,
    branch_match,
    exact_match,
    glob_match,
    issue_selected,
    service_ok,
    status_set,
)
from leadline.correlate.shas import norm_sha
from leadline.correlate.unplanned import link_pr_failures
from leadline.domain.records import Commit
from leadline.domain.times import from_micros, to_micros
from leadline.errors import InputError
from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile
from leadline.services import dora_deployments as more
from leadline.services import dora_restore as restore
from leadline.services.baseline import commit_flags
from leadline.services.dora_filters import DEPLOY_TYPES, failure_filter, reads_params, run_filter
from leadline.services.dora_people import people_scoped, pr_counted, selected_commits, selective
from leadline.services.dora_unplanned import pr_failures
from leadline.store import dora_queries as q

#: Before any time: "recorded before the window's end" (``failures(conn, profile, EVER, None)``).
EVER = -(2**62)


def window_runs_suffice(spec: DoraSpec, profile: Profile | None = None) -> bool:
    """Deployments and failures both from CD runs, lead time from the timelines: the runs
    finished inside the window are all the metrics need (no history, no ancestry) — unless
    the profile is a people-based team's or has ``exclude`` rules (``ships_selected`` needs
    the ancestry)."""
    return (
        (profile is None or not selective(profile))
        and spec.deployments.source == "cd"
        and spec.failures.source == "cd"
        and spec.lead_time != "commits"
        and not reads_params(spec)  # the grouped run times carry no params
    )


def window_run_times(
    conn: Connection, profile: Profile, spec: DoraSpec, start: int, end: int
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    """Sorted finish times of the successful and of the failed deployments in the window
    (the same runs as ``Deployments.load`` and ``failed_runs`` keep there)."""
    deploys = run_filter(profile, spec.deployments.pipelines, spec.deployments.environments)
    fails = failure_filter(profile, spec)
    ok = status_set(spec.deployments.statuses, ["success"])
    bad = status_set(spec.failures.statuses, ["failure", "rolled_back"])
    success: list[np.ndarray[Any, np.dtype[np.int64]]] = [np.empty(0, np.int64)]
    failed: list[np.ndarray[Any, np.dtype[np.int64]]] = [np.empty(0, np.int64)]
    for (pipeline, environment, repo, service, status), times in q.load_run_times(
        conn, DEPLOY_TYPES, start, end, spec.deployments.count_at
    ):
        if status in ok and deploys(pipeline, environment, repo, service):
            success.append(times)
        if status in bad and fails(pipeline, environment, repo, service):
            failed.append(times)
    return np.sort(np.concatenate(success)), np.sort(np.concatenate(failed))


@dataclass
class Deployments:
    """Successful deployments up to the window's end (history included, for ancestry).

    With ``scope.paths`` (``selected``), ``items`` are the deployments that ship a selected
    commit and ``every`` all of them: ancestry, failure links and baseline marks read
    ``every``, so a commit is shipped by the same deployment whichever component asks."""

    items: list[Deployment]
    runs: list[q.RunRow]  # cd source only: every run of a deploying type, any status
    conn: Connection
    _shipments: Shipments | None = None
    # cd source only: every deploying run before the end, unfiltered (failed runs reuse it)
    all_runs: list[q.RunRow] | None = None
    # every deployment before ``selected`` narrowed ``items`` (``scope.paths``, a people-based
    # team, ``exclude`` rules); ``people``: a people-based team's selection
    every: list[Deployment] | None = None
    selected: CommitSelected | None = None
    people: bool = False
    # pull_requests source: the merged PRs an ``exclude`` rule takes out. They stay in
    # ``every`` (what the next PR ships by ancestry, what failures link to) and never count.
    excluded: frozenset[str] = frozenset()

    @property
    def all_items(self) -> list[Deployment]:
        """Every deployment of the filters, those of other teams too: what ancestry and the
        failures' links are computed over."""
        return self.items if self.every is None else self.every

    @classmethod
    def load(cls, conn: Connection, profile: Profile, spec: DoraSpec, end: int) -> Deployments:
        """The deployments: with a selective profile (``selected_commits``) those that ship
        one of its commits; ``every`` keeps them all. Only deployments from CD runs and pull
        requests are narrowed (releases and tickets name no commit). One that names no
        commit counts under ``scope.paths`` and ``exclude`` rules (nothing says what it
        shipped) but for no people-based team."""
        found = cls.load_all(conn, profile, spec, end)
        selected = selected_commits(conn, profile)
        if selected is None:
            return found
        found.selected, found.people = selected, people_scoped(profile)
        if spec.deployments.source not in ("cd", "pull_requests"):
            return found
        shipments = found.shipments()
        found.every = found.items
        unknown = not found.people
        found.items = [
            d for d in found.items
            if d.id not in found.excluded and ships_selected(d, shipments, selected, unknown)
        ]  # fmt: skip
        kept = {d.id for d in found.items}
        found.runs = [r for r in found.runs if r.key in kept or found.run_selected(r)]
        return found

    def counts(self, deployment_id: str | None) -> bool:
        """Whether a failure (an incident) linked to ``deployment_id`` counts: linked to a
        deployment kept, or (unless a people-based team's) linked to none."""
        if self.every is None:
            return True
        if deployment_id is None:
            return not self.people
        return deployment_id in self.chosen

    @cached_property
    def chosen(self) -> frozenset[str]:
        return frozenset(x.id for x in self.items)

    def run_selected(self, run: q.RunRow) -> bool:
        """A run that deployed nothing (failed, cancelled …) counts for the selected commits
        when one of its heads is selected or the first deployment of its stream that shipped
        that head ships a selected commit (its retry, usually); one naming no commit as a
        deployment naming none does. Every run counts without a selection."""
        if self.selected is None:
            return True
        if not run.shas:
            return not self.people
        shipments, stream = self.shipments(), run.deployment().stream
        for sha in run.shas:
            if self.selected(norm_sha(sha)):
                return True
            then = shipments.first_deployment(sha, stream)
            if then is not None and ships_selected(
                shipments.deployments[then], shipments, self.selected, not self.people
            ):
                return True
        return False

    @classmethod
    def load_all(cls, conn: Connection, profile: Profile, spec: DoraSpec, end: int) -> Deployments:
        """Every deployment the filters keep, before a selective profile's narrowing (the
        merged PRs of excluded authors too: ``excluded`` names them)."""
        d = spec.deployments
        repos = profile.scope.repos
        if d.source == "cd":
            every = q.load_runs(conn, DEPLOY_TYPES, end, d.count_at, with_params=reads_params(spec))
            keep = run_filter(profile, d.pipelines, d.environments, d.params)
            runs = [
                r for r in every if keep(r.pipeline, r.environment, r.repo, r.service, r.params)
            ]
            ok = status_set(d.statuses, ["success"])
            items = [r.deployment(d.count_at) for r in runs if r.status in ok]
            if d.count_at == "start":  # in time order, as by finish
                items.sort(key=lambda x: (x.at_us, x.id))
            return cls(items, runs, conn, all_runs=every)
        if d.source == "issues":
            tickets = more.ticket_deployments(conn, profile, d, end)
            return cls([t.deployment for t in tickets], [], conn)
        if d.source == "pull_requests":
            counted = pr_counted(profile)
            prs = q.load_pull_requests(conn)
            items = [
                Deployment(
                    id=f"{pr.repo}#{pr.number}",
                    stream=json.dumps(["pull_requests", pr.repo, pr.target_branch or ""]),
                    at_us=to_micros(pr.merged_at),
                    sha=pr.merge_commit_sha,
                    branch=pr.target_branch,
                    repo=pr.repo,
                )
                for pr in prs
                if pr.merged_at is not None and to_micros(pr.merged_at) < end
                and branch_match(pr.target_branch, d.target_branches) and glob_match(pr.repo, repos)
                and any_glob(pr.labels, d.labels)
            ]  # fmt: skip
            found = cls(sorted(items, key=lambda x: (x.at_us, x.id)), [], conn)
            found.excluded = frozenset(f"{p.repo}#{p.number}" for p in prs if not counted(p))
            return found
        items = [
            Deployment(
                id=f"{v.project}/{v.name}",
                stream=json.dumps(["releases", v.project]),
                at_us=v.released_at,
                sha=None,
            )
            for v in q.load_releases(conn, end)
            if glob_match(v.project, d.projects) and glob_match(v.project, profile.scope.projects)
            and more.release_named(v.name, d)
        ]  # fmt: skip
        return cls(sorted(items, key=lambda x: (x.at_us, x.id)), [], conn)

    def times_in(self, start: int, end: int) -> np.ndarray[Any, np.dtype[np.int64]]:
        times = np.array([d.at_us for d in self.items], dtype=np.int64)
        return times[(times >= start) & (times < end)]

    def shipments(self) -> Shipments:
        if self._shipments is None:
            graph = CommitGraph(q.load_commit_parents(self.conn))
            self._shipments = ship(graph, self.all_items, q.load_pull_requests(self.conn))
        return self._shipments


def commit_times(
    conn: Connection, profile: Profile, found: Deployments
) -> tuple[CommitLeadTimes, np.ndarray[Any, np.dtype[np.bool_]]]:
    """Every commit in scope that a deployment shipped: its first deployment and lead time;
    and whether each is baseline (``services/baseline.commit_flags``)."""
    selected = found.selected or (lambda sha: True)
    commits = [
        # Validated, not model_construct: construct resolves every default factory's
        # signature per call (~0.5 ms a commit), validation takes ~3 µs.
        Commit(kind="commit", repo=repo, sha=sha, committed_at=from_micros(at))
        for repo, sha, at in q.load_commit_times(conn)
        if glob_match(repo, profile.scope.repos) and selected(norm_sha(sha))
    ]
    lead = commit_lead_times(commits, found.shipments())
    committed = {norm_sha(c.sha): to_micros(c.committed_at) for c in commits}
    flags = commit_flags(conn, lead, committed, found.all_items, found.all_runs or [])
    return lead, np.array(flags, dtype=np.bool_)


def failed_runs(
    conn: Connection,
    profile: Profile,
    spec: DoraSpec,
    end: int,
    loaded: list[q.RunRow] | None = None,
    found: Deployments | None = None,
) -> list[q.RunRow]:
    """``failures.source: cd``: the failed deployment runs finished before ``end``
    (``loaded``: the deploying runs before ``end``, when the caller has them already), with
    a selective profile (``services/dora_people.selective``) only those
    ``Deployments.run_selected`` keeps (``found``: the
    deployments, when the caller has them already)."""
    if spec.deployments.source != "cd":
        raise InputError("dora.failures.source 'cd' needs dora.deployments.source 'cd'")
    keep = failure_filter(profile, spec)
    bad = status_set(spec.failures.statuses, ["failure", "rolled_back"])
    count_at = spec.deployments.count_at
    every = (
        loaded
        if loaded is not None
        else q.load_runs(conn, DEPLOY_TYPES, end, count_at, with_params=reads_params(spec))
    )
    failed = [
        r for r in every
        if r.status in bad and keep(r.pipeline, r.environment, r.repo, r.service, r.params)
    ]  # fmt: skip
    if not selective(profile):
        return failed
    found = found or Deployments.load(conn, profile, spec, end)
    return [r for r in failed if found.run_selected(r)]


def linked_failures(
    conn: Connection, profile: Profile, spec: DoraSpec, found: Deployments, start: int
) -> tuple[list[Failure], dict[FailureKey, FailureLink]]:
    """``failures.source: incidents|issues``: the failures that may link to a deployment of a
    window starting at ``start``, and the deployment each one links to (docs/deployments.md,
    rule 9)."""
    f = spec.failures
    try:
        window = timedelta(seconds=f.window) if f.window is not None else DEFAULT_WINDOW
    except OverflowError:
        raise InputError(f"dora.failures.window is too long: {f.window} seconds") from None
    # Every failure that can link to a deployment in the window: created from one look-back
    # window before it on (explicit links may come later still).
    look_back = start - int(window.total_seconds() * 1_000_000)
    found_failures = failures(conn, profile, look_back, None)
    needs_ancestry = any(x.commit_sha for x in found_failures)
    link = link_pr_failures if f.source == "pull_requests" else link_failures
    # Linked among every deployment: a failure of a deployment that ships no selected
    # commit (``scope.paths``) is that deployment's, not an unlinked one.
    links = link(
        found_failures, found.all_items, found.shipments() if needs_ancestry else None,
        window=window,
    )  # fmt: skip
    if found.every is not None:  # the failures of the deployments kept
        found_failures = [x for x in found_failures if found.counts(links[x.key].deployment_id)]
        links = {x.key: links[x.key] for x in found_failures}
    return found_failures, links


def failures(conn: Connection, profile: Profile, start: int, end: int | None) -> list[Failure]:
    """Incidents (or failure issues) created in ``[start, end)`` (``end`` None: no limit)."""
    assert profile.dora is not None
    f, services = profile.dora.failures, profile.scope.services
    if f.source == "pull_requests":
        return pr_failures(conn, profile, start, end)
    if f.source == "incidents":
        keep = restore.incident_filter(f.priorities, f.severities, f.urgencies, f.services)
        return [
            Failure((i.source, i.id), i.created_at, i.service, i.deployment_run_id, i.commit_sha)
            for i in q.load_incidents(conn)
            if start <= i.created_at and (end is None or i.created_at < end)
            and service_ok(i.service, services) and keep(i)
        ]  # fmt: skip
    issues = [
        i for i in q.load_issues(conn)
        if issue_selected(i, f.issue_types, f.projects, f.labels)
        and service_ok(i.service, services) and exact_match(i.priority, f.priorities)
    ]  # fmt: skip
    return [
        failure_from_issue(i)
        for i in issues
        if start <= to_micros(i.created_at) and (end is None or to_micros(i.created_at) < end)
    ]


def team_restores(conn: Connection, profile: Profile, found: Deployments) -> set[str] | None:
    """A people-based team's incidents (or tickets, with ``restore.source: issues``): the
    keys (``source/id``, the ticket key) of those that link to one of its deployments, by
    the rules failures link by (docs/deployments.md, rule 9); under ``exclude`` rules, all
    but those linked to a deployment left out; ``None`` when every incident counts (also
    with ``scope.paths`` alone: docs/collections.md, "Paths")."""
    assert profile.dora is not None
    if found.every is None or not (people_scoped(profile) or exclusion_rules(profile.exclude)):
        return None  # ``scope.paths`` alone: incidents name services, not files
    spec = profile.dora
    window = DEFAULT_WINDOW if spec.failures.window is None else (
        timedelta(seconds=spec.failures.window))  # fmt: skip
    if spec.restore.source == "incidents":
        found_failures = {
            f"{i.source}/{i.id}": Failure(
                (i.source, i.id), i.created_at, i.service, i.deployment_run_id, i.commit_sha
            )
            for i in q.load_incidents(conn)
        }
    else:
        found_failures = {i.key: failure_from_issue(i) for i in q.load_issues(conn)}
    needs_ancestry = any(x.commit_sha for x in found_failures.values())
    links = link_failures(
        found_failures.values(), found.all_items,
        found.shipments() if needs_ancestry else None, window=window,
    )  # fmt: skip
    return {k for k, x in found_failures.items() if found.counts(links[x.key].deployment_id)}
