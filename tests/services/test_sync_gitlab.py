"""``leadline sync gitlab`` end to end, through the CLI, against a real local HTTP server that
replays GitLab's recorded answers (``tests/services/gitlab_replay.py``): the records
imported, a rate-limit episode waited out, a sync killed midway (SIGKILL) and resumed to the
same database content as an uninterrupted one, a re-run that fetches only what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer, Reply
from tests.services.gitlab_replay import PROJECT, REPO, FakeGitLab
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run

TOKEN = "glpat-Sup3rSecretT0ken"
ARGS = ("sync", "gitlab", "--project", "12345678", "--per-page", "5", "--no-progress")
FINAL_PIPELINES = {"success", "failed", "canceled", "skipped"}
FINAL_DEPLOYMENTS = {"success", "failed", "canceled"}


@contextmanager
def serving(fake: FakeGitLab) -> Iterator[ReplayServer]:
    server = ReplayServer()
    fake.install(server)
    with server:
        yield server


def sync(run_cli: Any, server: ReplayServer, *extra: str) -> tuple[dict[str, Any], str]:
    result = run_cli(*ARGS, "--base-url", server.base_url, "--format", "json", *extra)
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report, result.err


def expected_counts(fake: FakeGitLab) -> dict[str, int]:
    """What a complete sync of the replayed project holds, worked out from the answers."""
    shas = {c["id"] for c in fake.commits}
    shas |= {c["id"] for mr in fake.merge_requests for c in fake.mr_commits.get(str(mr["iid"]), [])}
    pipelines = [
        p for p in fake.pipelines
        if p["status"] in FINAL_PIPELINES and fake.pipeline_details[str(p["id"])]["finished_at"]
    ]  # fmt: skip
    deployments = [d for d in fake.deployments if d["status"] in FINAL_DEPLOYMENTS]
    return {
        "commit": len(shas),
        "pipeline_run": len(pipelines) + len(deployments),
        "pull_request": len(fake.merge_requests),
        "version": len(fake.releases),
    }


def by_key(engine: Engine, kind: str, **match: Any) -> dict[str, Any]:
    (found,) = [r for r in records(engine)[kind] if all(r[k] == v for k, v in match.items())]
    return found


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)


def test_sync_imports_the_project_and_waits_out_a_rate_limit(run_cli: Any, engine: Engine) -> None:
    fake = FakeGitLab()
    fake.rate_limit_once("merge_requests?page=2")
    with serving(fake) as server:
        report, err = sync(run_cli, server)
    expected = expected_counts(fake)
    assert expected == {"commit": 60, "pipeline_run": 43, "pull_request": 20, "version": 3}
    assert counts(engine) == expected
    assert {k: v["new"] for k, v in report["counts"].items()} == expected
    assert report["warnings"] == []
    # The rate limit: answered 429 once, waited out (Retry-After: 1), asked again.
    assert "leadline: rate limited (HTTP 429, Retry-After), waiting 1 s" in err
    pages = [r.query.get("page") for r in server.requests if r.path == f"{PROJECT}/merge_requests"]
    assert pages == [None, "2", "2", "3", "4"]
    # Every request carries the token as PRIVATE-TOKEN; it is printed nowhere (sync()).
    assert {r.headers.get("private-token") for r in server.requests} == {TOKEN}
    assert report["requests"] == len(server.requests)

    # Merge requests: commits, comments and approvals (endpoint, or system notes).
    one = by_key(engine, "pull_request", number=1)
    assert one["commit_shas"] == [c["id"] for c in fake.mr_commits["1"]]
    assert [(r["author"], r["state"], r["at"]) for r in one["reviews"]] == [
        ("emilie", "commented", "2019-06-28T10:56:46.646000Z"),
        ("tayloramurphy", "approved", "2019-06-28T14:31:40.120000Z"),
    ]
    fourteen = by_key(engine, "pull_request", number=14)  # no approvals API: the notes decide
    assert fourteen["reviews"] == [
        {"author": "basicthinker", "state": "approved", "at": "2021-02-19T20:13:02Z"}
    ]
    linked = by_key(engine, "pull_request", number=101)
    assert (linked["title"], linked["merged_at"]) == ("EE-2: add modularity metric chart",
                                                      "2020-06-16T09:00:00Z")  # fmt: skip
    # Commits of the default branch have parents and the branch; merge request commits none.
    merge = by_key(engine, "commit", sha=linked["merge_commit_sha"])
    assert (merge["branch"], len(merge["parents"])) == ("master", 2)
    head = by_key(engine, "commit", sha=linked["commit_shas"][0])
    assert (head["branch"], head["parents"], head["message"]) == (
        None, [], "EE-2 add modularity metric chart\n"
    )  # fmt: skip
    # Pipelines (ci, from their detail) and deployments (cd, in their environment).
    ci = by_key(engine, "pipeline_run", system="gitlab-ci", run_id="1100000101")
    assert (ci["type"], ci["status"], ci["commit_sha"], ci["finished_at"]) == (
        "ci", "success", linked["merge_commit_sha"], "2020-06-16T09:20:00Z"
    )  # fmt: skip
    cd = by_key(engine, "pipeline_run", system="gitlab-deployments", run_id="14000101")
    assert (cd["type"], cd["status"], cd["environment"], cd["finished_at"]) == (
        "cd", "success", "production", "2020-06-16T10:00:00Z"
    )  # fmt: skip
    assert by_key(engine, "version", name="v2.0.0")["released_at"] == "2030-01-01T00:00:00Z"


def test_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeGitLab()
    with serving(fake) as server:
        sync(run_cli, server)
        before = records(engine)
        server.reset_log()
        report, _ = sync(run_cli, server)
        assert records(engine) == before
        assert all(c["new"] == c["updated"] == 0 for c in report["counts"].values())
        # One short page per listing: the project, then each listing's first page only.
        assert [r.path.removeprefix(PROJECT) for r in server.requests] == [
            "", "/repository/commits", "/merge_requests", "/pipelines", "/deployments",
            "/releases",
        ]  # fmt: skip
        assert server.requests[1].query["since"].endswith("Z")  # the look-back window
        assert server.requests[2].query["updated_after"] == "2022-06-30T21:41:49.705Z"

        # A merge request changes: only it is fetched again, and only it is updated.
        mr = next(m for m in fake.merge_requests if m["iid"] == 9)
        mr.update(title="Issue 3: transformed model (rebased)", updated_at="2023-12-01T10:00:00Z")
        fake.mr_notes["9"] = [{**fake.mr_notes["1"][6], "created_at": "2023-12-01T09:59:00Z"}]
        server.reset_log()
        report, _ = sync(run_cli, server)
    assert {k: (v["new"], v["updated"]) for k, v in report["counts"].items()} == {
        "commit": (0, 0), "pipeline_run": (0, 0), "pull_request": (0, 1), "version": (0, 0)
    }  # fmt: skip
    fetched = sorted({r.path.removeprefix(PROJECT) for r in server.requests})
    assert [p for p in fetched if p.startswith("/merge_requests/")] == [
        "/merge_requests/9/approvals", "/merge_requests/9/commits", "/merge_requests/9/notes"
    ]  # fmt: skip
    nine = by_key(engine, "pull_request", number=9)
    assert nine["title"] == "Issue 3: transformed model (rebased)"
    assert nine["reviews"] == [
        {"author": "emilie", "state": "commented", "at": "2023-12-01T09:59:00Z"}
    ]


@pytest.mark.slow
@pytest.mark.parametrize("answered", [4, 37, 96, 121])
def test_a_killed_sync_resumes_without_duplicates_or_gaps(
    engine: Engine, db_url: str, tmp_path: Path, answered: int
) -> None:
    fake = FakeGitLab()
    fake.rate_limit_once("merge_requests?page=2")
    env = {"GITLAB_TOKEN": TOKEN}
    with serving(fake) as server:
        kill_after(server, answered, db_url, *ARGS, "--base-url", server.base_url, env=env)
    assert counts(engine) != expected_counts(fake)  # stopped midway…
    with serving(fake) as server:  # …resumed (a new server: another port, same cursors)
        done = run(db_url, *ARGS, "--base-url", server.base_url, env=env)
        assert done.returncode == 0, done.stderr
        resumed = len(server.requests)
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(FakeGitLab()) as server:
        clean = run(clean_url, *ARGS, "--base-url", server.base_url, env=env)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            assert_same_records(records(engine), records(clean_engine))
        uninterrupted = len(server.requests)
    assert counts(engine) == expected_counts(fake)
    # It went on where it stopped: the two runs asked about as much as one uninterrupted
    # run (+ the 429, a page of work fetched again, one new short pass per listing).
    assert answered + resumed <= uninterrupted + 1 + 16 + 5


def assert_same_records(got: dict[str, list[Any]], expected: dict[str, list[Any]]) -> None:
    for kind in expected:
        mine = {json.dumps(r, sort_keys=True) for r in got[kind]}
        theirs = {json.dumps(r, sort_keys=True) for r in expected[kind]}
        assert (kind, sorted(mine - theirs)) == (kind, sorted(theirs - mine))
        assert len(got[kind]) == len(expected[kind])  # and no duplicates


def test_without_a_token_it_warns_and_sends_none(
    run_cli: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITLAB_TOKEN")
    with serving(FakeGitLab()) as server:
        _, err = sync(run_cli, server)
        assert "leadline: warning: GITLAB_TOKEN is not set" in err
        assert all("private-token" not in r.headers for r in server.requests)
    assert counts(engine)["pull_request"] == 20


def test_an_item_gone_before_its_details_is_skipped_with_a_warning(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeGitLab()
    gone = {
        **fake.pipelines[0],
        "id": 999,
        "status": "success",
        "updated_at": "2023-12-01T00:00:00Z",
    }
    fake.pipelines.append(gone)  # listed, but /pipelines/999 answers 404
    with serving(fake) as server:
        report, err = sync(run_cli, server, "--progress")  # the live display on, too
    warning = f"gitlab {REPO}: pipeline id=999: gone (404); skipped"
    assert report["warnings"] == [warning]
    assert f"leadline: warning: {warning}" in " ".join(err.split())  # rich may wrap it
    assert counts(engine) == expected_counts(FakeGitLab())


def test_unknown_project_is_one_clear_line(run_cli: Any) -> None:
    with serving(FakeGitLab()) as server:
        result = run_cli("sync", "gitlab", "--project", "nobody/nothing", "--base-url",
                         server.base_url)  # fmt: skip
        assert server.requests[0].path == "/api/v4/projects/nobody%2Fnothing"
    assert result.code == 2
    assert result.err == (
        f"leadline: error: project nobody/nothing not found at {server.base_url}/api/v4 "
        "(or GITLAB_TOKEN cannot read it)\n"
    )


def test_a_refused_token_is_named_but_never_shown(run_cli: Any) -> None:
    server = ReplayServer({PROJECT: _unauthorized()})
    with server:
        result = run_cli(*ARGS, "--base-url", server.base_url)
    assert result.code == 1
    assert "401" in result.err and "check GITLAB_TOKEN" in result.err
    assert TOKEN not in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def _unauthorized() -> Any:
    return Reply(401, {"message": f"401 Unauthorized: token {TOKEN} is revoked"})


def test_base_url_gets_the_api_root() -> None:
    from leadline.cli.sync.gitlab import api_root

    assert api_root("https://gitlab.example.com/") == "https://gitlab.example.com/api/v4"
    assert api_root("https://x.org/gitlab/api/v4") == "https://x.org/gitlab/api/v4"


def test_a_project_named_by_its_path_is_then_read_by_its_id(run_cli: Any, engine: Engine) -> None:
    fake = FakeGitLab()
    with serving(fake) as server:
        server.add("/api/v4/projects/gitlab-data%2Fsnowflake_spend", Reply(body=fake.project))
        result = run_cli("sync", "gitlab", "--project", REPO, "--base-url", server.base_url)
        assert result.code == 0, result.err
        assert {r.path.split("/")[4] for r in server.requests[1:]} == {"12345678"}
    assert counts(engine) == expected_counts(fake)
