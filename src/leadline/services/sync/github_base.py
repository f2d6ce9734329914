"""``leadline sync github``: what every GitHub resource needs (``github`` walks pull
requests, commits and issues; ``github_ci`` runs, deployments, releases and tags).

``GitHub`` holds the client, the repository and the options; ``item_key`` reads a listed
item's time as a walk key; ``mapped`` turns an item that cannot be read into a warning;
``with_paths`` gives the commits a sync emits the paths they change (``--commit-paths``).
Both resource modules import this one and not each other, so the two stay acyclic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from leadline.domain.records import Commit
from leadline.services.sync import commit_paths
from leadline.services.sync.engine import SyncContext
from leadline.services.sync.walk import key_time, time_key
from leadline.sources.base import PayloadError
from leadline.sources.github import rest as github_rest
from leadline.sources.http import Page, RestClient
from leadline.sources.http.paging import next_link
from leadline.sources.payload import Node

PENDING_DAYS = 14  # a run, deployment or release unsettled this long is given up
T = TypeVar("T")


@dataclass
class GitHub:
    """What every GitHub resource needs: the client, the repository, the options."""

    client: RestClient
    repo: str  # canonical owner/name, as webhooks name it
    default_branch: str | None = None
    since: datetime | None = None
    per_page: int = 100
    commit_paths: bool = False  # fetch ``/commits/{sha}`` for each commit (``with_paths``)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def path(self, suffix: str) -> str:
        return f"repos/{self.repo}/{suffix}"

    @property
    def since_key(self) -> str | None:
        return time_key(self.since) if self.since else None

    def relative(self, url: str | None) -> str | None:
        """A next-page URL as stored in a cursor: relative to the base URL when on it."""
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def pages(self, suffix: str, params: dict[str, Any], items_key: str | None = None,
              headers: dict[str, str] | None = None) -> Iterator[Page]:  # fmt: skip
        query = {**params, "per_page": self.per_page}
        for page in self.client.pages_link(self.path(suffix), query, items_key, headers=headers):
            yield Page(page.items, self.relative(page.next), page.response)

    def resume(self, url: str, items_key: str | None = None) -> Iterator[Page]:
        for page in self.client.pages_link(url, None, items_key):
            yield Page(page.items, self.relative(page.next), page.response)

    def all_items(self, suffix: str) -> list[Any]:
        return [item for page in self.pages(suffix, {}) for item in page.items]

    def commit_detail(self, sha: str) -> Any:
        """``GET /commits/{sha}`` with every page of its ``files`` (GitHub pages them, 300 a
        page, up to 3000 in all, with ``Link`` headers): the first page's object with the
        ``files`` of all pages."""
        response = self.client.get(self.path(f"commits/{sha}"))
        body = _json(response)
        nxt = next_link(response)
        while nxt is not None and isinstance(body, dict) and isinstance(body.get("files"), list):
            response = self.client.get(str(response.url.join(nxt)))
            more = _json(response)
            files = more.get("files") if isinstance(more, dict) else None
            if not isinstance(files, list) or not files:
                break
            body["files"] = [*body["files"], *files]
            nxt = next_link(response)
        return body

    def is_stale(self, created: str) -> bool:
        return key_time(created) < self.now() - timedelta(days=PENDING_DAYS)


def item_key(item: Any, field_name: str) -> str:
    return time_key(Node(item, "item").get(field_name).text())


def mapped(ctx: SyncContext, what: str, build: Callable[..., T], *args: Any) -> T | None:
    """``build(*args)``, or ``None`` with a warning when the item cannot be read."""
    try:
        return build(*args)
    except PayloadError as exc:
        ctx.warn(f"github: {what}: {exc.message}; skipped")
        return None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PayloadError(f"GET {response.url.path}: the answer is not JSON") from None


def with_paths(gh: GitHub, ctx: SyncContext, commits: list[Commit]) -> list[Commit]:
    """With ``--commit-paths``: each commit with the paths it changes, from ``GET
    /commits/{sha}`` (one request per commit, more for a commit of over 300 files); the rules
    of ``commit_paths.with_paths`` (a commit GitHub no longer has: 404, 409, 422)."""
    if not gh.commit_paths:
        return commits
    return commit_paths.with_paths(
        ctx, commits,
        lambda c: github_rest.commit(gh.repo, gh.commit_detail(c.sha), c.branch),
        lambda c: f"github: commit {c.sha}",
        lambda c, status: f"GET commits/{c.sha} answered {status}"
        if status in (404, 409, 422) else None,
    )  # fmt: skip
