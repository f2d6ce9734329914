"""Which records a profile's ``dora`` block selects: globs on names, exact environments,
statuses, and the run filter shared by deployments and failures (docs/dora.md).

Pure predicates over a profile (no database): ``services/dora.py`` applies them to the rows it
loads, ``services/dora_sources.py`` to decide whether a metric has a source at all.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Mapping, Sequence

from leadline.correlate.scope import RunParams, params_match
from leadline.domain.records import Issue
from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile

DEPLOY_TYPES = ("cd", "ci_cd")  # the run types that deploy


def glob_match(value: str | None, patterns: Sequence[str] | None) -> bool:
    if patterns is None:
        return True
    if value is None:
        return False
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def exact_match(value: str | None, options: Sequence[str] | None) -> bool:
    if options is None:
        return True
    return value is not None and value.strip().lower() in {o.strip().lower() for o in options}


def issue_selected(
    issue: Issue,
    types: Sequence[str] | None,
    projects: Sequence[str] | None,
    labels: Sequence[str] | None,
) -> bool:
    """A ticket's type and project match, and (with ``labels``) one of its labels does."""
    return (
        glob_match(issue.type, types) and glob_match(issue.project, projects)
        and (labels is None or any(glob_match(x, labels) for x in issue.labels))
    )  # fmt: skip


def service_ok(value: str | None, patterns: Sequence[str] | None) -> bool:
    """Runs and incidents that name a service must match ``scope.services``; the others pass
    (as runs without a repo pass ``scope.repos``)."""
    return value is None or glob_match(value, patterns)


def statuses(given: Sequence[str] | None, default: Sequence[str]) -> set[str]:
    return {s.lower() for s in (given or default)}


RunFilter = Callable[..., bool]


def run_filter(
    profile: Profile,
    pipelines: Sequence[str] | None,
    environments: Sequence[str] | None,
    params: Mapping[str, str] | None = None,
) -> RunFilter:
    """Whether a run ``(pipeline, environment, repo, service[, params])`` counts: its
    pipeline and environment match, its parameters match ``params`` (the predicate of the
    stages' ``params``: ``correlate.scope.params_match``), and its repo and service are in
    the profile's scope (a run without a repo or service passes). ``params`` of the run
    ``None``: not read (a check of which runs exist at all), so not checked. Cached: runs
    repeat a handful of combinations."""
    repos, services = profile.scope.repos, profile.scope.services

    @functools.cache
    def keep(
        pipeline: str,
        environment: str | None,
        repo: str | None,
        service: str | None,
        run: RunParams | None = None,
    ) -> bool:
        return (
            glob_match(pipeline, pipelines)
            and exact_match(environment, environments)
            and (repo is None or glob_match(repo, repos))
            and service_ok(service, services)
            and (run is None or params_match(dict(run), params))
        )

    return keep


def failure_filter(profile: Profile, spec: DoraSpec) -> RunFilter:
    """``failures.source: cd``: the deployments' pipelines, environments and params unless
    set."""
    f, d = spec.failures, spec.deployments
    pipelines = f.pipelines if f.pipelines is not None else d.pipelines
    environments = f.environments if f.environments is not None else d.environments
    params = f.params if f.params is not None else d.params
    return run_filter(profile, pipelines, environments, params)


def reads_params(spec: DoraSpec) -> bool:
    """Whether the run filters look at run parameters (then the runs are read with them)."""
    return spec.deployments.params is not None or (
        spec.failures.source == "cd" and spec.failures.params is not None
    )
