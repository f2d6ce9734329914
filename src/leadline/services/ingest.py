"""Import NDJSON records: streamed, validated, upserted in batches, all-or-nothing.

Every line is validated into a record, which also refuses a value the database cannot hold
(``domain.storable``: a NUL, a lone surrogate, an integer past 64 bits, a non-finite
number) as ``PATH:LINE: field: problem`` — so nothing is written, never a 500 halfway.

A record whose end precedes its start (``domain.quality``) is stored, and reported as a
data-quality warning (``PATH:LINE: field: problem`` for the import; ``kind key: problem``
for ``ingest_records``): ``ImportReport.warnings`` keeps the first ``MAX_WARNINGS``,
``warning_count`` counts them all.
"""

from __future__ import annotations

import gc
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import Connection, Engine

from leadline.domain.parse import parse_line
from leadline.domain.quality import Warnings, findings
from leadline.domain.records import RecordModel
from leadline.errors import LineError, RecordsError
from leadline.store.db import writing
from leadline.store.prepared import Prepared, prepare
from leadline.store.upsert import merge_and_upsert
from leadline.store.writer import KindCounts, RecordWriter

MAX_ERRORS_KEPT = 50
IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache of the importing connection
CHUNK_LINES = 2000  # lines per task sent to a worker process
PARALLEL_MIN_LINES = 20_000  # smaller inputs are prepared in-process (no pool start-up)
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
    warnings: list[str] = field(default_factory=list)  # data quality: the first ones
    warning_count: int = 0  # all of them

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "records": self.records,
            "seconds": round(self.seconds, 3),
            "kinds": {
                kind: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
                for kind, c in sorted(self.counts.items())
            },
        }
        if self.warning_count:
            out["warnings"] = self.warnings
            out["warning_count"] = self.warning_count
        return out


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
    workers: int | None = None,
) -> ImportReport:
    """Validate and upsert every record of every source in one transaction.

    Raises ``RecordsError`` (and writes nothing) when any line is bad; every bad line is
    reported, not just the first.

    ``workers``: processes that validate and serialise lines while this one writes (``0``:
    all in this process; ``None``: one per CPU, once the input passes
    ``PARALLEL_MIN_LINES`` lines; none on a single CPU — the writer waits on the workers
    more than it works, so a worker per CPU beats leaving one CPU to the writer). The outcome
    is the same either way: lines are prepared in chunks and written in input order.
    """
    started = time.perf_counter()
    errors = _Errors()
    warnings = Warnings()
    report = ImportReport()
    with _no_gc(), writing(engine) as conn, _page_cache(conn):
        writer = RecordWriter(conn, batch_size=batch_size, bulk=True)
        for item in _prepared(sources, errors, warnings, on_progress, workers):
            report.records += 1
            if not errors.total:  # after the first error only validate, write nothing more
                writer.add_prepared(item)
        if errors.total:
            raise RecordsError(errors.kept, errors.total, shown=MAX_ERRORS_KEPT)
        writer.finish()
        report.counts = writer.counts
    report.seconds = time.perf_counter() - started
    report.warnings, report.warning_count = warnings.kept, warnings.total
    return report


def ingest_records(
    engine: Engine,
    records: Iterable[RecordModel],
    batch_size: int = 2000,
    *,
    wait: float | None = None,
) -> ImportReport:
    """Upsert already-validated, complete records (``POST /v1/records``) in one transaction
    through the one write path (``store.upsert``, no merge: each record replaces the stored
    one of its key); the counts and the data-quality warnings (``kind key: problem``).
    ``wait``: the longest wait for the write lock (``store.db.writing``; ``WriteBusy``)."""
    started = time.perf_counter()
    items = list(records)
    warnings = Warnings()
    for record in items:
        warnings.add_record(record)
    with writing(engine, wait=wait) as conn:
        counts = merge_and_upsert(conn, items, policy=None, batch_size=batch_size)
    return ImportReport(
        counts, len(items), time.perf_counter() - started, warnings.kept, warnings.total
    )


def import_records(
    engine: Engine, records: Iterable[RecordModel], batch_size: int = 2000
) -> dict[str, KindCounts]:
    """``ingest_records``, the counts only (the signature callers had before warnings)."""
    return ingest_records(engine, records, batch_size).counts


