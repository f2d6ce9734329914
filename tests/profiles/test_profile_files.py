"""Problems with files as a whole: JSON, unreadable files, size and nesting limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leadline.profiles import ProfileError, load_profile
from tests.profiles.support import problems

# --- JSON --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"name": "P",\n "stages": [}',
            ["p.json: (file): invalid JSON at line 2, column 13: Expecting value"],
        ),
        (
            '{"name": "P", "stages": [{"name": "a", "event": "commit", "event": "released"}]}',
            ["p.json: stages[0].event: duplicate key"],
        ),
        (
            "[]",
            ["p.json: (file): expected a mapping (name, stages, …) at the top level, got a list"],
        ),
        (
            '{"name": "P", "stages": [{"name": "a", "event": "commit", "ideal": -1}]}',
            ["p.json: stages[0].ideal: a duration cannot be negative"],
        ),
    ],
)
def test_json_problems(text: str, expected: list[str]) -> None:
    assert problems(text, "p.json") == expected


# --- files ---------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.details == [f"{path}: (file): no such file"]


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path)
    assert info.value.details == [f"{tmp_path}: (file): is a directory, not a profile file"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.details == [f"{path}: (file): not UTF-8 text (byte 0xe9 at offset 9)"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: x\n")
    path.chmod(0)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.details == [f"{path}: (file): cannot read the file (permission denied)"]


def test_empty_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    assert info.value.message == f"{path}: (file): the profile is empty"


# --- limits --------------------------------------------------------------------------------------


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    assert problems("\n".join(lines)) == [
        "p.yaml: (file): too large (more than 100000 values once aliases are expanded)"
    ]


def test_self_reference_is_refused() -> None:
    assert problems("name: &a [*a]") == ["p.yaml: (file): nested too deeply (more than 64 levels)"]


def test_deep_nesting_is_refused() -> None:
    assert problems("name: " + "[" * 5000 + "]" * 5000) == [
        "p.yaml: (file): nested too deeply (more than 64 levels)"
    ]
