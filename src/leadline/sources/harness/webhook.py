"""Harness notification bodies (``{"eventData": {...}}``) → ``pipeline_run`` records.

- ``PipelineSuccess``, ``PipelineFailed`` and ``PipelineEnd`` → the execution's run:
  pipeline ``pipelineIdentifier``, run id ``planExecutionId``. A rule subscribed to all
  events sends both ``PipelineEnd`` and ``PipelineSuccess``/``PipelineFailed`` for one
  execution: they map to the same record (same key), so the execution counts once.
- ``StageSuccess``, ``StageFailed`` → the stage's run: pipeline ``PIPELINE/STAGE``.
- ``PipelineStart``, ``StageStart`` (not finished), ``TriggerFailed`` (nothing ran) and any
  other event type are acknowledged and ignored, with the reason.

Times: ``startTs``/``endTs`` are epoch seconds (``TriggerFailed`` sends milliseconds: told
apart by magnitude). The run's ``type`` is ``ci`` when ``moduleInfo`` names only the CI
module, ``ci_cd`` when it names both, else ``cd`` (a Harness pipeline deploys).

The default body has no commit or environment. Optional fields leadline reads from
``eventData`` when a custom notification template adds them: ``commitSha``, ``branch``,
``repoUrl``, ``environment``, ``service``, ``artifact`` (``image:tag``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadline.domain.records import PipelineRun
from leadline.sources.base import Parsed, build_record, image_artifact, repo_of_url
from leadline.sources.payload import Node

SYSTEM = "harness"
FINISHED = {
    "PipelineSuccess": "success",
    "PipelineFailed": "failure",
    "StageSuccess": "success",
    "StageFailed": "failure",
}
# PipelineEnd carries the outcome in nodeStatus (Harness's execution status, lower-cased).
NODE_STATUSES = {
    "completed": "success",
    "success": "success",
    "succeeded": "success",
    "failed": "failure",
    "errored": "failure",
    "expired": "failure",
    "aborted": "cancelled",
    "aborted_by_freeze": "cancelled",
}
NOT_FINISHED = {"PipelineStart", "StageStart"}
_MIN_MS = 100_000_000_000  # below: epoch seconds (1973-03-03 in milliseconds)
PARAMS = (
    "accountIdentifier",
    "orgIdentifier",
    "projectIdentifier",
    "pipelineName",
    "stageName",
    "executionUrl",
    "nodeStatus",
    "errorMessage",
)  # eventData's, kept
_PATHS = {
    "pipeline": "eventData.pipelineIdentifier",
    "run_id": "eventData.planExecutionId",
    "status": "eventData.nodeStatus",
    "finished_at": "eventData.endTs",
    "started_at": "eventData.startTs",
    "commit_sha": "eventData.commitSha",
    "branch": "eventData.branch",
    "repo": "eventData.repoUrl",
    "environment": "eventData.environment",
    "service": "eventData.service",
    "artifacts": "eventData.artifact",
    **{f"params.{key}": f"eventData.{key}" for key in PARAMS},
    "params.triggerType": "eventData.triggeredBy.triggerType",
}


def delivery_id(payload: Any) -> str | None:
    """``EVENT:EXECUTION[:STAGE]`` (Harness sends no delivery id; an execution sends each
    event once per stage), or ``None`` when the body has no execution id."""
    data = payload.get("eventData") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        return None
    parts = [data.get(k) for k in ("eventType", "planExecutionId", "stageIdentifier")]
    if not all(isinstance(p, str) and p for p in parts[:2]):
        return None
    return ":".join(p for p in parts if isinstance(p, str) and p)


def parse(payload: Any) -> Parsed:
    """One notification → a run, or nothing with the reason."""
    root = Node(payload)
    root.obj()
    data = root.get("eventData")
    data.obj()
    event = data.get("eventType").text()
    if event in NOT_FINISHED:
        return Parsed([], ignored=f"{event}: the execution has not finished")
    if event == "TriggerFailed":
        return Parsed([], ignored="TriggerFailed: the trigger started no execution")
    if event == "PipelineEnd":
        node_status = data.get("nodeStatus").text().lower()
        status = NODE_STATUSES.get(node_status, node_status)
    elif event in FINISHED:
        status = FINISHED[event]
    else:
        return Parsed([], ignored=f"{event}: not a pipeline or stage outcome")
    pipeline = data.get("pipelineIdentifier").text()
    stage = data.get("stageIdentifier")
    if event.startswith("Stage"):
        pipeline = f"{pipeline}/{stage.text()}"
    return Parsed([_run(data, pipeline, status)])


def _run(data: Node, pipeline: str, status: str) -> PipelineRun:
    params: dict[str, Any] = {key: data.get(key).opt_text() for key in PARAMS}
    params["triggerType"] = data.get("triggeredBy").get("triggerType").opt_text()
    artifact = data.get("artifact").opt_text()
    record: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": pipeline,
        "run_id": data.get("planExecutionId").text(),
        "type": _type(data.get("moduleInfo")),
        "status": status,
        "finished_at": _epoch(data.get("endTs")),
        "started_at": _epoch(data.get("startTs")) if data.get("startTs").present else None,
        "environment": data.get("environment").opt_text(),
        "service": data.get("service").opt_text(),
        "repo": repo_of_url(data.get("repoUrl").opt_text()),
        "commit_sha": data.get("commitSha").opt_text(),
        "branch": data.get("branch").opt_text(),
        "params": {k: v for k, v in params.items() if v is not None},
        "artifacts": [image_artifact(artifact)] if artifact is not None else [],
    }
    return build_record(PipelineRun, record, _PATHS)


def _epoch(node: Node) -> datetime:
    """Epoch seconds, or milliseconds when the number is that large."""
    value = node.number()
    return node.epoch_ms() if abs(value) >= _MIN_MS else node.epoch(1, "seconds")


def _type(module_info: Node) -> str:
    modules = {k.lower() for k in module_info.obj()} if module_info.present else set()
    if "ci" in modules:
        return "ci_cd" if "cd" in modules else "ci"
    return "cd"
