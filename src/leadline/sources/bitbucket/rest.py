"""Bitbucket REST answers → records: what ``leadline sync bitbucket`` reads, both flavours.

Every function takes a listed item as decoded JSON (a problem names its JSON path,
``where`` prefixing it). Pull requests, commits and build statuses share their mapping with
the webhooks (``mapping``). Here: Cloud Pipelines and deployments (Cloud API 2.0), and the
approvals of a Data Center pull request's activity log (REST 1.0). Every decision:
docs/sources-bitbucket.md.

* A **pipeline** is final when ``state.name`` is ``COMPLETED`` (``PENDING`` and
  ``IN_PROGRESS`` are not yet; another state is refused); its ``state.result.name``
  gives the status (SUCCESSFUL → success; FAILED, ERROR → failure; STOPPED, EXPIRED →
  cancelled; another result is kept in lower case). It is a CI run ``bitbucket-pipelines``
  named by its selector pattern (``default``, a branch pattern, a custom pipeline), else
  its ref; the run id is the pipeline's ``uuid``.
* A **deployment** (a Pipelines deployment step) is a CD run ``bitbucket-deployments`` in
  its environment: ``COMPLETED`` takes ``state.status.name`` (a completed deployment
  without one was successful); SUCCESSFUL, FAILED, STOPPED, CANCELLED and ROLLED_BACK read
  as themselves; UNDEPLOYED (replaced by a newer one), IN_PROGRESS and PENDING are not
  finished deployments (no run).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadline.domain.records import Commit, PipelineRun, PullRequest
from leadline.sources.base import build_record, read_opt_time, read_time
from leadline.sources.bitbucket.mapping import (
    build_status_run,
    cloud_commit,
    cloud_pull_request,
    dc_commit,
    dc_pull_request,
    dc_user,
    review,
)
from leadline.sources.payload import Node

PIPELINES_SYSTEM = "bitbucket-pipelines"
DEPLOYMENTS_SYSTEM = "bitbucket-deployments"
PIPELINE_RUNNING = frozenset({"PENDING", "IN_PROGRESS", "RUNNING", "PAUSED", "HALTED"})
PIPELINE_RESULTS = {
    "SUCCESSFUL": "success",
    "FAILED": "failure",
    "ERROR": "failure",
    "STOPPED": "cancelled",
    "EXPIRED": "cancelled",
}
DEPLOYMENT_STATES = {
    "SUCCESSFUL": "success",
    "FAILED": "failure",
    "STOPPED": "cancelled",
    "CANCELLED": "cancelled",
    "ROLLED_BACK": "rolled_back",
}
DEPLOYMENT_NOT_FINISHED = frozenset({"UNDEPLOYED", "IN_PROGRESS", "PENDING"})
DC_REVIEW_ACTIONS = {
    "APPROVED": "approved",
    "UNAPPROVED": "commented",
    "REVIEWED": "changes_requested",
}


def _paths(node: Node, fields: dict[str, str]) -> dict[str, str]:
    return {k: f"{node.path}.{v}" if node.path else v for k, v in fields.items()}


def pull_request(
    item: Any, flavour: str, repo: str, reviews: list[dict[str, Any]] | None = None
) -> PullRequest:
    """A listed pull request (Cloud: ``repo`` names it; Data Center: its ``toRef``)."""
    if flavour == "cloud":
        return cloud_pull_request(Node(item), repo, reviews or [])
    return dc_pull_request(Node(item), reviews or [])


def commit(item: Any, flavour: str, repo: str, where: str) -> Commit:
    """A listed commit (no branch: a pull request's commits are not yet on one)."""
    if flavour == "cloud":
        return cloud_commit(Node(item, where), repo, None)
    return dc_commit(Node(item, where), repo, None)


def build_status(item: Any, repo: str, sha: str, where: str) -> PipelineRun | None:
    """A build status of commit ``sha`` as a CI run (``mapping.build_status_run``)."""
    return build_status_run(Node(item, where), repo, sha)


def item_time(item: Any, *paths: str) -> datetime:
    """The first of the dotted ``paths`` that holds a time (ISO 8601, or epoch ms for Data
    Center's ``…Date`` fields): a listing's order key."""
    for path in paths:
        node = Node(item)
        for part in path.split("."):
            node = node.get(part)
        if node.present:
            return node.epoch_ms() if path.endswith("Date") else read_time(node)
    raise Node(item).get(paths[0]).error("required field is missing")


def pipeline_finished(item: Any) -> bool:
    """``COMPLETED`` → true; ``PENDING``, ``IN_PROGRESS`` (and its stages ``RUNNING``,
    ``PAUSED``, ``HALTED`` given as the state) → false; any other state is an error."""
    node = Node(item).get("state").get("name")
    name = node.text().strip().upper()
    if name == "COMPLETED":
        return True
    if name in PIPELINE_RUNNING:
        return False
    raise node.error(f"expected COMPLETED, PENDING or IN_PROGRESS, got {name!r}")


def pipeline_run(value: Any, repo: str) -> PipelineRun | None:
    """A Cloud pipeline → a CI run; ``None`` while it is not ``COMPLETED``."""
    item = Node(value)
    item.obj()
    if not pipeline_finished(value):
        return None
    state = item.get("state")
    result = state.get("result").get("name").text().strip().upper()
    target = item.get("target")
    params: dict[str, Any] = {"result": result}
    number = item.get("build_number")
    if number.present:
        params["build_number"] = number.number()
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": PIPELINES_SYSTEM,
        "pipeline": target.get("selector").get("pattern").opt_text()
        or target.get("ref_name").opt_text()
        or "pipelines",
        "run_id": item.get("uuid").text(),
        "type": "ci",
        "status": PIPELINE_RESULTS.get(result, result.lower()),
        "finished_at": read_time(item.get("completed_on")),
        "started_at": read_opt_time(item.get("created_on")),
        "repo": repo,
        "commit_sha": target.get("commit").get("hash").opt_text(),
        "branch": target.get("ref_name").opt_text()
        if target.get("ref_type").opt_text() in (None, "branch")
        else None,
        "params": params,
    }
    fields = {"pipeline": "target.selector.pattern", "run_id": "uuid",
              "status": "state.result.name",
              "finished_at": "completed_on", "started_at": "created_on",
              "commit_sha": "target.commit.hash", "branch": "target.ref_name"}  # fmt: skip
    return build_record(PipelineRun, data, _paths(item, fields))


