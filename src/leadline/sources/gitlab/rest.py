"""GitLab REST API objects (``/api/v4/projects/:id/…``) → records, for ``leadline sync gitlab``.

Pure mapping, like the webhook parser (``leadline.sources.gitlab.webhook``), whose decisions
it keeps so a record looks the same whichever way it arrived (docs/sources.md#gitlab):

* merge request → ``pull_request`` keyed ``repo`` + ``iid``; ``commit_shas`` from
  ``/merge_requests/:iid/commits``; reviews from ``/approvals`` (``approved_by``) and from the
  notes (``commented`` for a comment, the approval time from the system note "approved this
  merge request" when ``approved_at`` is missing). Its commits become ``commit`` records too
  (no ``parents``: GitLab lists none there; ``merge`` keeps those the commits resource gave);
* commit (``/repository/commits``) → ``commit`` with ``parents``; the paths it changes
  from its ``/repository/commits/:sha/diff`` (``diff_paths``, for ``--commit-paths``);
* pipelines, deployments and releases: ``leadline.sources.gitlab.rest_ci`` (re-exported).

Every function takes one decoded JSON object and the project path (``group/project``, the
``repo`` of every record) and returns ``Parsed``, or raises ``PayloadError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from leadline.domain.records import Commit, PullRequest
from leadline.sources.base import Parsed, build_record, read_int, read_opt_time, read_time
from leadline.sources.gitlab.rest_ci import deployment, is_final_pipeline, pipeline, release
from leadline.sources.payload import Node, renamed_paths

__all__ = [
    "commit",
    "deployment",
    "diff_paths",
    "is_final_pipeline",
    "merge_request",
    "pipeline",
    "project_path",
    "release",
]

APPROVAL_NOTE = "approved this merge request"
UNAPPROVAL_NOTE = "unapproved this merge request"
_MR_PATHS = {
    "number": "iid",
    "created_at": "created_at",
    "title": "title",
    "source_branch": "source_branch",
    "target_branch": "target_branch",
    "author": "author.username",
    "merged_at": "merged_at",
    "closed_at": "closed_at",
    "merge_commit_sha": "merge_commit_sha",
    "labels": "labels",
}


def project_path(payload: Any) -> str:
    """``path_with_namespace`` of ``GET /projects/:id`` (the ``repo`` of every record)."""
    return Node(payload).get("path_with_namespace").text()


def merge_request(
    payload: Any,
    repo: str,
    *,
    commits: Iterable[Any] = (),
    approvals: Any = None,
    notes: Iterable[Any] = (),
) -> Parsed:
    """A merge request with its commits, approvals and notes → the ``pull_request`` and one
    ``commit`` per commit of the merge request."""
    mr = Node(payload)
    mr.obj()
    commit_nodes = [Node(c, f"commits[{i}]") for i, c in enumerate(commits)]
    note_nodes = [Node(n, f"notes[{i}]") for i, n in enumerate(notes)]
    state = mr.get("state").opt_text()
    updated = read_opt_time(mr.get("updated_at"))
    merged_at = read_opt_time(mr.get("merged_at"))
    merged = state == "merged" or merged_at is not None
    closed_at = read_opt_time(mr.get("closed_at"))
    if closed_at is None:
        closed_at = merged_at if merged else updated if state == "closed" else None
    sha = mr.get("merge_commit_sha").opt_text() or mr.get("squash_commit_sha").opt_text()
    commit_records = [_commit(c, repo, None) for c in commit_nodes]
    fallback = merged_at or updated
    reviews = _approvals(Node(approvals, "approvals"), note_nodes, fallback) + _comments(note_nodes)
    reviews.sort(key=lambda r: (r["at"], r["author"] or ""))  # the order ``merge`` keeps
    data: dict[str, Any] = {
        "kind": "pull_request",
        "repo": repo,
        "number": read_int(mr.get("iid")),
        "created_at": read_time(mr.get("created_at")),
        "title": mr.get("title").opt_text(),
        "source_branch": mr.get("source_branch").opt_text(),
        "target_branch": mr.get("target_branch").opt_text(),
        "author": mr.get("author").get("username").opt_text(),
        "merged_at": merged_at,
        "closed_at": closed_at,
        "merge_commit_sha": sha if merged else None,
        "commit_shas": list(dict.fromkeys(c.sha for c in commit_records)),
        "labels": _labels(mr.get("labels")),
        "reviews": reviews,
    }
    if updated is not None:
        data["updated_at"] = updated
    record = build_record(PullRequest, data, _MR_PATHS)
    unique = {c.natural_key(): c for c in commit_records}
    return Parsed([record, *unique.values()])


def _labels(node: Node) -> list[str]:
    """Label names: plain strings, or objects with ``name`` (``with_labels_details``)."""
    names = []
    for label in node.items():
        names.append(label.get("name").text() if isinstance(label.value, dict) else label.text())
    return names


def _approvals(
    approvals: Node, notes: list[Node], fallback: datetime | None
) -> list[dict[str, Any]]:
    """Approved reviews. Who: ``approved_by`` of ``/approvals`` (``approvals`` = ``None`` when
    that endpoint was not available: the users whose last approve/unapprove system note is
    an approval). When: ``approved_at`` (GitLab 17+), else the user's last "approved this
    merge request" system note, else the merge time (or the last update when not merged)."""
    noted: dict[str | None, datetime] = {}
    standing: dict[str | None, bool] = {}
    for note in notes:
        body = _body(note) if note.get("system").opt_bool() else ""
        if body in (APPROVAL_NOTE, UNAPPROVAL_NOTE):
            author = _username(note.get("author"))
            standing[author] = body == APPROVAL_NOTE
            if body == APPROVAL_NOTE:
                noted[author] = read_time(note.get("created_at"))
    if approvals.value is None:
        return [
            {"author": author, "state": "approved", "at": noted[author]}
            for author, approved in standing.items()
            if approved
        ]
    reviews = []
    for entry in approvals.get("approved_by").items():
        author = _username(entry.get("user"))
        at = read_opt_time(entry.get("approved_at")) or noted.get(author) or fallback
        if at is None:
            raise entry.get("approved_at").error("no approval time and no merge or update time")
        reviews.append({"author": author, "state": "approved", "at": at})
    return reviews


