"""Which commits and pull requests the DORA figures of a profile count: a monorepo
component's (``scope.paths``: the commits changing one of its paths), a people-based team's
(``scope.people``: by who made them) and the ones no ``exclude`` rule takes out (docs/dora.md,
"People-based teams and exclusions"; docs/collections.md, "Paths").

A commit **counts** when no ``exclude`` rule takes it out (an ``authors`` rule on its author
or author e-mail, or any rule on a pull request that contains it) and, for a people-based
team, its author (``correlate/people.commit_authors``: the PR's author, else the commit's)
was a member at its time. ``correlate/ancestry.ships_selected`` then counts a deployment
for a people-based team when it ships at least one counted commit, and under ``exclude``
rules unless every commit it shipped is excluded (a dependency bump alone is no
deployment); failures and incidents follow the deployment they link to. A pull request
counts when no rule excludes it (DF from pull requests, failures from revert and hotfix
PRs, rework).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from leadline.correlate.ancestry import CommitSelected
from leadline.correlate.exclusions import commit_excluded_by, exclusion_rules, pr_excluded_by
from leadline.correlate.linking import pr_shas
from leadline.correlate.people import attribution, commit_authors, member_of
from leadline.correlate.scope import glob_match, paths_match
from leadline.correlate.shas import norm_sha
from leadline.domain.records import PullRequest
from leadline.profiles.models import Profile
from leadline.store import dora_queries as q


def people_scoped(profile: Profile) -> bool:
    """Whether the profile is a people-based team's (``scope.people``)."""
    return profile.scope.people is not None


def selective(profile: Profile) -> bool:
    """Whether the profile's deployments are chosen by the commits they ship: a monorepo
    component's or a people-based team's (those that ship one of its commits), or under
    ``exclude`` rules (not those that ship only excluded commits). Each needs what each
    deployment shipped, so the fast path over grouped run times cannot answer."""
    return (
        profile.scope.paths is not None
        or people_scoped(profile)
        or bool(exclusion_rules(profile.exclude))
    )


def selected_commits(conn: Connection, profile: Profile) -> CommitSelected | None:
    """SHA (lower case) → whether the profile counts the commit: it changes one of
    ``scope.paths`` (with ``paths``) and ``counted_commits`` keeps it; ``None`` when the
    profile is not ``selective``, so callers skip the loading."""
    paths = path_commits(conn, profile)
    counted = counted_commits(conn, profile)
    if paths is None or counted is None:
        return paths or counted
    return lambda sha: paths(sha) and counted(sha)


def path_commits(conn: Connection, profile: Profile) -> CommitSelected | None:
    """``scope.paths`` as a predicate on commit SHAs (lower case): the commits of the scope's
    repositories that change a matching path; ``None`` when the profile has no ``paths``."""
    scope = profile.scope
    if scope.paths is None:
        return None
    changed: dict[str, list[str]] = {}  # a commit's paths, matched together (``not``)
    for repo, sha, path in q.load_commit_paths(conn):
        if glob_match(repo, scope.repos):
            changed.setdefault(norm_sha(sha), []).append(path)
    shas = {sha for sha, paths in changed.items() if paths_match(paths, scope.paths)}
    return shas.__contains__


def pr_counted(profile: Profile) -> Callable[[PullRequest], bool]:
    """Whether a pull request escapes every ``exclude`` rule of the profile."""
    rules = exclusion_rules(profile.exclude)
    return lambda pr: not rules or pr_excluded_by(pr, rules) is None


def counted_commits(conn: Connection, profile: Profile) -> Callable[[str], bool] | None:
    """SHA → whether the commit counts (module doc); ``None`` when every commit does (no
    people-based team, no ``exclude`` rule), so callers skip the loading."""
    rules = exclusion_rules(profile.exclude)
    people = profile.scope.people
    if people is None and not rules:
        return None
    prs = q.load_pull_requests(conn)
    commits = q.load_commits(conn)
    out = {s for p in prs if rules and pr_excluded_by(p, rules) for s in pr_shas(p)}
    out |= {norm_sha(c.sha) for c in commits if rules and commit_excluded_by(c, rules)}
    if people is None:
        return lambda sha: norm_sha(sha) not in out
    kept = [p for p in prs if not rules or pr_excluded_by(p, rules) is None]
    authors = commit_authors(attribution(profile.scope), kept, commits)
    return lambda sha: (
        (key := norm_sha(sha)) not in out and (member_of(people, authors.get(key)) is not None)
    )
