"""Jira REST API objects (Cloud and Server/Data Center, API v2 or v3) → records, for
``leadline sync jira``.

Pure mapping; the field choices are the webhook parser's (``leadline.sources.jira.webhook``) so an
issue looks the same whichever way it arrived:

* an issue of ``/search`` with ``expand=changelog`` → ``issue`` with its whole status history:
  the status it was created in (the first status change's ``fromString``, else the current
  status) at ``created``, then one change per ``status`` item of the changelog at the history's
  ``created``. Jira Cloud inlines at most 100 histories: when ``changelog.total`` says there
  are more, the caller pages ``/issue/{key}/changelog`` (``values``) and passes them in;
* each fix version of an issue → ``version`` of the issue's project, and so is each version
  of ``/project/{key}/version(s)``: ``released_at`` = midnight UTC of ``releaseDate`` once
  ``released`` (the REST API has no release time); an unreleased version has none.

Status categories come from ``/status`` (status id → ``new``/``indeterminate``/``done``), so
non-English status names (``已完成``) get the right one; without it, the current status's
category is used for changes into the current status, and the name rules of docs/records.md for
the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from leadline.domain.records import RecordModel, Version
from leadline.sources.base import Parsed, build_record
from leadline.sources.jira.webhook import issue_record
from leadline.sources.payload import Node

# Jira's status categories (statusCategory.key) → leadline's.
CATEGORIES = {"new": "todo", "indeterminate": "in_progress", "done": "done"}
_ISSUE_PATHS = {
    "key": "key",
    "project": "fields.project.key",
    "type": "fields.issuetype.name",
    "title": "fields.summary",
    "created_at": "fields.created",
    "status_changes": "changelog.histories",
    "fix_versions": "fields.fixVersions",
    "labels": "fields.labels",
    "priority": "fields.priority.name",
    "resolved_at": "fields.resolutiondate",
    "assignee": "fields.assignee",
}


def status_categories(payload: Any) -> dict[str, str]:
    """``GET /status`` → status id → leadline category (unknown category keys are left out)."""
    categories = {}
    for status in Node(payload).items():
        key = status.get("statusCategory").get("key").opt_text()
        status_id = status.get("id").opt_id_text()
        if status_id is not None and key is not None and key.lower() in CATEGORIES:
            categories[status_id] = CATEGORIES[key.lower()]
    return categories


def histories_of(page: Any) -> list[Any]:
    """The histories of a changelog page: ``values`` (``/issue/{key}/changelog``, Cloud) or
    ``histories`` (an inline ``changelog``, ``/changelog/list``)."""
    node = Node(page)
    found = node.get("values") if node.get("values").present else node.get("histories")
    return [item.value for item in found.items()]


def changelog_is_complete(payload: Any) -> bool:
    """Does the issue's inline ``changelog`` hold every history (Cloud cuts it at 100)?"""
    changelog = Node(payload).get("changelog")
    if not changelog.present:
        return False
    histories = changelog.get("histories").items()
    total = changelog.get("total").value
    start = changelog.get("startAt").value
    if isinstance(start, int) and start > 0:
        return False
    return not isinstance(total, int) or isinstance(total, bool) or total <= len(histories)


def issue_updated(payload: Any) -> datetime:
    """``fields.updated`` of an issue (what incremental syncs order by)."""
    return Node(payload).get("fields").get("updated").rfc3339()


def issue(
    payload: Any,
    *,
    histories: Iterable[Any] | None = None,
    categories: Mapping[str, str] | None = None,
) -> Parsed:
    """An issue (with ``expand=changelog``, or its ``histories`` given) → the ``issue`` and
    a ``version`` per fix version."""
    root = Node(payload)
    root.obj()
    fields = root.get("fields")
    fields.obj()
    if histories is None:
        nodes = root.get("changelog").get("histories").items()
    else:
        nodes = [Node(h, f"changelog.histories[{i}]") for i, h in enumerate(histories)]
    created_at = fields.get("created").rfc3339()
    updated = fields.get("updated").opt_rfc3339()
    project = fields.get("project").get("key").opt_text()
    key = root.get("key").text()
    changes = _status_changes(fields, nodes, created_at, categories or {})
    issue = issue_record(key, fields, created_at, updated, changes, _ISSUE_PATHS)
    records: list[RecordModel] = [issue]
    owner = project or key.rsplit("-", 1)[0]
    for fix in fields.get("fixVersions").items():
        records.extend(version(fix, owner).records)
    return Parsed(records)


def _status_changes(
    fields: Node, histories: list[Node], created_at: datetime, categories: Mapping[str, str]
) -> list[dict[str, Any]]:
    status = fields.get("status")
    current = status.get("name").opt_text()
    current_key = (status.get("statusCategory").get("key").opt_text() or "").lower()
    current_category = CATEGORIES.get(current_key)

    def change(to: str, status_id: str | None, at: datetime) -> dict[str, Any]:
        found: dict[str, Any] = {"to": to, "at": at}
        category = categories.get(status_id or "")
        if category is None and to == current:
            category = current_category
        if category is not None:
            found["category"] = category
        return found

    moves: list[tuple[datetime, int, Node]] = []
    for index, history in enumerate(histories):
        at = history.get("created").rfc3339()
        for item in history.get("items").items():
            field = (item.get("fieldId").opt_text() or item.get("field").opt_text() or "").lower()
            if field == "status" and item.get("fieldtype").opt_text() != "custom":
                moves.append((at, index, item))
    moves.sort(key=lambda m: (m[0], m[1]))
    if moves:
        first = moves[0][2]
        initial, initial_id = first.get("fromString").opt_text(), first.get("from").opt_id_text()
    else:
        initial, initial_id = current, status.get("id").opt_id_text()
    changes = [] if initial is None else [change(initial, initial_id, created_at)]
    for at, _index, item in moves:
        changes.append(change(item.get("toString").text(), item.get("to").opt_id_text(), at))
    seen: set[tuple[str, datetime]] = set()
    unique = []
    for found in changes:  # one per status and time, as ``merge_issue`` keeps them
        mark = (found["to"].strip().casefold(), found["at"])
        if mark not in seen:
            seen.add(mark)
            unique.append(found)
    return unique


def version(payload: Any, project: str) -> Parsed:
    """A version (``/project/{key}/versions``, or a fix version of an issue) → ``version``."""
    node = payload if isinstance(payload, Node) else Node(payload)
    node.obj()
    data: dict[str, Any] = {"kind": "version", "project": project, "name": node.get("name").text()}
    release_date = node.get("releaseDate").opt_text()
    if release_date is not None:
        data["release_date"] = release_date
    released = node.get("released").opt_bool()
    if released is not None:
        data["released"] = released
    if released and release_date is not None:
        date = node.get("releaseDate")
        text = release_date + "T00:00:00Z" if len(release_date) == 10 else release_date
        data["released_at"] = Node(text, date.path).rfc3339()
    prefix = f"{node.path}." if node.path else ""
    return Parsed([build_record(Version, data, {"name": f"{prefix}name"})])
