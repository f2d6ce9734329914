"""``leadline sync github``: workflow runs, deployments, releases and tags.

Runs, deployments and releases are created before they are settled (a run completes, a
deployment gets its final status, a draft is published), and a newest-first walk passes
each item once. So an item that is not settled yet goes into the cursor's ``pending``
(``{id: created}``); every sync first asks GitHub again for each pending item, records
the settled ones and forgets those unsettled for ``PENDING_DAYS``.

Tags have no order worth walking and no date: every sync lists them with a conditional
GET (``If-None-Match`` on the ETag of the last complete listing; a 304 costs nothing), and
a tag not seen before (or moved) costs one ``/commits/SHA`` for its date. The cursor keeps
the tags seen (``known``: name → SHA), committed page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from leadline.domain.records import RecordModel
from leadline.services.sync.engine import Batch, SyncContext
from leadline.services.sync.github_base import GitHub, item_key, mapped
from leadline.services.sync.walk import WalkKey, desc_walk, key_time
from leadline.sources.github import rest as github_rest
from leadline.sources.http import Page, RestError
from leadline.sources.payload import Node

Settle = Callable[[str], tuple[bool, RecordModel | None]]


def settle_pending(gh: GitHub, state: dict[str, Any], settle: Settle) -> Batch | None:
    """Ask again for each pending item: ``settle(id)`` → ``(settled, record)``. One batch
    with the records and the pending items left, or ``None`` when nothing is pending."""
    pending: dict[str, str] = dict(state.get("pending") or {})
    if not pending:
        return None
    records: list[RecordModel] = []
    for ident, created in sorted(pending.items()):
        try:
            settled, record = settle(ident)
        except RestError as exc:
            if exc.status not in (404, 410):
                raise
            settled, record = True, None  # deleted: nothing to record
        if record is not None:
            records.append(record)
        if settled or gh.is_stale(created):
            del pending[ident]
    state["pending"] = pending
    return Batch(records, dict(state), 0)


def _id(item: Any) -> int:
    value = Node(item, "item").get("id").value
    if not isinstance(value, int) or isinstance(value, bool):
        raise Node(item, "item").error(f"expected an integer id, got {value!r}")
    return value


class _IdWalk:
    """A listing walked newest id first, with pending items (module doc)."""

    name = ""
    listing = ""

    def __init__(self, gh: GitHub) -> None:
        self.gh = gh

    def settle(self, ident: str) -> tuple[bool, RecordModel | None]:
        raise NotImplementedError

    def record(self, item: Any, ctx: SyncContext) -> tuple[bool, RecordModel | None]:
        raise NotImplementedError

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gh = self.gh
        state: dict[str, Any] = dict(cursor or {})
        first_batch = settle_pending(gh, state, self.settle)
        if first_batch is not None:
            yield first_batch
        pending: dict[str, str] = state.setdefault("pending", {})
        since = gh.since_key

        def first(_lower: WalkKey | None) -> Iterator[Page]:
            return gh.pages(self.listing, {})

        def too_old(item: Any) -> bool:
            return since is not None and item_key(item, "created_at") < since

        for step in desc_walk(state, first, gh.resume, _id, inclusive=False, stop=too_old):
            records: list[RecordModel] = []
            for item in step.items:
                result = mapped(ctx, f"{self.name} {_id(item)}", self.record, item, ctx)
                settled, record = result if result is not None else (True, None)
                if record is not None:
                    records.append(record)
                if not settled:
                    pending[str(_id(item))] = item_key(item, "created_at")
            cursor_now = {**step.cursor, "pending": dict(pending)}
            yield Batch(records, cursor_now, len(step.page.items))


class Deployments(_IdWalk):
    name = "deployments"
    listing = "deployments"

    def _run(self, item: Any) -> tuple[bool, RecordModel | None]:
        statuses = self.gh.all_items(f"deployments/{_id(item)}/statuses")
        record = github_rest.deployment(self.gh.repo, item, statuses)
        states = {(Node(s).get("state").opt_text() or "").lower() for s in statuses}
        settled = record is not None or (bool(statuses) and states == {"inactive"})
        return settled, record

    def settle(self, ident: str) -> tuple[bool, RecordModel | None]:
        return self._run(self.gh.client.get_json(self.gh.path(f"deployments/{ident}")))

    def record(self, item: Any, ctx: SyncContext) -> tuple[bool, RecordModel | None]:
        return self._run(item)


class Releases(_IdWalk):
    name = "releases"
    listing = "releases"

    def settle(self, ident: str) -> tuple[bool, RecordModel | None]:
        item = self.gh.client.get_json(self.gh.path(f"releases/{ident}"))
        record = github_rest.release(self.gh.repo, item)
        return record is not None, record

    def record(self, item: Any, ctx: SyncContext) -> tuple[bool, RecordModel | None]:
        record = github_rest.release(self.gh.repo, item)
        return record is not None, record


class Runs:
    """Workflow runs, newest created first; unfinished runs pending (module doc)."""

    name = "runs"

    def __init__(self, gh: GitHub) -> None:
        self.gh = gh

    def settle(self, ident: str) -> tuple[bool, RecordModel | None]:
        item = self.gh.client.get_json(self.gh.path(f"actions/runs/{ident}"))
        if not github_rest.run_is_completed(item):
            return False, None
        return True, github_rest.workflow_run(self.gh.repo, item)

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gh = self.gh
        state: dict[str, Any] = dict(cursor or {})
        first_batch = settle_pending(gh, state, self.settle)
        if first_batch is not None:
            yield first_batch
        pending: dict[str, str] = state.setdefault("pending", {})

        def first(lower: WalkKey | None) -> Iterator[Page]:
            params = {}
            if isinstance(lower, str):
                params["created"] = ">=" + key_time(lower).strftime("%Y-%m-%dT%H:%M:%SZ")
            return gh.pages("actions/runs", params, "workflow_runs")

        def resume(url: str) -> Iterator[Page]:
            return gh.resume(url, "workflow_runs")

        def key(item: Any) -> str:
            return item_key(item, "created_at")

        for step in desc_walk(state, first, resume, key, since=gh.since_key):
            records: list[RecordModel] = []
            for item in step.items:
                run_id = Node(item).get("id").value
                if mapped(ctx, f"run {run_id}", github_rest.run_is_completed, item):
                    record = mapped(ctx, f"run {run_id}", github_rest.workflow_run, gh.repo, item)
                    if record is not None:
                        records.append(record)
                elif isinstance(run_id, int):
                    pending[str(run_id)] = key(item)
            yield Batch(records, {**step.cursor, "pending": dict(pending)}, len(step.page.items))


def _keep_releases(stored: RecordModel | None, incoming: RecordModel) -> RecordModel | None:
    """A tag's version never replaces a version a release made (nor a hand-made one)."""
    if stored is None or (stored.model_extra or {}).get("source") == github_rest.TAG_SOURCE:
        return incoming
    return None


