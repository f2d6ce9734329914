"""Collections: a tree of teams, each with filters and a profile (pure: no database).

A collection's **effective** filters are its own, and for every filter it leaves unset its
nearest ancestor's: a child inherits its parent's filters and may narrow (``repositories:
[acme/payments-*]`` under ``[acme/*]``) or override them. Its effective profile is its own
``profile``, else its nearest ancestor's.

``narrow(profile, filters)`` is the profile a collection reports with: the collection's
filters replace the corresponding filters of the profile, wherever the profile's rules allow
that filter:

| filter | goes to |
|---|---|
| ``projects``, ``issue_types``, ``labels`` | ``scope`` (tickets; ``labels`` also PR labels) |
| ``repositories`` | ``scope.repos`` (commits, pull requests, pipeline runs) |
| ``services`` | ``scope.services`` (pipeline runs, incidents) |
| ``paths`` | ``scope.paths`` (commits by the paths they change; their PRs, changes and the
  deployments that ship them) |
| ``target_branches`` | PR stages, and deployments from pull requests |
| ``pipelines`` | CI/CD stages, and deployments and failures from CD runs |
| ``environments`` | CD stages, and deployments and failures from CD runs |

plus ``projects``/``issue_types``/``labels`` on the ``dora`` sections whose source reads
issues (failures and restores from issues, deployments from releases).

A filter may be a list or a mapping of conditions (``repositories: {not: [acme/legacy]}``,
docs/profiles.md "Matching"); either replaces the profile's filter as it is. The hotfix and
revert patterns of ``dora.failures`` (``source: pull_requests``) are lists, not filters: a
``labels`` or ``target_branches`` given as conditions leaves them as they are.

A collection's ``members`` (``profiles.people``) make it people-based: like a filter, a
child that gives none inherits its parent's, and ``narrow`` puts them, resolved into
``Member`` entries, in ``scope.people``. The org file's ``contributors`` are the people.

``exclude`` adds up instead: a record is excluded when a rule of any level matches — the org
file's (every collection), each ancestor's, the collection's own, the profile's.
``merge_exclusions`` joins two levels keeping where each rule came from (``Exclusions.
origins``), and ``narrow`` adds a collection's effective rules to the profile's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadline.profiles.conditions import Filter, filter_text
from leadline.profiles.dora_rules import DORA_DEFAULT_SOURCE, DORA_FILTERS
from leadline.profiles.model_types import Text
from leadline.profiles.models import EXCLUSION_KEYS, Exclusions, Member, Profile
from leadline.profiles.people import ContributorSpec, MemberSpec, identity_problems
from leadline.profiles.rules import STAGE_FILTERS
from leadline.profiles.views import ViewSpec, unique_names

FILTERS = (
    "projects", "issue_types", "labels", "repositories", "target_branches", "pipelines",
    "services", "environments", "paths",
)  # fmt: skip
MAX_DEPTH = 20
_SCOPE = {"projects": "projects", "issue_types": "issue_types", "labels": "labels",
          "repositories": "repos", "services": "services", "paths": "paths"}  # fmt: skip
_STAGE = ("target_branches", "pipelines", "environments")
_DORA = ("projects", "issue_types", "labels", "target_branches", "pipelines", "environments")
# Hotfix and revert patterns are lists: a filter given as conditions leaves them as they are.
_PR_PATTERNS = ("failures", "pull_requests")


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    projects: Filter | None = None
    issue_types: Filter | None = None
    labels: Filter | None = None
    repositories: Filter | None = None
    target_branches: Filter | None = None
    pipelines: Filter | None = None
    services: Filter | None = None
    environments: Filter | None = None
    paths: Filter | None = None

    def under(self, parent: Filters) -> Filters:
        """These filters, each unset one taken from ``parent``."""
        mine = self.model_dump(exclude_none=True)
        return Filters.model_validate({**parent.model_dump(exclude_none=True), **mine})

    def as_dict(self) -> dict[str, Any]:
        """The filters given, as stored and exported: a list, or a mapping of conditions."""
        return self.model_dump(exclude_none=True)

    def as_text(self, sep: str = ", ") -> dict[str, str]:
        """The filters given, each as the CLI and the dashboard show it (``filter_text``)."""
        given = ((name, getattr(self, name)) for name in FILTERS)
        return {name: filter_text(value, sep) for name, value in given if value is not None}


class CollectionSpec(BaseModel):
    """One node of ``collections:`` in an org file (or a ``PUT /v1/collections/{name}``)."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    description: str | None = None
    profile: Text | None = None
    filters: Filters = Field(default_factory=Filters)
    members: Annotated[list[MemberSpec], Field(min_length=1)] | None = None
    exclude: Exclusions | None = None
    children: list[CollectionSpec] = Field(default_factory=list)

    def members_json(self) -> list[dict[str, Any]] | None:
        return None if self.members is None else [m.as_json() for m in self.members]


