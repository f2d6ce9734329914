"""When a change reaches each stage event (the stage table of docs/linking.md).

Each evaluator lists every occurrence of its event among the change's in-scope records as a
``StageHit``; ``pick`` keeps the first (earliest) or last (latest) one. Ties on time are
broken by the smallest ``source`` text so that the result never depends on record order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from leadline.correlate.scope import (
    Given,
    any_glob,
    branch_match,
    exact_match,
    glob_match,
    params_match,
)
from leadline.correlate.scoped import ScopedChange
from leadline.correlate.shas import same_sha
from leadline.domain.records import Commit, Event, Issue, PipelineRun, PullRequest, Version
from leadline.profiles.models import Occurrence, Stage


@dataclass(frozen=True)
class StageHit:
    """A time a change reached a stage (or its start), and the record that says so."""

    at: datetime
    source: str


def issue_source(issue: Issue, status: str | None = None) -> str:
    return f"issue {issue.key} → {status}" if status else f"issue {issue.key}"


def commit_source(commit: Commit) -> str:
    return f"commit {commit.repo}@{commit.sha[:7]}"


def pr_source(pr: PullRequest) -> str:
    return f"pull_request {pr.repo}#{pr.number}"


def run_source(run: PipelineRun) -> str:
    return f"pipeline_run {run.system}/{run.pipeline}/{run.run_id}"


def version_source(version: Version) -> str:
    return f"version {version.project}/{version.name}"


def event_source(event: Event) -> str:
    return f"event {event.component}/{event.key}/{event.event_type}"


def pick(hits: list[StageHit], occurrence: Occurrence) -> StageHit | None:
    """The first or last hit; ``None`` when there is none."""
    if not hits:
        return None
    if occurrence == "first":
        return min(hits, key=lambda h: (h.at, h.source))
    latest = max(h.at for h in hits)
    return min((h for h in hits if h.at == latest), key=lambda h: h.source)


def _lower_set(values: list[str] | None) -> set[str]:
    return {v.strip().lower() for v in values or []}


def _issue_status(stage: Stage, change: ScopedChange) -> list[StageHit]:
    statuses = _lower_set(stage.statuses)
    return [
        StageHit(sc.at, issue_source(issue, sc.to))
        for issue in change.issues
        for sc in issue.status_changes
        if sc.to.strip().lower() in statuses
        or (stage.category is not None and sc.category == stage.category)
    ]


def own_commits(change: ScopedChange) -> list[Commit]:
    """The commits that can be the change's first commit: every linked commit but merge
    commits — a linked PR's ``merge_commit_sha`` (a merge, squash or rebase result made at
    the merge) unless the PR lists it among its own commits (a fast-forward), and any commit
    with two or more parents. A PR whose only known commit is its merge commit (webhook
    deliveries carry no commit list) has none: its commit-based stages are unknown, not the
    merge time (docs/linking.md, "The first commit")."""
    merges = [
        p.merge_commit_sha
        for p in change.pull_requests
        if p.merge_commit_sha and not any(same_sha(p.merge_commit_sha, s) for s in p.commit_shas)
    ]
    return [
        c
        for c in change.commits
        if len(c.parents) < 2 and not any(same_sha(c.sha, m) for m in merges)
    ]


def _commit(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [StageHit(c.committed_at, commit_source(c)) for c in own_commits(change)]


def _pr_matches(stage: Stage, pr: PullRequest) -> bool:
    return branch_match(pr.target_branch, stage.target_branches) and any_glob(
        pr.labels, stage.labels
    )


def _prs(stage: Stage, change: ScopedChange) -> list[PullRequest]:
    return [pr for pr in change.pull_requests if _pr_matches(stage, pr)]


def _pr_created(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [StageHit(pr.created_at, pr_source(pr)) for pr in _prs(stage, change)]


def _not_author(pr: PullRequest, reviewer: str | None) -> bool:
    """A review counts unless it is known to come from the PR's own author."""
    if reviewer is None or pr.author is None:
        return True
    return reviewer.strip().lower() != pr.author.strip().lower()


def _review_hits(stage: Stage, change: ScopedChange, *, approved: bool) -> list[StageHit]:
    return [
        StageHit(r.at, f"review {pr.repo}#{pr.number} by {r.author or 'unknown'} ({r.state})")
        for pr in _prs(stage, change)
        for r in pr.reviews
        if (r.state == "approved" if approved else _not_author(pr, r.author))
    ]


