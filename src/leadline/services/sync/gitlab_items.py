"""``leadline sync gitlab``: from a listed page to records (part of ``services.sync.gitlab``).

Each converter takes the fresh items of one page and returns their records
(``leadline.sources.gitlab.rest``), fetching what the listing lacks: a merge request's
commits, notes and approvals; a finished pipeline's detail. What is already stored as it is
listed costs no request (see ``same_merge_request``, ``same_run``). An item GitLab sent but
leadline cannot read is skipped with a warning naming it; notes and approvals that GitLab
refuses (403, 404: an old or restricted instance) are done without. With ``commit_paths``
(``--commit-paths``) every commit emitted (of the branch and of merge requests) gets the
paths it changes from its ``/diff`` (``with_paths``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadline.domain.records import PipelineRun, PullRequest, RecordModel
from leadline.services.sync import commit_paths
from leadline.services.sync.engine import SyncContext
from leadline.services.sync.walk import time_key
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.gitlab import rest as gitlab_rest
from leadline.sources.http import RestError
from leadline.store.upsert import Key, record_key

Convert = Callable[[list[Any], SyncContext], list[RecordModel]]
ListAll = Callable[[str, dict[str, Any]], list[Any]]  # (path suffix, params) → every item
GetOne = Callable[[str], Any]  # path suffix → the decoded answer
NOTES = {"sort": "asc", "order_by": "created_at"}


class Items:
    """The converters of one project's resources."""

    def __init__(
        self,
        repo: str,
        default_branch: str | None,
        list_all: ListAll,
        get_one: GetOne,
        commit_paths: bool = False,
    ) -> None:
        self.repo = repo
        self.default_branch = default_branch
        self.list_all = list_all
        self.get_one = get_one
        self.commit_paths = commit_paths

    def each(
        self, ctx: SyncContext, what: str, items: list[Any], convert: Callable[[Any], Parsed]
    ) -> list[RecordModel]:
        """The records of every item; one that cannot be read, or that is gone by the time
        its details are asked for (404, 410), is skipped with a warning."""
        records: list[RecordModel] = []
        for item in items:
            name = f"gitlab {self.repo}: {what} {ident(what, item)}"
            try:
                records.extend(convert(item).records)
            except PayloadError as exc:
                ctx.warn(f"{name}: {exc.message}; skipped")
            except RestError as exc:  # deleted between the listing and this request
                if exc.status not in (404, 410):
                    raise
                ctx.warn(f"{name}: gone ({exc.status}); skipped")
        return records

    def commits(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        branch = self.default_branch
        return self.with_paths(ctx, self.each(
            ctx, "commit", items, lambda c: gitlab_rest.commit(c, self.repo, branch=branch)
        ))  # fmt: skip

    def with_paths(self, ctx: SyncContext, records: list[RecordModel]) -> list[RecordModel]:
        """With ``commit_paths``: each commit with the paths it changes, from ``GET
        /repository/commits/:sha/diff`` (all pages: one request per commit and per 100
        files); the rules of ``commit_paths.with_paths`` (a diff gone: 404, 410)."""
        if not self.commit_paths:
            return records
        return commit_paths.with_paths(
            ctx, records,
            lambda c: c.model_copy(update={"paths": gitlab_rest.diff_paths(
                self.list_all(f"repository/commits/{c.sha}/diff", {}))}),
            lambda c: f"gitlab {self.repo}: commit {c.sha}",
            lambda _c, status: f"diff gone ({status})" if status in (404, 410) else None,
        )  # fmt: skip

    def deployments(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        return self.each(ctx, "deployment", items, lambda d: gitlab_rest.deployment(d, self.repo))

    def releases(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        return self.each(ctx, "release", items, lambda r: gitlab_rest.release(r, self.repo))

    def merge_requests(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        """Merge requests not stored as listed, each with its commits, notes, approvals."""
        bare: list[tuple[Any, PullRequest]] = []
        for item in items:
            for record in self.each(ctx, "merge request", [item], self._bare):
                if isinstance(record, PullRequest):
                    bare.append((item, record))
        stored = ctx.stored([pr for _, pr in bare])
        todo = [item for item, pr in bare if not same_merge_request(pr, stored)]
        return self.with_paths(ctx, self.each(ctx, "merge request", todo, self._full))

    def _bare(self, item: Any) -> Parsed:
        return Parsed(gitlab_rest.merge_request(item, self.repo).records[:1])

    def _full(self, item: Any) -> Parsed:
        base = f"merge_requests/{item.get('iid')}"
        commits = self.list_all(f"{base}/commits", {})
        notes = self._refusable(lambda: self.list_all(f"{base}/notes", NOTES)) or []
        approvals = self._refusable(lambda: self.get_one(f"{base}/approvals"))
        return gitlab_rest.merge_request(
            item, self.repo, commits=commits, notes=notes, approvals=approvals
        )

    def pipelines(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        """Finished pipelines not stored as listed, each from its detail."""
        final = [item for item in items if gitlab_rest.is_final_pipeline(item)]
        probes = [probe_run(self.repo, item) for item in final]
        stored = ctx.stored([p for p in probes if p is not None])
        todo = [i for i, p in zip(final, probes, strict=True) if not same_run(p, i, stored)]

        def detail(item: Any) -> Parsed:
            return gitlab_rest.pipeline(self.get_one(f"pipelines/{item.get('id')}"), self.repo)

        return self.each(ctx, "pipeline", todo, detail)

    @staticmethod
    def _refusable(fetch: Callable[[], Any]) -> Any:
        try:
            return fetch()
        except RestError as exc:
            if exc.status in (403, 404):
                return None
            raise


IDENT = {"merge request": "iid", "release": "tag_name"}  # else "id"


def ident(what: str, item: Any) -> str:
    """How a warning names a listed item (``iid=5``, ``id=42``, ``tag_name=v1``)."""
    name = IDENT.get(what, "id")
    value = item.get(name) if isinstance(item, dict) else None
    return f"{name}={value}" if value is not None else "(unnamed)"


def time_of(item: Any, name: str) -> str | None:
    """``item[name]`` as a ``time_key``, or ``None`` when it is not a time."""
    value = item.get(name) if isinstance(item, dict) else None
    if isinstance(value, datetime | str):
        try:
            return time_key(value)
        except ValueError:
            return None
    return None


def _updated(record: RecordModel | None) -> str | None:
    return time_of(record.model_extra, "updated_at") if record is not None else None


def same_merge_request(record: PullRequest, stored: dict[Key, RecordModel]) -> bool:
    """Stored by a sync as it is listed now: the same ``updated_at``, and the commits only a
    sync fetches (a merge request known from webhooks alone has none)."""
    old = stored.get(record_key(record))
    same = _updated(old) == _updated(record) is not None
    return same and isinstance(old, PullRequest) and bool(old.commit_shas)


def probe_run(repo: str, item: Any) -> PipelineRun | None:
    """A stand-in run with the natural key of a listed pipeline (to look the stored one up)."""
    try:
        return PipelineRun.model_validate({
            "kind": "pipeline_run", "system": "gitlab-ci", "pipeline": repo,
            "run_id": str(item.get("id")), "type": "ci", "status": "unknown",
            "finished_at": "1970-01-01T00:00:00Z",
        })  # fmt: skip
    except ValueError:
        return None


def same_run(probe: PipelineRun | None, item: Any, stored: dict[Key, RecordModel]) -> bool:
    """Stored by a sync with the same ``updated_at`` and GitLab status as listed now."""
    old = stored.get(record_key(probe)) if probe is not None else None
    if not isinstance(old, PipelineRun) or old.params.get("status") != item.get("status"):
        return False
    return _updated(old) == time_of(item, "updated_at") is not None
