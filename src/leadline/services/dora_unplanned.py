"""Hotfix and revert pull requests as failures (``dora.failures.source: pull_requests``).

A merged PR that matches the profile's patterns (``correlate/unplanned.pr_rule``) is a
failure of the deployment it repairs, found by ``correlate/unplanned.link_pr_failures``:

1. a revert names the commit it reverts — ``This reverts commit <sha>`` in its title or its
   description (the extra fields ``body`` or ``description``, when the source keeps them), or
   a title ``Revert "<title>"`` naming a merged PR of the same repository (the latest one
   with that title merged before the revert was opened: its merge commit, else its last
   commit) — and the deployments that first shipped that commit are blamed;
2. otherwise the latest deployment of the same repository strictly before the PR was opened,
   within ``failures.window`` (default 7 days).

A failure's time is when the PR was **opened** (the problem was there by then), so the
change failure rate counts it like an incident created at that time. Only merged PRs count:
an abandoned hotfix fixed nothing. A PR an ``exclude`` rule matches is no failure (a bot's
revert); the PR a revert names is found among all of them, excluded ones too.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection

from leadline.correlate.incidents import Failure
from leadline.correlate.scope import glob_match
from leadline.correlate.unplanned import PrPatterns, pr_rule, reverted_sha, reverted_title
from leadline.domain.records import PullRequest
from leadline.domain.times import to_micros
from leadline.profiles.conditions import Conditions, Filter
from leadline.profiles.dora_models import FailuresSpec, ReworkPullRequests
from leadline.profiles.models import Profile
from leadline.services.dora_people import pr_counted
from leadline.store import dora_queries as q


def pr_patterns(spec: FailuresSpec | ReworkPullRequests) -> PrPatterns:
    """The profile's patterns as the pure core takes them."""

    def tup(values: Filter | None) -> tuple[str, ...] | None:
        # Patterns are lists (conditions on failures.labels are refused: pr_label_problems).
        return None if values is None or isinstance(values, Conditions) else tuple(values)

    return PrPatterns(
        titles=tup(spec.titles),
        branches=tup(spec.branches),
        labels=tup(spec.labels),
        target_branches=tup(spec.target_branches),
        match=spec.match or "any",
    )


def pr_key(pr: PullRequest) -> str:
    """``repo#number``, as PR deployments and the drill-downs name a PR."""
    return f"{pr.repo}#{pr.number}"


def scoped_prs(conn: Connection, profile: Profile) -> list[PullRequest]:
    """The merged PRs of the profile's repositories (``scope.repos``)."""
    return [p for p in q.load_pull_requests(conn) if glob_match(p.repo, profile.scope.repos)]


def pr_failures(conn: Connection, profile: Profile, start: int, end: int | None) -> list[Failure]:
    """The hotfix and revert PRs opened in ``[start, end)`` (``end`` None: no limit), as
    failures keyed ``(repo#number,)`` whose service is their repository."""
    assert profile.dora is not None
    patterns = pr_patterns(profile.dora.failures)
    prs = scoped_prs(conn, profile)
    titled = _by_title(prs)  # a revert may name an excluded PR: all of them
    counted = pr_counted(profile)
    out = []
    for pr in prs:
        at = to_micros(pr.created_at)
        if at < start or (end is not None and at >= end) or not counted(pr):
            continue
        if pr_rule(pr.title, pr.source_branch, pr.target_branch, pr.labels, patterns) is None:
            continue
        sha = reverted_sha(pr.title, *_texts(pr)) or _reverted_pr_sha(pr, titled)
        out.append(Failure((pr_key(pr),), at, pr.repo, None, sha))
    return out


def pr_failure_rules(conn: Connection, profile: Profile) -> dict[str, str]:
    """``repo#number`` → why each merged PR of the scope is a failure (the pattern that
    matched), for the drill-down."""
    assert profile.dora is not None
    patterns = pr_patterns(profile.dora.failures)
    counted = pr_counted(profile)
    found = {
        pr_key(pr): pr_rule(pr.title, pr.source_branch, pr.target_branch, pr.labels, patterns)
        for pr in scoped_prs(conn, profile)
        if counted(pr)
    }
    return {key: why for key, why in found.items() if why is not None}


def _texts(pr: PullRequest) -> list[str | None]:
    extra = pr.model_extra or {}
    return [
        v if isinstance(v, str) else None for v in (extra.get("body"), extra.get("description"))
    ]


def _by_title(prs: list[PullRequest]) -> dict[tuple[str, str], list[PullRequest]]:
    found: dict[tuple[str, str], list[PullRequest]] = defaultdict(list)
    for pr in prs:
        if pr.title and pr.merged_at is not None:
            found[(pr.repo, pr.title.strip().casefold())].append(pr)
    return found


def _reverted_pr_sha(
    pr: PullRequest, titled: dict[tuple[str, str], list[PullRequest]]
) -> str | None:
    """A ``Revert "X"`` PR: the merge commit (else the last commit) of the latest PR titled
    ``X`` in the same repository merged before the revert was opened."""
    title = reverted_title(pr.title)
    if title is None:
        return None
    opened = to_micros(pr.created_at)
    candidates = [
        p for p in titled.get((pr.repo, title.strip().casefold()), [])
        if p.merged_at is not None and to_micros(p.merged_at) < opened
    ]  # fmt: skip
    if not candidates:
        return None
    latest = max(candidates, key=lambda p: (to_micros(p.merged_at or p.created_at), p.number))
    return latest.merge_commit_sha or (latest.commit_shas[-1] if latest.commit_shas else None)
