"""``leadline sync github``: what every GitHub resource needs (``github`` walks pull
requests, commits and issues; ``github_ci`` runs, deployments, releases and tags).

``GitHub`` holds the client, the repository and the options; ``item_key`` reads a listed
item's time as a walk key; ``mapped`` turns an item that cannot be read into a warning.
Both resource modules import this one and not each other, so the two stay acyclic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from leadline.services.sync.engine import SyncContext
from leadline.services.sync.walk import key_time, time_key
from leadline.sources.base import PayloadError
from leadline.sources.http import Page, RestClient
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