@contextmanager
def _no_gc(collect: bool = True) -> Iterator[None]:
    """The cyclic garbage collector paused (then run once) while importing.

    An import allocates millions of short-lived objects (parsed records, rows, unpickled
    chunks) that reference counting frees; the collector would otherwise pass over the
    live ones again and again (it took a fifth of the main process's time unpickling).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if collect:
                gc.collect()


@contextmanager
def _page_cache(conn: Connection) -> Iterator[None]:
    """A large SQLite page cache while importing (restored after).

    With the default 2 MB, index pages of a large database keep falling out of the cache
    mid-transaction: every insert under a random key (SHAs) re-reads its leaf and spills
    dirty pages to the WAL again. 256 MB made a 480,000-record import 1.5× faster.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


Chunk = list[tuple[int, bytes]]


def _chunks(sources: Iterable[Source], on_progress: Progress | None) -> Iterator[tuple[str, Chunk]]:
    """Non-blank lines with their numbers, ``CHUNK_LINES`` at a time, per source."""
    for source in sources:
        chunk: Chunk = []
        for number, raw in enumerate(source.stream, start=1):
            if on_progress is not None:
                on_progress(len(raw))
            if not raw.strip():
                continue
            chunk.append((number, raw))
            if len(chunk) >= CHUNK_LINES:
                yield source.name, chunk
                chunk = []
        if chunk:
            yield source.name, chunk


@dataclass(frozen=True, slots=True)
class LineWarning:
    """A data-quality warning about one stored line: ``PATH:LINE: field: problem``."""

    text: str


Outcome = Prepared | LineError | LineWarning


def prepare_chunk(name: str, chunk: Chunk, eager: bool) -> list[Outcome]:
    """Validate and prepare one chunk of lines (in a worker process, or in this one); a
    line's data-quality warnings come right before its ``Prepared``."""
    out: list[Outcome] = []
    with _no_gc(collect=False):
        for number, raw in chunk:
            parsed = parse_line(raw, name, number)
            if isinstance(parsed, LineError):
                out.append(parsed)
                continue
            for field_name, problem in findings(parsed):
                out.append(LineWarning(str(LineError(name, number, field_name, problem))))
            out.append(prepare(parsed, eager=eager))
    return out


def _prepared(
    sources: Iterable[Source],
    errors: _Errors,
    warnings: Warnings,
    on_progress: Progress | None,
    workers: int | None,
) -> Iterator[Prepared]:
    chunks = _chunks(sources, on_progress)
    if workers is None:
        cpus = os.cpu_count() or 1
        workers = cpus if cpus > 1 else 0
    head: list[tuple[str, Chunk]] = []
    if workers and workers > 0:
        # Look ahead: a small input is not worth starting processes for.
        lines = 0
        for item in chunks:
            head.append(item)
            lines += len(item[1])
            if lines >= PARALLEL_MIN_LINES:
                break
        else:
            workers = 0
    results = _in_process(head, chunks) if not workers else _in_pool(head, chunks, workers)
    for batch in results:
        for prepared in batch:
            if isinstance(prepared, LineError):
                errors.add(prepared)
            elif isinstance(prepared, LineWarning):
                warnings.add(prepared.text)
            else:
                yield prepared


def _in_process(
    head: list[tuple[str, Chunk]], rest: Iterator[tuple[str, Chunk]]
) -> Iterator[list[Outcome]]:
    for name, chunk in head:
        yield prepare_chunk(name, chunk, False)
    for name, chunk in rest:
        yield prepare_chunk(name, chunk, False)


def _in_pool(
    head: list[tuple[str, Chunk]], rest: Iterator[tuple[str, Chunk]], workers: int
) -> Iterator[list[Outcome]]:
    """Chunks prepared by ``workers`` forked processes, yielded in input order.

    At most two chunks per worker are in flight, so memory stays bounded however large the
    input (``Executor.map`` would read the whole input ahead).
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    in_flight: deque[Future[list[Outcome]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for name, chunk in _chain(head, rest):
            in_flight.append(pool.submit(prepare_chunk, name, chunk, True))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def _chain(
    head: list[tuple[str, Chunk]], rest: Iterator[tuple[str, Chunk]]
) -> Iterator[tuple[str, Chunk]]:
    yield from head
    yield from rest
