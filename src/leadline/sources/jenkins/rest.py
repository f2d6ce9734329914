"""Builds from the Jenkins JSON API (``/job/JOB/api/json?tree=builds[…]``) → pipeline runs.

The commit a build built is ``lastBuiltRevision.SHA1`` of the git plugin's ``BuildData``
action (older Jenkins omits its ``_class``: any action with ``lastBuiltRevision`` counts);
its branch is ``lastBuiltRevision.branch[0].name``, its repository the first of
``remoteUrls``. The commits the build brought in are its change sets' ``commitId``s
(FreeStyle jobs: ``changeSet``; Pipeline jobs: ``changeSets[]``), kept as the run's
``commit_shas``. A build still running (``building: true`` or no ``result``) is skipped.
Its ``ParametersAction`` parameters name what a deployment job deployed where
(``mapping.deployment_target``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from leadline.domain.records import PipelineRun
from leadline.sources.base import build_record, read_int, shift_ms
from leadline.sources.jenkins.mapping import (
    RESULTS,
    RUN_TYPE,
    SYSTEM,
    branch_name,
    deployment_target,
    repo_from_remote,
)
from leadline.sources.payload import Node

TREE_FIELDS = (
    "number,url,result,building,timestamp,duration,"
    "actions[lastBuiltRevision[SHA1,branch[name]],remoteUrls,parameters[name,value]],"
    "changeSet[items[commitId]],changeSets[items[commitId]]"
)


def build_run(job: str, value: Any, where: str = "") -> PipelineRun | None:
    """One build of ``job`` (its full name) as decoded JSON → a run; ``None`` while it is
    running. ``where``: the build's JSON path, for messages."""
    build = Node(value, where)
    build.obj()
    result_node = build.get("result")
    if build.get("building").opt_bool() or not result_node.present:
        return None
    result = result_node.text().strip().upper()
    if result not in RESULTS:
        raise result_node.error(f"expected one of {', '.join(RESULTS)}, got {result!r}")
    started = build.get("timestamp").epoch_ms()
    duration = build.get("duration")
    finished = shift_ms(started, duration) if duration.present else started
    revision, remote = _git(build)
    sha = revision.get("SHA1").opt_text()
    branches = revision.get("branch").items()
    shas = [s for s in _change_shas(build) if s != sha]
    parameters = _parameters(build)
    # The build's parameters (the stages' and DORA's ``params`` filter), leadline's own wins.
    params: dict[str, Any] = {**parameters, "result": result}
    url = build.get("url").opt_text()
    if url is not None:
        params["url"] = url
    service, environment = deployment_target(parameters)
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SYSTEM,
        "pipeline": job,
        "service": service,
        "environment": environment,
        "run_id": str(read_int(build.get("number"))),
        "type": RUN_TYPE,
        "status": RESULTS[result],
        "finished_at": finished,
        "started_at": started,
        "repo": repo_from_remote(remote),
        "commit_sha": sha,
        "commit_shas": list(dict.fromkeys(shas)),
        "branch": branch_name(branches[0].get("name").opt_text()) if branches else None,
        "params": params,
    }
    where = build.path
    paths = {k: f"{where}.{v}" if where else v for k, v in _PATHS.items()}
    return build_record(PipelineRun, data, paths)


_PATHS = {
    "run_id": "number",
    "status": "result",
    "finished_at": "duration",
    "started_at": "timestamp",
    "commit_sha": "actions.lastBuiltRevision.SHA1",
    "commit_shas": "changeSet.items",
    "branch": "actions.lastBuiltRevision.branch",
}


def _git(build: Node) -> tuple[Node, str | None]:
    """The git plugin's ``lastBuiltRevision`` and first remote URL (empty when none)."""
    for action in build.get("actions").items():
        if isinstance(action.value, dict) and action.get("lastBuiltRevision").present:
            remotes = action.get("remoteUrls").texts()
            return action.get("lastBuiltRevision"), remotes[0] if remotes else None
    return Node(None, f"{build.path}.actions"), None


def _parameters(build: Node) -> dict[str, str]:
    """The build's parameters (``ParametersAction``: ``parameters[{name, value}]``)."""
    found: dict[str, str] = {}
    for action in build.get("actions").items():
        if not isinstance(action.value, dict):
            continue
        for item in action.get("parameters").items():
            name, value = item.get("name").value, item.get("value").value
            if isinstance(name, str) and isinstance(value, str | int | float):
                found[name] = str(value)
    return found


def _change_shas(build: Node) -> list[str]:
    sets = [build.get("changeSet"), *build.get("changeSets").items()]
    return [
        item.get("commitId").text()
        for change_set in sets
        if change_set.get("kind").opt_text() in (None, "git")  # svn revisions are no SHAs
        for item in change_set.get("items").items()
        if item.get("commitId").present
    ]


FOLDER_CLASSES = ("Folder", "MultiBranchProject")  # …Folder, OrganizationFolder, Workflow…


def jobs(listing: Any, parent: str | None) -> list[tuple[str, bool]]:
    """``api/json?tree=jobs[name,_class]`` → ``(full name, is a folder)`` per job; a folder
    (``…Folder``, ``…MultiBranchProject``) holds more jobs."""
    found = []
    for job in Node(listing).get("jobs").items():
        name = job.get("name").text()
        kind = job.get("_class").opt_text() or ""
        full = f"{parent}/{name}" if parent else name
        found.append((full, kind.endswith(FOLDER_CLASSES)))
    return found


def job_path(full_name: str) -> str:
    """``a/b`` → ``job/a/job/b`` (each name percent-encoded)."""
    return "/".join(f"job/{quote(part, safe='')}" for part in full_name.split("/"))


def build_number(build: Any) -> int:
    return read_int(Node(build).get("number"))
