"""``leadline sync bitbucket``: from a listed page to records (part of
``services.sync.bitbucket``).

Each converter takes the fresh items of one page and returns their records
(``leadline.sources.bitbucket``), fetching what a listing lacks: a pull request's detail
(Cloud: its participants' approvals), its commits (full SHAs, with parents), its activity
(Data Center: approvals with their times) and the build statuses of its head commit. A pull
request already stored by a sync with the same ``updated_at`` costs no request. An item
Bitbucket sent but leadline cannot read is skipped with a warning naming it; an item gone
by the time its details are asked for (404, 410) too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from leadline.domain.records import PipelineRun, PullRequest, RecordModel
from leadline.services.sync.engine import SyncContext
from leadline.services.sync.walk import time_key
from leadline.sources.base import PayloadError
from leadline.sources.bitbucket import rest
from leadline.sources.http import RestError
from leadline.store.upsert import Key, record_key

SYNCED = "synced"  # an extra field: the pull request's commits and reviews were fetched


class Api(Protocol):
    """What the converters ask of the sync: every item of a listing, one answer."""

    @property
    def flavour(self) -> str: ...

    @property
    def repo(self) -> str: ...

    def all_items(self, suffix: str) -> list[Any]: ...

    def get_one(self, suffix: str) -> Any: ...

    def statuses(self, sha: str) -> list[Any]: ...


def each(
    ctx: SyncContext, api: Api, what: str, items: list[Any], convert: Callable[[Any], list[Any]]
) -> list[RecordModel]:
    """The records of every item; one that cannot be read, or that is gone by the time its
    details are asked for (404, 410), is skipped with a warning."""
    records: list[RecordModel] = []
    for item in items:
        name = f"bitbucket {api.repo}: {what} {_ident(item)}"
        try:
            records.extend(r for r in convert(item) if r is not None)
        except PayloadError as exc:
            ctx.warn(f"{name}: {exc.message}; skipped")
        except RestError as exc:
            if exc.status not in (404, 410):
                raise
            ctx.warn(f"{name}: gone ({exc.status}); skipped")
    return records


def _ident(item: Any) -> str:
    for name in ("id", "uuid"):
        value = item.get(name) if isinstance(item, dict) else None
        if value is not None:
            return f"{name}={value}"
    return "(unnamed)"


class PullRequests:
    """Pull requests not stored as listed, each with its detail, commits, reviews and the
    build statuses of its head commit."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def __call__(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        bare: list[tuple[Any, PullRequest]] = []
        for item in items:
            for record in each(ctx, self.api, "pull request", [item], self._bare):
                if isinstance(record, PullRequest):
                    bare.append((item, record))
        stored = ctx.stored([pr for _, pr in bare])
        todo = [item for item, pr in bare if not same_pull_request(pr, stored)]
        return each(ctx, self.api, "pull request", todo, self._full)

    def _bare(self, item: Any) -> list[Any]:
        return [rest.pull_request(item, self.api.flavour, self.api.repo)]

    def _full(self, item: Any) -> list[Any]:
        number = item.get("id")
        cloud = self.api.flavour == "cloud"
        base = f"pullrequests/{number}" if cloud else f"pull-requests/{number}"
        commit_items = self.api.all_items(f"{base}/commits")
        flavour, repo = self.api.flavour, self.api.repo
        commits = [
            rest.commit(c, flavour, repo, f"commits[{i}]") for i, c in enumerate(commit_items)
        ]
        if cloud:
            pr = rest.pull_request(self.api.get_one(base), flavour, repo)
        else:
            reviews = rest.dc_activity_reviews(self.api.all_items(f"{base}/activities"))
            pr = rest.pull_request(item, flavour, repo, reviews)
        shas = [c.sha for c in commits]
        kept = [s for s in pr.commit_shas if not any(f.startswith(s) for f in shas)]
        commit_shas = list(dict.fromkeys([*shas, *kept]))
        pr = pr.model_copy(update={"commit_shas": commit_shas, SYNCED: True})
        runs = self._statuses(shas[0] if shas else None)
        return [*commits, pr, *runs]

    def _statuses(self, head: str | None) -> list[PipelineRun | None]:
        """The build statuses of the head commit (the newest listed first) as CI runs."""
        if head is None:
            return []
        found = self.api.statuses(head)
        return [
            rest.build_status(s, self.api.repo, head, f"statuses[{i}]") for i, s in enumerate(found)
        ]


def same_pull_request(record: PullRequest, stored: dict[Key, RecordModel]) -> bool:
    """Stored by a sync as it is listed now: the same ``updated_at``, and marked ``synced``
    (its commits and reviews fetched; a pull request known from hooks alone is not)."""
    old = stored.get(record_key(record))
    if not isinstance(old, PullRequest) or (old.model_extra or {}).get(SYNCED) is not True:
        return False
    return _updated(old) == _updated(record) is not None


def _updated(record: RecordModel) -> str | None:
    value = (record.model_extra or {}).get("updated_at")
    return time_key(value) if isinstance(value, datetime | str) else None


def pipelines(items: list[Any], ctx: SyncContext, api: Api) -> list[RecordModel]:
    """Finished Cloud pipelines as CI runs (the walk keeps the unfinished ones pending)."""
    return each(ctx, api, "pipeline", items, lambda p: [rest.pipeline_run(p, api.repo)])


def deployments(items: list[Any], ctx: SyncContext, api: Api) -> list[RecordModel]:
    """Finished Cloud deployments as CD runs."""
    return each(ctx, api, "deployment", items, lambda d: [rest.deployment_run(d, api.repo)])
