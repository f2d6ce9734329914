"""The checks of ``leadline doctor`` and their registry, ``CHECKS`` (docs/doctor.md).

Each check is one function of a ``Context`` returning its ``Outcome``\\ s, and one ``Check``
entry in ``CHECKS`` (id, title, severity, hint, the words of its count). The database
narrows each check to its findings (``store/quality_queries.py``); the scope is applied
here with the predicates the figures use (``correlate/scope.py``; the run filter of
``services/dora_filters.py``), so a finding is a record the figures would have counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine

from leadline.correlate.ancestry import Deployment
from leadline.correlate.scope import any_glob, glob_any, service_ok, ticket_in_scope
from leadline.domain.times import format_time, from_micros, to_micros
from leadline.metrics.leadtime import clamped_stages
from leadline.profiles.models import Profile
from leadline.services import drilldown
from leadline.services.baseline import find_baseline
from leadline.services.doctor import EXAMPLES, Check, Context, Outcome, Report, Subject, doctor
from leadline.services.doctor_exclusions import excluded_records
from leadline.services.doctor_patterns import patterns_matching_nothing
from leadline.services.dora_filters import DEPLOY_TYPES, run_filter
from leadline.services.leadtime import Window
from leadline.services.refresh import Progress
from leadline.store import quality_queries as q
from leadline.store.quality_queries import Finding
from leadline.store.timelines import Matrix
from leadline.words import plural

OLDEST = to_micros(datetime(2000, 1, 1, tzinfo=UTC))  # before this, a time is a mistake


def _repo_ok(ctx: Context, repo: str | None) -> bool:
    return repo is None or glob_any(repo, ctx.profile.scope.repos, ignore_case=True)


def pr_without_ticket(ctx: Context) -> list[Outcome]:
    scope = ctx.profile.scope
    found = [
        x for x in q.prs_without_ticket(ctx.conn, ctx.start, ctx.end)
        if _repo_ok(ctx, x.repo) and any_glob(x.labels, scope.labels)
    ]  # fmt: skip
    return [Outcome.of(found)]


def ticket_done_without_code(ctx: Context) -> list[Outcome]:
    scope = ctx.profile.scope
    done = [
        x for x in q.done_tickets(ctx.conn, ctx.start, ctx.end)
        if ticket_in_scope(x.project, x.type, scope) and any_glob(x.labels, scope.labels)
    ]  # fmt: skip
    code = q.code_repos_by_key(ctx.conn, [x.key or "" for x in done])
    found = [
        x for x in done
        if not any(_repo_ok(ctx, repo) for repo in code.get(x.key or "", ()))
    ]  # fmt: skip
    return [Outcome.of(found)]


def commit_without_pr(ctx: Context) -> list[Outcome]:
    found = [x for x in q.commits_without_pr(ctx.conn, ctx.start, ctx.end) if _repo_ok(ctx, x.repo)]
    return [Outcome.of(found)]


def commit_without_paths(ctx: Context) -> list[Outcome]:
    if ctx.profile.scope.paths is None:
        return [Outcome.not_applicable("the profile has no scope.paths: paths select nothing")]
    found = [
        x for x in q.commits_without_paths(ctx.conn, ctx.start, ctx.end) if _repo_ok(ctx, x.repo)
    ]
    return [Outcome.of(found)]


def run_without_commit(ctx: Context) -> list[Outcome]:
    spec = ctx.profile.dora
    if spec is not None and spec.deployments.source == "cd":
        keep = run_filter(ctx.profile, spec.deployments.pipelines, spec.deployments.environments)
    else:
        keep = run_filter(ctx.profile, None, None)
    found = [
        x for x in q.runs_without_commit(ctx.conn, DEPLOY_TYPES, ctx.start, ctx.end)
        if keep(x.pipeline or "", x.environment, x.repo, x.service)
    ]  # fmt: skip
    return [Outcome.of(found)]


_NO_DORA = "the profile has no dora block: it counts no deployments or failures"
_RELEASES = "deployments are releases, which name no commit"
_COMPLETE = "deployments are merged pull requests: a complete history, with no baseline"


def _deploying(ctx: Context) -> str | None:
    """Why the deployment checks do not apply, or ``None`` when they do."""
    spec = ctx.profile.dora
    if spec is None:
        return _NO_DORA
    return _RELEASES if spec.deployments.source == "releases" else None


def _deployment(x: Deployment, detail: str | None) -> Finding:
    return Finding(f"deployment {x.id}", x.at_us, detail, repo=x.repo, service=x.service)


def deployment_commit_unknown(ctx: Context) -> list[Outcome]:
    why = _deploying(ctx)
    if why is not None:
        return [Outcome.not_applicable(why)]
    items = [x for x in ctx.deployments_in_window() if x.sha]
    known = q.known_shas(ctx.conn, [x.sha or "" for x in items])
    found = [_deployment(x, x.sha) for x in items if (x.sha or "").strip().lower() not in known]
    return [Outcome.of(_newest_first(found))]


def deployment_ships_nothing(ctx: Context) -> list[Outcome]:
    why = _deploying(ctx)
    if why is not None:
        return [Outcome.not_applicable(why)]
    items = [x for x in ctx.deployments_in_window() if x.sha]
    known = q.known_shas(ctx.conn, [x.sha or "" for x in items])
    items = [x for x in items if (x.sha or "").strip().lower() in known]
    shipped = ctx.shipments() if items else None
    found = [
        _deployment(x, x.sha) for x in items
        if shipped is not None and not shipped.commits.get(x.id) and not shipped.prs.get(x.id)
    ]  # fmt: skip
    return [Outcome.of(_newest_first(found))]


def baseline_deployment(ctx: Context) -> list[Outcome]:
    """The first known deployments that shipped commits from before tracking began
    (``services/baseline.py``): lead time leaves those commits out by default."""
    why = _deploying(ctx)
    spec = ctx.profile.dora
    if why is None and spec is not None and spec.deployments.source != "cd":
        why = _COMPLETE
    if why is not None:
        return [Outcome.not_applicable(why)]
    found = find_baseline(ctx.conn, ctx.profile.scope, ctx.start, ctx.end)
    return [Outcome.of([
        Finding(f"deployment {x.id}", x.at_us,
                f"{plural(x.baseline_commits, 'commit')} before tracking began "
                f"({format_time(from_micros(x.tracking_start_us))})",
                repo=x.repo, service=x.service)
        for x in found
    ])]  # fmt: skip


def failure_unlinked(ctx: Context) -> list[Outcome]:
    spec = ctx.profile.dora
    if spec is None:
        return [Outcome.not_applicable(_NO_DORA)]
    if spec.failures.source == "cd":
        return [Outcome.not_applicable("failures are failed deployment runs: each is linked")]
    report = drilldown.failures(ctx.engine, ctx.profile, ctx.start, ctx.end)
    found = [
        Finding(f"{'incident' if report.source == 'incidents' else 'issue'} {r.key}", r.at_us,
                r.title, service=r.service)
        for r in report.unlinked
    ]  # fmt: skip
    return [Outcome.of(found)]


_BY_COMMIT = "lead time is per commit (dora.lead_time: commits): there are no stages"


def _stage_check(ctx: Context, mark: Callable[[Matrix], NDArray[np.bool_]]) -> list[Outcome]:
    """One outcome per stage: the changes (finished in the window) ``mark`` flags there."""
    spec = ctx.profile.dora
    if spec is not None and spec.lead_time == "commits":
        return [Outcome.not_applicable(_BY_COMMIT)]
    m = ctx.matrix
    keys = m.keys or []
    flags = mark(m) if keys else np.zeros((0, len(ctx.profile.stages)), dtype=bool)
    out = []
    for j, stage in enumerate(ctx.profile.stages):
        rows = np.flatnonzero(flags[:, j])
        found = [
            Finding(f"change {keys[i]}", int(m.end[i]), _reached(m.times[i, j]), change=keys[i])
            for i in rows
        ]
        out.append(Outcome.of(_newest_first(found), stage.name))
    return out


def _reached(at: float) -> str:
    """The example's detail: when the change reached the stage (or that it never did)."""
    return "not reached" if np.isnan(at) else f"reached {format_time(from_micros(int(at)))}"


