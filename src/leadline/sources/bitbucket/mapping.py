"""What Bitbucket's webhooks and REST answers share: a pull request (Cloud or Data Center), a
commit, a build status as a pipeline run. One mapping per object, so a hook and a sync store
the same record for the same pull request.

Cloud writes ISO 8601 times with microseconds; Data Center writes entity times as epoch
milliseconds (``createdDate``). Cloud pull requests carry **12-character** commit hashes
(``merge_commit.hash``, ``source.commit.hash``): they are stored as they are, and the
correlation resolves an abbreviated SHA to the one full SHA it abbreviates
(``correlate.shas``), so a merge commit synced or pushed later with its full SHA links.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadline.domain.records import Commit, PipelineRun, PullRequest
from leadline.sources.base import build_record, read_int, read_opt_time, read_time
from leadline.sources.payload import Node

CLOUD_STATES = frozenset({"OPEN", "MERGED", "DECLINED", "SUPERSEDED"})
DC_STATES = frozenset({"OPEN", "MERGED", "DECLINED"})
STATUS_SYSTEM = "bitbucket-status"
# Build status state → run status; INPROGRESS is not final (no run yet).
BUILD_STATES = {"SUCCESSFUL": "success", "FAILED": "failure", "STOPPED": "cancelled"}


def cloud_repo(repository: Node) -> str:
    """``workspace/slug`` of a Cloud repository object."""
    return repository.get("full_name").text()


def dc_repo(repository: Node) -> str:
    """``PROJECT/slug`` of a Data Center repository object (the project key as Bitbucket
    shows it)."""
    return f"{repository.get('project').get('key').text()}/{repository.get('slug').text()}"


def cloud_user(user: Node) -> str | None:
    """A Cloud user: the nickname, else the display name (account ids are not readable)."""
    return user.get("nickname").opt_text() or user.get("display_name").opt_text()


def dc_user(user: Node) -> str | None:
    """A Data Center user: the login name (``name``), else the slug."""
    return user.get("name").opt_text() or user.get("slug").opt_text()


def _state(node: Node, allowed: frozenset[str]) -> str:
    state = node.text().strip().upper()
    if state not in allowed:
        raise node.error(f"expected one of {', '.join(sorted(allowed))}, got {state!r}")
    return state


def _paths(pr: Node, fields: dict[str, str]) -> dict[str, str]:
    return {k: f"{pr.path}.{v}" if pr.path else v for k, v in fields.items()}


def cloud_pull_request(pr: Node, repo: str, reviews: list[dict[str, Any]]) -> PullRequest:
    """A Cloud pull request (webhook ``pullrequest`` or a REST listing item). Cloud has no
    merge time: a ``MERGED`` pull request was merged at its ``updated_on``, and a declined or
    superseded one closed then. ``reviews``: the approvals known besides the participants'."""
    pr.obj()
    state = _state(pr.get("state"), CLOUD_STATES)
    updated = read_opt_time(pr.get("updated_on"))
    closed = updated if state != "OPEN" else None
    merged = updated if state == "MERGED" else None
    head = pr.get("source").get("commit").get("hash").opt_text()
    data: dict[str, Any] = {
        "kind": "pull_request",
        "repo": repo,
        "number": read_int(pr.get("id")),
        "created_at": read_time(pr.get("created_on")),
        "title": pr.get("title").opt_text(),
        "source_branch": pr.get("source").get("branch").get("name").opt_text(),
        "target_branch": pr.get("destination").get("branch").get("name").opt_text(),
        "author": cloud_user(pr.get("author")),
        "merged_at": merged,
        "closed_at": closed,
        "merge_commit_sha": pr.get("merge_commit").get("hash").opt_text() if merged else None,
        "commit_shas": [head] if head else [],
        "reviews": [*participant_reviews(pr), *reviews],
    }
    if updated is not None:
        data["updated_at"] = updated
    return build_record(PullRequest, data, _paths(pr, _CLOUD_PATHS))


_CLOUD_PATHS = {
    "number": "id",
    "created_at": "created_on",
    "title": "title",
    "source_branch": "source.branch.name",
    "target_branch": "destination.branch.name",
    "author": "author.nickname",
    "merged_at": "updated_on",
    "closed_at": "updated_on",
    "merge_commit_sha": "merge_commit.hash",
    "commit_shas": "source.commit.hash",
    "reviews": "participants",
}


def participant_reviews(pr: Node) -> list[dict[str, Any]]:
    """Cloud participants who approved, each an approval at ``participated_on`` (their last
    action on the pull request: the best time Cloud gives without the activity log)."""
    out = []
    for participant in pr.get("participants").items():
        at = read_opt_time(participant.get("participated_on"))
        if participant.get("approved").opt_bool() and at is not None:
            out.append(review(cloud_user(participant.get("user")), "approved", at))
    return out


def review(author: str | None, state: str, at: datetime) -> dict[str, Any]:
    return {"author": author, "state": state, "at": at}