def _pr_review(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return _review_hits(stage, change, approved=False)


def _pr_approved(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return _review_hits(stage, change, approved=True)


def _pr_merged(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [
        StageHit(pr.merged_at, pr_source(pr))
        for pr in _prs(stage, change)
        if pr.merged_at is not None
    ]


def _pr_labeled(stage: Stage, change: ScopedChange) -> list[StageHit]:
    """Each time one of ``labels`` (globs, case-insensitive) was added to a linked PR
    (``target_branches`` narrow the PRs); a removal undoes nothing already reached."""
    return [
        StageHit(e.at, f"label {e.label!r} on {pr.repo}#{pr.number}")
        for pr in change.pull_requests
        if branch_match(pr.target_branch, stage.target_branches)
        for e in pr.label_events
        if e.action == "added" and glob_match(e.label, stage.labels)
    ]


DEFAULT_RUN_STATUSES = frozenset({"success"})
#: A change request counts once closed, unless it was closed unsuccessful (``failure``).
DEFAULT_CHANGE_REQUEST_STATUSES = frozenset({"success", "successful_issues", "closed"})


def _run_matches(
    stage: Stage,
    run: PipelineRun,
    types: tuple[str, ...],
    default_statuses: frozenset[str] = DEFAULT_RUN_STATUSES,
) -> bool:
    statuses = default_statuses if stage.statuses is None else _lower_set(stage.statuses)
    return (
        run.type in types
        and run.status.strip().lower() in statuses
        and glob_match(run.pipeline, stage.pipelines)
        and exact_match(run.environment, stage.environments)
        and params_match(run.params, stage.params)
    )


def _ci_completed(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [
        StageHit(run.finished_at, run_source(run))
        for run in change.pipeline_runs
        if run.natural_key() not in change.artifact_runs
        and _run_matches(stage, run, ("ci", "ci_cd"))
    ]


def _cd_completed(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [
        StageHit(run.finished_at, run_source(run))
        for run in change.pipeline_runs
        if _run_matches(stage, run, ("cd", "ci_cd"))
    ]


def _change_request(stage: Stage, change: ScopedChange) -> list[StageHit]:
    """An ITSM change request naming one of the change's tickets is closed (its
    ``finished_at``: the end of the work, else the closing)."""
    return [
        StageHit(run.finished_at, f"change_request {run.system}/{run.run_id}")
        for run in change.change_requests
        if _run_matches(stage, run, ("cd", "ci", "ci_cd"), DEFAULT_CHANGE_REQUEST_STATUSES)
    ]


def _released(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [
        StageHit(v.released_at, version_source(v))
        for v in change.versions
        if v.released_at is not None
    ]


def event_matches(event: Event, event_types: Given | None) -> bool:
    return glob_match(event.event_type, event_types)


def _api_event(stage: Stage, change: ScopedChange) -> list[StageHit]:
    return [
        StageHit(e.event_time, event_source(e))
        for e in change.events
        if event_matches(e, stage.event_types)
    ]


EVALUATORS: dict[str, Callable[[Stage, ScopedChange], list[StageHit]]] = {
    "issue_status": _issue_status,
    "commit": _commit,
    "pr_created": _pr_created,
    "pr_review": _pr_review,
    "pr_approved": _pr_approved,
    "pr_merged": _pr_merged,
    "ci_completed": _ci_completed,
    "cd_completed": _cd_completed,
    "released": _released,
    "api_event": _api_event,
    "pr_labeled": _pr_labeled,
    "change_request": _change_request,
}


def done_hit(change: ScopedChange) -> StageHit | None:
    """When the change's work was done, whether or not it was deployed (``completed_work:
    all``): for a ticket, its first move to a ``done``-category status (with none, its
    resolution time); for a pull request, its merge. The earliest over the change's
    in-scope records; ``None`` while it is not done."""
    if change.unit == "pull_request":
        hits = [StageHit(p.merged_at, pr_source(p)) for p in change.pull_requests if p.merged_at]
        return pick(hits, "first")
    found: list[StageHit] = []
    for issue in change.issues:
        moves = [
            StageHit(sc.at, issue_source(issue, sc.to))
            for sc in issue.status_changes
            if sc.category == "done"
        ]
        first = pick(moves, "first")
        if first is None and issue.resolved_at is not None:
            first = StageHit(issue.resolved_at, f"{issue_source(issue)} resolved")
        if first is not None:
            found.append(first)
    return pick(found, "first")


def stage_hit(stage: Stage, change: ScopedChange) -> StageHit | None:
    """When ``change`` reached ``stage`` (per its occurrence), or ``None`` if it never did."""
    return pick(EVALUATORS[stage.event](stage, change), stage.effective_occurrence)