def _comments(notes: list[Node]) -> list[dict[str, Any]]:
    """Notes that are not system notes → ``commented`` reviews (as the Note Hook does)."""
    return [
        {
            "author": _username(note.get("author")),
            "state": "commented",
            "at": read_time(note.get("created_at")),
        }
        for note in notes
        if not note.get("system").opt_bool()
    ]


def _body(note: Node) -> str:
    body = note.get("body").value
    return body.strip().lower() if isinstance(body, str) else ""


def _username(user: Node) -> str | None:
    return user.get("username").opt_text()


def commit(payload: Any, repo: str, *, branch: str | None = None) -> Parsed:
    """One commit of ``/repository/commits`` or ``/merge_requests/:iid/commits``.
    ``committed_at`` = ``committed_date`` (else ``created_at``, the same time in GitLab)."""
    return Parsed([_commit(Node(payload), repo, branch)])


def _commit(node: Node, repo: str, branch: str | None) -> Commit:
    node.obj()
    committed = node.get("committed_date")
    if not committed.present:
        committed = node.get("created_at") if node.get("created_at").present else committed
    data: dict[str, Any] = {
        "kind": "commit",
        "repo": repo,
        "sha": node.get("id").text(),
        "committed_at": read_time(committed),
        "message": node.get("message").opt_text() or node.get("title").opt_text(),
        "authored_at": read_opt_time(node.get("authored_date")),
        "author": node.get("author_name").opt_text(),
        "parents": node.get("parent_ids").texts(),
        "branch": branch,
    }
    prefix = f"{node.path}." if node.path else ""
    paths = {
        "sha": f"{prefix}id",
        "committed_at": committed.path,
        "message": f"{prefix}message",
        "authored_at": f"{prefix}authored_date",
        "author": f"{prefix}author_name",
        "parents": f"{prefix}parent_ids",
    }
    return build_record(Commit, data, paths)


def diff_paths(payload: Any) -> list[str]:
    """The paths a commit changes, from ``GET /repository/commits/:sha/diff`` (all pages;
    the items of a merge request's diffs have the same shape): each item's ``new_path``,
    after its ``old_path`` when ``renamed_file`` (``renamed_paths``: one rule for every
    source). A deleted file's ``new_path`` is its path too."""
    changes = []
    for item in Node(payload, "diff").items():
        item.obj()
        old = item.get("old_path").text() if item.get("renamed_file").opt_bool() else None
        changes.append((old, item.get("new_path").text()))
    return renamed_paths(changes)
