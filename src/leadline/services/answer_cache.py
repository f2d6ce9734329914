"""Answers the server already computed, kept until the data behind them moves.

A report page (the organisation overview, time in status, PR lead time, data quality) reads
every record of its window: seconds at 100,000 tickets, for an answer that only changes when
new data arrives. The server (never the CLI) keeps each answer per process, keyed on
everything it depends on — the caller's key (the report, the narrowed profile with its
filters, people and rules, the window, the statistic…) and the store's position
(``data_stamp``): the change log, the digests of the incidents (which the change log does not
record), the timelines' and derived sets' watermarks, the stored profiles, collections and
contributors. New data moves the stamp, so the next request recomputes. ``TTL`` bounds an
answer's life in any case (a safety net, not a rule the answers rely on).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select

from leadline.store.db import reading
from leadline.store.tables import (
    change_log,
    contributor_identities,
    contributors,
    derived_state,
    incidents,
    profiles,
    timeline_sets,
)
from leadline.store.tables import collections as collection_rows

T = TypeVar("T")
TTL = 60.0  # seconds an answer is trusted at most
_MAX = 512  # answers per process: a few teams × a few windows × a few reports
_cache: dict[tuple[Hashable, ...], tuple[float, Any]] = {}
_lock = threading.Lock()

Stamp = tuple[Any, ...]


def get(key: tuple[Hashable, ...], stamp: Stamp) -> Any | None:
    """The answer kept for ``key`` at ``stamp`` (``None``: none, or too old)."""
    hit = _cache.get((*key, stamp))
    return hit[1] if hit is not None and time.monotonic() - hit[0] < TTL else None


def put(key: tuple[Hashable, ...], stamp: Stamp, answer: Any) -> None:
    with _lock:
        if len(_cache) >= _MAX:
            _cache.clear()
        _cache[(*key, stamp)] = (time.monotonic(), answer)


def remember(engine: Engine, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or the answer kept for ``key`` while the store has not moved. The
    stamp is read before computing: data arriving meanwhile moves it, so an answer is never
    kept under a stamp newer than the data it read."""
    stamp = data_stamp(engine)
    found = get(key, stamp)
    if found is not None:
        return found  # type: ignore[no-any-return]
    answer = compute()
    put(key, stamp, answer)
    return answer


def data_stamp(engine: Engine) -> Stamp:
    """Where the store is: what moves whenever a report's answer may change."""
    with reading(engine) as conn:
        return _stamp(conn)


def _stamp(conn: Connection) -> Stamp:
    t = timeline_sets.c
    parts = [
        select(func.coalesce(func.max(change_log.c.seq), 0)),
        select(func.count(), func.sum(t.watermark), func.max(t.built_at), func.sum(t.done)),
        select(func.count(), func.sum(derived_state.c.watermark)),
        select(func.count(), func.max(profiles.c.updated_at)),
        select(func.count(), func.max(collection_rows.c.updated_at)),
        select(func.count(), func.max(contributors.c.updated_at)),
        select(func.count(), func.max(contributor_identities.c.id)),
    ]
    found = tuple(tuple(conn.execute(q).one()) for q in parts)
    # Incidents write no change-log entry: every stored incident's digest, in one hash (an
    # edit in place changes its digest). Teams have hundreds of incidents, not millions.
    seen = hashlib.sha256()
    for (digest,) in conn.execute(select(incidents.c.digest).order_by(incidents.c.id)):
        seen.update(str(digest).encode())
    return (*found, seen.hexdigest())
