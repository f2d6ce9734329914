"""Who a change is by, and which member of a people-based team it counts for (``scope.people``;
docs/collections.md, "People-based teams"). Pure: ``correlate/scoped.apply_scope`` applies it
to lead time, ``services/dora_people.py`` to the DORA figures.

**The author.** A change's author is read from the first source in ``scope.attribution``
(default ``DEFAULT_ATTRIBUTION``: ``pull_request``, ``commit``, ``ticket``) that has one:

* ``pull_request``: the author of the change's earliest-opened pull request (in scope and not
  excluded), at the time the PR was **opened**;
* ``commit``: the author of the change's earliest own commit (a merge commit is never the
  first commit, as for the stages): its ``author`` and its ``author_email`` (commits from
  ``leadline git`` carry both), at the time it was **authored** (else committed);
* ``ticket``: the ticket's ``assignee``, at the time the ticket was **created**.

**The member.** The author counts for the member one of whose ``identities`` equals one of
the author's identities ignoring case and surrounding spaces, and whose span (``start``
inclusive, ``end`` exclusive; unset: unbounded; a time without an offset is UTC) holds the
time above. So a member who moves teams on 02-15 (two ``Member`` spans, one in each team)
brings the changes opened before the move to the first team and the later ones to the
second. The first member that matches is the one the drill-downs name.

**Commits** (DORA: what a deployment ships) are attributed the same way, without tickets: the
author of the earliest-opened PR that contains the commit (or whose merge commit it is), at
the PR's opening, else the commit's own author at its authoring time (``commit_authors``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from leadline.correlate.linking import pr_shas
from leadline.correlate.shas import norm_sha
from leadline.domain.records import Commit, Issue, PullRequest
from leadline.profiles.models import DEFAULT_ATTRIBUTION, AuthorSource, Member, Scope


@dataclass(frozen=True)
class Author:
    """Who a change (or a commit) is by, as its record names them, and the time that decides
    their membership; ``source`` is the attribution source that gave them."""

    identities: tuple[str, ...]
    at: datetime
    source: AuthorSource


def attribution(scope: Scope) -> tuple[AuthorSource, ...]:
    """``scope.attribution``, or the default order."""
    return tuple(scope.attribution) if scope.attribution else DEFAULT_ATTRIBUTION


def commit_identities(commit: Commit) -> tuple[str, ...]:
    """A commit's ``author`` and its ``author_email`` (an extra field), those that are given."""
    email = (commit.model_extra or {}).get("author_email")
    found = (commit.author, email if isinstance(email, str) else None)
    return tuple(x for x in found if x is not None and x.strip())


def issue_assignee(issue: Issue) -> str | None:
    """The ticket's ``assignee`` (a field of newer records, an extra field of older ones)."""
    value = getattr(issue, "assignee", None)
    return value if isinstance(value, str) and value.strip() else None


def commit_author(commit: Commit) -> Author | None:
    """The commit's author at the time it was authored (else committed)."""
    names = commit_identities(commit)
    return Author(names, commit.authored_at or commit.committed_at, "commit") if names else None


def pr_author(pr: PullRequest) -> Author | None:
    """The pull request's author at the time it was opened."""
    if pr.author is None or not pr.author.strip():
        return None
    return Author((pr.author,), pr.created_at, "pull_request")


def change_author(
    order: Sequence[AuthorSource],
    prs: Iterable[PullRequest],
    commits: Iterable[Commit],
    issues: Iterable[Issue],
) -> Author | None:
    """The change's author from the first source in ``order`` that has one (module doc)."""
    for source in order:
        if source == "pull_request":
            opened = sorted(prs, key=lambda p: (p.created_at, p.repo, p.number))
            found = next((a for p in opened if (a := pr_author(p)) is not None), None)
        elif source == "commit":
            own = [(a, c.sha) for c in commits if len(c.parents) <= 1
                   and (a := commit_author(c)) is not None]  # fmt: skip
            found = min(own, key=lambda x: (x[0].at, x[1]))[0] if own else None
        else:
            found = next(
                (Author((name,), i.created_at, "ticket") for i in issues
                 if (name := issue_assignee(i)) is not None),
                None,
            )  # fmt: skip
        if found is not None:
            return found
    return None


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def in_span(member: Member, at: datetime) -> bool:
    """``at`` falls in the member's span (``start`` inclusive, ``end`` exclusive)."""
    at = _utc(at)
    return (member.start is None or _utc(member.start) <= at) and (
        member.end is None or at < _utc(member.end)
    )


def member_of(people: Sequence[Member], author: Author | None) -> Member | None:
    """The first member whose identities name the author (any case) at the author's time."""
    if author is None:
        return None
    names = {n.strip().casefold() for n in author.identities}
    for member in people:
        if in_span(member, author.at) and any(
            i.strip().casefold() in names for i in member.identities
        ):
            return member
    return None


def commit_authors(
    order: Sequence[AuthorSource], prs: Iterable[PullRequest], commits: Iterable[Commit]
) -> dict[str, Author]:
    """Lower-case SHA → the commit's author (module doc, "Commits"): for each SHA the first
    source in ``order`` that has one (``ticket`` gives none for a commit)."""
    by_pr: dict[str, Author] = {}
    for pr in sorted(prs, key=lambda p: (p.created_at, p.repo, p.number)):
        author = pr_author(pr)
        if author is not None:
            for sha in pr_shas(pr):
                by_pr.setdefault(sha, author)
    by_commit = {norm_sha(c.sha): a for c in commits if (a := commit_author(c)) is not None}
    out: dict[str, Author] = {}
    for source in reversed(order):  # the first source in the order wins
        if source == "pull_request":
            out.update(by_pr)
        elif source == "commit":
            out.update(by_commit)
    return out