def stage_clamped(ctx: Context) -> list[Outcome]:
    return _stage_check(ctx, lambda m: clamped_stages(m.start, m.times))


def stage_never_reached(ctx: Context) -> list[Outcome]:
    return _stage_check(ctx, lambda m: np.isnan(m.times))


def time_in_future(ctx: Context) -> list[Outcome]:
    scope = ctx.profile.scope
    found = [
        x for x in q.times_out_of_range(ctx.conn, OLDEST, ctx.now_us)
        if _repo_ok(ctx, x.repo) and service_ok(x.service, scope.services)
        and (x.project is None or glob_any(x.project, scope.projects, ignore_case=True))
    ]  # fmt: skip
    return [Outcome.of(found)]


def excluded_by_rule(ctx: Context) -> list[Outcome]:
    """One outcome per ``exclude`` rule (none without rules): ``services/doctor_exclusions``."""
    return [
        Outcome(len(found), found[:EXAMPLES], rule=str(rule))
        for rule, found in excluded_records(ctx.conn, ctx.profile, ctx.start, ctx.end)
    ]


def pattern_matched_nothing(ctx: Context) -> list[Outcome]:
    return [Outcome.of(patterns_matching_nothing(ctx.conn, ctx.profile))]


def _newest_first(found: list[Finding]) -> list[Finding]:
    return sorted(found, key=lambda x: (-(x.at_us or 0), x.record))


