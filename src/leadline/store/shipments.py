"""The stored ``deployment_commits``: which commits each deployment shipped by ancestry."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, delete, select

from leadline.store.keyset import chunk_size, values_in
from leadline.store.mapping import sha7
from leadline.store.tables import deployment_commits, derived_state, pipeline_runs
from leadline.store.writer import insert_many

NAME = "shipments"


def watermark(conn: Connection) -> int:
    row = conn.execute(
        select(derived_state.c.watermark).where(derived_state.c.name == NAME)
    ).scalar()
    return int(row or 0)


def set_watermark(conn: Connection, value: int) -> None:
    conn.execute(delete(derived_state).where(derived_state.c.name == NAME))
    insert_many(conn, derived_state, [{"name": NAME, "watermark": value}])


def run_ids(conn: Connection) -> dict[str, int]:
    """``system/pipeline/run_id`` → the run's row id."""
    r = pipeline_runs.c
    rows = conn.execute(select(r.id, r.system, r.pipeline, r.run_id))
    return {f"{s}/{p}/{i}": int(pk) for pk, s, p, i in rows}


def stored(conn: Connection) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    d = deployment_commits.c
    for run, sha in conn.execute(select(d.pipeline_run_id, d.sha)):
        out[int(run)].add(sha)
    return out


def replace(conn: Connection, new: dict[int, set[str]]) -> set[str]:
    """Store ``new`` (run row id → shipped SHAs); returns the SHAs whose shipping changed."""
    old = stored(conn)
    changed: set[str] = set()
    d = deployment_commits.c
    for run in set(old) | set(new):
        before, after = old.get(run, set()), new.get(run, set())
        if before == after:
            continue
        changed |= before ^ after
        conn.execute(delete(deployment_commits).where(d.pipeline_run_id == run))
        insert_many(
            conn,
            deployment_commits,
            [{"pipeline_run_id": run, "sha": s, "sha7": sha7(s)} for s in sorted(after)],
        )
    return changed


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
