"""Import NDJSON records: streamed, validated, upserted in batches, all-or-nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import Engine

from leadline.domain.parse import parse_line
from leadline.domain.records import KINDS, RecordModel
from leadline.errors import LineError, RecordsError
from leadline.store.db import writing
from leadline.store.writer import KindCounts, RecordWriter

MAX_ERRORS_KEPT = 50
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Source:
    """One input: a display name for messages (``PATH`` or ``<stdin>``) and a binary stream."""

    name: str
    stream: BinaryIO


@dataclass
class ImportReport:
    counts: dict[str, KindCounts] = field(default_factory=dict)
    records: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "records": self.records,
            "seconds": round(self.seconds, 3),
            "kinds": {
                kind: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
                for kind, c in sorted(self.counts.items())
            },
        }


class _Errors:
    def __init__(self) -> None:
        self.kept: list[LineError] = []
        self.total = 0

    def add(self, error: LineError) -> None:
        self.total += 1
        if len(self.kept) < MAX_ERRORS_KEPT:
            self.kept.append(error)


def import_ndjson(
    engine: Engine,
    sources: Iterable[Source],
    *,
    batch_size: int = 2000,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Validate and upsert every record of every source in one transaction.

    Raises ``RecordsError`` (and writes nothing) when any line is bad; every bad line is
    reported, not just the first.
    """
    started = time.perf_counter()
    errors = _Errors()
    report = ImportReport()
    with writing(engine) as conn:
        writer = RecordWriter(conn, batch_size=batch_size)
        for record in _records(sources, errors, on_progress):
            report.records += 1
            if not errors.total:  # after the first error only validate, write nothing more
                writer.add(record)
        if errors.total:
            raise RecordsError(errors.kept, errors.total, shown=MAX_ERRORS_KEPT)
        writer.flush()
        report.counts = writer.counts
    report.seconds = time.perf_counter() - started
    return report


def import_records(
    engine: Engine, records: Iterable[RecordModel], batch_size: int = 2000
) -> dict[str, KindCounts]:
    """Upsert already-validated records in one transaction."""
    with writing(engine) as conn:
        writer = RecordWriter(conn, batch_size=batch_size)
        writer.add_all(records)
        writer.flush()
        return writer.counts


def _records(
    sources: Iterable[Source], errors: _Errors, on_progress: Progress | None
) -> Iterator[RecordModel]:
    for source in sources:
        for number, raw in enumerate(source.stream, start=1):
            if on_progress is not None:
                on_progress(len(raw))
            if not raw.strip():
                continue
            parsed = parse_line(raw, source.name, number)
            if isinstance(parsed, LineError):
                errors.add(parsed)
            else:
                yield parsed


KIND_NAMES = tuple(KINDS)
