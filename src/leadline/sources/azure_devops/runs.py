"""Azure Pipelines builds and release deployments as pipeline runs: what the service-hook
deliveries and the REST answers share (the resource has the same shape in both), used by
``webhook`` and ``rest``.

A build is a ``ci`` run keyed by its id; a release deployment is a ``cd`` run in its
environment, once finished (``finished_status``). Statuses are mapped as the other CI
sources write them (``RUN_STATUSES``); anything else is kept, lower-cased.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadline.domain.records import PipelineRun
from leadline.domain.storable import problem_in
from leadline.sources.azure_devops.fields import SHA, SYSTEM, opt_time, ref_branch, time
from leadline.sources.base import build_record, read_int
from leadline.sources.payload import Node

# Build results and release stage statuses → leadline's run statuses (as the other CI
# sources write them); anything else is kept, lower-cased.
RUN_STATUSES = {
    "succeeded": "success",
    "partiallysucceeded": "partially_succeeded",
    "failed": "failure",
    "rejected": "failure",
    "notdeployed": "failure",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}
# Deployment statuses of a deployment that has not finished: no pipeline run yet.
UNFINISHED = frozenset({"inprogress", "queued", "scheduled", "undefined", "notstarted", "all"})


# --- builds and deployments ----------------------------------------------------------------


def build_run(build: Node) -> PipelineRun:
    """A finished build (a classic build or a YAML pipeline run: the run id is the build id)
    → a CI run; the build is an output artifact (definition name, build id) that a release
    deploying it names as its input."""
    build.obj()
    definition = build.get("definition").get("name").text()
    run_id = build.get("id").id_text()
    sha, branch = _source_version(build)
    result = run_status(build.get("result").opt_text() or build.get("status").text())
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": definition,
        "run_id": run_id,
        "type": "ci",
        "status": result,
        "started_at": opt_time(build.get("startTime")),
        "finished_at": time(build.get("finishTime")),
        "commit_sha": sha,
        "branch": branch,
        "repo": _build_repo(build),
        "artifacts": [{"name": definition, "version": run_id, "direction": "output"}],
    }
    number = build.get("buildNumber").opt_text()
    if number is not None:
        data["build_number"] = number
    at = f"{build.path}." if build.path else ""
    return build_record(PipelineRun, data, {k: at + v for k, v in _BUILD_PATHS.items()})


_BUILD_PATHS = {
    "pipeline": "definition.name",
    "run_id": "id",
    "status": "result",
    "started_at": "startTime",
    "finished_at": "finishTime",
    "commit_sha": "sourceVersion",
    "branch": "sourceBranch",
    "repo": "repository.name",
}


def _source_version(build: Node) -> tuple[str | None, str | None]:
    """The commit and branch built: ``sourceVersion``/``sourceBranch``, or the XAML-era
    ``sourceGetVersion`` ``LG:refs/heads/<branch>:<sha>``."""
    sha = build.get("sourceVersion").opt_text()
    ref = build.get("sourceBranch").opt_text()
    legacy = build.get("sourceGetVersion").opt_text()
    if legacy and legacy.startswith("LG:") and (sha is None or ref is None):
        ref_part, _, sha_part = legacy[3:].rpartition(":")
        sha = sha or (sha_part if SHA.match(sha_part) else None)
        ref = ref or ref_part or None
    return (sha if sha and SHA.match(sha) else None), ref_branch(ref)


def _build_repo(build: Node) -> str | None:
    repository = build.get("repository")
    if (repository.get("type").opt_text() or "").lower() != "tfsgit":
        return None
    name = repository.get("name").opt_text()
    project = build.get("project").get("name").opt_text()
    return f"{project}/{name}" if name and project else name


def deployment_run(
    *,
    pipeline: str,
    release_id: str,
    environment: Node,
    status: str,
    finished_at: datetime,
    started_at: datetime | None,
    artifacts: Node,
    attempt: Node,
    paths: Mapping[str, str],
) -> PipelineRun:
    """A finished release deployment (one release to one stage) → a CD run keyed
    ``<release id>/<stage id>``, and ``…/<attempt>`` for a second attempt on (a redeploy is
    another deployment); the build artifacts it deployed are its inputs, and the primary
    one's ``sourceVersion`` is its commit and its ``repository`` (``project/name``, as pull
    requests name it) its repo: a release names neither otherwise, and a run without a repo
    would count in every team's scope. ``paths``: where ``pipeline``, ``release_id``,
    ``status``, ``finished_at`` and ``started_at`` came from."""
    inputs, sha, branch, repo, primary = release_artifacts(artifacts)
    stage = environment.get("id")
    run_id = f"{release_id}/{stage.id_text()}"
    if attempt.present and read_int(attempt) > 1:
        run_id += f"/{read_int(attempt)}"
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": pipeline,
        "run_id": run_id,
        "type": "cd",
        "status": status,
        "started_at": started_at,
        "finished_at": finished_at,
        "environment": environment.get("name").opt_text(),
        "commit_sha": sha,
        "branch": branch,
        "repo": repo,
        "artifacts": inputs,
    }
    ref = f"{primary}.definitionReference"
    where = {
        **{k: paths[k] for k in ("pipeline", "status", "finished_at", "started_at")},
        # run_id joins the release id and the stage id: name the one the database cannot hold.
        "run_id": paths["release_id"] if problem_in(release_id) else stage.path,
        "environment": f"{environment.path}.name",
        "artifacts": artifacts.path,
        "commit_sha": f"{ref}.sourceVersion.id",
        "branch": f"{ref}.branch.id",
        "repo": f"{ref}.repository.name",
    }
    return build_record(PipelineRun, data, where)


def release_artifacts(
    artifacts: Node,
) -> tuple[list[dict[str, Any]], str | None, str | None, str | None, str]:
    """A release's build artifacts → input artifacts (build definition name, build id), and
    the commit, branch and repository of the primary one (else the first that names a
    commit). The repository is ``definitionReference.repository.name`` under
    ``definitionReference.project.name``; absent when the artifact does not say. Last, the
    path of the artifact they came from (``artifacts[]`` when none)."""
    inputs: list[dict[str, Any]] = []
    found: list[tuple[bool, str, str | None, str | None, str]] = []
    for artifact in artifacts.items():
        ref = artifact.get("definitionReference")
        name = ref.get("definition").get("name").opt_text()
        version = ref.get("version").get("id").opt_id_text()
        if (artifact.get("type").opt_text() or "").lower() != "build" or not name or not version:
            continue
        inputs.append({"name": name, "version": version, "direction": "input"})
        sha = ref.get("sourceVersion").get("id").opt_text()
        if sha and SHA.match(sha):
            branch = ref_branch(ref.get("branch").get("id").opt_text())
            name = ref.get("repository").get("name").opt_text()
            project = ref.get("project").get("name").opt_text()
            repo = (f"{project}/{name}" if project else name) if name else None
            primary = bool(artifact.get("isPrimary").opt_bool())
            found.append((primary, sha, branch, repo, artifact.path))
    found.sort(key=lambda f: not f[0])  # the primary first (stable)
    if not found:
        return inputs, None, None, None, f"{artifacts.path}[]"
    return inputs, found[0][1], found[0][2], found[0][3], found[0][4]


def run_status(status: str) -> str:
    """An Azure result or stage status in leadline's words (``succeeded`` → ``success``)."""
    return RUN_STATUSES.get(status.replace(" ", "").lower(), status.lower())


def finished_status(status: str | None) -> str | None:
    """A deployment's run status, or ``None`` while the deployment has not finished."""
    if status is None or status.replace(" ", "").lower() in UNFINISHED:
        return None
    return run_status(status)
