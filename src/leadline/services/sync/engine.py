"""Shared orchestration of ``leadline sync <tool>``: resources, batches, cursors, counts.

A tool's sync is a list of ``Resource``\\ s run in order. A resource reads its stored cursor
and yields ``Batch``\\ es — the records of one listing page and the cursor that covers them.
Each batch is written in **one transaction** together with its cursor, so a sync killed at
any moment leaves the database at a batch boundary: the records of the pages done and a
cursor saying exactly where to go on (``services.sync.walk`` explains how a resource picks
its pages so that a resumed run neither skips nor repeats anything).

Records go through the one write path (``store.upsert.merge_and_upsert``): merged with the
stored ones of the same natural key (``domain.merge.merge``, the rule for webhook snapshots;
a batch may override it) and upserted, each counted as new, updated or unchanged: a sync
that finds nothing changed reports 0 new and 0 updated. A record whose end precedes its
start is stored and reported as a warning (``domain.quality``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

from leadline.domain.merge import merge
from leadline.domain.quality import MAX_WARNINGS, warnings
from leadline.domain.records import RecordModel
from leadline.store import cursors
from leadline.store.db import reading, writing
from leadline.store.upsert import Key as Key
from leadline.store.upsert import MergePolicy as MergePolicy
from leadline.store.upsert import merge_and_upsert, stored_records
from leadline.store.writer import KindCounts

ProgressCallback = Callable[[str, int, int], None]  # resource, pages, items


@dataclass
class Batch:
    """What one step of a resource yields: its records, the resource's cursor once they
    are stored, and how many listed items it covered (for the progress display).

    ``policy(stored, incoming)`` is the record to write for ``incoming`` (``None``: keep the
    stored one); the default merges webhook-style snapshots."""

    records: list[RecordModel] = field(default_factory=list)
    cursor: Any = None
    items: int = 0
    policy: MergePolicy = merge


class Resource(Protocol):
    """One listing of a tool (pull requests, deployments…) pulled incrementally."""

    name: str

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        """Batches from ``cursor`` (``None`` on the first sync) on; the cursor of the last
        batch is where the next sync starts."""
        ...


@dataclass
class ResourceStats:
    pages: int = 0
    items: int = 0


@dataclass
class SyncReport:
    source: str
    scope: str
    counts: dict[str, KindCounts] = field(default_factory=dict)
    resources: dict[str, ResourceStats] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    # Records stored with an end before their start (``domain.quality``): the first
    # ``MAX_WARNINGS`` lines, and how many there were.
    quality_warnings: list[str] = field(default_factory=list)
    quality_warning_count: int = 0

    def add(self, counts: dict[str, KindCounts]) -> None:
        for kind, c in counts.items():
            mine = self.counts.setdefault(kind, KindCounts())
            mine.new += c.new
            mine.updated += c.updated
            mine.unchanged += c.unchanged

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "scope": self.scope,
            "requests": self.requests,
            "counts": {
                k: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
                for k, c in sorted(self.counts.items())
            },
            "resources": {
                name: {"pages": s.pages, "items": s.items} for name, s in self.resources.items()
            },
            "warnings": self.warnings,
            "quality_warnings": self.quality_warnings,
            "quality_warning_count": self.quality_warning_count,
        }


class SyncContext:
    """What a resource may ask of the sync while it pulls: stored records (to skip work on
    what is already up to date) and a way to report a skipped item."""

    def __init__(
        self, engine: Engine, report: SyncReport, on_warning: Callable[[str], None] | None
    ) -> None:
        self.engine = engine
        self.report = report
        self._on_warning = on_warning

    def stored(self, records: Sequence[RecordModel]) -> dict[Key, RecordModel]:
        with reading(self.engine) as conn:
            return stored_records(conn, records)

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    def check(self, records: Sequence[RecordModel]) -> None:
        """Note the records whose end precedes their start (stored all the same): the first
        ``MAX_WARNINGS`` in ``quality_warnings``, all counted. Not ``warn``: nothing was
        skipped."""
        report = self.report
        for record in records:
            for line in warnings(record):
                report.quality_warning_count += 1
                if len(report.quality_warnings) < MAX_WARNINGS:
                    report.quality_warnings.append(line)


def run_sync(
    engine: Engine,
    source: str,
    scope: str,
    resources: Sequence[Resource],
    *,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull every resource in order, committing each batch with its cursor."""
    report = SyncReport(source, scope)
    ctx = SyncContext(engine, report, on_warning)
    for resource in resources:
        stats = report.resources.setdefault(resource.name, ResourceStats())
        with reading(engine) as conn:
            cursor = cursors.get(conn, source, scope, resource.name)
        if on_progress is not None:
            on_progress(resource.name, 0, 0)
        for batch in resource.pull(cursor, ctx):
            with writing(engine) as conn:
                report.add(merge_and_upsert(conn, batch.records, batch.policy))
                cursors.put(conn, source, scope, resource.name, batch.cursor)
            ctx.check(batch.records)
            stats.pages += 1
            stats.items += batch.items
            if on_progress is not None:
                on_progress(resource.name, stats.pages, stats.items)
    return report