class Tags:
    """Tags as versions, dated by their commit (module doc)."""

    name = "tags"

    def __init__(self, gh: GitHub) -> None:
        self.gh = gh

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gh = self.gh
        state: dict[str, Any] = dict(cursor or {})
        known: dict[str, str] = dict(state.get("known") or {})
        etag = state.get("etag")
        headers = {"If-None-Match": etag} if isinstance(etag, str) else None
        new_etag: str | None = None
        for number, page in enumerate(gh.pages("tags", {}, headers=headers)):
            if number == 0:
                new_etag = page.response.headers.get("etag")
            records: list[RecordModel] = []
            for item in page.items:
                name = Node(item, "tag").get("name").value
                sha = mapped(ctx, f"tag {name}", github_rest.tag_sha, item)
                if sha is None or not isinstance(name, str) or known.get(name) == sha:
                    continue
                tagged = gh.client.get_json(gh.path(f"commits/{sha}"))
                version = mapped(ctx, f"tag {name}", github_rest.tag, gh.repo, item, tagged)
                known[name] = sha
                if version is not None and not _before(version.released_at, gh.since):
                    records.append(version)
            state["known"] = dict(known)
            if page.next is None and page.response.status_code != 304:
                state["etag"] = new_etag
            yield Batch(records, dict(state), len(page.items), policy=_keep_releases)


def _before(when: datetime | None, since: datetime | None) -> bool:
    return when is not None and since is not None and when < since
