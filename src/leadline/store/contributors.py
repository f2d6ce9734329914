"""Stored contributors (name, e-mail, identities) and the identities records carry.

``seen_identities`` is what ``leadline contributors unmatched`` starts from: the distinct
values of every author column (``GROUP BY``, no bookkeeping at ingest) with how many records
carry each, and ``commit_pairs`` the (author, author e-mail) pairs of commits, which tie a
name to an e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select

from leadline.profiles.people import ContributorSpec, identity_key
from leadline.store.bulk import insert_many
from leadline.store.tables import (
    commits,
    contributor_identities,
    contributors,
    issues,
    pr_reviews,
    pull_requests,
)

#: Where an identity is seen: a label (docs/collections.md) → (table, column, count of).
SEEN_IN = {
    "commit author": (commits, commits.c.author, commits.c.id),
    "commit author e-mail": (commits, commits.c.author_email, commits.c.id),
    "pull request author": (pull_requests, pull_requests.c.author, pull_requests.c.id),
    "reviewer": (pr_reviews, pr_reviews.c.author, pr_reviews.c.pull_request_id),
    "ticket assignee": (issues, issues.c.assignee, issues.c.id),
}


@dataclass(frozen=True)
class Seen:
    identity: str
    where: str
    records: int


def all_specs(conn: Connection) -> list[ContributorSpec]:
    """Every contributor, by name (case-insensitive), identities in the order given."""
    p, i = contributors.c, contributor_identities.c
    people = conn.execute(select(p.id, p.name, p.email)).all()
    found: dict[int, list[str]] = {row.id: [] for row in people}
    query = select(i.contributor_id, i.identity).order_by(i.contributor_id, i.position)
    for row in conn.execute(query):
        found[row.contributor_id].append(row.identity)
    specs = [
        ContributorSpec(name=r.name, email=r.email, identities=[
            identity for identity in found[r.id]
            if r.email is None or identity_key(identity) != identity_key(r.email)
        ])
        for r in people
    ]  # fmt: skip
    return sorted(specs, key=lambda s: (s.name.casefold(), s.name))


def replace_all(conn: Connection, specs: list[ContributorSpec], now: int) -> None:
    conn.execute(delete(contributor_identities))
    conn.execute(delete(contributors))
    for spec in specs:
        _insert(conn, spec, now)


def put(conn: Connection, spec: ContributorSpec, now: int) -> bool:
    """Store (replace) one contributor, found by name ignoring case; True when new."""
    existed = remove(conn, [spec.name]) > 0
    _insert(conn, spec, now)
    return not existed


def remove(conn: Connection, names: list[str]) -> int:
    """Remove contributors by name (ignoring case) with their identities."""
    keys = {n.casefold() for n in names}
    p = contributors.c
    ids = [r.id for r in conn.execute(select(p.id, p.name)) if r.name.casefold() in keys]
    if not ids:
        return 0
    conn.execute(delete(contributor_identities).where(
        contributor_identities.c.contributor_id.in_(ids)))  # fmt: skip
    return int(conn.execute(delete(contributors).where(p.id.in_(ids))).rowcount)


def seen_identities(conn: Connection) -> list[Seen]:
    """Each distinct non-blank value of each author column, with its number of records."""
    out = []
    for where, (table, column, counted) in SEEN_IN.items():
        query = (
            select(column, func.count(func.distinct(counted)))
            .select_from(table)
            .where(column.is_not(None))
            .group_by(column)
        )
        out += [Seen(value, where, n) for value, n in conn.execute(query) if value.strip()]
    return out


def commit_pairs(conn: Connection) -> list[tuple[str, str]]:
    """The distinct (author, author e-mail) pairs of commits that carry both."""
    c = commits.c
    query = (
        select(c.author, c.author_email)
        .where(c.author.is_not(None), c.author_email.is_not(None))
        .distinct()
    )
    return [(r.author, r.author_email) for r in conn.execute(query)]


def _insert(conn: Connection, spec: ContributorSpec, now: int) -> None:
    result = conn.execute(
        contributors.insert().values(name=spec.name, email=spec.email, updated_at=now)
    )
    (contributor_id,) = result.inserted_primary_key or (None,)
    insert_many(conn, contributor_identities, [
        {"contributor_id": contributor_id, "position": n, "identity": identity,
         "key": identity_key(identity)}
        for n, identity in enumerate(spec.all_identities())
    ])  # fmt: skip
