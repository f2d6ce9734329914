"""Keep ``deployment_commits`` current: what every successful deployment shipped by ancestry.

Lead-time stages (``cd_completed``) then see a deployment of a later commit as shipping the
earlier ones — squash and rebase merges, and merge commits never deployed themselves, count
from the deployment that first contained them (DESIGN 8). Recomputed from the commit graph
when new records arrived since the last computation; every SHA whose shipping deployment
changed is written to the change log so the affected timelines are rebuilt.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection

from leadline.correlate.ancestry import CommitGraph, Deployment, ship
from leadline.correlate.linking import pr_shas
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
    """Recompute shipments if records arrived since; returns how many SHAs changed."""
    head = changelog.last_seq(conn)
    if store.watermark(conn) >= head:
        return 0
    runs = [r for r in q.load_runs(conn, DEPLOY_TYPES, None) if r.status not in NOT_DEPLOYED]
    deployments = [
        Deployment(
            id=r.key,
            stream=json.dumps([r.system, r.pipeline, (r.environment or "").lower()]),
            at_us=r.finished_at,
            sha=r.shas[0] if r.shas else None,
            more_shas=r.shas[1:],
            branch=r.branch,
            repo=r.repo,
            service=r.service,
            run_id=r.run_id,
        )
        for r in runs
    ]
    changed: set[str] = set()
    if deployments:
        prs = q.load_pull_requests(conn)
        result = ship(CommitGraph(q.load_commit_parents(conn)), deployments, prs)
        pr_by_key = {(p.repo, p.number): p for p in prs}
        ids = store.run_ids(conn)
        new: dict[int, set[str]] = {}
        for d in deployments:
            shas = set(result.commits.get(d.id, ()))
            for key in result.prs.get(d.id, ()):
                if key in pr_by_key:
                    shas.update(pr_shas(pr_by_key[key]))
            shas -= {s.lower() for s in (d.sha, *d.more_shas) if s}  # linked directly anyway
            if shas:
                new[ids[d.id]] = shas
        changed = store.replace(conn, new)
    else:
        changed = store.replace(conn, {})
    changelog.append(conn, {f"s:{sha7(s)}" for s in changed})
    store.set_watermark(conn, changelog.last_seq(conn))
    return len(changed)
