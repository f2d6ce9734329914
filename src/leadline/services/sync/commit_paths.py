"""``--commit-paths``: give the commits a sync emits the paths they change, one rule for
every tool that lists commits without their files (GitHub, GitLab).

A commit already stored with paths costs no request: the store keeps its paths, so a
look-back pass or a pull request listing the commit again refetches nothing. A detail that
cannot be read (a warning naming the field) or that the tool no longer has (its "gone"
statuses: 404 and the like) leaves the commit as listed, without paths: it is never
dropped. Any other HTTP error stops the sync, as every other request's does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from leadline.domain.records import Commit, RecordModel
from leadline.services.sync.engine import SyncContext
from leadline.sources.base import PayloadError
from leadline.sources.http import RestError
from leadline.store.upsert import record_key

R = TypeVar("R", bound=RecordModel)


def with_paths(
    ctx: SyncContext,
    records: Sequence[R],
    fetch: Callable[[Commit], Commit],
    name: Callable[[Commit], str],
    gone: Callable[[Commit, int | None], str | None],
) -> list[R]:
    """``records`` with each commit not yet stored with paths replaced by ``fetch(commit)``;
    other records as they are. ``gone(commit, status)`` says how an HTTP error reads in the
    warning, or ``None`` when the error is not a "gone" one (it is raised)."""
    commits = [r for r in records if isinstance(r, Commit)]
    if not commits:
        return list(records)
    stored = ctx.stored(commits)
    out: list[R] = []
    for record in records:
        old = stored.get(record_key(record))
        if not isinstance(record, Commit) or (isinstance(old, Commit) and old.paths):
            out.append(record)
            continue
        found: Commit = record
        try:
            found = fetch(record)
        except PayloadError as exc:
            ctx.warn(f"{name(record)}: {exc.message}; stored without paths")
        except RestError as exc:
            said = gone(record, exc.status)
            if said is None:
                raise
            ctx.warn(f"{name(record)}: {said}; stored without paths")
        out.append(cast(R, found))  # a commit in, a commit out
    return out
