"""``leadline sync jenkins`` end to end, through the CLI, against a real local HTTP server
replaying recorded Jenkins builds (``tests/services/jenkins_replay.py``): the runs imported
and checked field by field against the recorded builds, a sync killed midway (SIGKILL) and
resumed to the same database content as an uninterrupted one, and a re-run that fetches only
what changed."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer
from tests.services.jenkins_replay import FakeJenkins, path_of
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run

USER, TOKEN = "ci-reader", "11aa22bb33cc44dd55ee66ff77aa88bb99"
ARGS = ("sync", "jenkins", "--per-page", "3", "--no-progress")
RESULTS = {"SUCCESS", "FAILURE", "UNSTABLE", "ABORTED", "NOT_BUILT"}
DEVLAKE = "Test-jenkins-dir/test-jenkins-sub-dir/test-sub-sub-dir/devlake"


@contextmanager
def serving(fake: FakeJenkins) -> Iterator[ReplayServer]:
    server = ReplayServer()
    fake.install(server)
    with server:
        yield server


def sync(run_cli: Any, server: ReplayServer, *extra: str) -> dict[str, Any]:
    result = run_cli(*ARGS, "--base-url", server.base_url, "--format", "json", *extra)
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def finished(build: dict[str, Any]) -> bool:
    return not build.get("building") and build.get("result") in RESULTS


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def runs(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["pipeline"], r["run_id"]): r for r in records(engine)["pipeline_run"]}


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JENKINS_USER", USER)
    monkeypatch.setenv("JENKINS_TOKEN", TOKEN)


def test_sync_imports_every_finished_build(run_cli: Any, engine: Engine) -> None:
    fake = FakeJenkins()
    with serving(fake) as server:
        report = sync(run_cli, server)
    expected = sum(1 for builds in fake.builds.values() for b in builds if finished(b))
    assert expected == 26  # 28 builds: 3 still building (DevLake's edited rows), 1 NOT_BUILD
    assert counts(engine) == {"pipeline_run": expected}
    assert report["counts"]["pipeline_run"]["new"] == expected
    (warning,) = report["warnings"]
    assert "#10004: result: expected one of" in warning and "'NOT_BUILD'" in warning
    assert {r.headers.get("authorization", "")[:6] for r in server.requests} == {"Basic "}

    stored = runs(engine)
    for job, builds in fake.builds.items():
        for build in builds:
            if not finished(build):
                assert (job, str(build["number"])) not in stored
                continue
            run_row = stored[(job, str(build["number"]))]
            assert (run_row["system"], run_row["type"]) == ("jenkins", "ci_cd")
            assert at(run_row["started_at"]) == ms(build["timestamp"])
            assert at(run_row["finished_at"]) == ms(build["timestamp"] + build["duration"])
            revision = [a["lastBuiltRevision"] for a in build.get("actions", [])
                        if a and "lastBuiltRevision" in a]  # fmt: skip
            assert run_row["commit_sha"] == (revision[0]["SHA1"] if revision else None)
    foo = json.loads(json.dumps(fake.builds["foo"][1]))
    run_row = stored[("foo", str(foo["number"]))]
    assert (run_row["status"], run_row["branch"], run_row["repo"]) == (
        "success",
        "master",
        "netmelody/ci-eye",  # refs/remotes/origin/master, git@github.com:…
    )
    assert run_row["params"]["url"] == foo["url"]
    unstable = next(b for b in fake.builds[DEVLAKE] if b["result"] == "UNSTABLE")
    assert stored[(DEVLAKE, str(unstable["number"]))]["status"] == "failure"
    aborted = next(b for b in fake.builds[DEVLAKE] if b["result"] == "ABORTED")
    assert stored[(DEVLAKE, str(aborted["number"]))]["status"] == "cancelled"


def test_job_globs_narrow_the_jobs(run_cli: Any, engine: Engine) -> None:
    fake = FakeJenkins()
    with serving(fake) as server:
        report = sync(run_cli, server, "--job", "github_org/*/MAIN", "--job", "foo")
    assert {r["pipeline"] for r in records(engine)["pipeline_run"]} == {
        "github_org/devlake-jenkins/main",
        "foo",
    }
    assert counts(engine) == {"pipeline_run": 4 + 2} and report["resources"]["builds"]["pages"] == 3
    with serving(fake) as server:
        result = run_cli(*ARGS, "--base-url", server.base_url, "--job", "nope*")
    assert result.code != 0 and "no Jenkins job matching nope*" in result.err


def test_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeJenkins()
    with serving(fake) as server:
        sync(run_cli, server)
        server.reset_log()
        again = sync(run_cli, server)
        assert (
            again["counts"]["pipeline_run"]["new"]
            == again["counts"]["pipeline_run"]["updated"]
            == 0
        )
        pages = {}
        for request in server.requests:
            if "allBuilds" in request.query.get("tree", ""):
                pages[request.path] = pages.get(request.path, 0) + 1
        # One page per job, but DevLake's job: it is read down to its oldest running build
        # (27, under 10001…10005, 47, 37, 31: three pages of three, and the page with 27).
        assert pages == {path_of(job) + "/api/json": 4 if job == DEVLAKE else 1
                         for job in fake.builds}  # fmt: skip

        # A new build of main, and the running builds finished.
        main = fake.builds["github_org/devlake-jenkins/main"]
        new = copy.deepcopy(max(main, key=lambda b: b["number"]))
        new.update(number=5, timestamp=new["timestamp"] + 600_000, result="FAILURE")
        main.append(new)
        running = [b for b in fake.builds[DEVLAKE] if b.get("building")]
        for build in running:
            build["building"] = False
        server.reset_log()
        after = sync(run_cli, server)
    assert after["counts"]["pipeline_run"]["new"] == 1 + len(running) == 4
    assert runs(engine)[("github_org/devlake-jenkins/main", "5")]["status"] == "failure"


@pytest.mark.slow
def test_a_killed_sync_resumes_without_duplicates_or_gaps(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    env = {"JENKINS_USER": USER, "JENKINS_TOKEN": TOKEN}
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(FakeJenkins()) as server:
        clean = run(clean_url, *ARGS, "--base-url", server.base_url, env=env)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            expected = records(clean_engine)
        # Killed while asking for the third page of DevLake's job: two pages committed.
        devlake = path_of(DEVLAKE) + "/api/json"
        third = [i for i, r in enumerate(server.requests) if r.path == devlake][2]
    # The cursors are kept per Jenkins URL: the same server (and port) serves the resumed run.
    with serving(FakeJenkins()) as server:
        kill_after(server, third, db_url, *ARGS, "--base-url", server.base_url, env=env)
        assert 0 < counts(engine)["pipeline_run"] < len(expected["pipeline_run"])
        server.hang_after = None
        server.reset_log()
        done = run(db_url, *ARGS, "--base-url", server.base_url, env=env)
        assert done.returncode == 0, done.stderr
        resumed = [r.query["tree"] for r in server.requests if r.path == devlake]
    assert resumed[0].endswith("{6,9}")  # went on from the third page
    got = records(engine)
    assert sorted(json.dumps(r, sort_keys=True) for r in got["pipeline_run"]) == sorted(
        json.dumps(r, sort_keys=True) for r in expected["pipeline_run"]
    )
