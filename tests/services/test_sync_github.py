"""``leadline sync github`` end to end: the CLI against a real local HTTP server replaying
GitHub's answers (``github_replay``), on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer, Reply
from tests.services.github_replay import (
    BASE,
    REPO,
    expected_counts,
    load,
    records,
    routes,
    server,
    sync,
    token,
    with_rate_limit_episode,
)

__all__ = ["server", "token"]  # fixtures


def counts(engine: Engine) -> dict[str, int]:
    return {kind: len(rows) for kind, rows in records(engine).items() if rows}


def new_and_updated(report: dict[str, Any]) -> tuple[int, int]:
    return (
        sum(c["new"] for c in report["counts"].values()),
        sum(c["updated"] for c in report["counts"].values()),
    )


# --- a complete sync -----------------------------------------------------------------------


def test_sync_imports_everything_and_waits_out_rate_limits(
    run_cli: Any, engine: Engine, token: str
) -> None:
    with ReplayServer(with_rate_limit_episode(routes())) as server:
        result = sync(run_cli, server, "--no-progress")
        log = [r.target for r in server.requests]
    assert result.code == 0, result.err
    assert counts(engine) == expected_counts()
    report = json.loads(result.out)
    assert {k: c["new"] for k, c in report["counts"].items()} == expected_counts()
    assert report["warnings"] == []
    # every "slow down" was waited out and the request repeated, the 502 retried
    for page in (
        "/pulls?page=2&per_page=20",
        "/deployments?page=2&per_page=6",
        "/commits?page=2&per_page=25",
    ):
        assert log.count(BASE + page) == 2, page
    assert sum(1 for t in log if t.startswith(f"{BASE}/actions/runs?")) == 4  # 429 + 3 pages
    assert "rate limit exhausted (HTTP 403), waiting" in result.err
    assert "rate limited (HTTP 429, Retry-After), waiting 1 s" in result.err
    assert "secondary rate limit (HTTP 403), waiting 1 s" in result.err
    assert "server error 502, retry 1/6, waiting 1 s" in result.err
    assert all(r.headers.get("authorization") == f"Bearer {token}" for r in server.requests)
    assert token not in result.out + result.err


def test_synced_records_match_the_fixtures(run_cli: Any, engine: Engine, server: Any) -> None:
    assert sync(run_cli, server).code == 0
    stored = {kind: [json.loads(r) for r in rows] for kind, rows in records(engine).items()}
    prs = {p["number"]: p for p in stored["pull_request"]}
    pr41 = prs[41]  # 13 reviews recorded (one duplicated in the capture), 12 distinct
    assert len(pr41["reviews"]) == 12 and {r["state"] for r in pr41["reviews"]} == {"commented"}
    assert {r["state"] for r in prs[53]["reviews"]} == {"commented", "changes_requested"}
    assert sorted(prs[23]["commit_shas"]) == sorted(c["sha"] for c in load("pull_commits")["23"])
    commits = {c["sha"]: c for c in stored["commit"]}
    assert all(c["parents"] for c in commits.values())
    branch = {c["sha"] for c in load("commits")}
    assert {s for s, c in commits.items() if c.get("branch") == "master"} == branch
    versions = {v["name"]: v for v in stored["version"]}
    releases = {r["tag_name"]: r["published_at"] for r in load("releases")}
    for name, version in versions.items():
        if name in releases:  # a release wins over its tag
            assert version["released_at"] == releases[name] and "source" not in version
        else:
            assert version["source"] == "tag"
    runs = [r for r in stored["pipeline_run"] if r["system"] == "github-actions"]
    assert {r["run_id"] for r in runs} == {
        str(r["id"]) if r["run_attempt"] == 1 else f"{r['id']}.{r['run_attempt']}"
        for r in load("runs")
        if r["status"] == "completed"
    }
    deployments = [r for r in stored["pipeline_run"] if r["system"] == "github-deployments"]
    assert {(d["environment"], d["status"]) for d in deployments} == {
        ("production", "success"),
        ("production", "failure"),
        ("staging", "success"),
    }


# --- incremental ---------------------------------------------------------------------------


def test_rerun_fetches_only_first_pages_and_writes_nothing(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    assert sync(run_cli, server).code == 0
    before = records(engine)
    server.reset_log()
    result = sync(run_cli, server)
    assert result.code == 0, result.err
    assert new_and_updated(json.loads(result.out)) == (0, 0)
    assert records(engine) == before
    in_progress = sorted(str(r["id"]) for r in load("runs") if r["status"] != "completed")
    assert server.paths() == [
        BASE,
        f"{BASE}/commits",
        f"{BASE}/pulls",
        *(f"{BASE}/actions/runs/{i}" for i in in_progress),  # still pending: asked again
        f"{BASE}/actions/runs",
        f"{BASE}/deployments",
        f"{BASE}/releases",
        f"{BASE}/tags",
    ]
    tags = server.requests[-1]
    assert tags.headers["if-none-match"] == '"tags-1"'  # a conditional GET (answered 304)


def test_rerun_fetches_a_changed_pull_request(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    assert sync(run_cli, server).code == 0
    pulls = load("pulls")
    changed = dict(pulls[30], updated_at="2023-01-02T03:04:05Z", title="Retitled later")
    review = dict(
        load("pull_reviews")["53"][0], id=1, state="APPROVED", submitted_at="2023-01-02T03:00:00Z"
    )
    server.add(f"{BASE}/pulls", Reply(body=[changed, *pulls[:20]]))
    server.add(f"{BASE}/pulls/{changed['number']}/reviews", Reply(body=[review]))
    server.reset_log()
    result = sync(run_cli, server)
    report = json.loads(result.out)
    assert report["counts"]["pull_request"] == {"new": 0, "updated": 1, "unchanged": 0}
    assert new_and_updated(report) == (0, 1)
    assert f"{BASE}/pulls/{changed['number']}/commits" in server.paths()
    assert sum("/pulls/" in p for p in server.paths()) == 2  # only the changed one's
    pr = next(
        json.loads(r)
        for r in records(engine)["pull_request"]
        if f'"number":{changed["number"]},' in r
    )
    assert pr["title"] == "Retitled later"
    assert pr["reviews"][-1]["state"] == "approved"


def test_pending_run_is_recorded_once_it_completes(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    assert sync(run_cli, server).code == 0
    running = next(r for r in load("runs") if r["status"] != "completed")
    done = dict(
        running, status="completed", conclusion="success", updated_at="2022-07-01T00:00:00Z"
    )
    server.add(f"{BASE}/actions/runs/{running['id']}", Reply(body=done))
    result = sync(run_cli, server)
    assert json.loads(result.out)["counts"]["pipeline_run"]["new"] == 1
    stored = [json.loads(r) for r in records(engine)["pipeline_run"]]
    run = next(r for r in stored if r["run_id"].split(".")[0] == str(running["id"]))
    assert (run["status"], run["finished_at"]) == ("success", "2022-07-01T00:00:00Z")


def test_since_limits_the_first_sync(run_cli: Any, engine: Engine, server: ReplayServer) -> None:
    assert sync(run_cli, server, "--since", "2022-01-01").code == 0
    stored = {kind: [json.loads(r) for r in rows] for kind, rows in records(engine).items()}
    assert {p["number"] for p in stored["pull_request"]} == {
        p["number"] for p in load("pulls") if p["updated_at"] >= "2022-01-01"
    }
    deployments = {d["id"] for d in load("deployments") if d["created_at"] >= "2022-01-01"}
    runs = {str(r["id"]) for r in load("runs") if r["status"] == "completed"}
    assert {r["run_id"].split(".")[0] for r in stored["pipeline_run"]} == {
        str(d) for d in deployments
    } | runs  # every run in the fixtures is from 2022
    commit_since = next(r for r in server.requests if r.path == f"{BASE}/commits")
    assert commit_since.query["since"] == "2022-01-01T00:00:00Z"


def test_issues_are_pulled_with_the_option(run_cli: Any, engine: Engine, server: Any) -> None:
    assert sync(run_cli, server, "--issues").code == 0
    issues = [json.loads(r) for r in records(engine)["issue"]]
    assert sorted(i["key"] for i in issues) == sorted(
        f"{REPO}#{i['number']}" for i in load("issues") if "pull_request" not in i
    )
    assert all(i["status_changes"][-1]["to"] == "closed" for i in issues)


# --- bad input -----------------------------------------------------------------------------


def test_unknown_repository_is_one_clear_line(run_cli: Any, server: ReplayServer) -> None:
    result = run_cli("sync", "github", "--repo", "nobody/nothing", "--base-url", server.base_url)
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        f"leadline: error: repository nobody/nothing not found at {server.base_url} "
        "(or GITHUB_TOKEN cannot read it)"
    )
    assert "Traceback" not in result.err


def test_repo_must_be_owner_slash_name(run_cli: Any, server: ReplayServer) -> None:
    result = run_cli("sync", "github", "--repo", "just-a-name", "--base-url", server.base_url)
    assert result.code == 2
    assert "--repo: expected OWNER/NAME, got 'just-a-name'" in result.err
    assert server.requests == []


def test_bad_credentials_never_show_the_token(
    run_cli: Any, server: ReplayServer, token: str
) -> None:
    server.add(BASE, Reply(401, {"message": f"Bad credentials for Bearer {token}"}))
    result = run_cli("sync", "github", "--repo", REPO, "--base-url", server.base_url)
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]
    assert last.startswith(f"leadline: error: GET {server.base_url}{BASE} → 401 Unauthorized")
    assert last.endswith("(check GITHUB_TOKEN)")
    assert token not in result.out + result.err


def test_without_a_token_it_warns_and_goes_on(
    run_cli: Any, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = sync(run_cli, server)
    assert result.code == 0
    assert "leadline: warning: GITHUB_TOKEN is not set" in result.err
    assert all("authorization" not in r.headers for r in server.requests)


def test_an_unreadable_item_is_skipped_with_a_warning(
    run_cli: Any, engine: Engine, server: ReplayServer
) -> None:
    broken = {k: v for k, v in load("releases")[0].items() if k != "tag_name"}
    server.add(f"{BASE}/releases", Reply(body=[broken]))
    result = sync(run_cli, server)
    assert result.code == 0
    report = json.loads(result.out)
    assert report["warnings"] == [
        f"github: releases {broken['id']}: release.tag_name: required field is missing; skipped"
    ]
    assert "release.tag_name: required field is missing; skipped" in result.err
