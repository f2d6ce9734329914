"""GitLab webhook deliveries (``X-Gitlab-Event`` + the JSON body) → records.

``parse(event, payload)`` takes the kind from the body's ``object_kind`` (system hooks:
``event_name``), else from the header, and handles push, merge request, note (merge request
comments), issue (here) and pipeline, deployment, release (``ci``); tag pushes and
everything else are acknowledged and ignored. Merge requests and issues are snapshots: the
service stores ``merge(stored, record)``. Every mapping decision: docs/sources.md#gitlab.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadline.domain.records import Commit, Incident, Issue, PullRequest, RecordModel
from leadline.sources.base import Parsed, build_record, merge, read_int, read_opt_time, read_time
from leadline.sources.gitlab.ci import deployment, pipeline, project, release
from leadline.sources.payload import Node, changed_paths

__all__ = ["HOOKS", "KINDS", "merge", "parse"]

# X-Gitlab-Event → object_kind, for bodies that do not say.
HOOKS = {
    "push hook": "push",
    "tag push hook": "tag_push",
    "merge request hook": "merge_request",
    "note hook": "note",
    "confidential note hook": "note",
    "issue hook": "issue",
    "confidential issue hook": "issue",
    "pipeline hook": "pipeline",
    "job hook": "build",
    "deployment hook": "deployment",
    "release hook": "release",
}
# Merge request actions that change what leadline uses; the others still yield the record.
MR_ACTIONS = frozenset({"open", "reopen", "close", "merge", "update", "approved", "approval"})
APPROVALS = frozenset({"approved", "approval"})
NO_RECORDS = {
    "tag_push": "tag push carries no time: versions come from Release Hook events",
    "build": "job events: the Pipeline and Deployment Hooks carry the outcome",
}


def parse(event: str, payload: Any) -> Parsed:
    """One delivery → records. ``event`` is the ``X-Gitlab-Event`` header; ``payload`` the
    decoded body. Raises ``PayloadError`` naming the JSON path of a missing or ill-typed
    field."""
    root = Node(payload)
    root.obj()
    kind = (
        root.get("object_kind").opt_text()
        or root.get("event_name").opt_text()
        or HOOKS.get(event.strip().lower())
    )
    handler = KINDS.get(kind or "")
    if handler is not None:
        return handler(root)
    named = kind or event.strip()
    return Parsed([], ignored=NO_RECORDS.get(named, f"event {named!r} is not used by leadline"))


def _push(root: Node) -> Parsed:
    ref = root.get("ref").text()
    after = root.get("after").opt_text()
    if after is not None and not after.strip("0"):
        return Parsed([], ignored=f"push deletes {ref}")
    if not ref.startswith("refs/heads/"):
        return Parsed([], ignored=f"push of {ref}: versions come from Release Hook events")
    repo = project(root)
    branch = ref.removeprefix("refs/heads/")
    commits: dict[str, Commit] = {}
    for node in root.get("commits").items():
        data: dict[str, Any] = {
            "kind": "commit",
            "repo": repo,
            "sha": node.get("id").text(),
            "committed_at": read_time(node.get("timestamp")),
            "message": node.get("message").opt_text(),
            "author": node.get("author").get("name").opt_text(),
            "branch": branch,
            "paths": changed_paths(node),
        }
        paths = {k: f"{node.path}.{v}" for k, v in _COMMIT_PATHS.items()}
        paths["repo"] = "project.path_with_namespace"
        commits.setdefault(data["sha"], build_record(Commit, data, paths))
    return Parsed(list(commits.values()), None if commits else "push carries no commits")


_COMMIT_PATHS = {
    "sha": "id",
    "committed_at": "timestamp",
    "message": "message",
    "author": "author.name",
}


def _merge_request_event(root: Node) -> Parsed:
    attrs = root.get("object_attributes")
    attrs.obj()
    action = attrs.get("action").opt_text()
    reviews = []
    if action in APPROVALS:  # the approver is the user; the time, the merge request's update
        at = read_time(attrs.get("updated_at"))
        reviews.append({"author": _username(root), "state": "approved", "at": at})
    record = _merge_request(root, attrs, action, reviews, _label_events(root, attrs))
    if action in MR_ACTIONS or action is None:
        return Parsed([record])
    return Parsed([record], f"merge request action {action!r} changes nothing leadline uses")


def _label_events(root: Node, attrs: Node) -> list[dict[str, Any]]:
    """``changes.labels`` (``previous``/``current`` label lists) → a label event for each title
    added or removed, at the update that changed them (``changes.updated_at.current``, else the
    merge request's ``updated_at``; without either, none: a time is required)."""
    labels = root.get("changes").get("labels")
    if not labels.present or labels.value is None:
        return []
    at = read_opt_time(root.get("changes").get("updated_at").get("current"))
    at = at or read_opt_time(attrs.get("updated_at"))
    if at is None:
        return []
    before = [x.get("title").text() for x in labels.get("previous").items()]
    after = [x.get("title").text() for x in labels.get("current").items()]
    added = [{"label": x, "action": "added", "at": at} for x in after if x not in before]
    removed = [{"label": x, "action": "removed", "at": at} for x in before if x not in after]
    return added + removed


def _note_event(root: Node) -> Parsed:
    """A comment on a merge request → the merge request with a ``commented`` review."""
    attrs = root.get("object_attributes")
    attrs.obj()
    noteable = attrs.get("noteable_type").opt_text()
    if noteable != "MergeRequest":
        return Parsed([], ignored=f"note on {noteable or 'nothing'}: only merge request notes")
    mr = root.get("merge_request")
    mr.obj()
    if attrs.get("system").opt_bool():
        return Parsed([_merge_request(root, mr, None, [])], "system note: not a comment")
    review = {
        "author": _username(root),
        "state": "commented",
        "at": read_time(attrs.get("created_at")),
    }
    return Parsed([_merge_request(root, mr, None, [review])])


def _merge_request(
    root: Node,
    mr: Node,
    action: str | None,
    reviews: list[dict[str, Any]],
    label_events: list[dict[str, Any]] | None = None,
) -> PullRequest:
    state = mr.get("state").opt_text()
    updated = read_opt_time(mr.get("updated_at"))
    merged_at = read_opt_time(mr.get("merged_at"))
    if merged_at is None and action == "merge":
        merged_at = updated
    closed_at = read_opt_time(mr.get("closed_at"))
    if closed_at is None:
        closed_at = merged_at if state == "merged" else updated if state == "closed" else None
    merged = state == "merged" or merged_at is not None
    sha = mr.get("merge_commit_sha").opt_text() or mr.get("squash_commit_sha").opt_text()
    data: dict[str, Any] = {
        "kind": "pull_request",
        "repo": project(root),
        "number": read_int(mr.get("iid")),
        "created_at": read_time(mr.get("created_at")),
        "title": mr.get("title").opt_text(),
        "source_branch": mr.get("source_branch").opt_text(),
        "target_branch": mr.get("target_branch").opt_text(),
        "author": _username(root) if _by_author(root, mr, action) else None,
        "merged_at": merged_at,
        "closed_at": closed_at,
        "merge_commit_sha": sha if merged else None,
        "labels": [label.get("title").text() for label in mr.get("labels").items()],
        "reviews": reviews,
        "label_events": label_events or [],
    }
    if updated is not None:
        data["updated_at"] = updated
    prefix = mr.path
    paths = {k: f"{prefix}.{v}" for k, v in _MR_PATHS.items()}
    return build_record(PullRequest, data, {**paths, "repo": "project.path_with_namespace"})


_MR_PATHS = {
    "number": "iid",
    "created_at": "created_at",
    "title": "title",
    "source_branch": "source_branch",
    "target_branch": "target_branch",
    "merge_commit_sha": "merge_commit_sha",
    "labels": "labels",
    "reviews": "updated_at",
    "label_events": "updated_at",
}


def _username(root: Node) -> str | None:
    return root.get("user").get("username").opt_text()


def _by_author(root: Node, mr: Node, action: str | None) -> bool:
    """Is the delivery's user the merge request's author? (GitLab gives only ``author_id``.)"""
    if action == "open":
        return True
    user_id = root.get("user").get("id").opt_id_text()
    return user_id is not None and user_id == mr.get("author_id").opt_id_text()


def _issue_event(root: Node) -> Parsed:
    """Key ``group/project#iid``; statuses ``opened`` → ``closed`` (→ ``reopened``). An
    issue of type Incident is also an ``incident`` record (source ``gitlab``)."""
    attrs = root.get("object_attributes")
    attrs.obj()
    repo = project(root)
    key = f"{repo}#{read_int(attrs.get('iid'))}"
    created = read_time(attrs.get("created_at"))
    updated = read_opt_time(attrs.get("updated_at"))
    closed = attrs.get("state").opt_text() == "closed"
    closed_at = (read_opt_time(attrs.get("closed_at")) or updated) if closed else None
    changes = [_change("opened", created, "todo")]
    if closed_at is not None:
        changes.append(_change("closed", closed_at, "done"))
    elif attrs.get("action").opt_text() == "reopen" and updated is not None:
        changes.append(_change("reopened", updated, "todo"))
    kind = attrs.get("type").opt_text()
    data: dict[str, Any] = {
        "kind": "issue",
        "key": key,
        "project": repo,
        "created_at": created,
        "type": kind,
        "title": attrs.get("title").opt_text(),
        "status_changes": changes,
        "labels": [label.get("title").text() for label in attrs.get("labels").items()],
        "resolved_at": closed_at,
    }
    if updated is not None:
        data["updated_at"] = updated
    records: list[RecordModel] = [build_record(Issue, data, _ISSUE_PATHS)]
    if kind is not None and kind.lower() == "incident":
        incident = {
            "kind": "incident",
            "source": "gitlab",
            "id": key,
            "created_at": created,
            "title": data["title"],
            "severity": attrs.get("severity").opt_text(),
            "resolved_at": closed_at,
        }
        if updated is not None:
            incident["updated_at"] = updated
        paths = {**_ISSUE_PATHS, "id": "object_attributes.iid"}
        records.append(build_record(Incident, incident, paths))
    return Parsed(records)


_ISSUE_PATHS = {
    "key": "object_attributes.iid",
    "project": "project.path_with_namespace",
    "created_at": "object_attributes.created_at",
    "type": "object_attributes.type",
    "title": "object_attributes.title",
    "labels": "object_attributes.labels",
    "resolved_at": "object_attributes.closed_at",
    "severity": "object_attributes.severity",
}


def _change(to: str, at: datetime, category: str) -> dict[str, Any]:
    return {"to": to, "at": at, "category": category}


KINDS: dict[str, Callable[[Node], Parsed]] = {
    "push": _push,
    "merge_request": _merge_request_event,
    "note": _note_event,
    "issue": _issue_event,
    "pipeline": pipeline,
    "deployment": deployment,
    "release": release,
}
