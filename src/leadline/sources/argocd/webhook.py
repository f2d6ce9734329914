"""The body of leadline's Argo CD notification template → a deployment ``pipeline_run``.

One sync operation of one Application is one run: system ``argocd``, pipeline the
Application's name, run id the operation's ``started_at``, type ``cd``, commit the synced
``revision`` (else ``sync_revision``, the revision Argo CD compared with), finished at
``finished_at``. Notifications about the same operation (synced, then healthy or degraded)
therefore update one record.

**Status** from the sync phase, then the health: ``Failed``/``Error`` → ``failure``;
``Succeeded`` with health ``Degraded`` → ``failure``; ``Succeeded`` otherwise → ``success``;
``Running``/``Terminating`` (not finished) → ignored.

**Environment**, the first that is set: the ``environment`` field (the template renders the
Application's ``environment`` label), the destination namespace, the destination cluster
name, the Application's name.

A value rendered from a missing field reads as missing: empty, ``null`` or Go's
``<no value>`` (a hand-written template without ``dig``).
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import PipelineRun
from leadline.domain.times import format_time
from leadline.sources.base import (
    Parsed,
    build_record,
    image_artifact,
    read_time,
    repo_of_url,
)
from leadline.sources.payload import Node

SYSTEM = "argocd"
FAILED_PHASES = {"failed", "error"}
RUNNING_PHASES = {"running", "terminating"}
FAILED_HEALTH = {"degraded"}
_NO_VALUE = "<no value>"
_PATHS = {
    "pipeline": "app",
    "run_id": "started_at",
    "status": "phase",
    "finished_at": "finished_at",
    "started_at": "started_at",
    "repo": "repo_url",
    "commit_sha": "revision",
    "service": "app",
    "artifacts": "images",
    **{f"params.{key}": key for key in ("event", "phase", "health", "project", "app_namespace")},
    "params.cluster": "destination.name (or destination.server)",
    "params.namespace": "destination.namespace",
}


def _text(node: Node) -> str | None:
    value = node.opt_text()
    return None if value is None or value.strip() == _NO_VALUE else value


def delivery_id(payload: Any) -> str | None:
    """``EVENT:APP-UID:STARTED_AT`` (argocd-notifications sends no delivery id; a trigger
    fires once per operation), or ``None`` when the body lacks them."""
    if not isinstance(payload, dict):
        return None
    parts = [payload.get(k) for k in ("event", "uid", "started_at")]
    if not parts[1]:
        parts[1] = payload.get("app")
    if not all(isinstance(p, str) and p.strip() and p != _NO_VALUE for p in parts):
        return None
    return ":".join(str(p) for p in parts)


def parse(payload: Any) -> Parsed:
    """One notification → the deployment's run, or nothing with the reason."""
    root = Node(payload)
    root.obj()
    app = root.get("app").text()
    phase_node = root.get("phase")
    phase = _text(phase_node)
    if phase is None:
        raise phase_node.error("required field is missing (the sync operation's phase)")
    if phase.lower() in RUNNING_PHASES:
        return Parsed([], ignored=f"sync phase {phase!r}: the sync has not finished")
    health = _text(root.get("health"))
    if phase.lower() in FAILED_PHASES or (health or "").lower() in FAILED_HEALTH:
        status = "failure"
    elif phase.lower() == "succeeded":
        status = "success"
    else:
        status = phase
    started = root.get("started_at")
    dest = root.get("destination")
    # The first of these that is set is the environment; a problem names its path.
    env_nodes = (root.get("environment"), dest.get("namespace"), dest.get("name"))
    env_node = next((n for n in env_nodes if _text(n) is not None), root.get("app"))
    environment = _text(env_node) or app
    params = {
        "event": _text(root.get("event")),
        "phase": phase,
        "health": health,
        "project": _text(root.get("project")),
        "app_namespace": _text(root.get("app_namespace")),
        "cluster": _text(dest.get("name")) or _text(dest.get("server")),
        "namespace": _text(dest.get("namespace")),
    }
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": app,
        "run_id": format_time(read_time(started)),
        "type": "cd",
        "status": status,
        "finished_at": read_time(root.get("finished_at")),
        "started_at": read_time(started),
        "environment": environment,
        "repo": repo_of_url(_text(root.get("repo_url"))),
        "commit_sha": _text(root.get("revision")) or _text(root.get("sync_revision")),
        "service": app,
        "params": {k: v for k, v in params.items() if v is not None},
        "artifacts": [image_artifact(n.text()) for n in root.get("images").items()],
    }
    return Parsed([build_record(PipelineRun, data, {**_PATHS, "environment": env_node.path})])
