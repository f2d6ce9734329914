"""The demo's revert pull requests: how a team that counts reverts as failures works.

For a team with ``reverts`` (Checkout), every production deployment followed by an incident
is also repaired by a revert: a pull request ``Revert "<title>"`` of the last pull request
that deployment shipped, whose description says ``This reverts commit <its merge commit>``
(as GitHub writes one), opened 10 minutes after the incident was filed and merged 20 minutes
later, with one commit on a ``revert-…`` branch from ``main``'s head and a merge commit that
becomes ``main``'s head, so the next deployment ships it by ancestry. A revert that would be
merged at or after the anchor is not made (work in flight stays in flight).

No random draw: every time and name is fixed by the incident and the deployment (``sha``),
so the team's other records, and every other team's, stay byte for byte as they were.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta

from leadline.demo.code import CommitP, PullP, TeamWork
from leadline.demo.delivery import Delivery
from leadline.demo.org import TeamSpec
from leadline.demo.outcomes import Outcome, shipped_by
from leadline.demo.time import sha

OPENED_AFTER = timedelta(minutes=10)  # incident filed → revert opened
MERGED_AFTER = timedelta(minutes=20)  # revert opened → merged


def add_reverts(
    team: TeamSpec, work: TeamWork, delivery: Delivery, outcome: Outcome, seed: int,
    anchor: datetime,
) -> None:  # fmt: skip
    """Add a revert pull request (and its two commits) for each failed deployment."""
    if not team.reverts:
        return
    for deploy, incident in sorted(outcome.failed, key=lambda f: f[1]):
        shipped = [p for p in work.pulls if p.merge and shipped_by(delivery, p) is deploy]
        opened = incident + OPENED_AFTER
        merged = opened + MERGED_AFTER
        if not shipped or merged >= anchor:
            continue
        target = max(shipped, key=lambda p: (p.merged, p.repo))
        assert target.merge is not None
        _revert(team, work, target, target.merge.sha, opened, merged, seed)


def _revert(
    team: TeamSpec, work: TeamWork, target: PullP, reverted: str, opened: datetime,
    merged: datetime, seed: int,
) -> None:  # fmt: skip
    repo = target.repo
    pick = int(sha("acme-demo-revert", seed, reverted), 16)
    author = team.people[pick % len(team.people)]
    reviewer = [p for p in team.people if p != author][pick // 7 % (len(team.people) - 1)]
    title = f'Revert "{target.title}"'
    branch = f"revert-{reverted[:7]}"
    main = sorted((c for c in work.commits if c.repo == repo and c.branch == "main"),
                  key=lambda c: (c.at, c.sha))  # fmt: skip
    times = [c.at for c in main]
    head = CommitP(repo, sha("acme-demo-revert", seed, repo, reverted, "head"),
                   opened - timedelta(minutes=2), author,
                   f"{title}\n\nThis reverts commit {reverted}.", branch)  # fmt: skip
    head.parents = [main[bisect.bisect_right(times, head.at) - 1].sha]
    merge = CommitP(repo, sha("acme-demo-revert", seed, repo, reverted, "merge"), merged,
                    reviewer, f"Merge pull request from acme/{branch}", "main")  # fmt: skip
    at = bisect.bisect_right(times, merged)
    merge.parents = [main[at - 1].sha, head.sha]
    if at < len(main):  # the next commit on main now follows the revert
        main[at].parents = [merge.sha, *main[at].parents[1:]]
    pull = PullP(repo, title, branch, author, opened, [head], [head], merge=merge)
    pull.body = f"This reverts commit {reverted}."
    pull.reviews = [(reviewer, "approved", merged - timedelta(minutes=5))]
    pull.merged = pull.closed = merged
    pull.labels = ["revert"]
    pull.ci = False
    work.commits += [head, merge]
    work.branches.append([head])
    work.pulls.append(pull)
