"""Keep ``deployment_commits`` current: what every successful deployment shipped by ancestry.

Lead-time stages (``cd_completed``) then see a deployment of a later commit as shipping the
earlier ones — squash and rebase merges, and merge commits never deployed themselves, count
from the deployment that first contained them (DESIGN 8). Recomputed from the commit graph
when new records arrived since the last computation; every SHA whose shipping deployment
changed is written to the change log so the affected timelines are rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlalchemy import Connection, Engine

from leadline.correlate.ancestry import Deployment, ship_ids
from leadline.store import changelog
from leadline.store import dora_queries as q
from leadline.store import shipments as store
from leadline.store.db import reading, writing
from leadline.store.mapping import sha7

DEPLOY_TYPES = ("cd", "ci_cd")
# Statuses of runs that did not (or not yet) deploy anything. Every other status — success,
# or a custom one a profile's cd_completed stage names — ships by ancestry; the stage's own
# ``statuses`` filter still decides whether the run counts.
NOT_DEPLOYED = frozenset({
    "failure", "failed", "error", "errored", "cancelled", "canceled", "rolled_back",
    "aborted", "skipped", "running", "pending", "queued", "in_progress", "waiting",
    "timed_out", "action_required", "stale", "inactive",
})  # fmt: skip


def refresh(engine: Engine) -> int:
    """Recompute shipments if records arrived since; returns how many SHAs changed.

    The walk runs in a read snapshot, outside the write lock (seconds at a million
    records); only the comparison with the stored rows and the changes are written, in one
    short write transaction, and only if no other refresh stored a newer result meanwhile
    (the shipments watermark did not move). Records that arrive during the walk are past
    the snapshot's head: the next refresh takes them."""
    with reading(engine) as conn:
        head = changelog.last_seq(conn)
        seen = store.watermark(conn)
        if seen >= head:
            return 0
        runs, shipped = _compute(conn)
    with writing(engine) as conn:
        if store.watermark(conn) != seen:
            return 0  # another refresh stored a result since our snapshot
        return _store(conn, head, runs, shipped)


def update(conn: Connection) -> int:
    """``refresh`` inside one transaction the caller owns (it holds the write lock)."""
    head = changelog.last_seq(conn)
    if store.watermark(conn) >= head:
        return 0
    runs, shipped = _compute(conn)
    return _store(conn, head, runs, shipped)


def _store(
    conn: Connection, head: int, runs: Collection[int], shipped: Callable[[int], set[str]]
) -> int:
    """Write what changed, log the SHAs whose shipping changed, and move the watermark: to
    the head after our own refs when nothing else was written since the snapshot at
    ``head`` (our refs need no second pass), else to ``head`` (the rest is still to do)."""
    quiet = changelog.last_seq(conn) == head
    changed = store.replace(conn, runs, shipped)
    changelog.append_refs(conn, {f"s:{sha7(s.decode())}" for s in changed})
    store.set_watermark(conn, changelog.last_seq(conn) if quiet else head)
    return len(changed)


def _compute(conn: Connection) -> tuple[Collection[int], Callable[[int], set[str]]]:
    """Every deploying run (row id) and what it shipped by ancestry.

    Memory-lean at millions of commits: the graph and the merged PRs are read as id
    structures (``load_commit_graph``, ``load_pr_index``), the walk runs on ids
    (``ship_ids``) and each run's SHAs become strings only while its rows are compared
    with the stored ones."""
    row_of: dict[str, int] = {}  # deployment id → its run's row id
    deployments: list[Deployment] = []
    for r in q.iter_runs(conn, DEPLOY_TYPES, None, NOT_DEPLOYED):
        row_of[r.key] = r.row_id
        deployments.append(r.deployment())
    if deployments:
        prs = q.load_pr_index(conn)
        result = ship_ids(q.load_commit_graph(conn), deployments, prs)
        del deployments
        position = {row_of[d.id]: i for i, d in enumerate(result.order)}

        def shipped(run: int) -> set[str]:
            i = position[run]
            d = result.order[i]
            shas = {result.sha(node) for node in result.commits[i]}
            for pr in result.prs[i]:
                shas.update(prs.pr_shas(pr))
            shas -= {s.lower() for s in (d.sha, *d.more_shas) if s}  # linked directly anyway
            return shas

        return position, shipped
    return (), lambda run: set()