class OrgSpec(BaseModel):
    """An org-as-code file: profiles (paths or inline), contributors (unset: the stored
    ones are kept), the collection tree and the saved views (``profiles/views.py``; a
    mapping of name → view is read as the list of them)."""

    model_config = ConfigDict(extra="forbid")

    profiles: list[str | dict[str, Any]] = Field(default_factory=list)
    contributors: list[ContributorSpec] | None = None
    collections: list[CollectionSpec] = Field(default_factory=list)
    exclude: Exclusions | None = None
    views: list[ViewSpec] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _views_by_name(cls, data: Any) -> Any:
        found = data.get("views") if isinstance(data, dict) else None
        if isinstance(found, dict):
            named = [{"name": k, **v} if isinstance(v, dict) else v for k, v in found.items()]
            return {**data, "views": named}
        return data

    @model_validator(mode="after")
    def _unique_views(self) -> OrgSpec:
        unique_names(self.views)
        return self

    @model_validator(mode="after")
    def _unique_people(self) -> OrgSpec:
        people = [(f"contributors[{i}]", c) for i, c in enumerate(self.contributors or [])]
        for where, key, what in identity_problems(people):
            raise ValueError(f"{where}.{key}: {what}")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> OrgSpec:
        seen: set[str] = set()
        for path, node, depth in walk(self.collections):
            if depth > MAX_DEPTH:
                raise ValueError(f"{path}: collections nest at most {MAX_DEPTH} deep")
            key = node.name.casefold()
            if key in seen:
                raise ValueError(f"{path}: a second collection named {node.name!r}")
            seen.add(key)
        return self


def walk(
    nodes: Sequence[CollectionSpec], prefix: str = "collections", depth: int = 1
) -> Iterator[tuple[str, CollectionSpec, int]]:
    """Every node with its path in the file (``collections[0].children[1]``), parents first."""
    for i, node in enumerate(nodes):
        path = f"{prefix}[{i}]"
        yield path, node, depth
        yield from walk(node.children, f"{path}.children", depth + 1)


def _conditions(value: object) -> bool:
    return isinstance(value, Mapping)


def merge_exclusions(
    base: Exclusions | None, extra: Exclusions | None, origin: str
) -> Exclusions | None:
    """``base``'s rules and ``extra``'s together; a rule of ``extra`` that ``base`` lacks
    keeps its own origin, else ``origin`` (``collection Payments``, ``org``)."""
    if extra is None:
        return base
    if base is None:
        base = Exclusions()
    data: dict[str, list[str]] = {}
    origins = dict(base.origins or {})
    for key in EXCLUSION_KEYS:
        mine, more = list(getattr(base, key) or []), getattr(extra, key) or []
        for pattern in more:
            if pattern not in mine:
                mine.append(pattern)
                label = f"{key} {pattern}"
                origins[label] = (extra.origins or {}).get(label, origin)
        if mine:
            data[key] = mine
    return Exclusions.model_validate({**data, "origins": origins or None})


def narrow(
    profile: Profile,
    filters: Filters,
    *,
    people: list[Member] | None = None,
    exclude: Exclusions | None = None,
) -> Profile:
    """``profile`` with ``filters`` replacing its corresponding filters, ``people`` (a
    people-based collection's resolved members) its ``scope.people``, and ``exclude`` (the
    collection's effective rules, with their origins) added to its own (see the module doc)."""
    if exclude is not None:
        merged = merge_exclusions(profile.exclude, exclude, "collection")
        profile = profile.model_copy(update={"exclude": merged})
    data = profile.model_dump(exclude_none=True)
    given = filters.as_dict()
    scope = data.setdefault("scope", {})
    if people:
        scope["people"] = [p.model_dump(exclude_none=True) for p in people]
    for name, field in _SCOPE.items():
        if name in given:
            scope[field] = given[name]
    for stage in [*data["stages"], data.get("start", {})]:
        allowed = STAGE_FILTERS.get(str(stage.get("event")), ())
        for name in _STAGE:
            if name in given and name in allowed:
                stage[name] = given[name]
    for section, spec in (data.get("dora") or {}).items():
        if section not in DORA_FILTERS or not isinstance(spec, dict):
            continue
        source = spec.get("source", DORA_DEFAULT_SOURCE[section])
        allowed = DORA_FILTERS[section].get(source, ())
        patterns = (section, source) == _PR_PATTERNS
        for name in _DORA:
            if name in given and name in allowed and not (patterns and _conditions(given[name])):
                spec[name] = given[name]
    return Profile.model_validate(data)
