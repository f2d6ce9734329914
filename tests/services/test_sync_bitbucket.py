"""``leadline sync bitbucket`` end to end, through the CLI, against a real local HTTP server
replaying Bitbucket Cloud's and Data Center's recorded answers
(``tests/services/bitbucket_replay.py``): the records imported and checked field by field
against the rows, a sync killed midway (SIGKILL) and resumed to the same database content as
an uninterrupted one, and a re-run that fetches only what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer
from tests.services.bitbucket_replay import (
    CLOUD_BASE,
    CLOUD_REPO,
    DC_BASE,
    DC_REPO,
    FakeCloud,
    FakeDataCenter,
)
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run

TOKEN = "bb-Sup3rSecretT0ken"
CLOUD_ARGS = ("sync", "bitbucket", "--repo", CLOUD_REPO, "--per-page", "5", "--no-progress")
DC_ARGS = ("sync", "bitbucket", "--repo", DC_REPO, "--data-center", "--per-page", "2",
           "--no-progress")  # fmt: skip
FINISHED_DEPLOYMENTS = {"COMPLETED", "SUCCESSFUL", "FAILED", "STOPPED", "CANCELLED", "ROLLED_BACK"}
RUNNING_PIPELINES = {"PENDING", "IN_PROGRESS", "RUNNING", "PAUSED", "HALTED"}


@contextmanager
def serving(fake: FakeCloud | FakeDataCenter) -> Iterator[ReplayServer]:
    server = ReplayServer()
    fake.install(server)
    with server:
        yield server


def sync(run_cli: Any, server: ReplayServer, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--base-url", server.base_url, "--format", "json")
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def cloud_expected(fake: FakeCloud) -> dict[str, int]:
    """What a complete sync holds, worked out from the rows by the documented rules."""
    commits = {c["hash"] for found in fake.pr_commits.values() for c in found}
    pipelines = [p for p in fake.pipelines if p["state"]["name"] == "COMPLETED"]
    deployments = [d for d in fake.deployments if d["state"]["name"] in FINISHED_DEPLOYMENTS]
    return {"commit": len(commits), "pipeline_run": len(pipelines) + len(deployments),
            "pull_request": len(fake.pull_requests)}  # fmt: skip


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def one(engine: Engine, kind: str, **match: Any) -> dict[str, Any]:
    (found,) = [r for r in records(engine)[kind] if all(r[k] == v for k, v in match.items())]
    return found


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITBUCKET_TOKEN", TOKEN)
    monkeypatch.delenv("BITBUCKET_USERNAME", raising=False)


def test_cloud_sync_imports_pull_requests_pipelines_and_deployments(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeCloud()
    fake.rate_limit_once("pullrequests", page=2)
    with serving(fake) as server:
        result = run_cli(*CLOUD_ARGS, "--base-url", server.base_url, "--format", "json")
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report = json.loads(result.out)
    # The rate limit: answered 429 once, waited out (Retry-After: 1), asked again.
    assert "leadline: rate limited (HTTP 429, Retry-After), waiting 1 s" in result.err
    pages = [r.query.get("page") for r in server.requests if r.path == f"{CLOUD_BASE}/pullrequests"]
    assert pages[:3] == [None, "2", "2"]
    expected = cloud_expected(fake)
    assert expected == {"commit": 8, "pipeline_run": 28, "pull_request": 57}
    assert counts(engine) == expected
    assert {k: v["new"] for k, v in report["counts"].items()} == expected
    # The hand-edited rows DevLake added: six pipeline states Bitbucket has not, one
    # deployment state UNKNOWN — each skipped with a warning naming it.
    unknown = [w for w in report["warnings"] if "state.name: expected" in w]
    assert len(unknown) == len(report["warnings"]) == 7
    assert {r.headers.get("authorization") for r in server.requests} == {f"Bearer {TOKEN}"}
    assert report["requests"] == len(server.requests)

    # A merged pull request, field by field against its row (merged at updated_on).
    row = next(p for p in fake.pull_requests if p["id"] == 3)
    pr = one(engine, "pull_request", number=3)
    assert (pr["repo"], pr["title"], pr["author"]) == (CLOUD_REPO, row["title"],
                                                       row["author"]["nickname"])  # fmt: skip
    assert at(pr["merged_at"]) == at(row["updated_on"]) and row["state"] == "MERGED"
    assert pr["merge_commit_sha"] == row["merge_commit"]["hash"]
    listed = [c["hash"] for c in fake.pr_commits["3"]]
    assert pr["commit_shas"][: len(listed)] == listed
    commit_row = fake.pr_commits["3"][0]
    commit = one(engine, "commit", sha=commit_row["hash"])
    assert (commit["repo"], at(commit["committed_at"]), commit["message"]) == (
        CLOUD_REPO, at(commit_row["date"]), commit_row["message"]
    )  # fmt: skip
    # The 12-character merge hash abbreviates a full SHA when Bitbucket knows it.
    assert len(pr["merge_commit_sha"]) == 12

    # A pipeline and a deployment, field by field.
    done = next(p for p in fake.pipelines if p["state"]["name"] == "COMPLETED")
    run_row = one(engine, "pipeline_run", system="bitbucket-pipelines", run_id=done["uuid"])
    assert (run_row["type"], run_row["status"], run_row["commit_sha"], run_row["branch"]) == (
        "ci", "failure", done["target"]["commit"]["hash"], done["target"]["ref_name"]
    )  # fmt: skip
    assert at(run_row["finished_at"]) == at(done["completed_on"])
    dep = next(d for d in fake.deployments if d["state"]["name"] == "COMPLETED")
    cd = one(engine, "pipeline_run", system="bitbucket-deployments", run_id=dep["uuid"])
    assert (cd["type"], cd["status"], cd["environment"], cd["commit_sha"]) == (
        "cd", "success", dep["environment"]["name"], dep["release"]["commit"]["hash"]
    )  # fmt: skip
    assert at(cd["finished_at"]) == at(dep["state"]["completed_on"])
    rolled = next(d for d in fake.deployments if d["state"]["name"] == "ROLLED_BACK")
    assert one(engine, "pipeline_run", run_id=rolled["uuid"])["status"] == "rolled_back"


def test_cloud_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeCloud()
    with serving(fake) as server:
        sync(run_cli, server, *CLOUD_ARGS)
        server.reset_log()
        again = sync(run_cli, server, *CLOUD_ARGS)
        quiet = [r.path for r in server.requests]
        # Nothing changed: no pull request detail, nothing written; the running pipelines
        # are asked about again (one request each).
        running = [p for p in fake.pipelines if p["state"]["name"] in RUNNING_PIPELINES]
        assert len(running) == 8
        assert all(v["new"] == v["updated"] == 0 for v in again["counts"].values())
        assert not [w for w in again["warnings"] if "gone" in w]
        assert not [p for p in quiet if p.startswith(f"{CLOUD_BASE}/pullrequests/")]
        rechecked = [p for p in quiet if p.startswith(f"{CLOUD_BASE}/pipelines/%7B")]
        assert sorted(rechecked) == sorted(
            f"{CLOUD_BASE}/pipelines/{quote(p['uuid'], safe='')}" for p in running
        )

        # One pull request merged, the running pipelines finished.
        changed = next(p for p in fake.pull_requests if p["state"] == "OPEN")
        changed.update(state="MERGED", updated_on="2024-01-02T03:04:05.000006+00:00",
                       merge_commit={"hash": "0123456789ab"})  # fmt: skip
        for p in running:
            p["state"] = {"name": "COMPLETED", "result": {"name": "SUCCESSFUL"}}
            p["completed_on"] = "2024-01-02T00:00:00Z"
        server.reset_log()
        after = sync(run_cli, server, *CLOUD_ARGS)
    details = {r.path for r in server.requests if r.path.startswith(f"{CLOUD_BASE}/pullrequests/")}
    n = changed["id"]
    assert details == {f"{CLOUD_BASE}/pullrequests/{n}", f"{CLOUD_BASE}/pullrequests/{n}/commits"}
    assert after["counts"]["pull_request"] == {"new": 0, "updated": 1, "unchanged": 0}
    assert after["counts"]["pipeline_run"]["new"] == len(running), after
    merged = one(engine, "pull_request", number=n)
    assert (merged["merge_commit_sha"], at(merged["merged_at"])) == (
        "0123456789ab",
        at(changed["updated_on"]),
    )
    with serving(fake) as server:  # the pending list is empty now: no more rechecks
        sync(run_cli, server, *CLOUD_ARGS)
        assert not [r for r in server.requests if r.path.startswith(f"{CLOUD_BASE}/pipelines/%7B")]


LISTINGS = ("/pullrequests", "/pull-requests")


@pytest.mark.slow
@pytest.mark.parametrize("flavour", ["cloud", "dc"])
def test_a_killed_sync_resumes_without_duplicates_or_gaps(
    engine: Engine, db_url: str, tmp_path: Path, flavour: str
) -> None:
    make = FakeCloud if flavour == "cloud" else FakeDataCenter
    args = CLOUD_ARGS if flavour == "cloud" else DC_ARGS
    env = {"BITBUCKET_TOKEN": TOKEN}
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(make()) as server:
        clean = run(clean_url, *args, "--base-url", server.base_url, env=env)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            expected = records(clean_engine)
        # Killed while the second listing page's items are being fetched: the first page
        # is committed, the second is not.
        second_page = [i for i, r in enumerate(server.requests) if r.path.endswith(LISTINGS)][1]
    with serving(make()) as server:
        kill_after(server, second_page + 2, db_url, *args, "--base-url", server.base_url, env=env)
    stopped = counts(engine)
    assert 0 < stopped["pull_request"] < len(expected["pull_request"])
    with serving(make()) as server:  # resumed (a new server: another port, same cursors)
        done = run(db_url, *args, "--base-url", server.base_url, env=env)
        assert done.returncode == 0, done.stderr
        listings = [r for r in server.requests if r.path.endswith(LISTINGS)]
    assert_same_records(records(engine), expected)
    # It went on from the stored next page, not from the first.
    first = listings[0].query
    assert first.get("page", first.get("start")) == "2", first


def assert_same_records(got: dict[str, list[Any]], expected: dict[str, list[Any]]) -> None:
    for kind in expected:
        mine = {json.dumps(r, sort_keys=True) for r in got[kind]}
        theirs = {json.dumps(r, sort_keys=True) for r in expected[kind]}
        assert (kind, sorted(mine - theirs)) == (kind, sorted(theirs - mine))
        assert len(got[kind]) == len(expected[kind])


def test_data_center_sync_field_by_field_and_rerun(run_cli: Any, engine: Engine) -> None:
    fake = FakeDataCenter()
    with serving(fake) as server:
        report = sync(run_cli, server, *DC_ARGS)
        shas = {c["id"] for found in fake.pr_commits.values() for c in found}
        assert counts(engine) == {"commit": len(shas), "pull_request": len(fake.pull_requests)}
        assert (len(shas), report["warnings"]) == (12, [])
        row = next(p for p in fake.pull_requests if p["id"] == 3)
        pr = one(engine, "pull_request", number=3)
        repo = row["toRef"]["repository"]
        assert pr["repo"] == f"{repo['project']['key']}/{repo['slug']}" == DC_REPO
        assert at(pr["created_at"]) == ms(row["createdDate"])  # epoch milliseconds
        assert at(pr["merged_at"]) == at(pr["closed_at"]) == ms(row["closedDate"])
        assert pr["commit_shas"] == [c["id"] for c in fake.pr_commits["3"]]
        verdicts = {"APPROVED": "approved", "REVIEWED": "changes_requested"}
        expected = sorted(
            (ms(a["createdDate"]), a["user"]["name"], verdicts[a["action"]])
            for a in fake.activities["3"] if a["action"] in verdicts
        )  # fmt: skip
        assert [(at(r["at"]), r["author"], r["state"]) for r in pr["reviews"]] == expected
        commit_row = fake.pr_commits["3"][0]
        commit = one(engine, "commit", sha=commit_row["id"])
        assert at(commit["committed_at"]) == ms(commit_row["committerTimestamp"])
        assert commit["parents"] == [p["id"] for p in commit_row["parents"]]

        server.reset_log()
        again = sync(run_cli, server, *DC_ARGS)
        assert all(v["new"] == v["updated"] == 0 for v in again["counts"].values())
        assert [r.path for r in server.requests] == [DC_BASE, f"{DC_BASE}/pull-requests"]

        newest = max(fake.pull_requests, key=lambda p: p["updatedDate"])
        newest.update(updatedDate=newest["updatedDate"] + 60_000, title="Develop, reviewed")
        server.reset_log()
        after = sync(run_cli, server, *DC_ARGS)
    assert after["counts"]["pull_request"] == {"new": 0, "updated": 1, "unchanged": 0}
    fetched = {r.path for r in server.requests if "/pull-requests/" in r.path}
    n = newest["id"]
    assert fetched == {f"{DC_BASE}/pull-requests/{n}/commits",
                       f"{DC_BASE}/pull-requests/{n}/activities"}  # fmt: skip
    assert one(engine, "pull_request", number=n)["title"] == "Develop, reviewed"
