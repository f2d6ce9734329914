"""Keep ``deployment_commits`` current: what every successful deployment shipped by ancestry.

Lead-time stages (``cd_completed``) then see a deployment of a later commit as shipping the
earlier ones — squash and rebase merges, and merge commits never deployed themselves, count
from the deployment that first contained them (DESIGN 8). Recomputed from the commit graph
when new records arrived since the last computation; every SHA whose shipping deployment
changed is written to the change log so the affected timelines are rebuilt.
"""

from __future__ import annotations

from sqlalchemy import Connection

from leadline.correlate.ancestry import Deployment, ship_ids
from leadline.store import changelog
from leadline.store import dora_queries as q
from leadline.store import shipments as store
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


def update(conn: Connection) -> int:
    """Recompute shipments if records arrived since; returns how many SHAs changed.

    Memory-lean at millions of commits: the graph and the merged PRs are read as id
    structures (``load_commit_graph``, ``load_pr_index``), the walk runs on ids
    (``ship_ids``) and each run's SHAs become strings only while its rows are compared
    with the stored ones."""
    head = changelog.last_seq(conn)
    if store.watermark(conn) >= head:
        return 0
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

        changed = store.replace(conn, position, shipped)
    else:
        changed = store.replace(conn, (), lambda run: set())
    changelog.append_refs(conn, {f"s:{sha7(s.decode())}" for s in changed})
    store.set_watermark(conn, changelog.last_seq(conn))
    return len(changed)
