"""GitLab REST pipelines, deployments and releases → records (part of
``leadline.sources.gitlab.rest``; the decisions are the webhook parser's, docs/sources.md#gitlab):

* pipeline (``/pipelines/:id``, the detail: the list has no ``finished_at``) → a ``ci`` run of
  system ``gitlab-ci``, only once finished; a pipeline whose jobs deploy is still ``ci``: its
  deployments are their own ``cd`` runs;
* deployment → a ``cd`` run of system ``gitlab-deployments`` in its environment;
* release → ``version`` named by its tag.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import PipelineRun, Version
from leadline.sources.base import Parsed, build_record, read_opt_time
from leadline.sources.gitlab.ci import (
    DEPLOYMENT_STATUSES,
    PIPELINE_STATUSES,
    deployment_data,
    pipeline_data,
    pipeline_param_paths,
    run_params,
)
from leadline.sources.payload import Node


def pipeline(payload: Any, repo: str) -> Parsed:
    """``GET /pipelines/:id`` → a ``ci`` run once finished (as the Pipeline Hook).
    ``started_at`` = ``started_at`` (the hook has only ``created_at``; used when missing);
    extra ``updated_at``."""
    node = Node(payload)
    node.obj()
    status = node.get("status").text().lower()
    run_id = node.get("id").id_text()
    if status not in PIPELINE_STATUSES:
        return Parsed([], ignored=f"pipeline {run_id} is {status}: not final")
    finished = read_opt_time(node.get("finished_at"))
    if finished is None:
        return Parsed([], ignored=f"pipeline {run_id} is {status} but has no finished_at")
    started = read_opt_time(node.get("started_at")) or read_opt_time(node.get("created_at"))
    data = pipeline_data(node, repo, status, run_id, finished, started, "web_url")
    updated = read_opt_time(node.get("updated_at"))
    if updated is not None:
        data["updated_at"] = updated  # an extra: a stored run as listed needs no new fetch
    paths = {"run_id": "id", "finished_at": "finished_at", "commit_sha": "sha", "branch": "ref"}
    paths |= pipeline_param_paths(node, "web_url")
    return Parsed([build_record(PipelineRun, data, paths)])


def is_final_pipeline(payload: Any) -> bool:
    """Is this pipeline of the list finished (worth fetching its detail for)?"""
    status = Node(payload).get("status").value
    return isinstance(status, str) and status.lower() in PIPELINE_STATUSES


def deployment(payload: Any, repo: str) -> Parsed:
    """A deployment → a ``cd`` run (as the Deployment Hook): ``run_id`` = ``id``;
    ``finished_at`` = ``finished_at``, else its job's ``finished_at``, else ``updated_at``."""
    node = Node(payload)
    node.obj()
    status = node.get("status").text().lower()
    run_id = node.get("id").id_text()
    if status not in DEPLOYMENT_STATUSES:
        return Parsed([], ignored=f"deployment {run_id} is {status}: not final")
    job = node.get("deployable")
    finished = (
        read_opt_time(node.get("finished_at"))
        or read_opt_time(job.get("finished_at"))
        or read_opt_time(node.get("updated_at"))
    )
    if finished is None:
        return Parsed([], ignored=f"deployment {run_id} is {status} but has no finish time")
    ref = node.get("ref").opt_text()
    environment = node.get("environment")
    params = run_params(
        status,
        (
            ("deployable_id", job.get("id").value),
            ("deployable_url", job.get("web_url").value),
            ("environment_tier", environment.get("tier").value),
            ("ref", ref),
            ("pipeline_id", job.get("pipeline").get("id").value),
        ),
    )
    started = read_opt_time(job.get("started_at"))
    name = environment.get("name").text()
    sha = node.get("sha").opt_text()
    data = deployment_data(repo, status, run_id, finished, name, sha, ref, params)
    data["started_at"] = started
    paths = {
        "run_id": "id",
        "finished_at": "deployable.finished_at",
        "started_at": "deployable.started_at",
        "environment": "environment.name",
        "commit_sha": "sha",
        "branch": "ref",
        "params.status": "status",
        "params.deployable_id": f"{job.path}.id",
        "params.deployable_url": f"{job.path}.web_url",
        "params.environment_tier": f"{environment.path}.tier",
        "params.ref": "ref",
        "params.pipeline_id": f"{job.path}.pipeline.id",
    }
    return Parsed([build_record(PipelineRun, data, paths)])


def release(payload: Any, repo: str) -> Parsed:
    """A release → the ``version`` named by its tag, released at ``released_at`` (a future
    date for an upcoming release, as the Release Hook)."""
    node = Node(payload)
    node.obj()
    data: dict[str, Any] = {
        "kind": "version",
        "project": repo,
        "name": node.get("tag_name").text(),
        "released_at": read_opt_time(node.get("released_at")),
    }
    return Parsed([build_record(Version, data, {"name": "tag_name"})])