def deployment_run(value: Any, repo: str) -> PipelineRun | None:
    """A Cloud deployment → a CD run; ``None`` when it is not a finished deployment."""
    item = Node(value)
    item.obj()
    state = item.get("state")
    name = state.get("name").text().strip().upper()
    if name in DEPLOYMENT_NOT_FINISHED:
        return None
    if name == "COMPLETED":
        outcome = state.get("status").get("name").opt_text()
        name = outcome.strip().upper() if outcome else "SUCCESSFUL"
    if name not in DEPLOYMENT_STATES:
        raise state.get("name").error(
            f"expected COMPLETED or one of {', '.join(DEPLOYMENT_STATES)}, got {name!r}"
        )
    environment = item.get("environment").get("name").text()
    release = item.get("release")
    params: dict[str, Any] = {"state": name}
    for key in ("name", "url"):
        value = release.get(key).opt_text()
        if value is not None:
            params[f"release_{key}"] = value
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": DEPLOYMENTS_SYSTEM,
        "pipeline": environment,
        "run_id": item.get("uuid").text(),
        "type": "cd",
        "status": DEPLOYMENT_STATES[name],
        "finished_at": read_opt_time(state.get("completed_on"))
        or read_time(item.get("last_update_time")),
        "started_at": read_opt_time(state.get("started_on")),
        "environment": environment,
        "repo": repo,
        "commit_sha": release.get("commit").get("hash").opt_text(),
        "params": params,
    }
    fields = {"pipeline": "environment.name", "run_id": "uuid", "finished_at": "state.completed_on",
              "started_at": "state.started_on", "environment": "environment.name",
              "commit_sha": "release.commit.hash"}  # fmt: skip
    return build_record(PipelineRun, data, _paths(item, fields))


def dc_activity_reviews(values: list[Any]) -> list[dict[str, Any]]:
    """Approvals, unapprovals (``commented``) and "needs work" (REVIEWED →
    ``changes_requested``) of a Data Center pull request's ``activities``, each at its
    ``createdDate`` (epoch milliseconds)."""
    out = []
    for activity in (Node(a, f"activities[{i}]") for i, a in enumerate(values)):
        state = DC_REVIEW_ACTIONS.get(activity.get("action").text().strip().upper())
        if state is not None:
            at = activity.get("createdDate").epoch_ms()
            out.append(review(dc_user(activity.get("user")), state, at))
    return sorted(out, key=lambda r: (r["at"], r["author"] or ""))