CHECKS: tuple[Check, ...] = (
    Check("pr_without_ticket", "Pull requests without a ticket key", "warning",
          "Name the ticket key in the title or the branch (PAY-12-fix-rounding).",
          "pull request", "has no ticket key", "have no ticket key", pr_without_ticket),
    Check("ticket_done_without_code", "Done tickets without linked code", "warning",
          "Name the ticket key in a commit message, the PR title or the branch.",
          "done ticket", "has no linked commit or pull request",
          "have no linked commit or pull request", ticket_done_without_code),
    Check("commit_without_pr", "Commits in no pull request", "info",
          "Protect the default branch so every change goes through a pull request.",
          "commit", "is in no pull request", "are in no pull request", commit_without_pr),
    Check("commit_without_paths", "Commits without paths (scope.paths)", "info",
          "Import the commits with the paths they change (leadline git, push webhooks).",
          "commit", "carries no paths: scope.paths counts it nowhere",
          "carry no paths: scope.paths counts them nowhere", commit_without_paths),
    Check("deployment_ships_nothing", "Deployments that ship nothing new", "warning",
          "Narrow dora.deployments (pipelines, environments) to real releases.",
          "deployment", "ships no commit not shipped before",
          "ship no commit not shipped before", deployment_ships_nothing, "deployments"),
    Check("deployment_commit_unknown", "Deployments of an unknown commit", "error",
          "Import the repository's commits and their parents (leadline git or sync).",
          "deployment", "names a commit leadline does not have",
          "name a commit leadline does not have", deployment_commit_unknown, "deployments"),
    Check("baseline_deployment", "First deployments shipping history from before tracking",
          "info",
          "Import earlier runs (sync without --since) or set deployments.baseline: include.",
          "deployment", "shipped commits from before tracking began (left out of lead time)",
          "shipped commits from before tracking began (left out of lead time)",
          baseline_deployment, "deployments"),
    Check("run_without_commit", "CD runs with neither commit nor artifact", "warning",
          "Send the deployed commit SHA (or the artifact consumed) with every CD run.",
          "CD run", "names no commit and no artifact", "name no commit and no artifact",
          run_without_commit),
    Check("failure_unlinked", "Failures linked to no deployment", "warning",
          "Give incidents the deployment or commit, or the service, that caused them.",
          "failure", "is linked to no deployment", "are linked to no deployment",
          failure_unlinked, "failures"),
    Check("stage_clamped", "Stages counted 0 (events out of order)", "warning",
          "Check the clocks and the stage order: this stage's event came before the one before.",
          "change", "reached {stage} before the stage before it or the start (counted 0)",
          "reached {stage} before the stage before it or the start (counted 0)", stage_clamped,
          "changes"),
    Check("stage_never_reached", "Changes that never reached a stage", "info",
          "Check the stage's filters (statuses, pipelines, branches) against the records.",
          "change", "never reached {stage}", "never reached {stage}", stage_never_reached,
          "changes"),
    Check("time_in_future", "Times in the future or before 2000", "error",
          "Fix the source's clock or time zone, then import the records again.",
          "record", "has a time in the future or before 2000",
          "have a time in the future or before 2000", time_in_future),
    Check("excluded_by_rule", "Records excluded", "info",
          "Nothing to fix if the rule is meant; else narrow or remove it (exclude).",
          "record", "excluded by rule {rule}", "excluded by rule {rule}", excluded_by_rule,
          "excluded"),
    Check("pattern_matched_nothing", "Patterns that match no record", "error",
          "Correct the pattern (a typo?) or remove it: it filters everything out.",
          "pattern", "of the profile matches no record", "of the profile match no record",
          pattern_matched_nothing),
)  # fmt: skip


def diagnose(
    engine: Engine,
    profile: Profile,
    window: Window | None = None,
    subject: Subject | None = None,
    now: datetime | None = None,
    on_progress: Progress | None = None,
    *,
    build: bool = True,
) -> Report:
    """``doctor`` with every check of ``CHECKS`` (``leadline doctor``, the API, the page)."""
    return doctor(engine, profile, CHECKS, window, subject, now, on_progress, build=build)
