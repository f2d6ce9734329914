"""A profile's ``scope`` applied to a change bundle (see ``docs/linking.md``, "Scope"): the
records of a change that count. The filters' matching rules are ``correlate/scope.py``'s, the
``exclude`` rules ``correlate/exclusions.py``'s.

How ``scope`` narrows a change bundle (``apply_scope``):

* ``projects`` / ``issue_types`` narrow **tickets**. A ticket change outside them is out of
  scope. A pull-request change needs at least one linked ticket inside them, and only those
  tickets contribute issue stages, fix versions and ticket events.
* ``labels``: a ticket change needs a matching ticket label; a pull-request change a
  matching PR label.
* ``repos`` narrow the **code records** that count: commits, pull requests and pipeline runs
  that name a repo. A pull-request change whose PR is in another repo is out of scope. A
  ticket change stays in scope; it simply has no code stages from other repos.
* ``paths`` narrow the **commits** to those changing a matching path (``commit_in_paths``),
  and the pull requests to those with such a commit among their commits or as their merge
  commit. A change without such a commit is out of scope; its code stages then use only
  the matching commits, the pull requests and the pipeline runs that build or deploy them
  (``run_in_paths``): a ticket with a payments and a web commit is a Payments change from
  its payments commit to the deployment that shipped it, and a Web change likewise.
* ``services`` narrow the pipeline runs that name a service (and, in DORA, deployments,
  failed runs and incidents that name one), change requests too.
* ITSM change requests count when they name one of the change's in-scope tickets.

``people`` (a people-based team) keeps a change whose author was a member at the change's
time (``correlate/people.py``); the change carries the member's name (``member``).

Under ``exclude`` rules an excluded PR is left out (a pull-request change whose PR is
excluded is out of scope), and so are the commits of excluded authors and of excluded PRs:
they reach no stage and no author.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from leadline.correlate.exclusions import ExclusionRule, commit_excluded_by, pr_excluded_by
from leadline.correlate.linking import (
    ChangeBundle,
    RunKey,
    Unit,
    change_request_keys,
    event_ticket_key,
    pr_shas,
    shipped_shas,
)
from leadline.correlate.people import attribution, change_author, member_of
from leadline.correlate.scope import any_glob, glob_match, paths_match, service_ok, ticket_in_scope
from leadline.correlate.shas import norm_sha, same_sha
from leadline.domain.records import Commit, Event, Issue, PipelineRun, PullRequest, Version
from leadline.profiles.models import Scope


def commit_in_paths(commit: Commit, scope: Scope) -> bool:
    """``scope.paths`` on a commit: it changes a path matching one of the globs."""
    return paths_match(commit.paths, scope.paths)


def pull_request_in_paths(pr: PullRequest, shas: Collection[str]) -> bool:
    """A pull request with one of the in-scope commits ``shas`` (normalised) among its
    commits or as its merge commit."""
    own = (*pr.commit_shas, *((pr.merge_commit_sha,) if pr.merge_commit_sha else ()))
    return any(same_sha(a, b) for a in own for b in shas)


def run_in_paths(run: PipelineRun, shas: Collection[str]) -> bool:
    """A pipeline run of a change under ``scope.paths``: it builds or deploys one of the
    in-scope commits ``shas`` (normalised) — its own commits, or those it shipped by
    ancestry (``shipped_shas``). A run naming no commit (linked through an artifact) stays."""
    own = [*run.all_commit_shas(), *shipped_shas(run)]
    return not own or any(same_sha(a, b) for a in own for b in shas)


@dataclass(frozen=True)
class ScopedChange:
    """The records of a bundle that count under a scope."""

    key: str
    unit: Unit
    issues: tuple[Issue, ...]
    commits: tuple[Commit, ...]
    pull_requests: tuple[PullRequest, ...]
    pipeline_runs: tuple[PipelineRun, ...]
    versions: tuple[Version, ...]
    events: tuple[Event, ...]
    artifact_runs: frozenset[RunKey]
    change_requests: tuple[PipelineRun, ...] = ()
    member: str | None = None  # the people-based team's member the change counts for


def _ticket_in_scope(issue: Issue, scope: Scope) -> bool:
    return ticket_in_scope(issue.project, issue.type, scope)


def apply_scope(
    scope: Scope, bundle: ChangeBundle, exclude: Sequence[ExclusionRule] = ()
) -> ScopedChange | None:
    """The in-scope view of ``bundle``, or ``None`` when the change is out of scope (or
    excluded, or by no member of a people-based team)."""
    issues = tuple(i for i in bundle.issues if _ticket_in_scope(i, scope))
    repos = scope.repos
    prs = tuple(p for p in bundle.pull_requests if glob_match(p.repo, repos))
    out = [p for p in prs if exclude and pr_excluded_by(p, exclude)]
    if out and bundle.unit == "pull_request":
        return None
    dropped = {s for p in out for s in pr_shas(p)}
    prs = tuple(p for p in prs if all(p is not o for o in out))
    in_repos = tuple(c for c in bundle.commits if glob_match(c.repo, repos))
    commits = tuple(
        c
        for c in in_repos
        if not (exclude and (norm_sha(c.sha) in dropped or commit_excluded_by(c, exclude)))
    )
    # The in-scope commits when some were left out (``exclude``, ``paths``): the pipeline
    # runs of the others go with them (``run_in_paths`` keeps runs that name no commit).
    shas: set[str] | None = None
    if len(commits) < len(in_repos):
        shas = {norm_sha(c.sha) for c in commits}
    if scope.paths is not None:
        commits = tuple(c for c in commits if commit_in_paths(c, scope))
        if not commits:
            return None
        shas = {norm_sha(c.sha) for c in commits}
        prs = tuple(p for p in prs if pull_request_in_paths(p, shas))
    if bundle.unit == "ticket":
        if not issues or not any_glob(issues[0].labels, scope.labels):
            return None
    else:
        if not prs or not any_glob(prs[0].labels, scope.labels):
            return None
        if (scope.projects is not None or scope.issue_types is not None) and not issues:
            return None
    member = None
    if scope.people is not None:
        found = member_of(scope.people, change_author(attribution(scope), prs, commits, issues))
        if found is None:
            return None
        member = found.name
    ticket_keys = {i.key.upper() for i in issues}
    fix_versions = {(i.project, name) for i in issues for name in i.fix_versions}
    return ScopedChange(
        key=bundle.key,
        unit=bundle.unit,
        issues=issues,
        commits=commits,
        pull_requests=prs,
        pipeline_runs=tuple(
            r
            for r in bundle.pipeline_runs
            if (r.repo is None or glob_match(r.repo, repos))
            and service_ok(r.service, scope.services)
            and (shas is None or run_in_paths(r, shas))
        ),
        versions=tuple(v for v in bundle.versions if (v.project, v.name) in fix_versions),
        events=tuple(e for e in bundle.events if event_ticket_key(e) in (None, *ticket_keys)),
        artifact_runs=bundle.artifact_runs,
        change_requests=tuple(
            r
            for r in bundle.change_requests
            if {k.upper() for k in change_request_keys(r)} & ticket_keys
            and service_ok(r.service, scope.services)
        ),
        member=member,
    )