def dc_pull_request(pr: Node, reviews: list[dict[str, Any]]) -> PullRequest:
    """A Data Center pull request (webhook ``pullRequest`` or a REST listing item); times in
    epoch milliseconds; a merged one's ``closedDate`` is its merge time."""
    pr.obj()
    state = _state(pr.get("state"), DC_STATES)
    closed_node = pr.get("closedDate")
    closed = closed_node.epoch_ms() if closed_node.present and state != "OPEN" else None
    updated_node = pr.get("updatedDate")
    head = pr.get("fromRef").get("latestCommit").opt_text()
    data: dict[str, Any] = {
        "kind": "pull_request",
        "repo": dc_repo(pr.get("toRef").get("repository")),
        "number": read_int(pr.get("id")),
        "created_at": pr.get("createdDate").epoch_ms(),
        "title": pr.get("title").opt_text(),
        "source_branch": pr.get("fromRef").get("displayId").opt_text(),
        "target_branch": pr.get("toRef").get("displayId").opt_text(),
        "author": dc_user(pr.get("author").get("user")),
        "merged_at": closed if state == "MERGED" else None,
        "closed_at": closed,
        "merge_commit_sha": pr.get("properties").get("mergeCommit").get("id").opt_text()
        if state == "MERGED"
        else None,
        "commit_shas": [head] if head else [],
        "reviews": reviews,
    }
    if updated_node.present:
        data["updated_at"] = updated_node.epoch_ms()
    return build_record(PullRequest, data, _paths(pr, _DC_PATHS))


_DC_PATHS = {
    "number": "id",
    "created_at": "createdDate",
    "title": "title",
    "source_branch": "fromRef.displayId",
    "target_branch": "toRef.displayId",
    "author": "author.user.name",
    "merged_at": "closedDate",
    "closed_at": "closedDate",
    "merge_commit_sha": "properties.mergeCommit.id",
    "commit_shas": "fromRef.latestCommit",
    "reviews": "reviewers",
}


def author_name(raw: str | None) -> str | None:
    """``Name <mail>`` (Cloud's ``author.raw``) → ``Name``."""
    if raw is None:
        return None
    return raw.split("<", 1)[0].strip() or raw.strip()


def cloud_commit(node: Node, repo: str, branch: str | None) -> Commit:
    """A Cloud commit (a push's ``commits[]``/``new.target`` or a REST commit)."""
    author = node.get("author")
    data: dict[str, Any] = {
        "kind": "commit",
        "repo": repo,
        "sha": node.get("hash").text(),
        "committed_at": read_time(node.get("date")),
        "message": node.get("message").opt_text(),
        "author": cloud_user(author.get("user")) or author_name(author.get("raw").opt_text()),
        "parents": [p.get("hash").text() for p in node.get("parents").items()],
        "branch": branch,
    }
    fields = {"sha": "hash", "committed_at": "date", "message": "message",
              "author": "author.raw", "parents": "parents"}  # fmt: skip
    return build_record(Commit, data, _paths(node, fields))


def dc_commit(node: Node, repo: str, branch: str | None) -> Commit:
    """A Data Center commit (REST ``commits``): times in epoch milliseconds."""
    committed = node.get("committerTimestamp")
    data: dict[str, Any] = {
        "kind": "commit",
        "repo": repo,
        "sha": node.get("id").text(),
        "committed_at": (
            committed if committed.present else node.get("authorTimestamp")
        ).epoch_ms(),
        "authored_at": node.get("authorTimestamp").epoch_ms()
        if node.get("authorTimestamp").present
        else None,
        "message": node.get("message").opt_text(),
        "author": dc_user(node.get("author")),
        "parents": [p.get("id").text() for p in node.get("parents").items()],
        "branch": branch,
    }
    fields = {"sha": "id", "committed_at": "committerTimestamp", "authored_at": "authorTimestamp",
              "message": "message", "author": "author.name", "parents": "parents"}  # fmt: skip
    return build_record(Commit, data, _paths(node, fields))


def build_status_run(status: Node, repo: str | None, sha: str | None) -> PipelineRun | None:
    """A build status (Cloud ``commit_status`` or a REST status of either flavour) → a CI run
    keyed ``KEY@SHA`` (a status is updated in place for its key and commit); ``None`` while
    it is in progress. The time is ``updated_on`` (Cloud) or ``dateAdded`` (Data Center)."""
    status.obj()
    state_node = status.get("state")
    state = state_node.text().strip().upper()
    if state == "INPROGRESS":
        return None
    if state not in BUILD_STATES:
        raise state_node.error(f"expected SUCCESSFUL, FAILED, STOPPED or INPROGRESS, got {state!r}")
    sha = sha or status.get("commit").get("hash").opt_text() or _sha_of(status)
    if sha is None:
        raise status.get("commit").get("hash").error("required field is missing")
    finished_node = status.get("updated_on")
    if finished_node.present:
        finished = read_time(finished_node)
    else:
        finished_node = status.get("dateAdded")
        finished = finished_node.epoch_ms()
    key = status.get("key").text()
    params = {"key": key, "state": state}
    url = status.get("url").opt_text()
    if url is not None:
        params["url"] = url
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": STATUS_SYSTEM,
        "pipeline": status.get("name").opt_text() or key,
        "run_id": f"{key}@{sha}",
        "type": "ci",
        "status": BUILD_STATES[state],
        "finished_at": finished,
        "started_at": read_opt_time(status.get("created_on")),
        "repo": repo,
        "commit_sha": sha,
        "branch": status.get("refname").opt_text(),
        "params": params,
    }
    fields = {"pipeline": "name", "run_id": "key", "status": "state",
              "finished_at": finished_node.path.rsplit(".", 1)[-1], "started_at": "created_on",
              "commit_sha": "commit.hash", "branch": "refname"}  # fmt: skip
    return build_record(PipelineRun, data, _paths(status, fields))


def _sha_of(status: Node) -> str | None:
    """The commit SHA at the end of ``links.commit.href`` (Cloud hooks without ``commit``)."""
    href = status.get("links").get("commit").get("href").opt_text()
    if href is None:
        return None
    tail = href.rstrip("/").rsplit("/", 1)[-1]
    if not tail or not all(c in "0123456789abcdefABCDEF" for c in tail):
        raise status.get("links").get("commit").get("href").error("no commit hash at its end")
    return tail
