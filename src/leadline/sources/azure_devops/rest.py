"""Azure DevOps REST answers (what ``leadline sync azure-devops`` reads) → records.

The pull request, build, commit and release-deployment objects of the REST API are those of
the service-hook payloads (``fields``); what differs is collected here:

- **Work items** come as their *updates* (``_apis/wit/workItems/{id}/updates``): each update
  holds the fields it changed (``oldValue``/``newValue``). Folding them in order gives the
  work item as it is now, and every update that sets ``System.State`` is one status change
  at that update's ``System.ChangedDate`` — the whole history, where a hook carries one.
- **Votes** of a REST pull request carry no time either; a closed pull request's votes are
  taken as seen when it closed, an open one's are left to the next run (or the hooks).
- **Builds** still running and **deployments** that have not finished are skipped (they are
  read again once they finish: the sync's filters are by finish or modification time).
"""

from __future__ import annotations

from typing import Any

from leadline.sources.azure_devops import fields as f
from leadline.sources.azure_devops import runs
from leadline.sources.base import Parsed
from leadline.sources.payload import Node


def work_item(item_id: int | str, updates: list[Any]) -> Parsed:
    """A work item from its updates (oldest first, as the API lists them) → an issue."""
    current: dict[str, Any] = {}
    changes: list[dict[str, Any]] = []
    for update in Node(updates, "value").items():
        changed = update.get("fields")
        for name, value in (changed.obj() if changed.present else {}).items():
            node = changed.get(name)
            if isinstance(value, dict) and "newValue" in value:
                current[name] = node.get("newValue").value
        state = changed.get("System.State").get("newValue").opt_text()
        if state is not None:
            at = f.time(changed.get("System.ChangedDate").get("newValue"))
            changes.append(f.state_change(state, at))
    if not current:
        return Parsed([], ignored=f"work item {item_id}: no updates")
    paths = {
        k: f"value[].fields.{v.split('.', 1)[-1]}.newValue"
        for k, v in f.field_paths("fields", "id", "fields.System.State").items()
    }
    paths["key"] = "id"  # the work item's id, as the listing names it
    return Parsed([f.work_item(str(item_id), Node(current, "value[].fields"), changes, paths)])


def pull_request(item: Any, path: str) -> Parsed:
    """A pull request of a listing; votes counted when it is closed (module doc)."""
    node = Node(item, path)
    node.obj()
    status = (node.get("status").opt_text() or "").lower()
    seen = f.opt_time(node.get("closedDate")) if status in f.CLOSED_STATUSES else None
    return Parsed([f.pull_request(node, votes_at=seen)])


def commit(item: Any, path: str, repo: str, branch: str | None) -> Parsed:
    return Parsed([f.commit(Node(item, path), repo, branch)])


def build(item: Any, path: str) -> Parsed:
    node = Node(item, path)
    node.obj()
    status = (node.get("status").opt_text() or "").lower()
    if status and status != "completed":
        return Parsed([], ignored=f"build {node.get('id').value}: {status}, not finished")
    return Parsed([runs.build_run(node)])


def deployment(item: Any, path: str) -> Parsed:
    """A release deployment (``_apis/release/deployments``) → a CD run keyed like the hook's
    (``<release id>/<stage id>``)."""
    node = Node(item, path)
    node.obj()
    status = runs.finished_status(node.get("deploymentStatus").opt_text())
    if status is None:
        return Parsed([], ignored=f"deployment {node.get('id').value}: not finished")
    release = node.get("release")
    finished = f.opt_time(node.get("completedOn")) or f.time(node.get("lastModifiedOn"))
    run = runs.deployment_run(
        pipeline=node.get("releaseDefinition").get("name").text(),
        release_id=release.get("id").id_text(),
        environment=node.get("releaseEnvironment"),
        status=status,
        finished_at=finished,
        started_at=f.opt_time(node.get("startedOn")),
        artifacts=release.get("artifacts"),
        attempt=node.get("attempt"),
        paths={
            "pipeline": f"{path}.releaseDefinition.name",
            "release_id": f"{release.path}.id",
            "status": f"{path}.deploymentStatus",
            "finished_at": f"{path}.completedOn",
            "started_at": f"{path}.startedOn",
        },
    )
    return Parsed([run])
