"""``leadline sync github``: a repository's history through the GitHub REST API.

Resources, in this order (each with its own cursor in ``sync_cursors``, scope
``owner/name``; docs/sync.md):

``commits``      ``/commits?since=`` on the default branch: since the start of the last
                 complete pass minus ``COMMIT_LOOKBACK`` (a commit keeps its commit date
                 when it is pushed later), all pages. With ``--commit-paths`` each
                 commit (here and of a pull request) not yet stored with paths is fetched
                 again as ``/commits/{sha}`` for the paths it changes
                 (``github_base.with_paths``).
``pulls``        ``/pulls?state=all&sort=updated&direction=desc``, walked newest update
                 first down to the last pass's high-watermark (``sync.walk.desc_walk``);
                 for each changed pull request its ``/commits`` and ``/reviews`` (all
                 pages): the pull request record and its commits (with parents).
``runs``         ``/actions/runs?created=>=``, newest first; completed runs only, the
                 others are kept as pending and fetched again (``sync.github_ci``).
``deployments``  ``/deployments`` newest id first down to the last known id; each with its
                 ``/statuses``; unsettled ones pending.
``releases``     ``/releases`` newest id first; drafts and prereleases pending.
``tags``         ``/tags`` (conditional GET on its ETag); a new tag's commit for its date.
``issues``       (``--issues``) ``/issues?state=all&sort=updated&direction=desc&since=``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine

from leadline.domain.records import PullRequest, RecordModel
from leadline.errors import InputError, NotFoundError
from leadline.services.sync.engine import (
    Batch,
    ProgressCallback,
    Resource,
    SyncContext,
    SyncReport,
    run_sync,
)
from leadline.services.sync.github_base import GitHub, item_key, mapped, with_paths
from leadline.services.sync.github_ci import Deployments, Releases, Runs, Tags
from leadline.services.sync.walk import WalkKey, desc_walk, key_time, time_key
from leadline.sources.base import PayloadError
from leadline.sources.github import rest as github_rest
from leadline.sources.http import Page, RestClient, RestError
from leadline.sources.payload import Node
from leadline.store.upsert import record_key

SOURCE = "github"
COMMIT_LOOKBACK = timedelta(days=7)


class Pulls:
    """Pull requests with their reviews and commits (module doc)."""

    name = "pulls"

    def __init__(self, gh: GitHub) -> None:
        self.gh = gh

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gh = self.gh
        params = {"state": "all", "sort": "updated", "direction": "desc"}

        def first(_lower: WalkKey | None) -> Iterator[Page]:
            return gh.pages("pulls", params)

        def key(item: Any) -> str:
            return item_key(item, "updated_at")

        for step in desc_walk(cursor, first, gh.resume, key, since=gh.since_key):
            yield Batch(self._records(step.items, ctx), step.cursor, len(step.page.items))

    def _records(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        gh = self.gh
        bare: list[tuple[Any, PullRequest]] = []
        for item in items:
            number = Node(item).get("number").value
            pr = mapped(ctx, f"pull #{number}", github_rest.pull_request, gh.repo, item)
            if pr is not None:
                bare.append((item, pr))
        stored = ctx.stored([pr for _, pr in bare])
        records: list[RecordModel] = []
        for item, pr in bare:
            if _up_to_date(stored.get(record_key(pr)), pr):
                continue
            commits = gh.all_items(f"pulls/{pr.number}/commits")
            reviews = gh.all_items(f"pulls/{pr.number}/reviews")
            what = f"pull #{pr.number}"
            full = mapped(ctx, what, github_rest.pull_request, gh.repo, item, commits, reviews)
            if full is None:
                continue
            records.append(full)
            # No branch: a stored commit keeps its own (the default branch's, say).
            found = [mapped(ctx, what, github_rest.commit, gh.repo, c, None) for c in commits]
            records.extend(with_paths(gh, ctx, [c for c in found if c is not None]))
        return records


def _up_to_date(stored: RecordModel | None, pr: PullRequest) -> bool:
    """A stored pull request at least as new as the listed one, whose commits a sync has
    already fetched (a webhook snapshot has none): nothing to fetch."""
    if not isinstance(stored, PullRequest) or not stored.commit_shas:
        return False
    mine, theirs = _updated(stored), _updated(pr)
    return mine is not None and theirs is not None and mine >= theirs


def _updated(record: RecordModel) -> str | None:
    value = (record.model_extra or {}).get("updated_at")
    return time_key(value) if isinstance(value, str | datetime) else None


class Commits:
    """Commits of the default branch, by commit date (module doc)."""

    name = "commits"

    def __init__(self, gh: GitHub) -> None:
        self.gh = gh

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gh = self.gh
        state: dict[str, Any] = dict(cursor or {})
        while True:
            run = state.get("run")
            if isinstance(run, dict) and run.get("next"):
                since, started = run.get("since"), run["started"]
                pages = gh.resume(str(run["next"]))
            else:
                run, started = None, time_key(gh.now())
                done = state.get("done")
                since = time_key(key_time(done) - COMMIT_LOOKBACK) if done else gh.since_key
                params = {"since": key_time(since).strftime("%Y-%m-%dT%H:%M:%SZ")} if since else {}
                pages = gh.pages("commits", params)
            for page in pages:
                fresh = [c for c in page.items if since is None or _commit_key(c) >= since]
                nxt = page.next if fresh or not page.items else None  # a page all older: end
                if nxt is not None:
                    state["run"] = {"since": since, "started": started, "next": nxt}
                else:
                    state.pop("run", None)
                    state["done"] = started
                branch = gh.default_branch
                records = [mapped(ctx, "commit", github_rest.commit, gh.repo, c, branch)
                           for c in fresh]  # fmt: skip
                found = with_paths(gh, ctx, [r for r in records if r is not None])
                yield Batch(list(found), dict(state), len(page.items))
                if nxt is None:
                    break
            if run is None:
                return


def _commit_key(item: Any) -> str:
    return time_key(Node(item, "commit").get("commit").get("committer").get("date").text())


class Issues:
    """Issues (not pull requests), newest update first (``--issues``)."""

    name = "issues"

    def __init__(self, gh: GitHub) -> None:
        self.gh = gh

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gh = self.gh

        def first(lower: WalkKey | None) -> Iterator[Page]:
            params = {"state": "all", "sort": "updated", "direction": "desc"}
            if isinstance(lower, str):
                params["since"] = key_time(lower).strftime("%Y-%m-%dT%H:%M:%SZ")
            return gh.pages("issues", params)

        def key(item: Any) -> str:
            return item_key(item, "updated_at")

        for step in desc_walk(cursor, first, gh.resume, key, since=gh.since_key):
            records = [mapped(ctx, f"issue #{Node(i).get('number').value}",
                              github_rest.issue, gh.repo, i) for i in step.items]  # fmt: skip
            yield Batch([r for r in records if r is not None], step.cursor, len(step.page.items))


def find_repository(client: RestClient, repo: str) -> tuple[str, str | None]:
    """``(full_name, default_branch)`` of ``OWNER/NAME``; a clear error when GitHub does
    not know it or the token cannot see it."""
    owner, _, name = repo.strip().strip("/").partition("/")
    if not owner or not name or "/" in name:
        raise InputError(f"--repo: expected OWNER/NAME, got {repo!r}")
    try:
        info = client.get_json(f"repos/{quote(owner)}/{quote(name)}")
    except RestError as exc:
        if exc.status == 404:
            raise NotFoundError(
                f"repository {owner}/{name} not found at {client.base_url} "
                "(or GITHUB_TOKEN cannot read it)"
            ) from None
        if exc.status == 401:
            raise RestError(f"{exc.message} (check GITHUB_TOKEN)", exc.status, exc.url) from None
        raise
    node = Node(info, "repository")
    try:
        return node.get("full_name").text(), node.get("default_branch").opt_text()
    except PayloadError as exc:
        raise RestError(f"GET repos/{owner}/{name}: {exc.message}") from None


def sync_github(
    engine: Engine,
    client: RestClient,
    repo: str,
    *,
    since: datetime | None = None,
    issues: bool = False,
    commit_paths: bool = False,
    per_page: int = 100,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the repository's history into the database (module doc)."""
    full_name, default_branch = find_repository(client, repo)
    gh = GitHub(client, full_name, default_branch, since, per_page, commit_paths)
    resources: list[Resource] = [Commits(gh), Pulls(gh), Runs(gh), Deployments(gh), Releases(gh),
                            Tags(gh)]  # fmt: skip
    if issues:
        resources.append(Issues(gh))
    report = run_sync(
        engine, SOURCE, full_name, resources, on_progress=on_progress, on_warning=on_warning
    )
    report.requests = client.requests
    return report
