"""GitHub webhook deliveries (``X-GitHub-Event`` + the JSON body) → records.

``parse(event, payload)`` handles ``push``, ``pull_request``, ``pull_request_review``,
``issues`` (here) and ``workflow_run``, ``deployment_status``, ``release``
(``ci``); any other event is acknowledged and ignored. Pull requests and issues are
snapshots of one moment: the service stores ``merge(stored, record)``, never the record as
it is (a review delivery would otherwise drop the other reviews). Every mapping decision:
docs/sources.md#github.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadline.domain.records import Commit, Issue, PullRequest
from leadline.sources.base import Parsed, build_record, merge, read_int, read_opt_time, read_time
from leadline.sources.github.ci import deployment_status, release, repository, workflow_run
from leadline.sources.payload import Node, changed_paths

__all__ = ["EVENTS", "merge", "parse"]

REVIEW_STATES = frozenset({"approved", "changes_requested", "commented"})
# Actions that change what leadline uses; the others still yield the current record.
PR_ACTIONS = frozenset({"opened", "edited", "closed", "reopened", "labeled", "unlabeled"})
ISSUE_ACTIONS = frozenset(
    {"opened", "edited", "closed", "reopened", "labeled", "unlabeled", "milestoned"}
    | {"demilestoned", "typed", "untyped"}
)
NO_RECORDS = {
    "ping": "event 'ping' carries no records",
    "create": "event 'create' carries no time: versions come from release events",
    "deployment": "event 'deployment': its outcome arrives as deployment_status",
    "workflow_job": "event 'workflow_job': the workflow_run carries the outcome",
}


def parse(event: str, payload: Any) -> Parsed:
    """One delivery → records. ``event`` is the ``X-GitHub-Event`` header; ``payload`` the
    decoded body. Raises ``PayloadError`` naming the JSON path of a missing or ill-typed
    field."""
    Node(payload).obj()
    name = event.strip().lower()
    handler = EVENTS.get(name)
    if handler is not None:
        return handler(Node(payload))
    return Parsed([], ignored=NO_RECORDS.get(name, f"event {name!r} is not used by leadline"))


def _push(root: Node) -> Parsed:
    ref = root.get("ref").text()
    if root.get("deleted").opt_bool():
        return Parsed([], ignored=f"push deletes {ref}")
    if not ref.startswith("refs/heads/"):
        return Parsed([], ignored=f"push of {ref}: versions come from release events")
    repo = repository(root)
    nodes = root.get("commits").items()
    if root.get("head_commit").present:
        nodes.append(root.get("head_commit"))
    commits: dict[str, Commit] = {}
    for node in nodes:
        sha = node.get("id").text()
        if sha not in commits:
            commits[sha] = _commit(node, repo, ref.removeprefix("refs/heads/"))
    return Parsed(list(commits.values()), None if commits else "push carries no commits")


def _commit(node: Node, repo: str, branch: str) -> Commit:
    author = node.get("author")
    data: dict[str, Any] = {
        "kind": "commit",
        "repo": repo,
        "sha": node.get("id").text(),
        "committed_at": read_time(node.get("timestamp")),
        "message": node.get("message").opt_text(),
        "author": author.get("username").opt_text() or author.get("name").opt_text(),
        "branch": branch,
        "paths": changed_paths(node),
    }
    paths = {k: f"{node.path}.{v}" for k, v in _COMMIT_PATHS.items()}
    return build_record(Commit, data, {**paths, "repo": "repository.full_name", "branch": "ref"})


_COMMIT_PATHS = {
    "sha": "id",
    "committed_at": "timestamp",
    "message": "message",
    "author": "author.username",
}


LABEL_ACTIONS = {"labeled": "added", "unlabeled": "removed"}


def _pull_request_event(root: Node) -> Parsed:
    action = root.get("action").opt_text()
    record = _pull_request(root, root.get("pull_request"), [], _label_events(root, action))
    if action in PR_ACTIONS:
        return Parsed([record])
    return Parsed([record], f"pull_request action {action!r} changes nothing leadline uses")


def _review_event(root: Node) -> Parsed:
    """A review → the pull request with that one review; ``merge`` adds it to the others.
    A dismissed review stays a review but no longer approves: ``commented``."""
    review = root.get("review")
    review.obj()
    state = review.get("state").text().lower()
    if state == "dismissed" or root.get("action").opt_text() == "dismissed":
        state = "commented"
    if state not in REVIEW_STATES:
        record = _pull_request(root, root.get("pull_request"), [])
        return Parsed([record], f"review state {state!r} is not a submitted review")
    entry = {
        "author": review.get("user").get("login").opt_text(),
        "state": state,
        "at": read_time(review.get("submitted_at")),
    }
    return Parsed([_pull_request(root, root.get("pull_request"), [entry])])


def _label_events(root: Node, action: str | None) -> list[dict[str, Any]]:
    """A ``labeled``/``unlabeled`` delivery → its one label event. The delivery carries no
    time of its own: the pull request's ``updated_at`` is the labelling (adding a label
    updates the pull request). Without it there is no event (a time is required)."""
    if action not in LABEL_ACTIONS:
        return []
    at = read_opt_time(root.get("pull_request").get("updated_at"))
    name = root.get("label").get("name").opt_text()
    if at is None or name is None:
        return []
    return [{"label": name, "action": LABEL_ACTIONS[action], "at": at}]


def _pull_request(
    root: Node,
    pr: Node,
    reviews: list[dict[str, Any]],
    label_events: list[dict[str, Any]] | None = None,
) -> PullRequest:
    pr.obj()
    merged_at = read_opt_time(pr.get("merged_at"))
    data: dict[str, Any] = {
        "kind": "pull_request",
        "repo": repository(root),
        "number": read_int(pr.get("number")),
        "created_at": read_time(pr.get("created_at")),
        "title": pr.get("title").opt_text(),
        "source_branch": pr.get("head").get("ref").opt_text(),
        "target_branch": pr.get("base").get("ref").opt_text(),
        "author": pr.get("user").get("login").opt_text(),
        "merged_at": merged_at,
        "closed_at": read_opt_time(pr.get("closed_at")),
        # Before the merge GitHub fills it with a test merge commit: not a commit of the PR.
        "merge_commit_sha": pr.get("merge_commit_sha").opt_text() if merged_at else None,
        "labels": [label.get("name").text() for label in pr.get("labels").items()],
        "reviews": reviews,
        "label_events": label_events or [],
    }
    _add_updated_at(data, pr)
    return build_record(PullRequest, data, _PR_PATHS)


_PR_PATHS = {
    "repo": "repository.full_name",
    "number": "pull_request.number",
    "created_at": "pull_request.created_at",
    "title": "pull_request.title",
    "source_branch": "pull_request.head.ref",
    "target_branch": "pull_request.base.ref",
    "author": "pull_request.user.login",
    "merge_commit_sha": "pull_request.merge_commit_sha",
    "labels": "pull_request.labels",
    "reviews": "review",
    "label_events": "label.name",
}


def _issues_event(root: Node) -> Parsed:
    action = root.get("action").opt_text()
    issue = root.get("issue")
    issue.obj()
    if issue.get("pull_request").present:
        return Parsed([], ignored="issues event for a pull request: see pull_request events")
    if action == "deleted":
        return Parsed([], ignored="issues action 'deleted': leadline keeps deleted issues")
    if action == "transferred":
        return Parsed([], ignored="issues action 'transferred': it reopens in the new repository")
    record = _issue(root, issue, action)
    if action in ISSUE_ACTIONS:
        return Parsed([record])
    return Parsed([record], f"issues action {action!r} changes nothing leadline uses")


def _issue(root: Node, issue: Node, action: str | None) -> Issue:
    """Key ``owner/name#number``; statuses ``open`` → ``closed`` (→ ``reopened``)."""
    repo = repository(root)
    created = read_time(issue.get("created_at"))
    closed_at = read_opt_time(issue.get("closed_at"))
    updated = read_opt_time(issue.get("updated_at"))
    state = issue.get("state").opt_text()
    # A reopened issue keeps its old closed_at; without a state, closed_at decides.
    closed = closed_at is not None and state in ("closed", None)
    changes: list[dict[str, Any]] = [_change("open", created, "todo")]
    if closed_at is not None and (closed or action == "reopened"):
        changes.append(_change("closed", closed_at, "done"))
        if not closed and updated is not None:  # reopened: when is the last update
            changes.append(_change("reopened", updated, "todo"))
    milestone = issue.get("milestone").get("title").opt_text()
    data: dict[str, Any] = {
        "kind": "issue",
        "key": f"{repo}#{read_int(issue.get('number'))}",
        "project": repo,
        "created_at": created,
        "type": issue.get("type").get("name").opt_text(),
        "title": issue.get("title").opt_text(),
        "status_changes": changes,
        "fix_versions": [milestone] if milestone else [],
        "labels": [label.get("name").text() for label in issue.get("labels").items()],
        "resolved_at": closed_at if closed else None,
    }
    _add_updated_at(data, issue)
    return build_record(Issue, data, _ISSUE_PATHS)


_ISSUE_PATHS = {
    "key": "issue.number",
    "project": "repository.full_name",
    "created_at": "issue.created_at",
    "type": "issue.type.name",
    "title": "issue.title",
    "fix_versions": "issue.milestone.title",
    "labels": "issue.labels",
    "resolved_at": "issue.closed_at",
}


def _change(to: str, at: datetime, category: str) -> dict[str, Any]:
    return {"to": to, "at": at, "category": category}


def _add_updated_at(data: dict[str, Any], node: Node) -> None:
    """The snapshot's time, an extra field ``merge`` uses to let the newer delivery win."""
    updated = read_opt_time(node.get("updated_at"))
    if updated is not None:
        data["updated_at"] = updated


EVENTS: dict[str, Callable[[Node], Parsed]] = {
    "push": _push,
    "pull_request": _pull_request_event,
    "pull_request_review": _review_event,
    "issues": _issues_event,
    "workflow_run": workflow_run,
    "deployment_status": deployment_status,
    "release": release,
}
