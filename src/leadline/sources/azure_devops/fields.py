"""What Azure DevOps hook payloads and REST answers share, read once.

A pull request, a build and a release deployment have the same shape in a service-hook
delivery's ``resource`` and in a REST listing, and a work item's ``fields`` are the same
dictionary in both; so the mapping of each lives here (builds and release deployments in
``runs``), used by ``webhook`` and ``rest``.

Azure's quirks, in one place:

- **Times** carry up to seven fractional digits (``…03.5006647Z``): read to the microsecond
  (the seventh digit is dropped, never rounded into the next second).
- **Unset dates** are .NET's ``DateTime.MinValue`` ``0001-01-01T00:00:00`` (no zone) — and
  ``9999-01-01T00:00:00Z`` for "still current" — and read as *missing*, not as year 1 or
  9999 (``opt_time``). A required time that is unset is an error naming its path.
- **Repositories** belong to a project: the repo of a record is ``project/repository``.
- **Reviewer votes** (10 approved, 5 approved with suggestions, -5 waiting for the author,
  -10 rejected, 0 no vote) carry no time: the caller says when the vote was seen.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from leadline.domain.records import Commit, Issue, PullRequest, infer_category
from leadline.sources.base import PayloadError, branch_of, build_record, read_int, read_time
from leadline.sources.payload import Node

SYSTEM = "azure-devops"
KEY_PREFIX = "AB#"
_UNSET = ("0001-01-01", "9999-")
SHA = re.compile(r"^[0-9a-fA-F]{40}$")
# Votes → review states; 0 ("no vote") is not a review.
VOTES = {10: "approved", 5: "approved", -5: "changes_requested", -10: "changes_requested"}
# Pull request statuses: merged = completed (with a succeeded merge); abandoned = closed.
CLOSED_STATUSES = frozenset({"completed", "abandoned"})
# Work item states whose category the name alone would get wrong (Azure's process templates:
# Scrum's "Approved" is still Proposed, "Removed" leaves the flow).
STATE_CATEGORIES = {"approved": "todo", "proposed": "todo", "removed": "done"}


# --- times ---------------------------------------------------------------------------------


def is_unset(text: str) -> bool:
    """``0001-01-01T00:00:00`` / ``9999-01-01T00:00:00Z``: .NET's "no date"."""
    return text.strip().startswith(_UNSET)


def opt_time(node: Node) -> datetime | None:
    """A time; missing, null, blank or unset (module doc) → ``None``."""
    text = node.opt_text()
    if text is None or is_unset(text):
        return None
    return read_time(node)


def time(node: Node) -> datetime:
    """A required time; an unset one is an error naming the path."""
    text = node.text()
    if is_unset(text):
        raise node.error(f"required time is unset ({text!r})")
    return read_time(node)


# --- names ---------------------------------------------------------------------------------


def repo_name(repository: Node) -> str:
    """``project/repository`` (a repository's name is unique only inside its project)."""
    repository.obj()
    name = repository.get("name").text()
    project = repository.get("project").get("name").opt_text()
    return f"{project}/{name}" if project else name


def person(node: Node) -> str | None:
    """An identity: its ``uniqueName`` (the login), else its display name."""
    return node.get("uniqueName").opt_text() or node.get("displayName").opt_text()


def ref_branch(ref: str | None) -> str | None:
    return branch_of(ref) if ref and ref.startswith("refs/heads/") else None


# --- pull requests -------------------------------------------------------------------------


def pull_request(pr: Node, *, votes_at: datetime | None) -> PullRequest:
    """A pull request resource (hook or REST). ``votes_at``: when the reviewers' votes were
    seen (Azure gives no vote time); ``None`` leaves the votes out."""
    pr.obj()
    status = (pr.get("status").opt_text() or "").lower()
    closed = opt_time(pr.get("closedDate")) if status in CLOSED_STATUSES else None
    merged = status == "completed" and closed is not None
    merge_sha = pr.get("lastMergeCommit").get("commitId").opt_text() if merged else None
    head = pr.get("lastMergeSourceCommit").get("commitId").opt_text()
    at = f"{pr.path}." if pr.path else ""
    data: dict[str, Any] = {
        "kind": "pull_request",
        "repo": repo_name(pr.get("repository")),
        "number": read_int(pr.get("pullRequestId")),
        "created_at": time(pr.get("creationDate")),
        "title": pr.get("title").opt_text(),
        "source_branch": ref_branch(pr.get("sourceRefName").opt_text()),
        "target_branch": ref_branch(pr.get("targetRefName").opt_text()),
        "author": person(pr.get("createdBy")),
        "merged_at": closed if merged else None,
        "closed_at": closed,
        "merge_commit_sha": merge_sha,
        "commit_shas": [head] if head else [],
        "labels": [label.get("name").text() for label in pr.get("labels").items()],
        "reviews": _reviews(pr.get("reviewers"), votes_at),
    }
    description = pr.get("description").opt_text()
    if description is not None:
        data["description"] = description
    paths = {k: at + v for k, v in _PR_PATHS.items()}
    return build_record(PullRequest, data, paths)


