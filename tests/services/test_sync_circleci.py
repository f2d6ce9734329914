"""``leadline sync circleci`` end to end, through the CLI, against a real local HTTP server
that replays CircleCI's recorded answers (``tests/services/circleci_replay.py``): a full run
with a rate-limit episode, a run killed midway and resumed, a re-run that fetches only what
changed, a workflow still running kept pending and settled later."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer
from tests.services.circleci_replay import ROOT, FakeCircleCI, token_of
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run
from tests.services.test_sync_gitlab import assert_same_records

TOKEN = "CCIPAT_s3cr3t-token"
SLUG = "gh/coldgust/coldgust.github.io"
ARGS = ("sync", "circleci", "--project", SLUG, "--no-progress")
EXPECTED = {"pipeline_run": 9}  # 10 pipelines; the errored one has no workflow


@contextmanager
def serving(fake: FakeCircleCI) -> Iterator[ReplayServer]:
    server = ReplayServer()
    fake.install(server)
    with server:
        yield server


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCLECI_TOKEN", TOKEN)


def sync(run_cli: Any, server: ReplayServer) -> tuple[dict[str, Any], str]:
    result = run_cli(*ARGS, "--base-url", server.base_url + ROOT, "--format", "json")
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report, result.err


def test_full_sync_maps_every_finished_workflow_and_waits_out_a_rate_limit(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeCircleCI()
    fake.rate_limit_once(token_of(3))
    with serving(fake) as server:
        report, err = sync(run_cli, server)
    assert counts(engine) == EXPECTED
    assert report["counts"]["pipeline_run"] == {"new": 9, "updated": 0, "unchanged": 0}
    assert "leadline: rate limited (HTTP 429, Retry-After), waiting 1 s" in err
    assert {r.headers["circle-token"] for r in server.requests} == {TOKEN}
    listing = [r.query.get("page-token") for r in server.requests if r.path.endswith("/pipeline")]
    assert listing == [None, token_of(3), token_of(3), token_of(6), token_of(9)]
    # Pipeline 8's workflow stopped before it was created (as recorded): stored, reported.
    (late,) = report["quality_warnings"]
    assert "finished_at 2023-03-25T18:05:28Z is before started_at 2023-03-25T18:06:13Z" in late
    # Field by field, against the recorded answers.
    stored = {r["run_id"]: r for r in records(engine)["pipeline_run"]}
    for pipeline in fake.pipelines:
        for workflow in fake.workflows.get(pipeline["id"], []):
            run_ = stored[workflow["id"]]
            assert run_["system"] == "circleci" and run_["pipeline"] == workflow["name"]
            assert run_["status"] == {"success": "success", "failed": "failure"}[workflow["status"]]
            assert run_["started_at"] == workflow["created_at"]
            assert run_["finished_at"] == workflow["stopped_at"]
            assert run_["commit_sha"] == pipeline["vcs"]["revision"]
            assert run_["branch"] == pipeline["vcs"]["branch"]
            assert run_["repo"] == "coldgust/coldgust.github.io"
            assert run_["params"] == {"pipeline_id": pipeline["id"],
                                      "pipeline_number": str(pipeline["number"])}  # fmt: skip


def test_rerun_fetches_only_what_changed_and_settles_a_running_workflow(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeCircleCI()
    with serving(fake) as server:
        sync(run_cli, server)
        before = records(engine)
        server.reset_log()
        report, _ = sync(run_cli, server)
        assert records(engine) == before and report["counts"] == {}
        top = fake.newest_first()[0]["id"]
        assert [r.path for r in server.requests] == [
            f"{ROOT}/project/{SLUG}", f"{ROOT}/project/{SLUG}/pipeline",
            f"{ROOT}/pipeline/{top}/workflow",  # the last pass's newest, read again
        ]  # fmt: skip
        # A new push: a pipeline on top whose workflow is still running.
        pipeline = {**fake.pipelines[1], "id": "new-pipeline", "number": 11,
                    "created_at": "2023-03-26T09:00:00.000Z"}  # fmt: skip
        pipeline["vcs"] = {**pipeline["vcs"], "revision": "a" * 40}
        workflow = {**fake.workflows[fake.pipelines[1]["id"]][0], "id": "new-workflow",
                    "pipeline_id": "new-pipeline", "pipeline_number": 11, "status": "running",
                    "created_at": "2023-03-26T09:00:01Z", "stopped_at": None}  # fmt: skip
        fake.add_pipeline(pipeline, [workflow])
        server.reset_log()
        report, _ = sync(run_cli, server)
        assert report["counts"] == {} and counts(engine) == EXPECTED  # nothing final yet
        assert [r.path for r in server.requests][1:] == [
            f"{ROOT}/project/{SLUG}/pipeline", f"{ROOT}/pipeline/new-pipeline/workflow",
            f"{ROOT}/pipeline/{top}/workflow",
        ]  # fmt: skip
        workflow.update(status="success", stopped_at="2023-03-26T09:04:00Z")
        server.reset_log()
        report, _ = sync(run_cli, server)
        assert report["counts"]["pipeline_run"]["new"] == 1
        assert [r.path for r in server.requests][1:3] == [
            f"{ROOT}/pipeline/new-pipeline",
            f"{ROOT}/pipeline/new-pipeline/workflow",
        ]  # fmt: skip (the pending pipeline asked for again first)
    (new,) = [r for r in records(engine)["pipeline_run"] if r["run_id"] == "new-workflow"]
    assert (new["status"], new["commit_sha"]) == ("success", "a" * 40)
    assert new["finished_at"] == workflow["stopped_at"]


# Killed while asking for the workflows of the first page (nothing committed: it starts
# again at the top), or of the second page (page one committed: it goes on at page two).
@pytest.mark.parametrize(("answered", "goes_on_at"), [(3, None), (7, token_of(3))])
def test_a_killed_sync_resumes_without_duplicates_or_gaps(
    engine: Engine, db_url: str, tmp_path: Path, answered: int, goes_on_at: str | None
) -> None:
    env = {"CIRCLECI_TOKEN": TOKEN}
    with serving(FakeCircleCI()) as server:
        kill_after(server, answered, db_url, *ARGS, "--base-url", server.base_url + ROOT,
                   env=env)  # fmt: skip
    assert counts(engine) != EXPECTED  # stopped midway…
    with serving(FakeCircleCI()) as server:  # …resumed on a new server (same cursors)
        done = run(db_url, *ARGS, "--base-url", server.base_url + ROOT, env=env)
        assert done.returncode == 0, done.stderr
        resumed = [(r.path, r.query.get("page-token")) for r in server.requests]
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(FakeCircleCI()) as server:
        clean = run(clean_url, *ARGS, "--base-url", server.base_url + ROOT, env=env)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            assert_same_records(records(engine), records(clean_engine))
        uninterrupted = len(server.requests)
    assert counts(engine) == EXPECTED
    # Went on at the stored page token, and both runs together ask little more than one
    # clean run.
    assert resumed[1] == (f"{ROOT}/project/{SLUG}/pipeline", goes_on_at)
    assert answered + len(resumed) <= uninterrupted + 1 + 3 + 2


def test_unknown_project_and_missing_token(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(FakeCircleCI()) as server:
        result = run_cli("sync", "circleci", "--project", "gh/acme/nope", "--no-progress",
                         "--base-url", server.base_url + ROOT)  # fmt: skip
    assert result.code != 0
    assert "project gh/acme/nope not found" in result.err and TOKEN not in result.err
    bad = run_cli("sync", "circleci", "--project", "acme", "--base-url", "http://127.0.0.1:9")
    assert "--project: expected VCS/ORG/NAME" in bad.err
    monkeypatch.delenv("CIRCLECI_TOKEN")
    missing = run_cli(*ARGS, "--base-url", "http://127.0.0.1:9")
    assert missing.code != 0 and "set CIRCLECI_TOKEN" in missing.err


def test_an_unreadable_workflow_is_skipped_with_a_warning(run_cli: Any, engine: Engine) -> None:
    fake = FakeCircleCI()
    pipeline = fake.newest_first()[1]
    (workflow,) = fake.workflows[pipeline["id"]]
    workflow["status"] = 5
    with serving(fake) as server:
        report, err = sync(run_cli, server)
        message = (f"circleci: pipeline {pipeline['id']} workflow {workflow['id']}: "
                   "workflow.status: expected a string, got the number 5; skipped")  # fmt: skip
        assert report["warnings"] == [message] and f"leadline: warning: {message}" in err
        assert counts(engine) == {"pipeline_run": 8}
        server.reset_log()
        sync(run_cli, server)  # not pending: not asked for again
        assert f"{ROOT}/pipeline/{pipeline['id']}" not in [r.path for r in server.requests]
