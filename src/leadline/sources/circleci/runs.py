"""What a CircleCI webhook and an API v2 listing share: statuses, commit, repository, record.

A workflow (or a job) is one ``pipeline_run``: system ``circleci``, ``pipeline`` the
workflow's name (``WORKFLOW/JOB`` for a job), ``run_id`` CircleCI's UUID, ``type`` ``ci``.
The commit is ``pipeline.vcs.revision`` (GitHub OAuth and Bitbucket Cloud projects), else
``pipeline.trigger_parameters.git.checkout_sha`` (GitLab, GitHub App and Bitbucket Data
Center projects, which have no ``vcs`` block); the branch likewise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadline.domain.records import PipelineRun
from leadline.sources.base import build_record, read_opt_time, read_time, repo_of_url
from leadline.sources.payload import Node

SYSTEM = "circleci"
# Final workflow and job statuses → leadline's; a final status not listed is kept as it is
# (``unauthorized``: the run was not allowed to start, neither a success nor a failure).
STATUSES = {
    "success": "success",
    "failed": "failure",
    "error": "failure",
    "infrastructure_fail": "failure",
    "timedout": "failure",
    "canceled": "cancelled",
    "unauthorized": "unauthorized",
    "terminated-unknown": "terminated-unknown",
}
NOT_RUN = "not_run"
# Slug prefixes of VCS projects (``gh/acme/app``, ``github/acme/app``, ``bb/…``); a slug
# ``circleci/ORG-UUID/PROJECT-UUID`` (GitLab, GitHub App) names no repository.
_VCS_SLUGS = {"gh", "github", "bb", "bitbucket"}


def is_final(status: str) -> bool:
    """A status CircleCI will not change any more (``not_run`` included)."""
    return status.lower() in STATUSES or status.lower() == NOT_RUN


def commit_of(pipeline: Node) -> tuple[str | None, str | None, str | None]:
    """``(sha, branch, repository url)`` of a pipeline, from ``vcs`` or the git trigger."""
    vcs = pipeline.get("vcs")
    git = pipeline.get("trigger_parameters").get("git")
    sha = vcs.get("revision").opt_text() or git.get("checkout_sha").opt_text()
    branch = vcs.get("branch").opt_text() or git.get("branch").opt_text()
    url = vcs.get("target_repository_url").opt_text() or git.get("checkout_url").opt_text()
    return sha, branch, url


def repo_of(url: str | None, slug: str | None) -> str | None:
    """``owner/name``: from the repository URL, else from a VCS project slug."""
    if url is not None:
        return repo_of_url(url)
    if slug is None:
        return None
    kind, _, rest = slug.partition("/")
    return rest if kind.lower() in _VCS_SLUGS and rest.count("/") == 1 else None


def run(
    node: Node,
    pipeline: Node,
    *,
    name: str,
    status: str,
    started_at: datetime | None,
    slug: str | None,
    params: dict[str, tuple[Any, str]],
) -> PipelineRun:
    """The record of one finished workflow or job (``node``) of ``pipeline``; ``params``: each
    run parameter's value and the payload path it came from."""
    sha, branch, url = commit_of(pipeline)
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": name,
        "run_id": node.get("id").text(),
        "type": "ci",
        "status": STATUSES.get(status.lower(), status),
        "finished_at": read_time(node.get("stopped_at")),
        "started_at": started_at,
        "repo": repo_of(url, slug),
        "commit_sha": sha,
        "branch": branch,
        "params": {k: v for k, (v, _) in params.items() if v is not None},
    }
    pipe = pipeline.path
    paths = {
        "pipeline": f"{node.path}.name",
        "run_id": f"{node.path}.id",
        "status": f"{node.path}.status",
        "finished_at": f"{node.path}.stopped_at",
        "started_at": f"{node.path}.created_at",
        "repo": f"{pipe}.vcs.target_repository_url",
        "commit_sha": f"{pipe}.vcs.revision",
        "branch": f"{pipe}.vcs.branch",
        **{f"params.{k}": path for k, (_, path) in params.items()},
    }
    return build_record(PipelineRun, data, paths)


def pipeline_params(pipeline: Node) -> dict[str, tuple[Any, str]]:
    """The run parameters every run of ``pipeline`` carries, with their payload paths."""
    return {
        "pipeline_id": (pipeline.get("id").opt_text(), f"{pipeline.path}.id"),
        "pipeline_number": (pipeline.get("number").opt_id_text(), f"{pipeline.path}.number"),
    }


def opt_started(node: Node, key: str) -> datetime | None:
    return read_opt_time(node.get(key))
