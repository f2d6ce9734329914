"""The ``excluded_by_rule`` check: how many records each ``exclude`` rule took out of the
figures, and which (docs/doctor.md).

One outcome per rule of the profile (with a collection's and the org's rules when the
doctor runs for a collection), named with where it came from: ``exclude.authors '*[bot]'
(collection Payments)``. The records are the pull requests of the scope's repositories
merged in the window (opened in it, when not merged) and the commits committed in it; each
counts for the first rule that excludes it, by the predicates the figures use
(``correlate/scope.pr_excluded_by``, ``commit_excluded_by``). A commit of an excluded pull
request counts for that PR's rule. A profile without ``exclude`` has no outcome.
"""

from __future__ import annotations

from sqlalchemy import Connection

from leadline.correlate.exclusions import (
    ExclusionRule,
    commit_excluded_by,
    exclusion_rules,
    pr_excluded_by,
)
from leadline.correlate.linking import pr_shas
from leadline.correlate.scope import glob_match
from leadline.correlate.shas import norm_sha
from leadline.correlate.stages import commit_source, pr_source
from leadline.domain.times import to_micros
from leadline.profiles.models import Profile
from leadline.store import dora_queries as dq
from leadline.store.quality_queries import Finding


def excluded_records(
    conn: Connection, profile: Profile, start: int, end: int
) -> list[tuple[ExclusionRule, list[Finding]]]:
    """Each rule of the profile with the records of ``[start, end)`` it excluded."""
    rules = exclusion_rules(profile.exclude)
    if not rules:
        return []
    repos = profile.scope.repos
    found: dict[ExclusionRule, list[Finding]] = {rule: [] for rule in rules}
    by_sha: dict[str, ExclusionRule] = {}
    for pr in dq.load_pull_requests(conn, merged_only=False):
        rule = pr_excluded_by(pr, rules) if glob_match(pr.repo, repos) else None
        if rule is None:
            continue
        for sha in pr_shas(pr):
            by_sha.setdefault(sha, rule)
        at = to_micros(pr.merged_at or pr.created_at)
        if start <= at < end:
            record = pr_source(pr)
            found[rule].append(Finding(record, at, _why(rule, pr.title), repo=pr.repo))
    for commit in dq.load_commits(conn):
        at = to_micros(commit.committed_at)
        if not (start <= at < end and glob_match(commit.repo, repos)):
            continue
        rule = commit_excluded_by(commit, rules) or by_sha.get(norm_sha(commit.sha))
        if rule is not None:
            record = commit_source(commit)
            found[rule].append(Finding(record, at, _why(rule, commit.author), repo=commit.repo))
    return [
        (rule, sorted(items, key=lambda x: (-(x.at_us or 0), x.record)))
        for rule, items in found.items()
    ]


def _why(rule: ExclusionRule, what: str | None) -> str:
    said = f"excluded by rule {rule}"
    return said if not what else f"{what}: {said}"
