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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadline.profiles.dora_rules import DORA_DEFAULT_SOURCE, DORA_FILTERS
from leadline.profiles.model_types import Names, Text
from leadline.profiles.models import Profile
from leadline.profiles.rules import STAGE_FILTERS

FILTERS = (
    "projects", "issue_types", "labels", "repositories", "target_branches", "pipelines",
    "services", "environments", "paths",
)  # fmt: skip
MAX_DEPTH = 20
_SCOPE = {"projects": "projects", "issue_types": "issue_types", "labels": "labels",
          "repositories": "repos", "services": "services", "paths": "paths"}  # fmt: skip
_STAGE = ("target_branches", "pipelines", "environments")
_DORA = ("projects", "issue_types", "labels", "target_branches", "pipelines", "environments")


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    projects: Names | None = None
    issue_types: Names | None = None
    labels: Names | None = None
    repositories: Names | None = None
    target_branches: Names | None = None
    pipelines: Names | None = None
    services: Names | None = None
    environments: Names | None = None
    paths: Names | None = None

    def under(self, parent: Filters) -> Filters:
        """These filters, each unset one taken from ``parent``."""
        mine = self.model_dump(exclude_none=True)
        return Filters.model_validate({**parent.model_dump(exclude_none=True), **mine})

    def as_dict(self) -> dict[str, list[str]]:
        return self.model_dump(exclude_none=True)


class CollectionSpec(BaseModel):
    """One node of ``collections:`` in an org file (or a ``PUT /v1/collections/{name}``)."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    description: str | None = None
    profile: Text | None = None
    filters: Filters = Field(default_factory=Filters)
    children: list[CollectionSpec] = Field(default_factory=list)


class OrgSpec(BaseModel):
    """An org-as-code file: profiles (paths or inline) and the collection tree."""

    model_config = ConfigDict(extra="forbid")

    profiles: list[str | dict[str, Any]] = Field(default_factory=list)
    collections: list[CollectionSpec] = Field(default_factory=list)

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


def narrow(profile: Profile, filters: Filters) -> Profile:
    """``profile`` with ``filters`` replacing its corresponding filters (see the module doc)."""
    data = profile.model_dump(exclude_none=True)
    given = filters.as_dict()
    scope = data.setdefault("scope", {})
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
        for name in _DORA:
            if name in given and name in allowed:
                spec[name] = given[name]
    return Profile.model_validate(data)
