"""``leadline sync github --commit-paths``: each commit the sync emits is fetched again as
``GET /commits/{sha}`` for the paths it changes. The CLI against the replayed GitHub
(``github_replay``), on the test database (SQLite or PostgreSQL): the paths stored, a bad
answer warned about without losing the commit, no request without the option, none again
for a commit stored with paths, and a sync killed midway resumed without refetching.

The details served are the listed commits (``commits.json``, ``pull_commits.json``: real
answers) with ``files`` in the shape of GitHub's documented ``GET /commits/{sha}`` example
(``examples/commit.json``), the file names set per commit below.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer, Reply
from tests.services.github_replay import BASE, DATA, REPO, load, records, routes, sync, token
from tests.services.sync_harness import fresh_db_url, leadline_argv, opened, run
from tests.services.sync_harness import records as harness_records

__all__ = ["token"]  # fixture

BRANCH = load("commits")
PR_ONLY = "f323aef64aa8b47b777037502adf6eca0b2f4fd0"  # a commit of pull request 103 only
EXAMPLE_FILE = json.loads((DATA / "examples" / "commit.json").read_text("utf-8"))["files"][0]


def file(name: str, previous: str | None = None) -> dict[str, Any]:
    """A ``files[]`` entry of the documented example, for ``name``."""
    entry = dict(EXAMPLE_FILE, filename=name, status="renamed" if previous else "modified")
    return {**entry, "previous_filename": previous} if previous else entry


def listed(sha: str) -> dict[str, Any]:
    everything = [*BRANCH, *(c for cs in load("pull_commits").values() for c in cs)]
    return next(c for c in everything if c["sha"] == sha)


# sha → the pages of its ``files`` (one list a page) and the paths expected from them
CASES: list[tuple[str, list[list[dict[str, Any]]], list[str]]] = [
    # a change and a rename: the rename's old path, then its new one
    (BRANCH[0]["sha"], [[file("pool.go"), file("worker_loop_queue.go", "worker_queue.go")]],
     ["pool.go", "worker_queue.go", "worker_loop_queue.go"]),
    # files on two pages (GitHub pages them 300 at a time): both pages read
    (BRANCH[1]["sha"], [[file("internal/x.go")], [file("internal/y.go")]],
     ["internal/x.go", "internal/y.go"]),
    # a commit only a pull request lists
    (PR_ONLY, [[file("options.go")]], ["options.go"]),
]  # fmt: skip
BROKEN = BRANCH[2]["sha"]  # its answer names a file with a number: a warning, no paths


def detail_routes() -> dict[str, Any]:
    """``/commits/{sha}`` for every commit the sync emits: no files but for ``CASES``."""
    out: dict[str, Any] = {}
    shas = {c["sha"] for c in BRANCH} | {c["sha"] for cs in load("pull_commits").values()
                                         for c in cs}  # fmt: skip
    for sha in shas:
        out[f"{BASE}/commits/{sha}"] = Reply(body={**listed(sha), "files": []})
    for sha, pages, _ in CASES:
        for number, files in enumerate(pages, start=1):
            headers = {}
            if number < len(pages):
                headers["Link"] = f'<{{base}}{BASE}/commits/{sha}?page={number + 1}>; rel="next"'
            key = f"{BASE}/commits/{sha}" + (f"?page={number}" if number > 1 else "")
            out[key] = Reply(body={**listed(sha), "files": files}, headers=headers)
    out[f"{BASE}/commits/{BROKEN}"] = Reply(body={**listed(BROKEN), "files": [{"filename": 42}]})
    return out


def stored_commits(engine: Engine) -> dict[str, Any]:
    return {c["sha"]: c for c in map(json.loads, records(engine)["commit"])}


@pytest.fixture
def server() -> Any:
    with ReplayServer({**routes(), **detail_routes()}) as replay:
        yield replay


def test_synced_commits_carry_their_paths(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    result = sync(run_cli, server, "--commit-paths")
    assert result.code == 0, result.err
    commits = stored_commits(engine)
    for sha, _, paths in CASES:
        assert commits[sha]["paths"] == paths, sha
    with_paths = {sha for sha, c in commits.items() if "paths" in c}
    assert with_paths == {sha for sha, _, _ in CASES}
    # the broken answer, from the branch's listing and again from pull request 206's: a
    # warning naming the field each time; the commit is kept, without paths
    warning = (f"github: commit {BROKEN}: commit.files[0].filename: expected a string, got "
               "the number 42; stored without paths")  # fmt: skip
    assert json.loads(result.out)["warnings"] == [warning, warning]
    assert BROKEN in commits and "paths" not in commits[BROKEN]
    # Requests for details: the 44 branch commits, + 1 for the second page of BRANCH[1];
    # then the 90 commits of the pull requests (each of the 44 is in one of them) but
    # BRANCH[0] and BRANCH[1], stored with paths by then: 88; + the 5 tags' own: 138.
    details = [p for p in server.paths() if p.startswith(f"{BASE}/commits/")]
    assert len(details) == 44 + 1 + 88 + 5
    assert [details.count(f"{BASE}/commits/{sha}") for sha, _, _ in CASES] == [1, 2, 1]
    assert details.count(f"{BASE}/commits/{BROKEN}") == 2


def test_without_the_option_no_commit_is_fetched(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    result = sync(run_cli, server)
    assert result.code == 0, result.err
    tags = {f"{BASE}/commits/{t['commit']['sha']}" for t in load("tags")}
    assert {p for p in server.paths() if p.startswith(f"{BASE}/commits/")} == tags
    assert not any("paths" in c for c in stored_commits(engine).values())


def test_a_commit_stored_with_paths_is_not_fetched_again(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    assert sync(run_cli, server, "--commit-paths").code == 0
    # pull request 103 changes: its commits are listed again; the one with paths costs
    # no request and keeps them
    pulls = load("pulls")
    changed = dict(next(p for p in pulls if p["number"] == 103), updated_at="2030-01-02T03:04:05Z")
    server.add(f"{BASE}/pulls", Reply(body=[changed, *pulls[:20]]))
    server.reset_log()
    result = sync(run_cli, server, "--commit-paths")
    assert result.code == 0, result.err
    assert f"{BASE}/pulls/103/commits" in server.paths()
    assert f"{BASE}/commits/{PR_ONLY}" not in server.paths()
    assert stored_commits(engine)[PR_ONLY]["paths"] == ["options.go"]


def test_a_killed_sync_resumes_without_fetching_again(
    db_url: str, tmp_path: Path, token: str, server: ReplayServer
) -> None:
    """Killed (SIGKILL) while asking for a commit of the second page of ``/commits``: the
    first page's commits were committed with their cursor, so the resumed run starts at the
    second page and asks for none of them again; it ends with what an uninterrupted sync
    stores."""
    args = ("sync", "github", "--repo", REPO, "--base-url", server.base_url, "--commit-paths")
    env = {"GITHUB_TOKEN": token}
    held = f"{BASE}/commits/{BRANCH[30]['sha']}"  # page 2 (25 a page)
    server.hold(lambda r: r.path == held)
    process = subprocess.Popen(
        leadline_argv(db_url, *args),
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.holding.wait(60), "never reached the held commit"
    process.kill()
    process.wait(30)
    server.release()
    assert run(db_url, *args, env=env).returncode == 0
    log = server.paths()
    assert [log.count(f"{BASE}/commits/{sha}") for sha, _, _ in CASES] == [1, 2, 1]
    assert (
        log.count(held) == 3
    )  # the killed ask; the resumed run's, as a branch commit and as a PR's
    with fresh_db_url(tmp_path, "reference") as url:
        assert run(url, *args, env=env).returncode == 0
        with opened(db_url) as resumed, opened(url) as clean:
            assert harness_records(resumed) == harness_records(clean)


def test_a_commit_github_no_longer_has_is_kept_without_paths(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    gone = BRANCH[5]["sha"]  # a force-pushed-away commit: GitHub answers 422
    server.add(
        f"{BASE}/commits/{gone}", Reply(422, {"message": f"No commit found for SHA: {gone}"})
    )
    result = sync(run_cli, server, "--commit-paths")
    assert result.code == 0, result.err
    warning = f"github: commit {gone}: GET commits/{gone} answered 422; stored without paths"
    assert json.loads(result.out)["warnings"].count(warning) == 2  # branch and its PR
    commits = stored_commits(engine)
    assert gone in commits and "paths" not in commits[gone]
    assert commits[CASES[0][0]]["paths"] == CASES[0][2]  # the others go on
