"""``leadline sync github`` killed midway and resumed, and its data feeding the reports:
the CLI in a subprocess (``kill -9``) and in process, against a real local HTTP server
replaying GitHub's answers (``github_replay``), on SQLite or PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leadline.config import Settings
from leadline.services.database import open_database
from tests.conftest import fresh_db_url
from tests.replay_server import ReplayServer
from tests.services.github_replay import (
    BASE,
    REPO,
    TOKEN,
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


@pytest.fixture
def second_db_url(tmp_path: Path) -> Iterator[str]:
    """Another empty database on the same backend (a clean sync to compare with)."""
    with fresh_db_url(tmp_path, "reference") as url:
        yield url


# --- killed midway -------------------------------------------------------------------------


def sync_process(db_url: str, base_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GITHUB_TOKEN": TOKEN}
    argv = [
        sys.executable,
        "-m",
        "leadline",
        "--db",
        db_url,
        "sync",
        "github",
        "--repo",
        REPO,
        "--base-url",
        base_url,
        "--no-progress",
    ]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_killed_sync_resumes_without_duplicates_or_gaps(
    db_url: str, second_db_url: str, token: str
) -> None:
    with ReplayServer(routes()) as server:
        clean = sync_process(second_db_url, server.base_url)
        out, err = clean.communicate(timeout=120)
        assert clean.returncode == 0, err
    pulls, deployments, tags = load("pulls"), load("deployments"), load("tags")
    kill_points = [  # the request each killed run is left waiting on
        f"{BASE}/pulls/{pulls[25]['number']}/commits",  # mid page 2 of pull requests
        f"{BASE}/actions/runs?page=2",  # after page 1 of the runs
        f"{BASE}/deployments/{deployments[8]['id']}/statuses",  # mid page 2 (by id)
        f"{BASE}/commits/{tags[3]['commit']['sha']}",  # a tag's date, page 2 of the tags
    ]
    with ReplayServer(with_rate_limit_episode(routes())) as server:
        for point in kill_points:
            path, _, page = point.partition("?")
            server.hold(lambda r, p=path, q=page: r.path == p and (not q or q in r.target))
            process = sync_process(db_url, server.base_url)
            assert server.holding.wait(60), f"never reached {point}"
            process.kill()  # SIGKILL: no clean-up of any kind
            process.wait(30)
            assert process.returncode == -9
            server.release()
        final = sync_process(db_url, server.base_url)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
        assert TOKEN not in out + err
    resumed_engine = open_database(Settings(database_url=db_url))
    clean_engine = open_database(Settings(database_url=second_db_url))
    try:
        resumed, reference = records(resumed_engine), records(clean_engine)
        assert {k: len(v) for k, v in resumed.items() if v} == expected_counts()
        assert resumed == reference
    finally:
        resumed_engine.dispose()
        clean_engine.dispose()


# --- the synced data feeds the reports -----------------------------------------------------

PROFILE = """\
name: Pull request to production
start: {event: commit_created}
stages:
  - {name: PR Created, event: pr_created}
  - {name: PR Merged, event: pr_merged}
  - {name: Deployed, event: cd_completed, environments: [production]}
dora:
  deployments: {source: cd, environments: [production], statuses: [success]}
  failures: {source: cd, environments: [production], statuses: [failure]}
  restore: {source: incidents}
"""


def test_synced_data_feeds_lead_time_and_dora(
    run_cli: Any, server: ReplayServer, tmp_path: Path
) -> None:
    assert sync(run_cli, server).code == 0
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE)
    window = ("--from", "2019-01-01", "--to", "2023-01-01")
    lead = run_cli("lead-time", "--profile", str(profile), *window, "--format", "json")
    assert lead.code == 0, lead.err
    lead_time = json.loads(lead.out)
    assert lead_time["changes"] > 0
    assert [s["name"] for s in lead_time["stages"]] == ["PR Created", "PR Merged", "Deployed"]
    assert lead_time["total_seconds"] > 0
    dora = run_cli("dora", "--profile", str(profile), *window, "--format", "json")
    assert dora.code == 0, dora.err
    report = json.loads(dora.out)
    statuses = load("deployment_statuses")
    settled = [  # each production deployment's final status, in the window
        next(s for s in statuses[str(d["id"])] if s["state"] != "inactive")
        for d in load("deployments")
        if d["environment"] == "production"
    ]
    final = [s["state"] for s in settled if "2019-01-01" <= s["updated_at"] < "2023-01-01"]
    assert 0 < final.count("success") < len(settled)
    assert report["deployment_frequency"]["deployments"] == final.count("success")
    assert report["change_failure_rate"]["failures"] == final.count("failure")
    assert report["lead_time_for_changes"]["changes"] > 0
