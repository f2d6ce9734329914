"""GitHub REST answers → records, for ``leadline sync github``. Pure: JSON in, records out.

The REST shapes of pull requests, reviews, workflow runs, deployments with their statuses,
releases and issues are the shapes the webhooks carry, so each item is wrapped as the
delivery that would carry it and handed to the webhook parser (``sources.github.webhook``): a synced
record and a webhook record of the same object are the same record. Commits (REST nests
the git data under ``commit``) and tags (no webhook) are mapped here.

Every function raises ``PayloadError`` naming the JSON path of a missing or ill-typed field.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import Commit, PipelineRun, PullRequest, RecordModel, Version
from leadline.sources.base import (
    Parsed,
    build_record,
    merge_pull_request,
    read_opt_time,
    read_time,
)
from leadline.sources.github import webhook as github
from leadline.sources.github.ci import DEPLOYMENT_STATES
from leadline.sources.payload import Node, renamed_paths

TAG_SOURCE = "tag"  # the extra ``source`` of a version made from a bare tag


def _deliver(event: str, repo: str, **payload: Any) -> Parsed:
    return github.parse(event, {**payload, "repository": {"full_name": repo}})


def _one(parsed: Parsed) -> RecordModel | None:
    return parsed.records[0] if parsed.records else None


def pull_request(
    repo: str, item: Any, commits: list[Any] | None = None, reviews: list[Any] | None = None
) -> PullRequest:
    """A pull request (``GET /pulls`` item) with its reviews (``/pulls/N/reviews``) and the
    SHAs of its commits (``/pulls/N/commits``). A pending (unsubmitted) review is left out;
    a dismissed one becomes ``commented``, as in a webhook."""
    record = _one(_deliver("pull_request", repo, action="edited", pull_request=item))
    if not isinstance(record, PullRequest):  # pragma: no cover - "edited" always yields one
        raise Node(item, "pull_request").error("not a pull request")
    for i, review in enumerate(reviews or []):
        node = Node(review, f"reviews[{i}]")
        node.obj()
        if (
            node.get("state").opt_text() in (None, "PENDING")
            or not node.get("submitted_at").present
        ):
            continue
        one = _one(_deliver("pull_request_review", repo, action="submitted",
                            review=review, pull_request=item))  # fmt: skip
        if isinstance(one, PullRequest):
            record = merge_pull_request(record, one)
    shas = [Node(c, f"commits[{i}]").get("sha").text() for i, c in enumerate(commits or [])]
    return record.model_copy(update={"commit_shas": list(dict.fromkeys(shas))})


def _file_paths(node: Node) -> list[str]:
    """``files[].filename`` (after a rename's ``previous_filename``: ``renamed_paths``) of
    ``GET /commits/{sha}``: the paths the commit changes. The lists carry no ``files``: no
    paths."""
    files = node.get("files").items()
    return renamed_paths((f.get("previous_filename").opt_text(), f.get("filename").text())
                         for f in files)  # fmt: skip


def commit(repo: str, item: Any, branch: str | None = None) -> Commit:
    """A commit as ``GET /commits`` and ``GET /pulls/N/commits`` list it, or as
    ``GET /commits/{sha}`` gives it (with ``files``: the paths it changes)."""
    node = Node(item, "commit")
    git = node.get("commit")
    author = node.get("author").get("login").opt_text() or git.get("author").get("name").opt_text()
    data: dict[str, Any] = {
        "kind": "commit",
        "repo": repo,
        "sha": node.get("sha").text(),
        "committed_at": read_time(git.get("committer").get("date")),
        "authored_at": read_opt_time(git.get("author").get("date")),
        "message": git.get("message").opt_text(),
        "author": author,
        "parents": [p.get("sha").text() for p in node.get("parents").items()],
        "branch": branch,
        "paths": _file_paths(node),
    }
    paths = {
        "sha": "commit.sha",
        "committed_at": "commit.commit.committer.date",
        "authored_at": "commit.commit.author.date",
        "message": "commit.commit.message",
        "author": "commit.author.login",
        "parents": "commit.parents",
    }
    return build_record(Commit, data, paths)


def workflow_run(repo: str, item: Any) -> PipelineRun | None:
    """A workflow run (``GET /actions/runs`` item) → a ``ci`` run, as the webhook maps it;
    ``None`` while it has not completed."""
    status = Node(item, "workflow_run").get("status").opt_text()
    action = "completed" if status == "completed" else (status or "requested")
    record = _one(_deliver("workflow_run", repo, action=action, workflow_run=item))
    return record if isinstance(record, PipelineRun) else None


def run_is_completed(item: Any) -> bool:
    return Node(item, "workflow_run").get("status").opt_text() == "completed"


def deployment_outcome(statuses: list[Any]) -> Any | None:
    """The status that settles a deployment: its newest status that is not ``inactive``
    (``inactive`` only says a newer deployment replaced it), when that one is final
    (success, failure, error); ``None`` while it is queued, pending or in progress."""
    nodes = [Node(s, f"statuses[{i}]") for i, s in enumerate(statuses)]
    live = [n for n in nodes if (n.get("state").opt_text() or "").lower() != "inactive"]
    if not live:
        return None
    newest = max(live, key=lambda n: (read_time(n.get("created_at")), _int_or_zero(n)))
    state = (newest.get("state").opt_text() or "").lower()
    return newest.value if state in DEPLOYMENT_STATES else None


def _int_or_zero(node: Node) -> int:
    value = node.get("id").value
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def deployment(repo: str, item: Any, statuses: list[Any]) -> PipelineRun | None:
    """A deployment and its statuses (``/deployments/ID/statuses``) → a ``cd`` run in its
    environment, dated by the settling status; ``None`` while it is not settled."""
    status = deployment_outcome(statuses)
    if status is None:
        return None
    record = _one(_deliver("deployment_status", repo, deployment=item, deployment_status=status))
    return record if isinstance(record, PipelineRun) else None


def release(repo: str, item: Any) -> Version | None:
    """A published release → a released version; a draft, a prerelease or an unpublished
    release → ``None`` (as in the webhook)."""
    record = _one(_deliver("release", repo, action="published", release=item))
    return record if isinstance(record, Version) else None


def tag(repo: str, item: Any, tagged: Any) -> Version:
    """A tag (``GET /tags`` item) and its commit (``GET /commits/SHA``) → a version released
    when the commit was committed, marked ``source: tag`` (a release of the same name wins)."""
    node, commit_node = Node(item, "tag"), Node(tagged, "commit")
    data: dict[str, Any] = {
        "kind": "version",
        "project": repo,
        "name": node.get("name").text(),
        "released_at": read_time(commit_node.get("commit").get("committer").get("date")),
        "source": TAG_SOURCE,
        "sha": node.get("commit").get("sha").text(),
    }
    paths = {"name": "tag.name", "released_at": "commit.commit.committer.date"}
    return build_record(Version, data, paths)


def tag_sha(item: Any) -> str:
    return Node(item, "tag").get("commit").get("sha").text()


def is_pull_request_issue(item: Any) -> bool:
    return Node(item, "issue").get("pull_request").present


def issue(repo: str, item: Any) -> RecordModel | None:
    """An issue (``GET /issues`` item) → ``owner/name#number`` with its open/closed states,
    as the webhook maps it; a pull request listed among the issues → ``None``. An open
    issue with a ``closed_at`` was reopened (at its last update, the best REST can say)."""
    node = Node(item, "issue")
    node.obj()
    if is_pull_request_issue(item):
        return None
    reopened = node.get("state").opt_text() == "open" and node.get("closed_at").present
    return _one(_deliver("issues", repo, action="reopened" if reopened else "edited", issue=item))
