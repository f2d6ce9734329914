"""Jenkins Notification plugin deliveries (JSON, format ``JSON``, protocol ``HTTP``) → runs.

The plugin posts each build phase: QUEUED, STARTED, COMPLETED, FINALIZED, with
``build.timestamp`` (epoch ms) meaning, in turn, when the build was queued, started, ended
(start + duration) and was finalized. COMPLETED is the run: it ends at ``timestamp`` and
started ``duration`` before. The others are acknowledged and ignored — FINALIZED too: it
repeats the result, but its time is the finalization's, not the build's end. Fields read (the
plugin's ``JobState``/``BuildState``/``ScmState``): ``name``, ``url``,
``build.{number, phase, status, timestamp, duration, full_url, url}``,
``build.scm.{url, branch, commit}`` (``scm.changes`` lists changed files, not commits) and
``build.parameters`` (an object: ``SERVICE``/``ENVIRONMENT`` name what a deployment job
deployed where; ``mapping.deployment_target``).
docs/sources-jenkins.md has the hook set-up.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import PipelineRun
from leadline.sources.base import Parsed, PayloadError, build_record, read_int, shift_ms
from leadline.sources.jenkins.mapping import (
    RESULTS,
    RUN_TYPE,
    SYSTEM,
    branch_name,
    deployment_target,
    job_from_url,
    repo_from_remote,
)
from leadline.sources.payload import Node

PHASE_IGNORED = {
    "QUEUED": "build phase QUEUED: the result comes with COMPLETED",
    "STARTED": "build phase STARTED: the result comes with COMPLETED",
    "FINALIZED": "build phase FINALIZED: COMPLETED carried the result and the end time",
}


def job_name(root: Node) -> str:
    """The job's full name: from its ``url`` (folders included), else ``name``."""
    return job_from_url(root.get("url").opt_text()) or root.get("name").text()


def delivery_id(payload: Any) -> str | None:
    """``JOB#NUMBER:PHASE``: the plugin sends no delivery id, and a phase of a build is
    posted once (a retried post is a duplicate). ``None`` when the body lacks them."""
    try:
        root = Node(payload)
        build = root.get("build")
        return f"{job_name(root)}#{read_int(build.get('number'))}:{build.get('phase').text()}"
    except PayloadError:  # an unreadable body: the parser names the problem
        return None


def parse(payload: Any) -> Parsed:
    """One delivery → a run (or nothing, with the reason). Raises ``PayloadError`` naming
    the JSON path of a missing or ill-typed field."""
    root = Node(payload)
    root.obj()
    build = root.get("build")
    build.obj()
    phase = build.get("phase").text().strip().upper()
    if phase != "COMPLETED":
        phase_node = build.get("phase")
        if phase not in PHASE_IGNORED:
            raise phase_node.error(
                f"expected QUEUED, STARTED, COMPLETED or FINALIZED, got {phase!r}"
            )
        return Parsed([], ignored=PHASE_IGNORED[phase])
    status_node = build.get("status")
    result = status_node.text().strip().upper()
    if result not in RESULTS:
        raise status_node.error(f"expected one of {', '.join(RESULTS)}, got {result!r}")
    finished = build.get("timestamp").epoch_ms()
    duration = build.get("duration")
    started = shift_ms(finished, duration, -1) if duration.present else None
    scm = build.get("scm")
    parameters = _parameters(build.get("parameters"))
    # The build's parameters (the stages' and DORA's ``params`` filter), leadline's own wins.
    params: dict[str, Any] = {**parameters, "result": result, "phase": phase}
    url = build.get("full_url").opt_text() or build.get("url").opt_text()
    if url is not None:
        params["url"] = url
    service, environment = deployment_target(parameters)
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": job_name(root),
        "service": service,
        "environment": environment,
        "run_id": str(read_int(build.get("number"))),
        "type": RUN_TYPE,
        "status": RESULTS[result],
        "finished_at": finished,
        "started_at": started,
        "repo": repo_from_remote(scm.get("url").opt_text()),
        "commit_sha": scm.get("commit").opt_text(),
        "branch": branch_name(scm.get("branch").opt_text()),
        "params": params,
    }
    paths = {"pipeline": "url", "run_id": "build.number", "status": "build.status",
             "finished_at": "build.timestamp", "started_at": "build.duration",
             "repo": "build.scm.url", "commit_sha": "build.scm.commit",
             "branch": "build.scm.branch",
             "params.url": "build.full_url (or build.url)"}  # fmt: skip
    return Parsed([build_record(PipelineRun, data, paths)])


def _parameters(node: Node) -> dict[str, str]:
    """``build.parameters``: an object of name → value (scalars kept as text)."""
    if not isinstance(node.value, dict):
        return {}
    return {str(k): str(v) for k, v in node.value.items() if isinstance(v, str | int | float)}
