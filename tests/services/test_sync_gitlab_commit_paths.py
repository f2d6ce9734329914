"""``leadline sync gitlab --commit-paths``: each commit the sync emits (of the default branch
and of merge requests) gets the paths it changes from ``GET
/projects/:id/repository/commits/:sha/diff``. The CLI against the replayed GitLab
(``gitlab_replay``; pages of 5), on the test database (SQLite or PostgreSQL).

The diffs served are items of GitLab's recorded diff answer
(``go-gitlab/list_merge_request_diff.json``: ``README`` and ``VERSION`` changed), renamed
per commit below; every other commit's diff is empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer
from tests.services.gitlab_replay import REPO, FakeGitLab
from tests.services.sync_harness import records
from tests.sources.rest_fixtures import GITLAB, load

TOKEN = "glpat-Sup3rSecretT0ken"
ARGS = ("sync", "gitlab", "--project", "12345678", "--per-page", "5", "--no-progress")
DIFF = load(GITLAB / "go-gitlab" / "list_merge_request_diff.json")
FAKE = FakeGitLab()
BRANCH = [c["id"] for c in FAKE.commits]  # 19 commits, none of them in a merge request
MR_ONE = [c["id"] for c in FAKE.mr_commits["1"]]  # merge request 1's five commits


def item(path: str, old: str | None = None) -> dict[str, Any]:
    return dict(DIFF[0], new_path=path, old_path=old or path, renamed_file=old is not None)


# sha → its diff, and the paths expected from it
CASES: list[tuple[str, list[Any], list[str]]] = [
    (BRANCH[0], DIFF, ["README", "VERSION"]),  # the recorded answer as it is
    # a rename: its old path, then its new one
    (BRANCH[1], [item("sql/new.sql", old="sql/old.sql")], ["sql/old.sql", "sql/new.sql"]),
    # seven files: two pages of five; both read
    (MR_ONE[0], [item(f"models/m{i}.sql") for i in range(7)],
     [f"models/m{i}.sql" for i in range(7)]),
]  # fmt: skip
BROKEN = BRANCH[2]  # its diff lists a bare string: a warning, the commit kept without paths
BROKEN_DIFF = [DIFF[0], "README"]


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)


@pytest.fixture
def fake() -> FakeGitLab:
    return FakeGitLab()


@pytest.fixture
def server(fake: FakeGitLab) -> Iterator[ReplayServer]:
    fake.diffs = {sha: diff for sha, diff, _ in CASES} | {BROKEN: BROKEN_DIFF}
    server = ReplayServer()
    fake.install(server)
    with server:
        yield server


def sync(run_cli: Any, server: ReplayServer, *extra: str) -> dict[str, Any]:
    result = run_cli(*ARGS, "--base-url", server.base_url, "--format", "json", *extra)
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def stored_commits(engine: Engine) -> dict[str, Any]:
    return {c["sha"]: c for c in records(engine)["commit"]}


def diff_requests(server: ReplayServer) -> list[str]:
    return [r.path.split("/")[-2] for r in server.requests if r.path.endswith("/diff")]


def test_synced_commits_carry_their_paths(run_cli: Any, engine: Engine, server: Any) -> None:
    report = sync(run_cli, server, "--commit-paths")
    commits = stored_commits(engine)
    for sha, _, paths in CASES:
        assert commits[sha]["paths"] == paths, sha
    assert {sha for sha, c in commits.items() if "paths" in c} == {sha for sha, _, _ in CASES}
    assert report["warnings"] == [
        f"gitlab {REPO}: commit {BROKEN}: diff[1]: expected an object, got the string "
        "'README'; stored without paths"
    ]
    assert BROKEN in commits and "paths" not in commits[BROKEN]
    # one request per commit (19 of the branch, 41 of merge requests: 60 records), and a
    # second page for the seven files of MR_ONE[0]: 61
    requests = diff_requests(server)
    assert len(commits) == 60 and len(requests) == 61
    assert requests.count(MR_ONE[0]) == 2


def test_without_the_option_no_diff_is_fetched(run_cli: Any, engine: Engine, server: Any) -> None:
    sync(run_cli, server)
    assert diff_requests(server) == []
    assert not any("paths" in c for c in stored_commits(engine).values())


def test_a_commit_stored_with_paths_is_not_fetched_again(
    run_cli: Any, engine: Engine, fake: FakeGitLab, server: ReplayServer
) -> None:
    sync(run_cli, server, "--commit-paths")
    # merge request 1 changes: its five commits come again; MR_ONE[0], stored with paths,
    # costs no request and keeps them; the four others (no paths) are asked again
    one = next(mr for mr in fake.merge_requests if mr["iid"] == 1)
    one["updated_at"] = "2030-01-02T03:04:05.000Z"
    server.reset_log()
    sync(run_cli, server, "--commit-paths")
    assert sorted(diff_requests(server)) == sorted(MR_ONE[1:])
    assert stored_commits(engine)[MR_ONE[0]]["paths"] == CASES[2][2]
