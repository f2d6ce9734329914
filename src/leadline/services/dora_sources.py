"""Whether each DORA metric has a source at all: "no data" is not zero.

A metric whose records cannot exist — no deployment of the kind ``dora.deployments`` reads,
no incident (or failure ticket) for ``dora.failures``, none for ``dora.restore``, recorded
before the window's end — has no value: ``null`` with a ``reason``, never a rated 0
(``metrics.dora.without_data``). A source with nothing in *this* window is different: 0
deployments of a team that deploys is a real 0 per day, and 0 failures over 12 deployments a
real 0 % (docs/dora.md#no-data-is-not-zero).

``leadline git`` is the usual case: git records releases, not failures or restores, so with
no incidents imported its change failure rate and time to restore are ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile
from leadline.services.dora_filters import DEPLOY_TYPES, run_filter
from leadline.store import dora_queries as q

_DEPLOYMENTS = {
    "cd": "no deployment run matches dora.deployments",
    "pull_requests": "no merged pull request matches dora.deployments",
    "releases": "no released version matches dora.deployments",
    "issues": "no ticket that dora.deployments selects reached its statuses",
}
_RECORDS = {
    "incidents": "no incident",
    "issues": "no ticket",
    "pull_requests": "no merged pull request",
}
_IMPORT = {"pull_requests": "pull requests"}  # what to import; else incidents or tickets


@dataclass(frozen=True)
class Missing:
    """Why a metric has no source (``None``: it has one)."""

    deployments: str | None = None
    failures: str | None = None
    restore: str | None = None


def any_deployment_run(conn: Connection, profile: Profile, spec: DoraSpec, end: int) -> bool:
    """``deployments.source: cd``: whether any run the deployment filter keeps (any status)
    finished before ``end`` (its ``params`` unchecked: a source with runs of the pipelines
    but none with the parameters counts zero deployments, not "no source")."""
    d = spec.deployments
    keep = run_filter(profile, d.pipelines, d.environments)
    return any(
        keep(pipeline, environment, repo, service)
        for pipeline, environment, repo, service, _ in q.load_run_kinds(
            conn, DEPLOY_TYPES, end, d.count_at
        )
    )


def missing(spec: DoraSpec, deployments: bool, failures: bool, restores: bool) -> Missing:
    """The reasons, from whether each source has any record before the window's end.
    ``failures.source: cd`` reads the deployment runs themselves: it has a source when they
    do."""
    d, f, r = spec.deployments.source, spec.failures.source, spec.restore.source
    no_deployments = None if deployments else f"no deployment source: {_DEPLOYMENTS[d]}"
    if f == "cd":
        no_failures = None if deployments else f"no failure source: {_DEPLOYMENTS[d]}"
    else:
        no_failures = None if failures else (
            f"no failure source: {_RECORDS[f]} matches dora.failures (source: {f}); "
            f"import {_IMPORT.get(f, 'incidents or tickets')} to measure it"
        )  # fmt: skip
    no_restores = None if restores else (
        f"no restore source: {_RECORDS[r]} matches dora.restore (source: {r}); "
        "import incidents or tickets to measure it"
    )  # fmt: skip
    return Missing(no_deployments, no_failures, no_restores)
