"""``leadline sync azure-devops`` end to end, through the CLI, against a real local HTTP
server replaying Azure DevOps' recorded answers (``tests/services/azure_devops_replay.py``):
a full run (PAT as HTTP Basic, continuation tokens and ``$top``/``$skip`` pages), a sync
killed midway and resumed without duplicates or gaps, and a re-run that fetches only what
changed."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.cli.sync.azure_devops import default_release_url
from leadline.services.sync.azure_devops import scope_of
from tests.replay_server import ReplayServer
from tests.services.azure_devops_replay import PROJECT, SHA, FakeAzure
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run
from tests.services.test_sync_gitlab import assert_same_records

TOKEN = "azdo-pat-s3cr3t"
ENV = {"AZURE_DEVOPS_TOKEN": TOKEN}
# 5 work items, PRs 1/20/21/22, one commit (the two recorded answers are one commit), the
# six completed builds, and the release's two attempts on PROD (failed, then succeeded).
EXPECTED = {"issue": 5, "pull_request": 4, "commit": 1, "pipeline_run": 8}


def args(server: ReplayServer) -> tuple[str, ...]:
    return ("sync", "azure-devops", "--org-url", server.base_url, "--project", PROJECT,
            "--release-url", server.base_url, "--per-page", "2", "--no-progress")  # fmt: skip


def serving(fake: FakeAzure) -> ReplayServer:
    server = ReplayServer()
    fake.install(server)
    return server


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_DEVOPS_TOKEN", TOKEN)


def sync(run_cli: Any, server: ReplayServer) -> dict[str, Any]:
    result = run_cli(*args(server), "--format", "json")
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def kinds(report: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {k: (c["new"], c["updated"], c["unchanged"]) for k, c in report["counts"].items()}


def test_full_sync_maps_every_resource_and_waits_out_a_rate_limit(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeAzure()
    fake.throttle_builds = True
    with serving(fake) as server:
        report = sync(run_cli, server)
        builds = [r for r in server.requests if r.path.endswith("/build/builds")]
        assert len(builds) == 1 + 3  # the 429, then the three pages
        basic = "Basic " + base64.b64encode(f":{TOKEN}".encode()).decode()
        assert {r.headers.get("authorization") for r in server.requests} == {basic}
    assert counts(engine) == EXPECTED
    assert report["warnings"] == []
    stored = records(engine)
    (item2,) = [i for i in stored["issue"] if i["key"] == "AB#2"]
    # Item 2 is the recorded item moved by one day: New, then Active (rev 3's update).
    states = [(c["to"], c["at"]) for c in item2["status_changes"]]
    assert states == [("New", "2017-09-05T02:08:16.600000Z"),
                      ("Active", "2017-09-05T02:36:18.750000Z")]  # fmt: skip
    (pr20,) = [p for p in stored["pull_request"] if p["number"] == 20]
    assert pr20["merged_at"] == pr20["reviews"][0]["at"]  # votes of a closed PR: at its close
    runs = {(r["pipeline"], r["run_id"]): r for r in stored["pipeline_run"]}
    assert runs[("Fabrikam-web", "55/118")]["status"] == "failure"  # notDeployed
    deployed = runs[("Fabrikam-web", "55/118/2")]
    assert (deployed["status"], deployed["commit_sha"], deployed["environment"]) == (
        "success",
        SHA,
        "PROD",
    )
    build = runs[("VsoBuildApi", "391")]
    assert build["commit_sha"] == SHA  # CI and CD of one commit, and linked by the artifact:
    assert deployed["artifacts"][0] | {"direction": "output"} == build["artifacts"][0]


def test_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeAzure()
    with serving(fake) as server:
        sync(run_cli, server)
        server.reset_log()
        again = sync(run_cli, server)
        assert all(v[:2] == (0, 0) for v in kinds(again).values()), again  # nothing new
        assert not any("/updates" in p for p in server.paths())  # no work item changed
        assert fake.tokens_seen[-1] == str(len(fake.revisions))  # asked from the watermark
        fake.resolve(3)
        fake.merge_pr(22, "2016-11-02T10:00:00.1234567Z")
        fake.add_build(400, "2023-03-01T00:00:00.0000000Z")
        server.reset_log()
        changed = sync(run_cli, server)
        paths = server.paths()
    assert kinds(changed)["issue"] == (0, 1, 0)
    assert kinds(changed)["pull_request"][:2] == (0, 1)
    assert kinds(changed)["pipeline_run"][:2] == (1, 0)
    assert [p for p in paths if "/updates" in p] == [f"/{_project()}/_apis/wit/workItems/3/updates"]
    # Pull requests: the three active ones by id, then one page of the listing.
    assert sum(p.endswith("/git/pullrequests") for p in paths) == 1
    (item3,) = [i for i in records(engine)["issue"] if i["key"] == "AB#3"]
    assert [c["to"] for c in item3["status_changes"]] == ["New", "Active", "Resolved"]
    (pr22,) = [p for p in records(engine)["pull_request"] if p["number"] == 22]
    assert pr22["merge_commit_sha"] == SHA and pr22["merged_at"] == "2016-11-02T10:00:00.123456Z"


def test_an_unreadable_item_is_skipped_with_a_warning(run_cli: Any, engine: Engine) -> None:
    fake = FakeAzure()
    fake.prs[21]["creationDate"] = "0001-01-01T00:00:00"
    with serving(fake) as server:
        report = sync(run_cli, server)
    assert report["warnings"] == [
        "azure-devops: pull request 21: value[1].creationDate: required time is unset "
        "('0001-01-01T00:00:00'); skipped"
    ]
    assert counts(engine) == {**EXPECTED, "pull_request": 3}


def _project() -> str:
    return PROJECT.replace(" ", "%20")


@pytest.mark.slow
@pytest.mark.parametrize("answered", [1, 9, 27, 33])
def test_a_killed_sync_resumes_without_duplicates_or_gaps(
    engine: Engine, db_url: str, tmp_path: Path, answered: int
) -> None:
    fake = FakeAzure()
    with serving(fake) as server:
        kill_after(server, answered, db_url, *args(server), env=ENV)
    assert counts(engine) != EXPECTED  # stopped midway…
    with serving(fake) as server:  # …resumed on a new server (another port, same cursors)
        done = run(db_url, *args(server), env=ENV)
        assert done.returncode == 0, done.stderr
        resumed = len(server.requests)
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(FakeAzure()) as server:
        clean = run(clean_url, *args(server), env=ENV)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            assert_same_records(records(engine), records(clean_engine))
        uninterrupted = len(server.requests)
    assert counts(engine) == EXPECTED
    # Went on where it stopped: both runs together ask little more than one clean run (the
    # page in flight again, the active pull requests by id, a watermark's worth of pages).
    assert answered + resumed <= uninterrupted + 12


def test_missing_token_is_one_clear_line(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_DEVOPS_TOKEN")
    result = run_cli("sync", "azure-devops", "--org-url", "https://dev.azure.com/o",
                     "--project", "p", "--no-progress")  # fmt: skip
    assert result.code != 0
    assert "AZURE_DEVOPS_TOKEN" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("org", "releases", "scope"),
    [
        ("https://dev.azure.com/fabrikam", "https://vsrm.dev.azure.com/fabrikam",
         "dev.azure.com/fabrikam p"),
        ("https://dev.azure.com:443/fabrikam/", "https://vsrm.dev.azure.com:443/fabrikam/",
         "dev.azure.com/fabrikam p"),
        ("https://tfs.example.com/DefaultCollection", "https://tfs.example.com/DefaultCollection",
         "tfs.example.com/DefaultCollection p"),
    ],
)  # fmt: skip
def test_release_host_and_scope(org: str, releases: str, scope: str) -> None:
    assert default_release_url(org) == releases
    assert scope_of(org, "p") == scope
