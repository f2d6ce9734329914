"""Collections (teams): the tree, org-as-code (``leadline apply``), and the profile a
collection reports with (its own or inherited, narrowed by its effective filters and, for a
people-based collection, with its members resolved into ``scope.people``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from leadline.errors import InputError, NotFoundError
from leadline.profiles.collections import (
    CollectionSpec,
    Filters,
    OrgSpec,
    merge_exclusions,
    narrow,
    walk,
)
from leadline.profiles.loader import load_profile, profile_from_data, profile_to_dict
from leadline.profiles.messages import describe_value
from leadline.profiles.models import EXCLUSION_KEYS, Exclusions, Profile
from leadline.profiles.org_messages import org_problem
from leadline.profiles.parsing import SyntaxProblem, parse_yaml
from leadline.profiles.people import MemberSpec
from leadline.services import contributors, org_views, profiles
from leadline.store import collections as store
from leadline.store import profiles as profile_store
from leadline.store.collections import CollectionRow
from leadline.store.db import reading, writing


class OrgError(InputError):
    code = "invalid_org"

    def __init__(self, source: str, problems: list[str]) -> None:
        lines = [f"{source}: {p}" for p in problems]
        message = lines[0] if len(lines) == 1 else f"{source}: {len(lines)} problems"
        super().__init__(message, lines[:50])


@dataclass
class Collection:
    """A stored collection with what it inherits resolved."""

    name: str
    parent: str | None
    depth: int
    own_profile: str | None
    profile: str | None  # effective: its own, else the nearest ancestor's
    own_filters: Filters
    filters: Filters  # effective
    description: str | None = None
    children: list[str] = field(default_factory=list)
    own_members: list[MemberSpec] | None = None
    members: list[MemberSpec] | None = None  # effective: its own, else the nearest ancestor's
    # effective: the org's, every ancestor's and its own rules, each with its origin
    exclude: Exclusions | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "parent": self.parent, "profile": self.profile,
            "inherits_profile": self.own_profile is None and self.profile is not None,
            "filters": self.filters.as_dict(), "own_filters": self.own_filters.as_dict(),
            "description": self.description, "children": self.children,
            "members": _members_json(self.members), "own_members": _members_json(self.own_members),
        } | ({} if self.exclude is None else {"exclude": self.exclude.model_dump(
            exclude_none=True)})  # fmt: skip


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    contributors: list[str] | None = None  # stored from the file (None: it has none)
    views: list[str] = field(default_factory=list)  # the saved views, replaced whole


def tree(engine: Engine) -> list[Collection]:
    """Every collection, parents before children, siblings in order."""
    with reading(engine) as conn:
        return _resolve(store.all_rows(conn))


def get(engine: Engine, name: str) -> Collection:
    for c in tree(engine):
        if c.name.casefold() == name.casefold():
            return c
    raise NotFoundError(f"no collection named {name!r}")


def in_subtree(engine: Engine, name: str, root: str) -> bool:
    """Whether collection ``name`` is ``root`` or under it (names case-insensitive)."""
    with reading(engine) as conn:
        rows = store.all_rows(conn)
    known = {r.name.casefold(): r.name for r in rows}
    return name.casefold() in known and _is_within(rows, known[name.casefold()], root)


def report_profile(engine: Engine, name: str) -> tuple[Collection, Profile]:
    """The collection and the profile it reports with (inherited, narrowed by its filters)."""
    collection = get(engine, name)
    if collection.profile is None:
        raise InputError(
            f"collection {collection.name!r} has no profile: set one on it or an ancestor"
        )
    with reading(engine) as conn:
        people = (contributors.people_of(conn, _members(conn), collection.name)
                  if collection.members else None)  # fmt: skip
    profile = profiles.get(engine, collection.profile)
    return collection, narrow(profile, collection.filters, people=people,
                              exclude=collection.exclude)  # fmt: skip


def load_org(path: Path) -> OrgSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = parse_yaml(text)
    except SyntaxProblem as exc:
        raise OrgError(str(path), [f"(file): {exc}"]) from None
    return parse_org(data, str(path))


def parse_org(data: Any, source: str = "org", *, inline_only: bool = False) -> OrgSpec:
    """An org document (decoded YAML or JSON) → ``OrgSpec``; every wrong shape is an
    ``OrgError`` naming the path. ``inline_only`` (over HTTP): profiles must be given inline,
    as there is no directory to read a path from."""
    if not isinstance(data, dict):
        raise OrgError(source, ["(file): expected a mapping with profiles and collections"])
    problems = _profile_entries(data.get("profiles"), inline_only)
    if problems:
        raise OrgError(source, problems)
    try:
        return OrgSpec.model_validate(data)
    except ValidationError as exc:
        raise OrgError(source, [org_problem(e) for e in exc.errors(include_url=False)]) from None


def apply_org(
    engine: Engine,
    data: Any,
    base: Path | None = None,
    source: str = "org",
    *,
    inline_only: bool = False,
) -> ApplyReport:
    """Make the stored collections equal to the org's (created, updated, removed) and store
    its profiles: all or nothing, in one transaction. ``data`` is an ``OrgSpec`` or the
    decoded document (any JSON value: a wrong shape is an ``OrgError``)."""
    org = data if isinstance(data, OrgSpec) else parse_org(data, source, inline_only=inline_only)
    loaded: list[Profile] = []
    for i, entry in enumerate(org.profiles):
        if isinstance(entry, str):
            loaded.append(load_profile((base or Path.cwd()) / entry))
        else:
            loaded.append(profile_from_data(entry, f"{source}: profiles[{i}]"))
    rows = [
        CollectionRow(node.name, parent, position, node.profile,
                      _stored_filters(node, org.exclude if parent is None else None),
                      node.description, node.members_json())
        for parent, position, node in _flatten(org.collections)
    ]  # fmt: skip
    report = ApplyReport(profiles=[p.name for p in loaded], views=[v.name for v in org.views])
    if org.contributors is not None:
        report.contributors = [c.name for c in org.contributors]
    now = int(time.time() * 1_000_000)
    with writing(engine) as conn:
        for profile in loaded:
            body = _profile_body(profile)
            profile_store.put(conn, profile.name, body, now)
        known = set(profile_store.names(conn))
        missing = [
            f"{path}.profile: no profile named {node.profile!r} (give it under profiles:)"
            for path, node, _ in walk(org.collections)
            if node.profile is not None and node.profile not in known
        ]
        missing += [
            f"{path}: no profile here nor above: set profile on it or an ancestor"
            for path, node, depth in walk(org.collections)
            if depth == 1 and node.profile is None
        ]
        missing += org_views.problems(org, known)
        if missing:
            raise OrgError(source, missing)
        old_rows = store.all_rows(conn)
        store.replace_all(conn, rows, now)
        org_views.replace(conn, org, now)
        if org.contributors is not None:
            contributors.store_org(conn, org.contributors, now)
        paths = {node.name: path for path, node, _ in walk(org.collections)}
        problems = [
            f"{paths[name]}.{what}"
            for name, what in contributors.member_problems(conn, _members(conn))
        ]
        if problems:
            raise OrgError(source, problems)
    before = {r.name: r for r in old_rows}
    after = {r.name: r for r in rows}
    report.created = [n for n in after if n not in before]
    report.removed = [c.name for c in _resolve(old_rows) if c.name not in after]
    report.updated = [n for n in after if n in before and before[n] != after[n]]
    report.unchanged = [n for n in after if n in before and before[n] == after[n]]
    return report


def put(engine: Engine, name: str, data: Any) -> tuple[Collection, bool]:
    """Create or replace one collection (``parent``, ``profile``, ``filters``,
    ``description``); its children stay where they are."""
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with parent, profile, filters, description")
    body = {k: v for k, v in data.items() if k != "parent"}
    try:
        spec = CollectionSpec.model_validate({"name": name, **body})
    except ValidationError as exc:
        problems = [org_problem(e) for e in exc.errors(include_url=False)]
        raise OrgError(f"collection {name!r}", problems) from None
    if spec.children:
        raise InputError("children are not set here: PUT each child with its parent")
    parent = data.get("parent")
    now = int(time.time() * 1_000_000)
    with writing(engine) as conn:
        rows = store.all_rows(conn)
        names = {r.name.casefold(): r for r in rows}
        if parent is not None and (not isinstance(parent, str) or parent.casefold() not in names):
            raise InputError(f"parent: no collection named {parent!r}")
        if parent is not None and _is_within(rows, names[parent.casefold()].name, name):
            raise InputError(f"parent: {parent!r} is {name!r} or inside it")
        if spec.profile is not None and profile_store.get(conn, spec.profile) is None:
            raise InputError(f"profile: no profile named {spec.profile!r}")
        old = names.get(name.casefold())
        siblings = [r for r in rows if r.parent == (names[parent.casefold()].name if parent
                                                    else None)]  # fmt: skip
        position = old.position if old else max((r.position for r in siblings), default=-1) + 1
        real_parent = names[parent.casefold()].name if parent else None
        row = CollectionRow(old.name if old else name, real_parent, position, spec.profile,
                            _stored_filters(spec, _org_rules(rows) if real_parent is None
                                            else None), spec.description,
                            spec.members_json())  # fmt: skip
        created = store.put(conn, row, now)
        problems = [
            f"collection {n!r}: {what}"
            for n, what in contributors.member_problems(conn, _members(conn))
        ]
        if problems:
            raise InputError(problems[0], problems)
        collection = next(c for c in _resolve(store.all_rows(conn)) if c.name == row.name)
        if collection.profile is None:
            raise InputError("profile: required here (no ancestor has one)")
    return collection, created


def delete(engine: Engine, name: str) -> list[str]:
    """Remove a collection and everything under it; returns the names removed. Not while
    another collection names one of them in its ``members``."""
    with writing(engine) as conn:
        rows = store.all_rows(conn)
        target = next((r for r in rows if r.name.casefold() == name.casefold()), None)
        if target is None:
            raise NotFoundError(f"no collection named {name!r}")
        gone = [c.name for c in _resolve(rows) if _is_within(rows, c.name, target.name)]
        store.remove(conn, gone)
        # Another collection may name a removed one in its members.
        found = contributors.member_problems(conn, _members(conn))
        if found:
            lines = [f"collection {n!r}: {what}" for n, what in found]
            raise InputError(lines[0], lines)
    return gone


# --- helpers ---------------------------------------------------------------------------------


def _flatten(
    nodes: list[CollectionSpec], parent: str | None = None
) -> list[tuple[str | None, int, CollectionSpec]]:
    out: list[tuple[str | None, int, CollectionSpec]] = []
    for position, node in enumerate(nodes):
        out.append((parent, position, node))
        out += _flatten(node.children, node.name)
    return out


def _stored_filters(node: CollectionSpec, org: Exclusions | None) -> dict[str, Any]:
    """A row's filters JSON: the filters, and under ``exclude`` the collection's own rules
    (and, on a top-level collection, the org file's) with their origins."""
    rules = merge_exclusions(merge_exclusions(None, org, "org"), node.exclude,
                             f"collection {node.name}")  # fmt: skip
    found = {} if rules is None else {"exclude": rules.model_dump(exclude_none=True)}
    return {**node.filters.as_dict(), **found}


def _org_rules(rows: list[CollectionRow]) -> Exclusions | None:
    """The org file's ``exclude`` rules, as stored on the top-level collections: a collection
    PUT at the top level keeps them (they come only with ``leadline apply`` and
    ``PUT /v1/org``)."""
    for r in rows:
        stored = r.filters.get("exclude") if r.parent is None else None
        if not stored:
            continue
        rules = Exclusions.model_validate(stored)
        origins = {k: v for k, v in (rules.origins or {}).items() if v == "org"}
        data = {key: [p for p in getattr(rules, key) or [] if f"{key} {p}" in origins]
                for key in EXCLUSION_KEYS}  # fmt: skip
        kept = {key: patterns for key, patterns in data.items() if patterns}
        return Exclusions.model_validate({**kept, "origins": origins}) if kept else None
    return None


def _resolve(rows: list[CollectionRow]) -> list[Collection]:
    by_parent: dict[str | None, list[CollectionRow]] = {}
    for r in rows:
        by_parent.setdefault(r.parent, []).append(r)
    out: list[Collection] = []

    def visit(parent: Collection | None, depth: int) -> None:
        for r in sorted(by_parent.get(parent.name if parent else None, []),
                        key=lambda x: x.position):  # fmt: skip
            stored = dict(r.filters)
            rules = stored.pop("exclude", None)
            own = Filters.model_validate(stored)
            mine = None if rules is None else Exclusions.model_validate(rules)
            members = None if r.members is None else [MemberSpec.model_validate(m)
                                                      for m in r.members]  # fmt: skip
            node = Collection(
                name=r.name, parent=r.parent, depth=depth, own_profile=r.profile,
                profile=r.profile or (parent.profile if parent else None), own_filters=own,
                filters=own.under(parent.filters) if parent else own, description=r.description,
                children=[c.name for c in sorted(by_parent.get(r.name, []),
                                                 key=lambda x: x.position)],
                own_members=members, members=members or (parent.members if parent else None),
                exclude=merge_exclusions(parent.exclude if parent else None, mine,
                                         f"collection {r.name}"),
            )  # fmt: skip
            out.append(node)
            visit(node, depth + 1)

    visit(None, 0)
    return out


def _members(conn: Connection) -> contributors.Teams:
    """Each collection's effective members, and the collections that give their own."""
    nodes = _resolve(store.all_rows(conn))
    own = [c.name for c in nodes if c.own_members is not None]
    return contributors.Teams({c.name.casefold(): c.members for c in nodes}, own)


def _members_json(members: list[MemberSpec] | None) -> list[dict[str, Any]] | None:
    return None if members is None else [m.as_json() for m in members]


def _is_within(rows: list[CollectionRow], name: str, ancestor: str) -> bool:
    parents = {r.name: r.parent for r in rows}
    current: str | None = name
    for _ in range(len(rows) + 1):
        if current is None:
            return False
        if current.casefold() == ancestor.casefold():
            return True
        current = parents.get(current)
    return False


def _profile_body(profile: Profile) -> str:
    return json.dumps(profile_to_dict(profile), sort_keys=True)


def _profile_entries(profiles: Any, inline_only: bool) -> list[str]:
    """What is wrong with ``profiles:`` before validation (whose union messages would name
    its internal branches: ``profiles[0].str``)."""
    if profiles is None:
        return []
    if not isinstance(profiles, list):
        return [f"profiles: expected a list, got {describe_value(profiles)}"]
    wanted = "a profile (a mapping)" if inline_only else "a path or a profile (a mapping)"
    problems = []
    for i, entry in enumerate(profiles):
        if isinstance(entry, str) and inline_only:
            problems.append(
                f"profiles[{i}]: give profiles inline over HTTP (paths are for the CLI)"
            )
        elif not isinstance(entry, str | dict):
            problems.append(f"profiles[{i}]: expected {wanted}, got {describe_value(entry)}")
    return problems
