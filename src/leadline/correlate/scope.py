"""A profile's ``scope`` applied to a change bundle (see ``docs/linking.md``, "Scope").

* ``projects`` / ``issue_types`` (globs, case-insensitive) narrow **tickets**. A ticket
  change outside them is out of scope. A pull-request change needs at least one linked
  ticket inside them, and only those tickets contribute issue stages, fix versions and
  ticket events.
* ``labels`` (globs, case-insensitive, any of): a ticket change needs a matching ticket
  label; a pull-request change a matching PR label.
* ``repos`` (globs, case-insensitive) narrow the **code records** that count: commits, pull
  requests and pipeline runs that name a repo. A pull-request change whose PR is in another
  repo is out of scope. A ticket change stays in scope; it simply has no code stages from
  other repos.
* ``services`` (globs, case-insensitive) narrow the pipeline runs that name a service (and,
  in DORA, deployments, failed runs and incidents that name one), change requests too.
* ITSM change requests count when they name one of the change's in-scope tickets.

``params_match`` is the run-parameter filter (``params``) of stages and of DORA's run
filter: one predicate for both.

An absent list does not narrow anything; an empty list would match nothing (profiles reject
empty lists).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from leadline.correlate.linking import (
    ChangeBundle,
    RunKey,
    Unit,
    change_request_keys,
    event_ticket_key,
)
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


def any_glob(values: Iterable[str], patterns: Sequence[str] | None) -> bool:
    """True when there is no filter (``None``), or one of ``values`` matches (case-insensitive)."""
    if patterns is None:
        return True
    return any(glob_any(v, patterns, ignore_case=True) for v in values)


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
        glob_any(param_text(run_params.get(name)), [pattern], ignore_case=True)
        for name, pattern in wanted.items()
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
    return glob_any(project, scope.projects, ignore_case=True) and glob_any(
        issue_type, scope.issue_types, ignore_case=True
    )


def _ticket_in_scope(issue: Issue, scope: Scope) -> bool:
    return ticket_in_scope(issue.project, issue.type, scope)


def apply_scope(scope: Scope, bundle: ChangeBundle) -> ScopedChange | None:
    """The in-scope view of ``bundle``, or ``None`` when the change is out of scope."""
    issues = tuple(i for i in bundle.issues if _ticket_in_scope(i, scope))
    repos = scope.repos
    prs = tuple(p for p in bundle.pull_requests if glob_any(p.repo, repos, ignore_case=True))
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
        commits=tuple(c for c in bundle.commits if glob_any(c.repo, repos, ignore_case=True)),
        pull_requests=prs,
        pipeline_runs=tuple(
            r
            for r in bundle.pipeline_runs
            if (r.repo is None or glob_any(r.repo, repos, ignore_case=True))
            and (r.service is None or glob_any(r.service, scope.services, ignore_case=True))
        ),
        versions=tuple(v for v in bundle.versions if (v.project, v.name) in fix_versions),
        events=tuple(e for e in bundle.events if event_ticket_key(e) in (None, *ticket_keys)),
        artifact_runs=bundle.artifact_runs,
        change_requests=tuple(
            r
            for r in bundle.change_requests
            if {k.upper() for k in change_request_keys(r)} & ticket_keys
            and (r.service is None or glob_any(r.service, scope.services, ignore_case=True))
        ),
    )
