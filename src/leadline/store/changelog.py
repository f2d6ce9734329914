"""The change log: what each write may have affected, for incremental timelines.

Every new or changed record appends *refs* naming what it can link to; a timeline refresh
reads the refs past its watermark and resolves them (``neighbourhood.resolve_refs``) into the
change keys to rebuild. Refs over-approximate: rebuilding an unaffected change is harmless,
missing an affected one is not. A changed record logs the refs of its old and new content, so
a link that disappears (a PR renamed from HX-1 to HX-2) is rebuilt too. A write also logs
``w:KIND`` (``WROTE``), which names no change: it only moves the log's position, so whatever
keys on that position (the server's report caches) sees every write.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, select

from leadline.correlate.linking import (
    artifacts_touched,
    keys_touched,
    pr_change_key,
    shas_touched,
)
from leadline.domain.records import Issue, PipelineRun, PullRequest, RecordModel, Version
from leadline.store.bulk import insert_many, insert_tuples
from leadline.store.mapping import sha7
from leadline.store.tables import change_log

SEP = "\x1f"
WROTE = "w"  # a ref kind: "a record of this kind was written" (resolves to no change)


def refs_of(record: RecordModel) -> set[str]:
    """The refs a record may affect (see the module docstring for their forms)."""
    refs = {f"k:{k}" for k in keys_touched(record)}
    refs.update(f"s:{sha7(s)}" for s in shas_touched(record))
    if isinstance(record, PullRequest):
        refs.add(f"p:{pr_change_key(record)}")
    elif isinstance(record, PipelineRun):
        refs.update(f"a:{n}{SEP}{v}" for n, v in artifacts_touched(record, "input"))
    elif isinstance(record, Version):
        refs.add(f"v:{record.project}{SEP}{record.name}")
    elif isinstance(record, Issue):
        refs.update(f"v:{record.project}{SEP}{name}" for name in record.fix_versions)
    return refs


def append(conn: Connection, refs: Iterable[str]) -> None:
    insert_many(conn, change_log, [{"ref": r} for r in sorted(set(refs))])


def append_refs(conn: Connection, refs: Iterable[str]) -> None:
    """``append`` for the record writer: the same rows, one prepared ``executemany``."""
    insert_tuples(conn, change_log, ["ref"], [(r,) for r in sorted(set(refs))])


def last_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(change_log.c.seq), 0))).scalar_one())


def refs_between(conn: Connection, after: int, upto: int) -> list[str]:
    """The distinct refs logged after position ``after`` up to and including ``upto``."""
    c = change_log.c
    rows = conn.execute(select(c.ref).where(c.seq > after, c.seq <= upto).distinct())
    return [str(r[0]) for r in rows]
