"""Jira Cloud and Jira Server webhooks → issue and version records.

A delivery carries the issue's *current* fields but only the status change that caused it,
never the history. So the ``Issue`` this module returns holds just the status changes seen in
this delivery, and the service must not store it as is (that would replace the history):
it calls ``merge(stored, incoming)``, which keeps every status change ever seen and the
fields of the newest delivery. Rules and reasons: docs/sources-jira-pagerduty.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadline.domain.records import Issue, Version
from leadline.domain.times import format_time
from leadline.sources.base import Parsed, build_record, merge_issue
from leadline.sources.payload import Node

ISSUE_EVENTS = frozenset({"jira:issue_created", "jira:issue_updated"})
VERSION_EVENTS = frozenset({"jira:version_released", "jira:version_unreleased"})
# Jira's status categories (statusCategory.key) → leadline's.
_CATEGORIES = {"new": "todo", "indeterminate": "in_progress", "done": "done"}
_ISSUE_PATHS = {
    "key": "issue.key",
    "project": "issue.fields.project.key",
    "type": "issue.fields.issuetype.name",
    "title": "issue.fields.summary",
    "created_at": "issue.fields.created",
    "status_changes": "changelog.items",
    "fix_versions": "issue.fields.fixVersions",
    "labels": "issue.fields.labels",
    "priority": "issue.fields.priority.name",
    "resolved_at": "issue.fields.resolutiondate",
    "assignee": "issue.fields.assignee",
}
_VERSION_PATHS = {"project": "version.projectId", "name": "version.name"}

merge = merge_issue
"""``merge(stored, incoming)``: the status changes of both, other fields from the newer."""


def parse(payload: Any, *, project_keys: Mapping[str, str] | None = None) -> Parsed:
    """One Jira webhook body → records. ``project_keys`` maps Jira project ids to keys (a
    version event names its project only by id); unknown ids keep the id as the project."""
    root = Node(payload)
    root.obj()
    event = root.get("webhookEvent").text()
    if event in ISSUE_EVENTS:
        return Parsed(records=[_issue(root, created=event == "jira:issue_created")])
    if event in VERSION_EVENTS:
        return Parsed(records=[_version(root, event, project_keys or {})])
    if event == "jira:issue_deleted":
        return Parsed(records=[], ignored="jira:issue_deleted: leadline keeps deleted issues")
    return Parsed(records=[], ignored=f"{event}: not an event leadline uses")


def _issue(root: Node, *, created: bool) -> Issue:
    issue = root.get("issue")
    issue.obj()
    fields = issue.get("fields")
    fields.obj()
    created_at = fields.get("created").rfc3339()
    updated = fields.get("updated").opt_rfc3339()
    status = fields.get("status")
    if created:
        name = status.get("name").opt_text()
        changes = [] if name is None else [_change(name, created_at, status)]
    else:
        at = updated or root.get("timestamp").epoch_ms()
        changes = [_change(to, at, status) for to in _status_moves(root.get("changelog"))]
    return issue_record(issue.get("key").text(), fields, created_at, updated, changes, _ISSUE_PATHS)


def issue_record(
    key: str,
    fields: Node,
    created_at: datetime,
    updated: datetime | None,
    changes: list[dict[str, Any]],
    paths: Mapping[str, str],
) -> Issue:
    """An issue from Jira's ``fields`` object, the same in a webhook and in the REST API;
    ``paths`` name where each field sits in the payload at hand."""
    data: dict[str, Any] = {
        "kind": "issue",
        "key": key,
        "created_at": created_at,
        "project": fields.get("project").get("key").opt_text(),
        "type": fields.get("issuetype").get("name").opt_text(),
        "title": fields.get("summary").opt_text(),
        "status_changes": changes,
        "fix_versions": [v.get("name").text() for v in fields.get("fixVersions").items()],
        "labels": fields.get("labels").texts(),
        "priority": fields.get("priority").get("name").opt_text(),
        "resolved_at": fields.get("resolutiondate").opt_rfc3339(),
    }
    assignee = _user(fields.get("assignee"))
    if assignee is not None:
        data["assignee"] = assignee
    project_id = fields.get("project").get("id").opt_id_text()
    if project_id is not None:
        data["project_id"] = project_id
    if updated is not None:
        data["updated_at"] = format_time(updated)
    return build_record(Issue, data, paths)


def _user(user: Node) -> str | None:
    """A Jira user object → the identity leadline keeps: ``accountId`` (Cloud), else
    ``emailAddress``, else ``name`` (Server/Data Center); ``null`` (unassigned) → ``None``."""
    for key in ("accountId", "emailAddress", "name"):
        value = user.get(key).opt_text()
        if value:
            return value
    return None


def _status_moves(changelog: Node) -> list[str]:
    """The new status names in a changelog (``field`` "status", not a custom field)."""
    moves = []
    for item in changelog.get("items").items():
        field = (item.get("fieldId").opt_text() or item.get("field").opt_text() or "").lower()
        if field == "status" and item.get("fieldtype").opt_text() != "custom":
            moves.append(item.get("toString").text())
    return moves


def _change(to: str, at: datetime, status: Node) -> dict[str, Any]:
    """A status change; its category comes from Jira when ``to`` is the current status."""
    change: dict[str, Any] = {"to": to, "at": at}
    if status.get("name").opt_text() == to:
        key = status.get("statusCategory").get("key").opt_text()
        if key is not None and key.lower() in _CATEGORIES:
            change["category"] = _CATEGORIES[key.lower()]
    return change


def _version(root: Node, event: str, project_keys: Mapping[str, str]) -> Version:
    version = root.get("version")
    version.obj()
    project_id = version.get("projectId").id_text()
    data: dict[str, Any] = {
        "kind": "version",
        "project": project_keys.get(project_id, project_id),
        "name": version.get("name").text(),
        "project_id": project_id,
    }
    release_date = version.get("releaseDate").opt_text()
    if release_date is not None:
        data["release_date"] = release_date
    if event == "jira:version_released":
        data["released_at"] = _released_at(root, version)
    return build_record(Version, data, _VERSION_PATHS)


def _released_at(root: Node, version: Node) -> datetime:
    """When the version was marked released: the event ``timestamp``; without one, its
    ``releaseDate`` (a date: midnight UTC)."""
    if root.get("timestamp").present:
        return root.get("timestamp").epoch_ms()
    date = version.get("releaseDate")
    text = date.text()
    if len(text) == 10:
        text += "T00:00:00Z"
    return Node(text, date.path).rfc3339()
