"""The ``exclude`` rules (of the profile, its collections and the org) as pure predicates:
a pull request is excluded when its author (any case), one of its labels (any case), its
source branch (**exact case**, as branch filters) or its title (any case) matches one of the
globs; a commit when its author or author e-mail does. In these globs ``[`` is an ordinary
character (``literal_brackets``): ``*[bot]`` is "ends in [bot]". ``correlate/scoped.py``
applies them to a change, ``services/dora_people.py`` to the DORA records.

One glob is one rule (``ExclusionRule``), so the doctor and the drill-downs can name the
rule that took a record out, with where it came from (the profile, a collection, the org).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leadline.correlate.people import commit_identities
from leadline.correlate.scope import any_glob, branch_match, glob_match
from leadline.domain.records import Commit, PullRequest
from leadline.profiles.models import EXCLUSION_KEYS, Exclusions


@dataclass(frozen=True)
class ExclusionRule:
    """One glob of an ``exclude`` block and where it came from (``profile``, ``collection
    Payments``, ``org``): what the doctor and the drill-downs name."""

    key: str  # authors, labels, branches or titles
    pattern: str
    origin: str

    def __str__(self) -> str:
        return f"exclude.{self.key} {self.pattern!r} ({self.origin})"


def exclusion_rules(exclude: Exclusions | None) -> tuple[ExclusionRule, ...]:
    """Every rule of an ``exclude`` block, in key order, each with its origin."""
    if exclude is None:
        return ()
    origins = exclude.origins or {}
    return tuple(
        ExclusionRule(key, pattern, origins.get(f"{key} {pattern}", "profile"))
        for key in EXCLUSION_KEYS
        for pattern in getattr(exclude, key) or ()
    )


def literal_brackets(pattern: str) -> list[str]:
    """An ``exclude`` glob as ``fnmatch`` takes it, with ``[`` an ordinary character: bot
    logins end in ``[bot]`` and titles carry brackets, so ``*[bot]`` must not be the class
    of the letters b, o and t (which would take ``bob``)."""
    return [pattern.replace("[", "[[]")]


def pr_excluded_by(pr: PullRequest, rules: Sequence[ExclusionRule]) -> ExclusionRule | None:
    """The first rule that excludes the pull request (see the module doc), else ``None``."""
    for rule in rules:
        glob = literal_brackets(rule.pattern)
        hit = (
            (rule.key == "authors" and glob_match(pr.author, glob))
            or (rule.key == "labels" and any_glob(pr.labels, glob))
            or (rule.key == "branches" and branch_match(pr.source_branch, glob))
            or (rule.key == "titles" and glob_match(pr.title, glob))
        )
        if hit:
            return rule
    return None


def author_excluded_by(
    identities: Iterable[str], rules: Sequence[ExclusionRule]
) -> ExclusionRule | None:
    """The first ``authors`` rule one of a commit's author identities matches, else ``None``."""
    names = list(identities)
    authors = [r for r in rules if r.key == "authors"]
    return next((r for r in authors if any_glob(names, literal_brackets(r.pattern))), None)


def commit_excluded_by(commit: Commit, rules: Sequence[ExclusionRule]) -> ExclusionRule | None:
    """The ``authors`` rule that excludes the commit (author or author e-mail), else ``None``."""
    return author_excluded_by(commit_identities(commit), rules)
