"""The ``excluded_by_rule`` check: how many records each ``exclude`` rule took out of the
figures, and which (docs/doctor.md).

One outcome per rule of the profile (with a collection's and the org's rules when the
doctor runs for a collection), named with where it came from: ``exclude.authors '*[bot]'
(collection Payments)``. The records are the pull requests of the scope's repositories
merged in the window (opened in it, when not merged) and the commits committed in it; each
counts for the first rule that excludes it, by the predicates the figures use
(``correlate/exclusions.pr_excluded_by``, ``commit_excluded_by``). A commit of an excluded pull
request counts for that PR's rule. A profile without ``exclude`` has no outcome.

``excluded_report`` lists the same records in full (``leadline doctor --excluded``, ``GET
/v1/quality/excluded``, the dashboard's "Excluded" page): one selection, so each rule's
``count`` there is the check's count.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

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
from leadline.domain.times import format_time, from_micros, to_micros
from leadline.metrics.series import window_json
from leadline.metrics.windows import default_window
from leadline.profiles.models import Profile
from leadline.services.doctor import Subject
from leadline.services.leadtime import Window
from leadline.store import dora_queries as dq
from leadline.store.db import reading
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


def excluded_report(
    engine: Engine,
    profile: Profile,
    window: Window | None = None,
    subject: Subject | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every record each rule of the profile took out of ``window`` (default: the doctor's),
    newest first, as JSON: the rule, its parts, its ``count`` and its ``records``."""
    start, end = default_window(window, now or datetime.now(UTC))
    with reading(engine) as conn:
        found = excluded_records(conn, profile, start, end)
    return {
        "window": window_json(start, end),
        "subject": (subject or Subject(profile.name)).to_json(),
        "rules": [
            {"rule": str(rule), "key": rule.key, "pattern": rule.pattern, "origin": rule.origin,
             "count": len(items), "records": [_record_json(x) for x in items]}
            for rule, items in found
        ],
    }  # fmt: skip


def _record_json(x: Finding) -> dict[str, Any]:
    at = None if x.at_us is None else format_time(from_micros(x.at_us))
    return {"record": x.record, "at": at, "repo": x.repo, "detail": x.detail}


def _why(rule: ExclusionRule, what: str | None) -> str:
    said = f"excluded by rule {rule}"
    return said if not what else f"{what}: {said}"
