"""GitHub's CI/CD and release deliveries: ``workflow_run``, ``deployment_status``, ``release``.

Part of ``leadline.sources.github.webhook`` (which dispatches on ``X-GitHub-Event``); the mapping
decisions are in docs/sources.md#github.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import PipelineRun, Version
from leadline.sources.base import (
    Parsed,
    branch_of,
    build_record,
    read_int,
    read_opt_time,
    read_time,
)
from leadline.sources.payload import Node

ACTIONS_SYSTEM = "github-actions"
DEPLOYMENTS_SYSTEM = "github-deployments"
# workflow_run.conclusion → status; any other conclusion is kept as it is.
CONCLUSIONS = {
    "success": "success",
    "failure": "failure",
    "timed_out": "failure",
    "startup_failure": "failure",
    "cancelled": "cancelled",
}
# deployment_status.state → status; the others are not final (or, inactive, superseded).
DEPLOYMENT_STATES = {"success": "success", "failure": "failure", "error": "failure"}


def repository(root: Node) -> str:
    """``owner/name`` of the delivery's repository."""
    return root.get("repository").get("full_name").text()


def workflow_run_id(run_id: str, attempt: int | None) -> str:
    """A run's id in leadline: the GitHub run id for the first attempt, ``ID.ATTEMPT`` for a
    re-run (a re-run keeps GitHub's id; a separate record keeps the first attempt's time)."""
    return run_id if attempt is None or attempt <= 1 else f"{run_id}.{attempt}"


def workflow_run(root: Node) -> Parsed:
    action = root.get("action").opt_text()
    if action != "completed":
        return Parsed([], ignored=f"workflow_run action {action!r}: only completed runs count")
    run = root.get("workflow_run")
    run.obj()
    attempt = run.get("run_attempt")
    attempt_no = read_int(attempt) if attempt.present else None
    conclusion = run.get("conclusion").text().lower()
    params: dict[str, Any] = {"conclusion": conclusion}
    for key in ("run_number", "run_attempt", "event", "path", "html_url"):
        node = run.get(key)
        if isinstance(node.value, str | int) and not isinstance(node.value, bool):
            params[key] = node.value
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": ACTIONS_SYSTEM,
        "pipeline": run.get("name").opt_text()
        or root.get("workflow").get("name").opt_text()
        or run.get("path").text(),
        "run_id": workflow_run_id(run.get("id").id_text(), attempt_no),
        "type": "ci",
        "status": CONCLUSIONS.get(conclusion, conclusion),
        "finished_at": read_time(run.get("updated_at")),
        "started_at": read_opt_time(run.get("run_started_at")),
        "repo": repository(root),
        "commit_sha": run.get("head_sha").opt_text(),
        "branch": branch_of(run.get("head_branch").opt_text()),
        "params": params,
    }
    paths = {
        "pipeline": "workflow_run.name",
        "run_id": "workflow_run.id",
        "status": "workflow_run.conclusion",
        "finished_at": "workflow_run.updated_at",
        "started_at": "workflow_run.run_started_at",
        "repo": "repository.full_name",
        "commit_sha": "workflow_run.head_sha",
        "branch": "workflow_run.head_branch",
    }
    return Parsed([build_record(PipelineRun, data, paths)])


def deployment_status(root: Node) -> Parsed:
    status = root.get("deployment_status")
    status.obj()
    deployment = root.get("deployment")
    deployment.obj()
    state = status.get("state").text().lower()
    if state == "inactive":
        return Parsed([], ignored="deployment_status 'inactive': a newer deployment replaced it")
    if state not in DEPLOYMENT_STATES:
        return Parsed([], ignored=f"deployment_status state {state!r} is not final")
    environment = status.get("environment").opt_text() or deployment.get("environment").text()
    ref = deployment.get("ref").opt_text()
    params: dict[str, Any] = {"state": state, "status_id": status.get("id").opt_id_text()}
    if ref is not None:
        params["ref"] = ref
    workflow = root.get("workflow_run").get("id").opt_id_text()
    if workflow is not None:
        params["workflow_run_id"] = workflow
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": DEPLOYMENTS_SYSTEM,
        "pipeline": deployment.get("task").opt_text() or environment,
        "run_id": deployment.get("id").id_text(),
        "type": "cd",
        "status": DEPLOYMENT_STATES[state],
        "finished_at": read_opt_time(status.get("updated_at"))
        or read_time(status.get("created_at")),
        "started_at": read_opt_time(deployment.get("created_at")),
        "environment": environment,
        "repo": repository(root),
        "commit_sha": deployment.get("sha").opt_text(),
        "branch": branch_of(ref),
        "params": {k: v for k, v in params.items() if v is not None},
    }
    paths = {
        "pipeline": "deployment.task",
        "run_id": "deployment.id",
        "finished_at": "deployment_status.updated_at",
        "started_at": "deployment.created_at",
        "environment": "deployment_status.environment",
        "repo": "repository.full_name",
        "commit_sha": "deployment.sha",
        "branch": "deployment.ref",
    }
    return Parsed([build_record(PipelineRun, data, paths)])


def release(root: Node) -> Parsed:
    action = root.get("action").opt_text()
    if action in ("deleted", "unpublished"):
        return Parsed([], ignored=f"release action {action!r}: a released version stays released")
    rel = root.get("release")
    rel.obj()
    if rel.get("draft").opt_bool():
        return Parsed([], ignored="draft release: not released")
    if rel.get("prerelease").opt_bool():
        return Parsed([], ignored="prerelease: not counted as a release")
    published = read_opt_time(rel.get("published_at"))
    if published is None:
        return Parsed([], ignored="release not published yet")
    data: dict[str, Any] = {
        "kind": "version",
        "project": repository(root),
        "name": rel.get("tag_name").text(),
        "released_at": published,
    }
    paths = {"project": "repository.full_name", "name": "release.tag_name"}
    return Parsed([build_record(Version, data, paths)])
