"""Azure DevOps service-hook deliveries (the "Web Hooks" consumer) → records.

Every delivery is an envelope ``{"id", "eventType", "publisherId", "resource", "createdDate",
…}``; ``parse`` dispatches on ``eventType``:

============================================  =============================================
``workitem.created`` / ``updated`` / ``restored``  an issue ``AB#<id>`` (the state change of
                                              this delivery; ``merge`` keeps the history)
``git.push``                                  the pushed commits (branch pushes only)
``git.pullrequest.created`` / ``updated`` /   the pull request, reviewers' votes as reviews
``merged``                                    seen at the delivery's ``createdDate``
``build.complete``                            a CI run (the build's commit and branch)
``ms.vss-release.deployment-completed-event``  a CD run per release and stage
``ms.vss-pipelines.run-state-changed-event``  a run, once ``completed``, naming its commit
============================================  =============================================

Any other event is acknowledged and ignored with the reason. Rules and reasons:
docs/sources-azure-devops.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leadline.domain.records import Commit, PipelineRun
from leadline.sources.azure_devops import fields as f
from leadline.sources.azure_devops import runs
from leadline.sources.base import Parsed, build_record
from leadline.sources.payload import Node

_ZERO_SHA = "0" * 40
RUN_WITHOUT_COMMIT = (
    "pipeline run without its commit (run.resources.repositories.self.version): the same "
    "run's build.complete carries it — enable that event"
)
NO_RECORDS = {
    "workitem.deleted": "workitem.deleted: leadline keeps deleted work items",
    "ms.vss-release.deployment-started-event": "deployment started: its outcome arrives as "
    "ms.vss-release.deployment-completed-event",
    "ms.vss-pipelines.stage-state-changed-event": "stage state: the run's outcome arrives as "
    "ms.vss-pipelines.run-state-changed-event",
    "ms.vss-pipelines.job-state-changed-event": "job state: the run's outcome arrives as "
    "ms.vss-pipelines.run-state-changed-event",
    "tfvc.checkin": "tfvc.checkin: TFVC changesets are not git commits",
}


def parse(payload: Any) -> Parsed:
    """One delivery body → records, or nothing with the reason. Raises ``PayloadError``
    naming the JSON path of a missing or ill-typed field."""
    root = Node(payload)
    root.obj()
    event = root.get("eventType").text().strip()
    handler = EVENTS.get(event)
    if handler is None:
        return Parsed([], ignored=NO_RECORDS.get(event, f"{event}: not an event leadline uses"))
    root.get("resource").obj()
    return handler(root)


# --- work items ----------------------------------------------------------------------------


def _work_item_created(root: Node) -> Parsed:
    resource = root.get("resource")
    fields = resource.get("fields")
    state = fields.get("System.State").opt_text()
    changes = [f.state_change(state, f.time(fields.get("System.CreatedDate")))] if state else []
    item_id = resource.get("id").id_text()
    paths = f.field_paths("resource.fields", "resource.id", "resource.fields.System.State")
    return Parsed([f.work_item(item_id, fields, changes, paths)])


def _work_item_restored(root: Node) -> Parsed:
    """A restored (or commented) work item: its current fields, no status change."""
    resource = root.get("resource")
    item_id = resource.get("id").id_text()
    paths = f.field_paths("resource.fields", "resource.id", "resource.fields.System.State")
    issue = f.work_item(item_id, resource.get("fields"), [], paths)
    if root.get("eventType").text() == "workitem.commented":
        return Parsed([issue], "workitem.commented: a comment changes nothing leadline uses")
    return Parsed([issue])


def _work_item_updated(root: Node) -> Parsed:
    """An update: ``resource.fields`` holds the changed fields (``oldValue``/``newValue``),
    ``resource.revision.fields`` the work item as it now is."""
    resource = root.get("resource")
    revision = resource.get("revision")
    id_node = resource.get("workItemId")
    if not id_node.present or id_node.value in (0, "0"):
        id_node = revision.get("id")
    item_id = id_node.id_text()
    changed = resource.get("fields")
    state_node = changed.get("System.State").get("newValue")
    state = state_node.opt_text()
    fields = revision.get("fields")
    at = f.opt_time(changed.get("System.ChangedDate").get("newValue"))
    changes = []
    if state is not None:
        changes.append(f.state_change(state, at or f.time(fields.get("System.ChangedDate"))))
    paths = f.field_paths("resource.revision.fields", id_node.path, state_node.path)
    issue = f.work_item(item_id, fields, changes, paths, updated_at=at)
    return Parsed([issue])


# --- code ----------------------------------------------------------------------------------


def _push(root: Node) -> Parsed:
    resource = root.get("resource")
    repository = resource.get("repository")
    repo = f.repo_name(repository)
    updates = resource.get("refUpdates").items()
    branches = [
        b
        for u in updates
        if u.get("newObjectId").opt_text() != _ZERO_SHA
        and (b := f.ref_branch(u.get("name").opt_text())) is not None
    ]
    if not branches:
        return Parsed([], ignored="git.push updates no branch (a tag, or a deletion)")
    branch = branches[0] if len(branches) == 1 else None
    commits: dict[str, Commit] = {}
    for node in resource.get("commits").items():
        sha = node.get("commitId").text()
        if sha not in commits:
            commits[sha] = f.commit(node, repo, branch, f"{repository.path}.name")
    return Parsed(list(commits.values()), None if commits else "git.push carries no commits")


def _pull_request(root: Node) -> Parsed:
    seen = f.time(root.get("createdDate"))
    return Parsed([f.pull_request(root.get("resource"), votes_at=seen)])


# --- pipelines -----------------------------------------------------------------------------


def _build(root: Node) -> Parsed:
    return Parsed([runs.build_run(root.get("resource"))])


def _deployment(root: Node) -> Parsed:
    """A release deployment: the stage (``environment``), its release and, in newer
    payloads, ``deployment`` (times) and ``release.artifacts`` (what was deployed)."""
    resource = root.get("resource")
    env = resource.get("environment")
    env.obj()
    deployment = resource.get("deployment")
    status = runs.finished_status(env.get("status").opt_text())
    if status is None:
        return Parsed([], ignored="deployment-completed of a stage that has not finished")
    release = resource.get("release") if resource.get("release").present else env.get("release")
    release_node = release.get("id")
    if release_node.opt_id_text() is None:
        release_node = env.get("releaseId")
    release_id = release_node.id_text()
    names = [n.get("releaseDefinition").get("name") for n in (release, deployment, env)]
    name_node = next((n for n in names if n.opt_text() is not None), None)
    definition = name_node.text() if name_node is not None else "release"
    completed = deployment.get("completedOn")
    finished = f.opt_time(completed)
    finished_node = completed if finished is not None else root.get("createdDate")
    finished = finished or f.time(finished_node)
    run = runs.deployment_run(
        pipeline=definition,
        release_id=release_id,
        environment=env,
        status=status,
        finished_at=finished,
        started_at=f.opt_time(deployment.get("startedOn")),
        artifacts=release.get("artifacts"),
        attempt=deployment.get("attempt"),
        paths={
            "pipeline": (name_node or names[0]).path,
            "release_id": release_node.path,
            "status": f"{env.path}.status",
            "finished_at": finished_node.path,
            "started_at": f"{deployment.path}.startedOn",
        },
    )
    return Parsed([run])


def _run_state(root: Node) -> Parsed:
    """A YAML pipeline run: recorded when ``completed`` and naming its commit
    (``run.resources.repositories.self.version``). Its id is the build id, so it is the same
    run as the ``build.complete`` delivery; a pipeline run is a complete snapshot, and one
    without its commit would replace the build's record that has it — so such a delivery
    is acknowledged and ignored (``build.complete`` brings the run)."""
    resource = root.get("resource")
    run = resource.get("run")
    run.obj()
    state = run.get("state").opt_text()
    if (state or "").lower() != "completed":
        return Parsed([], ignored=f"pipeline run state {state!r}: recorded when completed")
    pipeline = resource.get("pipeline")
    name = pipeline.get("name").opt_text() or run.get("pipeline").get("name").text()
    repo = run.get("resources").get("repositories").get("self")
    if repo.get("version").opt_text() is None:
        return Parsed([], ignored=RUN_WITHOUT_COMMIT)
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": f.SYSTEM,
        "pipeline": name,
        "run_id": run.get("id").id_text(),
        "type": "ci",
        "status": runs.run_status(run.get("result").text()),
        "started_at": f.opt_time(run.get("createdDate")),
        "finished_at": f.time(run.get("finishedDate")),
        "commit_sha": repo.get("version").opt_text(),
        "branch": f.ref_branch(repo.get("refName").opt_text()),
    }
    return Parsed([build_record(PipelineRun, data, _RUN_PATHS)])


_RUN_PATHS = {
    "pipeline": "resource.pipeline.name",
    "run_id": "resource.run.id",
    "status": "resource.run.result",
    "started_at": "resource.run.createdDate",
    "finished_at": "resource.run.finishedDate",
    "commit_sha": "resource.run.resources.repositories.self.version",
}


EVENTS: dict[str, Callable[[Node], Parsed]] = {
    "workitem.created": _work_item_created,
    "workitem.updated": _work_item_updated,
    "workitem.restored": _work_item_restored,
    "workitem.commented": _work_item_restored,
    "git.push": _push,
    "git.pullrequest.created": _pull_request,
    "git.pullrequest.updated": _pull_request,
    "git.pullrequest.merged": _pull_request,
    "build.complete": _build,
    "ms.vss-release.deployment-completed-event": _deployment,
    "ms.vss-pipelines.run-state-changed-event": _run_state,
}
