"""Bitbucket webhook deliveries (``X-Event-Key`` + the JSON body) → records, both flavours.

Cloud event keys have the form ``repo:push`` / ``pullrequest:fulfilled``; Data Center's
``repo:refs_changed`` / ``pr:merged`` (also in the body as ``eventKey``, read when the
header is absent). A pull request is a snapshot: the service stores ``merge(stored,
record)``, so an approval delivery adds its review to the others. Any other event is
acknowledged and ignored with the reason. Every decision: docs/sources-bitbucket.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leadline.domain.records import Commit
from leadline.sources.base import Parsed, read_time
from leadline.sources.bitbucket.mapping import (
    build_status_run,
    cloud_commit,
    cloud_pull_request,
    cloud_repo,
    cloud_user,
    dc_pull_request,
    dc_user,
    review,
)
from leadline.sources.payload import Node

__all__ = ["CLOUD_EVENTS", "DC_EVENTS", "parse"]

NO_RECORDS = {
    "repo:refs_changed": "repo:refs_changed carries no commit times: `leadline sync bitbucket` "
    "reads the commits",
    "pr:deleted": "pr:deleted: leadline keeps deleted pull requests",
    "diagnostics:ping": "a test delivery carries no records",
    "mirror:repo_synchronized": "mirror:repo_synchronized: the primary's events count",
}


def parse(event: str | None, payload: Any) -> Parsed:
    """One delivery → records. ``event`` is the ``X-Event-Key`` header (Data Center's body
    ``eventKey`` when absent). Raises ``PayloadError`` naming the JSON path of a missing or
    ill-typed field."""
    root = Node(payload)
    root.obj()
    name = (event or root.get("eventKey").opt_text() or "").strip().lower()
    if not name:
        if root.get("test").opt_bool():
            return Parsed([], ignored=NO_RECORDS["diagnostics:ping"])
        return Parsed([], ignored="no X-Event-Key (and no eventKey): not a Bitbucket webhook")
    handler = CLOUD_EVENTS.get(name) or DC_EVENTS.get(name)
    if handler is not None:
        return handler(root, name)
    return Parsed([], ignored=NO_RECORDS.get(name, f"event {name!r} is not used by leadline"))


# --- Cloud ---------------------------------------------------------------------------------


def _push(root: Node, _name: str) -> Parsed:
    repo = cloud_repo(root.get("repository"))
    commits: dict[str, Commit] = {}
    skipped: list[str] = []
    for change in root.get("push").get("changes").items():
        new = change.get("new")
        if not new.present:
            skipped.append(f"{change.get('old').get('name').opt_text()} deleted")
            continue
        if new.get("type").opt_text() != "branch":
            skipped.append(f"{new.get('type').opt_text()} {new.get('name').opt_text()}")
            continue
        branch = new.get("name").text()
        nodes = change.get("commits").items()
        if new.get("target").present:
            nodes.append(new.get("target"))
        for node in nodes:
            commit = cloud_commit(node, repo, branch)
            commits.setdefault(commit.sha, commit)
    if commits:
        return Parsed(list(commits.values()))
    what = ", ".join(skipped) or "no changes"
    return Parsed([], ignored=f"push carries no branch commits ({what})")


def _cloud_pr(root: Node, name: str) -> Parsed:
    record = cloud_pull_request(root.get("pullrequest"), cloud_repo(root.get("repository")), [])
    if name in CLOUD_PR_USED:
        return Parsed([record])
    return Parsed([record], f"{name} changes nothing leadline uses")


def _cloud_review(root: Node, name: str) -> Parsed:
    """An approval or a change request (given or removed) at the time the delivery gives
    (``approval.date``, ``changes_request.date``); a removed one is a ``commented`` review
    (reviews are history: an earlier approval at another time stays)."""
    field, state = CLOUD_REVIEWS[name]
    entry = root.get(field)
    entry.obj()
    author = cloud_user(entry.get("user"))
    at = read_time(entry.get("date"))
    pr = root.get("pullrequest")
    record = cloud_pull_request(pr, cloud_repo(root.get("repository")), [review(author, state, at)])
    return Parsed([record])


def _commit_status(root: Node, name: str) -> Parsed:
    repo = cloud_repo(root.get("repository"))
    run = build_status_run(root.get("commit_status"), repo, None)
    if run is None:
        return Parsed([], ignored=f"{name}: the build is in progress")
    return Parsed([run])


CLOUD_PR_USED = frozenset(
    {"pullrequest:created", "pullrequest:updated", "pullrequest:fulfilled", "pullrequest:rejected"}
)
CLOUD_REVIEWS = {
    "pullrequest:approved": ("approval", "approved"),
    "pullrequest:unapproved": ("approval", "commented"),
    "pullrequest:changes_request_created": ("changes_request", "changes_requested"),
    "pullrequest:changes_request_removed": ("changes_request", "commented"),
}
CLOUD_COMMENTS = tuple(
    f"pullrequest:comment_{action}"
    for action in ("created", "updated", "deleted", "resolved", "reopened")
)
CLOUD_EVENTS: dict[str, Callable[[Node, str], Parsed]] = {
    "repo:push": _push,
    **dict.fromkeys(CLOUD_PR_USED, _cloud_pr),
    **dict.fromkeys(CLOUD_COMMENTS, _cloud_pr),
    **dict.fromkeys(CLOUD_REVIEWS, _cloud_review),
    "repo:commit_status_created": _commit_status,
    "repo:commit_status_updated": _commit_status,
}


# --- Data Center ---------------------------------------------------------------------------


def _dc_pr(root: Node, name: str) -> Parsed:
    record = dc_pull_request(root.get("pullRequest"), [])
    if name in DC_PR_USED:
        return Parsed([record])
    return Parsed([record], f"{name} changes nothing leadline uses")


def _dc_review(root: Node, name: str) -> Parsed:
    """A reviewer's verdict at the delivery's ``date``: approved, needs work
    (``changes_requested``) or unapproved (``commented``)."""
    author = dc_user(root.get("participant").get("user"))
    at = read_time(root.get("date"))
    entry = review(author, DC_REVIEWS[name], at)
    return Parsed([dc_pull_request(root.get("pullRequest"), [entry])])


DC_PR_USED = frozenset(
    {"pr:opened", "pr:modified", "pr:from_ref_updated", "pr:merged", "pr:declined"}
)
DC_REVIEWS = {
    "pr:reviewer:approved": "approved",
    "pr:reviewer:needs_work": "changes_requested",
    "pr:reviewer:unapproved": "commented",
}
DC_PR_UNUSED = ("pr:reviewer:updated", "pr:comment:added", "pr:comment:edited",
                "pr:comment:deleted")  # fmt: skip
DC_EVENTS: dict[str, Callable[[Node, str], Parsed]] = {
    **dict.fromkeys(DC_PR_USED, _dc_pr),
    **dict.fromkeys(DC_PR_UNUSED, _dc_pr),
    **dict.fromkeys(DC_REVIEWS, _dc_review),
}
