"""domain/releases: which tag names are pre-releases, and which tags ship nothing new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from leadline.domain.releases import is_prerelease, pick_releases


@pytest.mark.parametrize(
    ("tag", "pre"),
    [
        # PEP 440 pre-releases
        ("1.0a1", True),
        ("1.0b2", True),
        ("1.0c1", True),
        ("1.0rc1", True),
        ("1.0a", True),
        ("v1.0alpha2", True),
        ("1.0.0beta", True),
        ("1.0pre1", True),
        ("1.0-preview", True),
        ("V2.0RC1", True),
        ("click-8.0.0rc1", True),
        ("release-1.0rc1", True),
        ("rel_2_0_0b1", True),  # sqlalchemy's spelling
        # PEP 440 development releases
        ("1.0.dev3", True),
        ("2.34.0.dev1", True),
        ("1.0-dev", True),
        ("1.0.post1.dev2", True),
        # semver pre-release identifiers
        ("v1.2.3-alpha.1", True),
        ("v1.2.3-beta", True),
        ("v1.2.3-rc.1", True),
        ("v1.2.3-pre", True),
        ("v2.0.0-preview.3", True),
        ("v1.0.0-next.4", True),
        ("1.0.0-canary", True),
        ("1.0.0-nightly.20240101", True),
        ("1.0-SNAPSHOT", True),
        ("v1.0.0-rc.1+build.5", True),
        ("v1.0.0-beta.foo-bar", True),
        # releases
        ("1.0", False),
        ("v1.0", False),
        ("v1.2.3", False),
        ("1.0.post1", False),
        ("1.0-1", False),
        ("1.0+local.7", False),
        ("v1.0.0+build.5", False),
        ("1.x", False),
        ("8.0.x", False),
        ("v1.0-redeploy", False),
        ("v1.0-hotfix", False),
        ("v1.2.3-alpine", False),
        ("1.0betamax", False),
        ("nightly-1", False),
        ("release-2024.01.15", False),
        ("rel_2_0_0", False),
        ("rc", False),
        ("beta", False),
    ],
)
def test_is_prerelease(tag: str, pre: bool) -> None:
    assert is_prerelease(tag) is pre


@dataclass(frozen=True)
class T:
    name: str
    sha: str
    at: datetime


T0 = datetime(2024, 1, 1, tzinfo=UTC)


def tag(name: str, sha: str, day: int) -> T:
    return T(name, sha, T0 + timedelta(days=day))


# a ─ b ─ c ─ d   main;  b ─ x   maintenance
GRAPH = {"a": [], "b": ["a"], "c": ["b"], "d": ["c"], "x": ["b"]}


def test_a_prerelease_before_the_release_on_the_same_commit() -> None:
    """Decided on every tag, v1.0 would ship nothing (v1.0rc1 reached b first) and b would
    never be released: the rule is decided on the releases only."""
    tags = [tag("v1.0rc1", "b", 1), tag("v1.0", "b", 2)]
    picked = pick_releases(tags, GRAPH)
    assert [t.name for t in picked.kept] == ["v1.0"]
    assert [t.name for t in picked.prereleases] == ["v1.0rc1"]
    assert picked.nothing_new == []


def test_archive_tags_and_tag_time_order() -> None:
    tags = [
        tag("2.x", "d", 9),  # archive of main: d was released by v2.0
        tag("1.x", "x", 9),  # archive of maintenance: x was released by 1.0.1
        tag("v2.0", "d", 5),
        tag("1.0.1", "x", 4),
        tag("v1.0", "b", 2),
        tag("old", "a", 3),  # a later tag of an older commit: v1.0 shipped a
        tag("late", "c", 10),  # c is an ancestor of d: shipped by v2.0
    ]
    picked = pick_releases(tags, GRAPH)
    assert [t.name for t in picked.kept] == ["v1.0", "1.0.1", "v2.0"]
    assert [t.name for t in picked.nothing_new] == ["old", "1.x", "2.x", "late"]


def test_same_time_same_commit_keeps_the_first_name() -> None:
    picked = pick_releases([tag("v1.0", "b", 2), tag("1.0", "b", 2)], GRAPH)
    assert [t.name for t in picked.kept] == ["1.0"]
    assert [t.name for t in picked.nothing_new] == ["v1.0"]


def test_a_tag_dated_before_an_older_tag_ships_it() -> None:
    """Tag time decides, not commit order: d tagged first ships a..d; b's tag ships nothing."""
    picked = pick_releases([tag("v1", "b", 5), tag("v2", "d", 3)], GRAPH)
    assert [t.name for t in picked.kept] == ["v2"]
    assert [t.name for t in picked.nothing_new] == ["v1"]
