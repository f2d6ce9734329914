"""The run filter a profile's ``dora`` block makes, shared by deployments and failures
(docs/dora.md), and which run types deploy.

The matching rule of each filter key lives in ``correlate/scope.py`` (the one table of case
rules); this module only assembles a profile's lists into the cached run predicate that
``services/dora_select.py`` applies to the rows it loads, ``services/dora_sources.py`` to
decide whether a metric has a source at all, and the doctor's checks to their findings.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from leadline.correlate.scope import (
    Given,
    RunParams,
    exact_match,
    glob_match,
    params_match,
    service_ok,
)
from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile

DEPLOY_TYPES = ("cd", "ci_cd")  # the run types that deploy


RunFilter = Callable[..., bool]


def run_filter(
    profile: Profile,
    pipelines: Given | None,
    environments: Given | None,
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
