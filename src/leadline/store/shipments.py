"""The stored ``deployment_commits``: which commits each deployment shipped by ancestry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, delete, select

from leadline.correlate.shas import sha_bytes
from leadline.store.bulk import insert_many, insert_tuples
from leadline.store.keyset import chunk_size, values_in
from leadline.store.mapping import sha7
from leadline.store.tables import deployment_commits, derived_state

NAME = "shipments"
INSERT_BATCH = 20_000  # rows per insert
RUN_CHUNK = 5_000  # runs compared (and their rows held) at a time


def watermark(conn: Connection) -> int:
    row = conn.execute(
        select(derived_state.c.watermark).where(derived_state.c.name == NAME)
    ).scalar()
    return int(row or 0)


def set_watermark(conn: Connection, value: int) -> None:
    conn.execute(delete(derived_state).where(derived_state.c.name == NAME))
    insert_many(conn, derived_state, [{"name": NAME, "watermark": value}])


def stored_runs(conn: Connection) -> set[int]:
    """The runs that have stored rows."""
    d = deployment_commits.c
    return {int(r) for (r,) in conn.execute(select(d.pipeline_run_id).distinct())}


def stored(conn: Connection, runs: Sequence[int]) -> dict[int, set[str]]:
    """The stored SHAs of ``runs`` (one query per ``chunk_size`` runs)."""
    out: dict[int, set[str]] = defaultdict(set)
    d = deployment_commits.c
    size = chunk_size(conn)
    for start in range(0, len(runs), size):
        query = select(d.pipeline_run_id, d.sha).where(
            values_in(d.pipeline_run_id, runs[start : start + size])
        )
        for run, sha in conn.execute(query):
            out[int(run)].add(sha)
    return out


def replace(
    conn: Connection, runs: Collection[int], shipped: Callable[[int], set[str]]
) -> NDArray[np.bytes_]:
    """Store what each of ``runs`` (run row ids) ``shipped``; every other run ships nothing.

    Works through the runs ``chunk_size`` at a time (an ``IN`` list of 500 on SQLite, an
    array of at most ``RUN_CHUNK`` on PostgreSQL: the new rows of a chunk are held until its
    delete), comparing with the stored rows: a run whose SHAs changed has its
    rows deleted (one statement per chunk) and re-inserted (batched), an
    unchanged run is not touched. Returns the distinct SHAs whose shipping changed (sorted)."""
    d = deployment_commits.c
    everything = sorted(set(runs) | stored_runs(conn))
    changed: list[NDArray[np.bytes_]] = []
    rows: list[tuple[int, str, str]] = []
    size = min(chunk_size(conn), RUN_CHUNK)  # PostgreSQL's arrays could take every run
    for start in range(0, len(everything), size):
        chunk = everything[start : start + size]
        old = stored(conn, chunk)
        redo: list[int] = []
        for run in chunk:
            before, after = old.get(run, set()), shipped(run) if run in runs else set()
            if before == after:
                continue
            changed.append(sha_bytes(before ^ after))
            redo.append(run)
            rows.extend((run, s, sha7(s)) for s in sorted(after))
        if redo:
            conn.execute(delete(deployment_commits).where(values_in(d.pipeline_run_id, redo)))
        if len(rows) >= INSERT_BATCH or start + size >= len(everything):
            insert_tuples(conn, deployment_commits, ["pipeline_run_id", "sha", "sha7"], rows)
            rows = []
    return np.unique(np.concatenate(changed)) if changed else np.empty(0, dtype="S1")


def shipped_by(conn: Connection, run_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    d = deployment_commits.c
    size = chunk_size(conn)
    for start in range(0, len(run_ids), size):
        chunk = run_ids[start : start + size]
        query = select(d.pipeline_run_id, d.sha).where(values_in(d.pipeline_run_id, chunk))
        for run, sha in conn.execute(query.order_by(d.id)):
            out[int(run)].append(sha)
    return out
