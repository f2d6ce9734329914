"""A profile's filters as pure predicates, and its ``scope`` applied to a change bundle
(see ``docs/linking.md``, "Scope").

**One module for every filter's matching rule.** Lead time (``correlate/stages.py``,
``correlate/categories.py``), DORA (``services/dora*.py``), the drill-downs and the doctor's
checks all call these predicates, so a filter key compares the same way wherever it
appears. An absent list (``None``) does not narrow anything; an empty list would match
nothing (profiles reject empty lists). Globs are ``fnmatch`` globs (``*``, ``?``, ``[…]``).

| filter keys (``scope``, stages, ``categories``, ``dora.*``) | rule | predicate |
|---|---|---|
| ``projects``, ``issue_types``, ``repos``, ``pipelines`` | glob, any case | ``glob_match`` |
| ``names``, ``event_types``, ``services`` of a section | glob, any case | ``glob_match`` |
| ``scope.services`` | glob, any case; a record naming no service passes | ``service_ok`` |
| ``labels`` | glob, any case; any of the record's labels | ``any_glob`` |
| ``target_branches``, ``source_branches`` | glob, **exact case** | ``branch_match`` |
| ``scope.paths`` | glob, **exact case**; any of a commit's paths | ``paths_match`` |
| ``environments``, ``priorities`` | exact, any case, spaces trimmed | ``exact_match`` |
| ``severities``, ``urgencies`` | exact, any case, spaces trimmed | ``exact_match`` |
| ``statuses`` of runs | exact, any case | ``status_set`` |
| ``params`` | name exact case; value glob, any case | ``params_match`` |

Branches compare in exact case because git branch names are case-sensitive (``Main`` and
``main`` are two branches): a stage's ``target_branches: [main]`` and ``dora.deployments``'
(``source: pull_requests``) give the same answer for a PR into ``Main`` — neither takes it.

The hotfix and revert patterns of ``dora.failures`` and ``dora.rework`` (``titles``,
``branches``, ``labels`` and their ``target_branches``) are one recogniser with its own
dialect, documented with them: any case, ``*`` and ``?`` only, ``[`` an ordinary character
(titles carry brackets) — ``correlate/unplanned.glob_hit``.

Paths compare in exact case too (file systems and git are case-sensitive), and ``*``
crosses ``/`` as in every glob here: ``services/payments/**`` and ``services/payments/*`` both
match ``services/payments/api/x.py``; ``**/*.py`` needs a ``/`` (``setup.py`` at the root is
not matched, ``*.py`` is). A commit that carries no paths (a merge commit, or a source that
does not give them) matches no ``paths`` filter.

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

``params_match`` is the run-parameter filter (``params``) of stages and of DORA's run
filter: one predicate for both.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from leadline.correlate.linking import (
    ChangeBundle,
    RunKey,
    Unit,
    change_request_keys,
    event_ticket_key,
    shipped_shas,
)
from leadline.correlate.shas import norm_sha, same_sha
from leadline.domain.records import Commit, Event, Issue, PipelineRun, PullRequest, Version
from leadline.profiles.models import Scope


def glob_any(value: str | None, patterns: Sequence[str] | None, *, ignore_case: bool) -> bool:
    """True when there is no filter (``None``), or ``value`` matches one of the ``patterns``."""
    if patterns is None:
        return True
    if value is None:
        return False
    if ignore_case:
        value = value.lower()
        return any(fnmatchcase(value, p.lower()) for p in patterns)
    return any(fnmatchcase(value, p) for p in patterns)


def glob_match(value: str | None, patterns: Sequence[str] | None) -> bool:
    """A name filter (projects, issue types, repos, services, pipelines, …): no filter, or
    ``value`` matches one of the globs in any case."""
    return glob_any(value, patterns, ignore_case=True)


def branch_match(value: str | None, patterns: Sequence[str] | None) -> bool:
    """A branch filter (``target_branches``, ``source_branches``): no filter, or ``value``
    matches one of the globs in exact case (git branch names are case-sensitive: ``Main``
    is not ``main``). A PR without the branch fails a filter that is given."""
    return glob_any(value, patterns, ignore_case=False)


def paths_match(paths: Iterable[str], patterns: Sequence[str] | None) -> bool:
    """A ``paths`` filter: no filter, or one of ``paths`` matches one of the globs in exact
    case (``*`` crosses ``/``). No paths at all fail a filter that is given."""
    if patterns is None:
        return True
    return any(glob_any(p, patterns, ignore_case=False) for p in paths)


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


def any_glob(values: Iterable[str], patterns: Sequence[str] | None) -> bool:
    """A ``labels`` filter: no filter, or one of ``values`` matches (case-insensitive)."""
    if patterns is None:
        return True
    return any(glob_any(v, patterns, ignore_case=True) for v in values)


def exact_match(value: str | None, options: Sequence[str] | None) -> bool:
    """An exact-name filter (environments, priorities, severities, urgencies): no filter, or
    ``value`` is one of ``options`` ignoring case and surrounding spaces."""
    if options is None:
        return True
    return value is not None and value.strip().lower() in {o.strip().lower() for o in options}


def service_ok(value: str | None, patterns: Sequence[str] | None) -> bool:
    """``scope.services`` on a record that may name no service: runs, incidents and tickets
    that name one must match; the others pass (as runs without a repo pass ``scope.repos``)."""
    return value is None or glob_match(value, patterns)


def status_set(given: Sequence[str] | None, default: Sequence[str]) -> set[str]:
    """The run statuses a ``statuses`` filter keeps (``default`` when not given), lower case:
    stored run statuses are lower case."""
    return {s.lower() for s in (given or default)}


def issue_selected(
    issue: Issue,
    types: Sequence[str] | None,
    projects: Sequence[str] | None,
    labels: Sequence[str] | None,
) -> bool:
    """A ticket's type and project match, and (with ``labels``) one of its labels does."""
    return (
        glob_match(issue.type, types) and glob_match(issue.project, projects)
        and any_glob(issue.labels, labels)
    )  # fmt: skip


