"""Which tags are releases: the rule ``leadline git`` applies unless ``--all-tags``.

A tag counts as a production deployment only when it is a **release**. Two things are not:

* **Pre-releases**, recognised by name (``is_prerelease``). A release candidate or a nightly
  build is not what users run in production, and counting it moves every commit's "first
  deployment" earlier than the release that really shipped it.
* **Tags that ship nothing new** (``pick_releases``): a tag whose commit an earlier release
  already contains — a branch-archive tag such as ``7.x`` made on the last 7.x release, or a
  second name for a released commit. Counting it adds a deployment that delivered no change.

The order matters, so it is fixed here: pre-releases are removed first; the releases left are
taken in tag-time order (ties by name), and each one ships the commits reachable from it that
no earlier release reached. A release that reaches no such commit ships nothing new. Deciding
on the releases only (not on every tag) is what keeps ``v2.0`` when ``v2.0rc1`` on the same
commit came first: the release candidate is not a release, so it shipped nothing.

Pure: no git, no database; the caller passes the tags and the commit graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar

_SEP = r"[-_.]?"
_NUM = r"\d*"
_POST = rf"(?:{_SEP}(?:post|rev|r){_SEP}{_NUM})"
_DEV = rf"(?:{_SEP}dev{_SEP}{_NUM})"
# PEP 440 pre-release spellings, and the words semantic versions put after "-".
_PRE_WORDS = r"alpha|beta|preview|pre|rc|a|b|c"
_SEMVER_WORDS = r"next|canary|nightly|snapshot"
_PRERELEASE = re.compile(
    r"(?:^|[^0-9a-z])v?\d+(?:\.\d+)*"  # the version: 1, 1.2, 2.34.0 (after start or a separator)
    rf"{_POST}?"  # 1.0.post1.dev2 is a development release of a post-release
    rf"(?:{_SEP}(?:{_PRE_WORDS}){_SEP}{_NUM}{_POST}?{_DEV}?"  # 1.0a1, 1.0rc1, 1.0-beta
    rf"|{_DEV}"  # 1.0.dev3, 2.34.0.dev1
    rf"|{_SEP}(?:{_SEMVER_WORDS}){_SEP}{_NUM})"  # 1.2.3-nightly, 1.0-SNAPSHOT
    r"(?:[.-][0-9a-z-]+)*"  # more semver identifiers: -alpha.1, -rc.1.2, -beta.foo
    r"(?:\+[0-9a-z.-]+)?$"  # build metadata (semver) or a local version (PEP 440)
)


def is_prerelease(tag: str) -> bool:
    """Whether the tag names a pre-release (case-insensitive). A version (``1``, ``1.2``,
    ``v2.34.0``, optionally after a prefix and a separator: ``release-1.0rc1``) followed by:

    * PEP 440 pre-releases: ``1.0a1``, ``1.0b2``, ``1.0c1``, ``1.0rc1``, ``1.0alpha``,
      ``1.0-beta.2``, ``1.0pre1``, ``1.0preview``;
    * PEP 440 development releases: ``1.0.dev3``, ``2.34.0.dev1``, ``1.0.post1.dev2``;
    * semver pre-release identifiers: ``v1.2.3-alpha.1``, ``-beta``, ``-rc.1``, ``-pre``,
      ``-preview``, ``-next``, ``-canary``, ``-nightly``, ``-snapshot`` (then any further
      ``.``/``-`` identifiers and ``+build`` metadata).

    Not pre-releases: post-releases (``1.0.post1``, ``1.0-1``), other suffixes
    (``v1.0-hotfix``, ``v1.2.3-alpine``), and names with no version (``nightly-1``): only a
    suffix that the two version schemes define as "before the release" counts.
    """
    return _PRERELEASE.search(tag.lower()) is not None


class TagLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def sha(self) -> str: ...  # the commit it points at
    @property
    def at(self) -> datetime: ...


T = TypeVar("T", bound=TagLike)


@dataclass
class Releases(Generic[T]):
    """The tags split by the rule: ``kept`` (releases, in tag-time order), ``prereleases`` and
    ``nothing_new`` (both in tag-time order)."""

    kept: list[T] = field(default_factory=list)
    prereleases: list[T] = field(default_factory=list)
    nothing_new: list[T] = field(default_factory=list)


def in_tag_order(tags: Sequence[T]) -> list[T]:
    """Tag time, then name: the order in which releases ship commits."""
    return sorted(tags, key=lambda t: (t.at, t.name))


def pick_releases(tags: Sequence[T], parents: Mapping[str, Sequence[str]]) -> Releases[T]:
    """Apply the rule (module docstring). ``parents`` maps each commit reachable from the
    tags to its parents; a commit missing from it (a shallow clone's boundary) has none."""
    out: Releases[T] = Releases()
    shipped: set[str] = set()
    for tag in in_tag_order(tags):
        if is_prerelease(tag.name):
            out.prereleases.append(tag)
        elif tag.sha in shipped:  # shipped sets are closed under ancestry: nothing new
            out.nothing_new.append(tag)
        else:
            out.kept.append(tag)
            stack = [tag.sha]
            shipped.add(tag.sha)
            while stack:
                for parent in parents.get(stack.pop(), ()):
                    if parent not in shipped:
                        shipped.add(parent)
                        stack.append(parent)
    return out
