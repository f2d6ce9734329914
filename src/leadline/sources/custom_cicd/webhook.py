"""The custom CI/CD job payload (Harness SEI's ``POST /v1/custom-cicd``) → a pipeline run.

The payload is one finished job run: ``pipeline``, ``start_time`` (epoch ms), ``duration``
(ms), ``result``, ``scm_commit_ids``, ``ci``/``cd`` flags, ``artifacts``, ``job_run_params``…
Each delivery is the whole run, so re-sending it simply replaces the record (no merge).
Field-by-field rules: docs/sources-jira-pagerduty.md.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from leadline.domain.records import PipelineRun
from leadline.sources.base import Parsed, build_record, repo_of_url
from leadline.sources.payload import Node

DEFAULT_SYSTEM = "custom"
# Jenkins-style results and their usual synonyms; anything else is kept, lower-cased.
STATUSES = {
    "success": "success",
    "succeeded": "success",
    "passed": "success",
    "failure": "failure",
    "failed": "failure",
    "error": "failure",
    "aborted": "cancelled",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "running": "running",
    "in_progress": "running",
}
# Below this, start_time is surely seconds, not milliseconds (1973-03-03 in ms).
_MIN_MS = 100_000_000_000
_PATHS = {
    "system": "system",
    "pipeline": "pipeline",
    "run_id": "execution_id",
    "status": "result",
    "environment": "environment",
    "repo": "repo_url",
    "branch": "branch_name",
    "commit_shas": "scm_commit_ids",
    "service": "service",
    "params": "job_run_params",
    "artifacts": "artifacts",
}


def parse(payload: Any) -> Parsed:
    """One custom CI/CD job payload (flat, or wrapped as ``{"payload": {...}}``) → a run."""
    root = Node(payload)
    root.obj()
    if root.get("payload").present and not root.get("start_time").present:
        root = root.get("payload")
        root.obj()
    start = root.get("start_time")
    if isinstance(start.value, int | float) and 0 <= start.number() < _MIN_MS:
        raise start.error(f"{start.value!r} looks like epoch seconds; expected milliseconds")
    started_at = start.epoch_ms()
    duration = root.get("duration")
    if duration.number() < 0:
        raise duration.error(f"must not be negative, got {duration.value!r}")
    run_type = _type(root)
    params = _params(root.get("job_run_params"))
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": root.get("system").opt_text() or DEFAULT_SYSTEM,
        "pipeline": _pipeline(root),
        "run_id": _run_id(root, start),
        "type": run_type,
        "status": _status(root.get("result")),
        "started_at": started_at,
        "finished_at": _finished(started_at, duration),
        "environment": _named(root, params, "environment", "env"),
        "repo": repo_of_url(root.get("repo_url").opt_text()),
        "branch": root.get("branch_name").opt_text(),
        "commit_shas": list(dict.fromkeys(root.get("scm_commit_ids").texts())),
        "service": _named(root, params, "service"),
        "params": params,
        "artifacts": _artifacts(root.get("artifacts"), run_type),
    }
    for extra, key in (("instance_name", "instance_name"), ("url", "web_url")):
        value = root.get(key).opt_text()
        if value is not None:
            data[extra] = value
    return Parsed(records=[build_record(PipelineRun, data, _PATHS)])


def _pipeline(root: Node) -> str:
    """``pipeline``; the page's own curl example sends only ``job_full_name``/``job_name``."""
    for key in ("pipeline", "job_full_name", "job_name"):
        value = root.get(key).opt_text()
        if value is not None:
            return value
    raise root.get("pipeline").error("required field is missing (nor job_full_name, job_name)")


def _run_id(root: Node, start: Node) -> str:
    """``execution_id``, else ``build_number``, else ``start_time`` (stable per run)."""
    for key in ("execution_id", "build_number"):
        value = root.get(key).opt_id_text()
        if value is not None:
            return value
    return str(round(start.number()))


def _finished(started_at: datetime, duration: Node) -> datetime:
    """``start_time`` + ``duration`` (milliseconds, as the page's field table says)."""
    try:
        return started_at + timedelta(milliseconds=duration.number())
    except OverflowError:
        raise duration.error(f"too large: {duration.value!r} ms") from None


def _type(root: Node) -> str:
    """Both flags → ci_cd; ``cd`` only → cd; otherwise ci (a run is a deployment only when
    it says so)."""
    ci, cd = root.get("ci").opt_bool(), root.get("cd").opt_bool()
    if cd:
        return "ci_cd" if ci else "cd"
    return "ci"


def _status(result: Node) -> str:
    text = result.text().strip().lower()
    return STATUSES.get(text, text)


def _params(node: Node) -> dict[str, Any]:
    """``[{"type", "name", "value"}]`` → ``{name: value}`` (a later duplicate wins)."""
    if node.present and isinstance(node.value, dict):
        return {k: _value(node.get(k)) for k in node.value}  # already a mapping: keep it
    return {n.get("name").text(): _value(n.get("value")) for n in node.items()}


def _value(node: Node) -> Any:
    """A parameter value, any JSON but NaN/Infinity (which JSON cannot store)."""
    if not node.present:
        return None
    for child in [node, *node.items()] if isinstance(node.value, list) else [node]:
        if isinstance(child.value, float) and not math.isfinite(child.value):
            raise child.error(f"expected a finite number, got {child.value!r}")
    return node.value


def _named(root: Node, params: dict[str, Any], *names: str) -> str | None:
    """A top-level field (leadline's extension), else a job parameter of that name."""
    value = root.get(names[0]).opt_text()
    if value is not None:
        return value
    by_name = {str(k).lower(): v for k, v in params.items()}
    for name in names:
        found = by_name.get(name)
        if isinstance(found, str) and found.strip():
            return found
    return None


def _artifacts(node: Node, run_type: str) -> list[dict[str, Any]]:
    """One artifact per direction flagged (``input``/``output``); neither flag → output for
    a CI run, input for a CD run. ``qualifier`` is the version."""
    out: list[dict[str, Any]] = []
    for item in node.items():
        item.obj()
        flags = [d for d in ("input", "output") if item.get(d).opt_bool()]
        if not flags:
            flags = ["input" if run_type == "cd" else "output"]
        base: dict[str, Any] = {
            "name": item.get("name").text(),
            "version": item.get("qualifier").opt_id_text(),
        }
        for key in ("type", "location"):
            value = item.get(key).opt_text()
            if value is not None:
                base[key] = value
        out.extend({**base, "direction": d} for d in flags)
    return out
