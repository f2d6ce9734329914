"""Keep ``deployment_commits`` current: what every successful deployment shipped by ancestry.

Lead-time stages (``cd_completed``) then see a deployment of a later commit as shipping the
earlier ones — squash and rebase merges, and merge commits never deployed themselves, count
from the deployment that first contained them (docs/deployments.md, rule 8). Recomputed from
the commit graph when new records arrived since the last computation; every SHA whose
shipping deployment changed is written to the change log so the affected timelines are rebuilt.

The baseline marks (``store/baseline.py``: each stream's first deployment and the tracking
start of its repository, ``correlate/baseline.py``) are recomputed in the same pass: a
deployment whose mark appears, moves or goes logs every SHA it shipped, so the changes it
shipped get their baseline flag rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from leadline.correlate.ancestry import Deployment, ship_ids
from leadline.correlate.baseline import baseline_marks
from leadline.services.dora_filters import DEPLOY_TYPES
from leadline.store import baseline as marks_store
from leadline.store import changelog
from leadline.store import dora_queries as q
from leadline.store import shipments as store
from leadline.store.db import reading, writing
from leadline.store.mapping import sha7

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
        computed = compute(conn)
    with writing(engine) as conn:
        if store.watermark(conn) != seen:
            return 0  # another refresh stored a result since our snapshot
        return _store(conn, head, computed)


def update(conn: Connection) -> int:
    """``refresh`` inside one transaction the caller owns (it holds the write lock)."""
    head = changelog.last_seq(conn)
    if store.watermark(conn) >= head:
        return 0
    return _store(conn, head, compute(conn))


@dataclass
class _Computed:
    """Every deploying run (row id), what it shipped by ancestry (heads left out), everything
    it shipped (heads included) and the baseline marks (run row id → tracking start)."""

    runs: Collection[int] = ()
    shipped: Callable[[int], set[str]] = lambda run: set()
    everything: Callable[[int], set[str]] = lambda run: set()
    marks: dict[int, int] = field(default_factory=dict)


def _store(conn: Connection, head: int, computed: _Computed) -> int:
    """Write what changed, log the SHAs whose shipping (or baseline mark) changed, and move
    the watermark: to the head after our own refs when nothing else was written since the
    snapshot at ``head`` (our refs need no second pass), else to ``head`` (the rest is
    still to do)."""
    quiet = changelog.last_seq(conn) == head
    changed = store.replace(conn, computed.runs, computed.shipped)
    refs = {f"s:{sha7(s.decode())}" for s in changed}
    for run in marks_store.replace_marks(conn, computed.marks):
        refs.update(f"s:{sha7(s)}" for s in computed.everything(run))
    changelog.append_refs(conn, refs)
    store.set_watermark(conn, changelog.last_seq(conn) if quiet else head)
    return len(changed)


def compute(conn: Connection) -> _Computed:
    """Every deploying run (row id), what it shipped by ancestry, and the baseline marks.

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
        starts = marks_store.load_tracking_starts(conn)
        marks = {row_of[d]: at for d, at in baseline_marks(deployments, starts).items()}
        prs = q.load_pr_index(conn)
        result = ship_ids(q.load_commit_graph(conn), deployments, prs)
        del deployments
        position = {row_of[d.id]: i for i, d in enumerate(result.order)}

        def everything(run: int) -> set[str]:
            if run not in position:
                return set()  # a run no longer deploying: its mark went
            i = position[run]
            shas = {result.sha(node) for node in result.commits[i]}
            for pr in result.prs[i]:
                shas.update(prs.pr_shas(pr))
            return shas

        def shipped(run: int) -> set[str]:
            d = result.order[position[run]]
            heads = {s.lower() for s in (d.sha, *d.more_shas) if s}
            return everything(run) - heads  # heads are linked directly anyway

        return _Computed(position, shipped, everything, marks)
    return _Computed()