def param_text(value: Any) -> str | None:
    """A run parameter's value as the text a ``params`` glob is matched against: a string as
    it is, a boolean ``true``/``false`` and a number as JSON writes them; anything else (null,
    a list, a mapping) has no text and matches nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return None


def params_match(run_params: Mapping[str, Any], wanted: Mapping[str, str] | None) -> bool:
    """True when there is no filter (``None``), or the run has every wanted parameter: the
    name exactly (case-sensitive: ``DEPLOY_ENV`` and ``deploy_env`` are two parameters), the
    value matching its glob ignoring case (``prod*`` matches ``Production``)."""
    if wanted is None:
        return True
    return all(
        glob_match(param_text(run_params.get(name)), [pattern]) for name, pattern in wanted.items()
    )


#: A run's parameters in a hashable form: sorted ``(name, text)`` pairs (``run_params``).
RunParams = tuple[tuple[str, str | None], ...]


def run_params(params: Mapping[str, Any]) -> RunParams:
    """A run's ``params`` as sorted ``(name, param_text(value))`` pairs: hashable, so a
    cached run filter can take them, and ``params_match(dict(pairs), …)`` gives the same
    answer as on the params themselves."""
    return tuple(sorted((str(k), param_text(v)) for k, v in params.items()))


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


def ticket_in_scope(project: str | None, issue_type: str | None, scope: Scope) -> bool:
    """A ticket of ``project`` and ``issue_type`` passes ``scope.projects``/``issue_types``."""
    return glob_match(project, scope.projects) and glob_match(issue_type, scope.issue_types)


def _ticket_in_scope(issue: Issue, scope: Scope) -> bool:
    return ticket_in_scope(issue.project, issue.type, scope)


def apply_scope(scope: Scope, bundle: ChangeBundle) -> ScopedChange | None:
    """The in-scope view of ``bundle``, or ``None`` when the change is out of scope."""
    issues = tuple(i for i in bundle.issues if _ticket_in_scope(i, scope))
    repos = scope.repos
    prs = tuple(p for p in bundle.pull_requests if glob_match(p.repo, repos))
    commits = tuple(c for c in bundle.commits if glob_match(c.repo, repos))
    shas: set[str] | None = None  # the in-scope commits, with ``paths``
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
    )
