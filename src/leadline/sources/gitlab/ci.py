"""GitLab's CI/CD and release deliveries: Pipeline, Deployment and Release Hooks.

Part of ``leadline.sources.gitlab.webhook`` (which dispatches on the event). A pipeline and a
deployment are one record whichever way they arrive: ``pipeline_data``, ``deployment_data``
and ``run_params`` are shared with the REST mapping (``leadline.sources.gitlab.rest_ci``),
which only reads the values from other places. The mapping decisions are in
docs/sources.md#gitlab.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from leadline.domain.records import PipelineRun, Version
from leadline.sources.base import Parsed, branch_of, build_record, read_opt_time, read_time
from leadline.sources.payload import Node

PIPELINES_SYSTEM = "gitlab-ci"
DEPLOYMENTS_SYSTEM = "gitlab-deployments"
# Finished pipeline statuses → status; the others (running, pending, manual…) are not final.
PIPELINE_STATUSES = {
    "success": "success",
    "failed": "failure",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "skipped": "skipped",
}
DEPLOYMENT_STATUSES = {"success": "success", "failed": "failure", "canceled": "cancelled"}
_FULL_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def project(root: Node) -> str:
    """``group/project`` of the delivery (``project.path_with_namespace``)."""
    return root.get("project").get("path_with_namespace").text()


def pipeline(root: Node) -> Parsed:
    attrs = root.get("object_attributes")
    attrs.obj()
    status = attrs.get("status").text().lower()
    run_id = attrs.get("id").id_text()
    if status not in PIPELINE_STATUSES:
        return Parsed([], ignored=f"pipeline status {status!r} is not final")
    finished = read_opt_time(attrs.get("finished_at"))
    if finished is None:
        return Parsed([], ignored=f"pipeline {run_id} is {status} but has no finished_at")
    repo = project(root)
    data = pipeline_data(
        attrs, repo, status, run_id, finished, read_opt_time(attrs.get("created_at")), "url"
    )
    paths = {
        "pipeline": "project.path_with_namespace",
        "run_id": "object_attributes.id",
        "finished_at": "object_attributes.finished_at",
        "started_at": "object_attributes.created_at",
        "repo": "project.path_with_namespace",
        "commit_sha": "object_attributes.sha",
        "branch": "object_attributes.ref",
        **pipeline_param_paths(attrs, "url"),
    }
    return Parsed([build_record(PipelineRun, data, paths)])


def pipeline_param_paths(attrs: Node, url_key: str) -> dict[str, str]:
    """The payload path of each run parameter ``pipeline_data`` keeps (``params.KEY``)."""
    at = f"{attrs.path}." if attrs.path else ""
    names = {"status": "status", "iid": "iid", "name": "name", "source": "source"}
    names |= {"url": url_key, "tag": "ref"}
    return {f"params.{k}": at + v for k, v in names.items()}


def pipeline_data(
    attrs: Node,
    repo: str,
    status: str,
    run_id: str,
    finished: datetime,
    started: datetime | None,
    url_key: str,
) -> dict[str, Any]:
    """The ``ci`` run of a finished pipeline, from the hook's ``object_attributes`` or the
    REST API's pipeline (they differ in the URL's field name and where ``started_at`` comes
    from, which the caller decides)."""
    ref = attrs.get("ref").opt_text()
    tag = attrs.get("tag").opt_bool()
    keys = (("iid", "iid"), ("name", "name"), ("source", "source"), ("url", url_key))
    params = run_params(status, ((name, attrs.get(key).value) for name, key in keys))
    if tag and ref:
        params["tag"] = ref
    return {
        "kind": "pipeline_run",
        "system": PIPELINES_SYSTEM,
        "pipeline": repo,
        "run_id": run_id,
        "type": "ci",
        "status": PIPELINE_STATUSES[status],
        "finished_at": finished,
        "started_at": started,
        "repo": repo,
        "commit_sha": attrs.get("sha").opt_text(),
        "branch": None if tag else ref,
        "params": params,
    }


def deployment(root: Node) -> Parsed:
    status = root.get("status").text().lower()
    if status not in DEPLOYMENT_STATUSES:
        return Parsed([], ignored=f"deployment status {status!r} is not final")
    ref = root.get("ref").opt_text()
    keys = ("deployable_id", "deployable_url", "environment_tier", "ref")
    params = run_params(status, ((key, root.get(key).value) for key in keys))
    repo = project(root)
    data = deployment_data(
        repo,
        status,
        root.get("deployment_id").id_text(),
        read_time(root.get("status_changed_at")),
        root.get("environment").text(),
        deployed_sha(root),
        ref,
        params,
    )
    paths = {
        "pipeline": "project.path_with_namespace",
        "run_id": "deployment_id",
        "finished_at": "status_changed_at",
        "environment": "environment",
        "repo": "project.path_with_namespace",
        "commit_sha": "commit_url",
        "branch": "ref",
        **{f"params.{key}": key for key in params},
    }
    return Parsed([build_record(PipelineRun, data, paths)])


def run_params(status: str, values: Iterable[tuple[str, object]]) -> dict[str, Any]:
    """A run's ``params``: the tool's ``status``, then each ``(name, value)`` whose value is a
    non-empty string or an integer (the hook and the REST answer keep the same ones)."""
    params: dict[str, Any] = {"status": status}
    for name, value in values:
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            params[name] = value
    return params


def deployment_data(
    repo: str,
    status: str,
    run_id: str,
    finished: datetime,
    environment: str,
    sha: str | None,
    ref: str | None,
    params: dict[str, Any],
) -> dict[str, Any]:
    """The ``cd`` run of a finished deployment, from the Deployment Hook or the REST API's
    deployment (they differ in where each value is, which the caller reads)."""
    return {
        "kind": "pipeline_run",
        "system": DEPLOYMENTS_SYSTEM,
        "pipeline": repo,
        "run_id": run_id,
        "type": "cd",
        "status": DEPLOYMENT_STATUSES[status],
        "finished_at": finished,
        "environment": environment,
        "repo": repo,
        "commit_sha": sha,
        "branch": branch_of(ref),
        "params": params,
    }


def deployed_sha(root: Node) -> str | None:
    """The full SHA from ``commit_url`` (``…/-/commit/<sha>``) when it agrees with
    ``short_sha``; else ``short_sha`` (leadline resolves abbreviated SHAs of 7+ digits)."""
    short = root.get("short_sha").opt_text()
    url = root.get("commit_url").opt_text()
    last = url.rstrip("/").rsplit("/", 1)[-1].lower() if url else ""
    if _FULL_SHA.match(last) and (short is None or last.startswith(short.lower())):
        return last
    return short


def release(root: Node) -> Parsed:
    action = root.get("action").opt_text()
    if action == "delete":
        return Parsed([], ignored="release action 'delete': a released version stays released")
    data: dict[str, Any] = {
        "kind": "version",
        "project": project(root),
        "name": root.get("tag").text(),
        "released_at": read_opt_time(root.get("released_at")),
    }
    paths = {"project": "project.path_with_namespace", "name": "tag"}
    return Parsed([build_record(Version, data, paths)])
