"""The paths a commit changes, from every source that gives them (``Commit.paths``): GitHub
and GitLab push payloads (``added``, ``modified``, ``removed``) and GitHub's ``GET
/commits/{sha}`` (``files[].filename``, a rename's ``previous_filename``). Real payloads
(``tests/fixtures``), some edited in place to reach a case no recorded one has."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leadline.domain.merge import merge_commit
from leadline.domain.records import Commit
from leadline.sources.github import rest as github_rest
from leadline.sources.github import webhook as github
from leadline.sources.gitlab import webhook as gitlab

FIXTURES = Path(__file__).parents[1] / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _github_push(name: str, edit: Callable[[Any], None] | None = None) -> list[list[str]]:
    payload = copy.deepcopy(load(name))
    if edit is not None:
        edit(payload)
    return [c.paths for c in github.parse("push", payload).records if isinstance(c, Commit)]


def _rename(payload: Any) -> None:
    payload["head_commit"].update(added=["docs/new.md"], modified=[], removed=["docs/old.md"])
    payload["commits"] = [payload["head_commit"]]


def _no_lists(payload: Any) -> None:
    for key in ("added", "modified", "removed"):
        del payload["head_commit"][key]
    payload["commits"] = [payload["head_commit"]]


def _rest_commit(edit: Callable[[Any], None] | None = None) -> list[list[str]]:
    item = copy.deepcopy(load("github_rest/examples/commit.json"))
    if edit is not None:
        edit(item)
    return [github_rest.commit("octocat/Hello-World", item).paths]


def _renamed_file(item: Any) -> None:
    item["files"] = [
        {"filename": "src/new.py", "previous_filename": "src/old.py", "status": "renamed"},
        {"filename": "README", "status": "modified"},
    ]


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        # go-playground: added [.razorops.yaml], modified [app/controllers/…]
        (lambda: _github_push("github/go-playground/push.json"),
         [[".razorops.yaml", "app/controllers/application_controller.rb"]]),
        (lambda: _github_push("github/octokit/push/with-new-branch.payload.json"),
         [["README.md"]]),
        # A rename is its new path added and its old one removed: both, added first.
        (lambda: _github_push("github/octokit/push/with-new-branch.payload.json", _rename),
         [["docs/new.md", "docs/old.md"]]),
        # No lists at all (a trimmed payload): no paths, not an error.
        (lambda: _github_push("github/octokit/push/with-new-branch.payload.json", _no_lists),
         [[]]),
        # GitLab's documented push: two commits, each added CHANGELOG, modified app/…
        (lambda: [c.paths for c in gitlab.parse("Push Hook", load("gitlab/docs-examples/push.json"))
                  .records if isinstance(c, Commit)],
         [["CHANGELOG", "app/controller/application.rb"]] * 2),
        # GET /commits/{sha}: files[].filename
        (_rest_commit, [["file1.txt"]]),
        (lambda: _rest_commit(_renamed_file), [["src/old.py", "src/new.py", "README"]]),
        # GET /commits (a list) carries no files: no paths.
        (lambda: [github_rest.commit("o/r", c).paths
                  for c in load("github_rest/examples/commit-items.json")], [[]]),
    ],
)  # fmt: skip
def test_sources_give_the_paths_a_commit_changes(
    read: Callable[[], list[list[str]]], expected: list[list[str]]
) -> None:
    assert read() == expected


def test_a_commit_without_paths_keeps_its_stored_json() -> None:
    """A commit stored before ``paths`` existed arrives again with the same JSON (and
    digest); one with paths carries them."""
    data = {"kind": "commit", "repo": "o/r", "sha": "a" * 40,
            "committed_at": "2024-01-01T00:00:00Z", "parents": []}  # fmt: skip
    bare = Commit.model_validate(data)
    assert "paths" not in bare.model_dump(mode="json")
    assert bare.model_dump_json() == Commit.model_validate({**data, "paths": []}).model_dump_json()
    given = Commit.model_validate({**data, "paths": ["a/b.py", "c"]})
    assert given.model_dump(mode="json")["paths"] == ["a/b.py", "c"]


@pytest.mark.parametrize("bad", [[""], ["ok", 3], "a/b.py"])
def test_paths_must_be_a_list_of_non_empty_strings(bad: Any) -> None:
    data = {"kind": "commit", "repo": "o/r", "sha": "a" * 40,
            "committed_at": "2024-01-01T00:00:00Z", "paths": bad}  # fmt: skip
    with pytest.raises(ValueError, match="paths"):
        Commit.model_validate(data)


@pytest.mark.parametrize(
    ("stored", "incoming", "kept"),
    [
        (["a.py"], [], ["a.py"]),  # a sync list after a push: the push's paths stay
        (["a.py"], ["b.py"], ["b.py"]),  # paths given again: the incoming ones
        ([], ["b.py"], ["b.py"]),
    ],
)
def test_a_merged_commit_keeps_the_paths_it_had(
    stored: list[str], incoming: list[str], kept: list[str]
) -> None:
    data = {"kind": "commit", "repo": "o/r", "sha": "a" * 40,
            "committed_at": "2024-01-01T00:00:00Z"}  # fmt: skip
    old = Commit.model_validate({**data, "paths": stored})
    new = Commit.model_validate({**data, "paths": incoming, "parents": ["b" * 40]})
    assert merge_commit(old, new).paths == kept
