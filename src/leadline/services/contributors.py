"""Contributors (people): stored by the org file (``services/collections.apply_org``), a CSV
import, or one at a time (API); the identities records carry that belong to no one, with
suggestions; and the ``Scope.people`` a people-based collection reports with.

Every write is all or nothing and keeps two rules: one identity belongs to one contributor,
and every collection's ``members`` name stored contributors (a contributor still named there
cannot be removed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from leadline.errors import InputError, NotFoundError
from leadline.profiles.models import Member
from leadline.profiles.people import (
    ContributorSpec,
    MembersError,
    MemberSpec,
    PeopleCsvError,
    identity_key,
    identity_problems,
    name_key,
    parse_csv,
    resolve_members,
)
from leadline.store import collections as collection_store
from leadline.store import contributors as store
from leadline.store.db import reading, writing

MAX_CSV_BYTES = 10 * 1024 * 1024


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        return {"created": self.created, "updated": self.updated, "removed": self.removed,
                "unchanged": self.unchanged}  # fmt: skip


@dataclass
class Unmatched:
    """An identity seen in records that belongs to no contributor."""

    identity: str
    records: int
    seen: list[dict[str, Any]]  # {"where": label, "records": n}, most first
    suggestions: list[dict[str, str]]  # {"contributor": name, "reason": "same e-mail"|…}

    def as_json(self) -> dict[str, Any]:
        return {"identity": self.identity, "records": self.records, "seen": self.seen,
                "suggestions": self.suggestions}  # fmt: skip


def all_contributors(engine: Engine) -> list[ContributorSpec]:
    with reading(engine) as conn:
        return store.all_specs(conn)


def get(engine: Engine, name: str) -> ContributorSpec:
    for spec in all_contributors(engine):
        if spec.name.casefold() == name.casefold():
            return spec
    raise NotFoundError(f"no contributor named {name!r}")


def put(engine: Engine, name: str, data: Any) -> tuple[ContributorSpec, bool]:
    """Create or replace one contributor (``email``, ``identities``)."""
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with email and identities")
    if "name" in data and data["name"] != name:
        raise InputError(f"name: {data['name']!r} is not the name in the path ({name!r})")
    try:
        spec = ContributorSpec.model_validate({**data, "name": name})
    except ValidationError as exc:
        _fail("body", _problems(exc, ""))
    with writing(engine) as conn:
        stored = store.all_specs(conn)
        old = next((s for s in stored if s.name.casefold() == name.casefold()), None)
        if old is not None:
            spec = spec.model_copy(update={"name": old.name})
        others = [("stored", s) for s in stored if s is not old]
        problems = identity_problems([*others, ("body", spec)])
        if problems:
            _fail("body", [f"{f}: {w}" for _, f, w in problems])
        created = store.put(conn, spec, _now())
    return spec, created


def delete(engine: Engine, name: str) -> str:
    with writing(engine) as conn:
        spec = next((s for s in store.all_specs(conn) if s.name.casefold() == name.casefold()),
                    None)  # fmt: skip
        if spec is None:
            raise NotFoundError(f"no contributor named {name!r}")
        store.remove(conn, [spec.name])
        check_members(conn)
    return spec.name


def import_csv(engine: Engine, path: Path, *, replace: bool = False) -> ImportReport:
    """Contributors from a CSV file (``profiles.people.parse_csv``): each one created or
    replaced, the others kept; with ``replace``, the others removed. All or nothing."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CSV_BYTES:
        raise InputError(f"{path}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return import_text(engine, text, str(path), replace=replace)


def import_text(engine: Engine, text: str, source: str, *, replace: bool = False) -> ImportReport:
    try:
        rows = parse_csv(text, source)
    except PeopleCsvError as exc:
        _fail(source, exc.problems)
    with writing(engine) as conn:
        before = {s.name.casefold(): s for s in store.all_specs(conn)}
        incoming = {s.name.casefold(): s for _, s in rows}
        lines = {s.name.casefold(): line for line, s in rows}
        specs = [s.model_copy(update={"name": before[k].name}) if k in before else s
                 for k, s in incoming.items()]  # fmt: skip
        kept = [] if replace else [s for k, s in before.items() if k not in incoming]
        problems = identity_problems([("(stored)", s) for s in kept] + [
            (f"{source}:{lines[s.name.casefold()]}", s) for s in specs])  # fmt: skip
        if problems:
            _fail(source, [f"{where}: {f}: {what}" for where, f, what in problems])
        store.replace_all(conn, kept + specs, _now())
        check_members(conn)
    report = ImportReport()
    for key, spec in incoming.items():
        old = before.get(key)
        bucket = report.created if old is None else (
            report.unchanged if old == spec.model_copy(update={"name": old.name})
            else report.updated)  # fmt: skip
        bucket.append(old.name if old else spec.name)
    report.removed = [s.name for k, s in before.items() if replace and k not in incoming]
    return report


def store_org(conn: Connection, specs: list[ContributorSpec], now: int) -> None:
    """The org file's contributors, replacing the stored ones (in the caller's transaction;
    the file's own rules are checked by ``OrgSpec``)."""
    store.replace_all(conn, specs, now)


def check_members(conn: Connection) -> None:
    """Every contributor the stored collections name as a member exists (else InputError)."""
    known = {s.name.casefold() for s in store.all_specs(conn)}
    problems = []
    for row in collection_store.all_rows(conn):
        for entry in row.members or []:
            spec = MemberSpec.model_validate(entry)
            if spec.contributor is not None and spec.contributor.casefold() not in known:
                problems.append(f"collection {row.name!r} names contributor {spec.contributor!r}"
                                " as a member: change its members first")  # fmt: skip
    if problems:
        raise InputError(problems[0], problems)


@dataclass(frozen=True)
class Teams:
    """What resolving members needs of the collection tree: each collection's effective
    members (by case-folded name; ``None``: it has none) and the names of those that give
    their own."""

    members: dict[str, list[MemberSpec] | None]
    own: list[str]


def people_of(conn: Connection, teams: Teams, name: str) -> list[Member]:
    """The resolved members of collection ``name`` (``profiles.people.resolve_members``)
    with the stored contributors' identities; an unresolvable one is an ``InputError``."""
    try:
        return _resolver(conn, teams)(name)
    except MembersError as exc:
        raise InputError(f"collection {name!r}: {exc}") from None


def member_problems(conn: Connection, teams: Teams) -> list[tuple[str, str]]:
    """(collection, problem) for each collection whose own members do not resolve."""
    resolve = _resolver(conn, teams)
    found = []
    for name in teams.own:
        try:
            resolve(name)
        except MembersError as exc:
            found.append((name, str(exc)))
    return found


def _resolver(conn: Connection, teams: Teams) -> Callable[[str], list[Member]]:
    people = {s.name.casefold(): s for s in store.all_specs(conn)}

    def members_of(name: str) -> list[MemberSpec] | None:
        if name.casefold() not in teams.members:
            return None
        return teams.members[name.casefold()] or []

    return lambda name: resolve_members(name, members_of, people)


def unmatched(engine: Engine) -> list[Unmatched]:
    """The identities records carry that belong to no contributor, most records first, each
    with suggestions (docs/collections.md, "Unmatched identities")."""
    with reading(engine) as conn:
        specs = store.all_specs(conn)
        seen = store.seen_identities(conn)
        pairs = store.commit_pairs(conn)
    owner = {identity_key(i): s.name for s in specs for i in s.all_identities()}
    by_name: dict[str, list[str]] = {}
    for spec in specs:
        for text in {name_key(t) for t in [spec.name, *spec.all_identities()]} - {""}:
            by_name.setdefault(text, []).append(spec.name)
    groups: dict[str, list[store.Seen]] = {}
    for s in seen:
        if identity_key(s.identity) not in owner:
            groups.setdefault(identity_key(s.identity), []).append(s)
    partners: dict[str, list[tuple[str, str]]] = {}
    for author, email in pairs:
        partners.setdefault(identity_key(author), []).append((email, "same e-mail"))
        partners.setdefault(identity_key(email), []).append((author, "same name"))
    out = []
    for key, found in groups.items():
        spellings: dict[str, int] = {}
        where: dict[str, int] = {}
        for s in found:
            spellings[s.identity] = spellings.get(s.identity, 0) + s.records
            where[s.where] = where.get(s.where, 0) + s.records
        identity = min(spellings, key=lambda v: (-spellings[v], v))
        suggestions: dict[str, str] = {}
        for partner, reason in sorted(partners.get(key, [])):
            if identity_key(partner) in owner:
                suggestions.setdefault(owner[identity_key(partner)], reason)
        for name in by_name.get(name_key(identity), []):
            suggestions.setdefault(name, "same name")
        out.append(Unmatched(
            identity=identity, records=sum(where.values()),
            seen=[{"where": w, "records": n} for w, n in sorted(where.items(),
                                                                key=lambda x: (-x[1], x[0]))],
            suggestions=[{"contributor": c, "reason": r} for c, r in suggestions.items()],
        ))  # fmt: skip
    return sorted(out, key=lambda u: (-u.records, u.identity.casefold(), u.identity))


def _fail(source: str, problems: list[str]) -> NoReturn:
    """An ``InputError``: the one problem, or how many there are (each in the details)."""
    message = problems[0] if len(problems) == 1 else f"{source}: {len(problems)} problems"
    raise InputError(message, problems[:50])


def _problems(exc: ValidationError, prefix: str) -> list[str]:
    out = []
    for err in exc.errors(include_url=False):
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        where = (prefix + loc).lstrip(".") or "(body)"
        what = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(f"{where}: {what.removeprefix('Value error, ')}")
    return out


def _now() -> int:
    return int(time.time() * 1_000_000)