_PR_PATHS = {
    "repo": "repository.name",
    "number": "pullRequestId",
    "created_at": "creationDate",
    "title": "title",
    "source_branch": "sourceRefName",
    "target_branch": "targetRefName",
    "author": "createdBy.uniqueName",
    "merged_at": "closedDate",
    "closed_at": "closedDate",
    "merge_commit_sha": "lastMergeCommit.commitId",
    "commit_shas": "lastMergeSourceCommit.commitId",
    "labels": "labels",
    "reviews": "reviewers",
    "description": "description",
}


def _reviews(reviewers: Node, at: datetime | None) -> list[dict[str, Any]]:
    """One review per person who voted (a team's aggregate vote, ``isContainer``, is not a
    person's review)."""
    out: list[dict[str, Any]] = []
    for reviewer in reviewers.items():
        vote = reviewer.get("vote")
        state = VOTES.get(read_int(vote)) if vote.present else None
        if at is None or state is None or reviewer.get("isContainer").opt_bool():
            continue
        out.append({"author": person(reviewer), "state": state, "at": at})
    return out


def commit(node: Node, repo: str, branch: str | None, repo_path: str = "repository") -> Commit:
    """A git commit reference (a push's ``commits[]``, the REST commits listing);
    ``repo_path``: where ``repo`` came from (a push's ``resource.repository.name``)."""
    author = node.get("author")
    data: dict[str, Any] = {
        "kind": "commit",
        "repo": repo,
        "sha": node.get("commitId").text(),
        "committed_at": time(node.get("committer").get("date")),
        "authored_at": opt_time(author.get("date")),
        "message": node.get("comment").opt_text(),
        "author": author.get("email").opt_text() or author.get("name").opt_text(),
        "branch": branch,
    }
    paths = {k: f"{node.path}.{v}" for k, v in _COMMIT_PATHS.items()}
    return build_record(Commit, data, {**paths, "repo": repo_path})


_COMMIT_PATHS = {
    "sha": "commitId",
    "committed_at": "committer.date",
    "authored_at": "author.date",
    "message": "comment",
    "author": "author.email",
}


# --- work items ----------------------------------------------------------------------------


def work_item(
    item_id: str,
    fields: Node,
    changes: list[dict[str, Any]],
    paths: dict[str, str],
    updated_at: datetime | None = None,
) -> Issue:
    """A work item's ``fields`` (the same dictionary in a hook and in REST) → an issue keyed
    ``AB#<id>``, with the status changes the caller read (a hook carries one, REST all).
    ``updated_at`` (the snapshot's time, which ``merge`` compares): the later of it and
    ``System.ChangedDate``."""
    fields.obj()
    data: dict[str, Any] = {
        "kind": "issue",
        "key": f"{KEY_PREFIX}{item_id}",
        "project": fields.get("System.TeamProject").opt_text(),
        "type": fields.get("System.WorkItemType").opt_text(),
        "title": fields.get("System.Title").opt_text(),
        "created_at": time(fields.get("System.CreatedDate")),
        "status_changes": changes,
        "labels": [
            t.strip() for t in (fields.get("System.Tags").opt_text() or "").split(";") if t.strip()
        ],
        "priority": fields.get("Microsoft.VSTS.Common.Priority").opt_id_text(),
        "resolved_at": opt_time(fields.get("Microsoft.VSTS.Common.ClosedDate"))
        or opt_time(fields.get("Microsoft.VSTS.Common.ResolvedDate")),
    }
    changed = [t for t in (opt_time(fields.get("System.ChangedDate")), updated_at) if t]
    if changed:
        data["updated_at"] = max(changed)
    return build_record(Issue, data, paths)


def state_change(state: str, at: datetime) -> dict[str, Any]:
    """A status change with Azure's categories where the name misleads (``STATE_CATEGORIES``)."""
    category = STATE_CATEGORIES.get(state.strip().lower()) or infer_category(state)
    return {"to": state, "at": at, "category": category}


def field_paths(prefix: str, key: str, state: str) -> dict[str, str]:
    """The payload path of each issue field under a ``fields`` object at ``prefix``; ``key``
    and ``state``: the paths of the work item's id and of the state its change names."""
    names = {
        "project": "System.TeamProject",
        "type": "System.WorkItemType",
        "title": "System.Title",
        "created_at": "System.CreatedDate",
        "labels": "System.Tags",
        "priority": "Microsoft.VSTS.Common.Priority",
        "resolved_at": "Microsoft.VSTS.Common.ClosedDate",
    }
    return {k: f"{prefix}.{v}" for k, v in names.items()} | {"key": key, "status_changes": state}


def opt_time_of(item: Any, field: str) -> datetime | None:
    """``item[field]`` as a time when ``item`` is an object (listing keys; unset → ``None``)."""
    if not isinstance(item, dict):
        return None
    try:
        return opt_time(Node(item.get(field), field))
    except PayloadError:
        return None


def repo_name_of(repository: dict[str, Any]) -> str:
    """``repo_name`` of a decoded repository object."""
    return repo_name(Node(repository, "repository"))
