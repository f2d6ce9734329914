"""A GitHub REST API for ``panjf2000/ants`` replayed from ``tests/fixtures/github_rest``.

``routes()`` serves every listing ``leadline sync github`` reads, split into several pages
with ``Link`` headers; ``with_rate_limit_episode()`` makes some of them first answer with
each kind of "slow down" GitHub sends (and one 502). Also the tests' fixtures (``server``,
``token``) and helpers (``sync`` through the CLI, ``records`` stored).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from leadline.store.mapping import MAPPINGS
from tests.conftest import CliResult
from tests.replay_server import ReplayServer, Reply, Route, link_pages

DATA = Path(__file__).parents[1] / "fixtures" / "github_rest"
REPO = "panjf2000/ants"
BASE = f"/repos/{REPO}"
PAGE_SIZES = {
    "pulls": 20,
    "commits": 25,
    "runs": 8,
    "deployments": 6,
    "releases": 1,
    "tags": 2,
    "issues": 20,
}


@cache
def load(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def routes() -> dict[str, Route]:
    out: dict[str, Route] = {BASE: Reply(body=load("repo"))}
    out.update(link_pages(f"{BASE}/pulls", load("pulls"), PAGE_SIZES["pulls"]))
    commits, reviews = load("pull_commits"), load("pull_reviews")
    for pr in load("pulls"):
        n = str(pr["number"])
        out[f"{BASE}/pulls/{n}/commits"] = Reply(body=commits.get(n, []))
        out[f"{BASE}/pulls/{n}/reviews"] = Reply(body=reviews.get(n, []))
    out.update(link_pages(f"{BASE}/commits", load("commits"), PAGE_SIZES["commits"]))
    for sha, commit in load("tag_commits").items():
        out[f"{BASE}/commits/{sha}"] = Reply(body=commit)
    runs = load("runs")

    def wrap(chunk: list[Any]) -> Any:
        return {"total_count": len(runs), "workflow_runs": chunk}

    out.update(link_pages(f"{BASE}/actions/runs", runs, PAGE_SIZES["runs"], wrap=wrap))
    for run in runs:
        out[f"{BASE}/actions/runs/{run['id']}"] = Reply(body=run)
    out.update(link_pages(f"{BASE}/deployments", load("deployments"), PAGE_SIZES["deployments"]))
    statuses = load("deployment_statuses")
    for dep in load("deployments"):
        out[f"{BASE}/deployments/{dep['id']}"] = Reply(body=dep)
        out[f"{BASE}/deployments/{dep['id']}/statuses"] = Reply(body=statuses[str(dep["id"])])
    out.update(link_pages(f"{BASE}/releases", load("releases"), PAGE_SIZES["releases"]))
    out.update(
        link_pages(f"{BASE}/tags", load("tags"), PAGE_SIZES["tags"], headers={"ETag": '"tags-1"'})
    )
    out.update(link_pages(f"{BASE}/issues", load("issues"), PAGE_SIZES["issues"]))
    return out


SECONDARY = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
    "you try again.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}
PRIMARY = {
    "message": "API rate limit exceeded for user ID 1.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}


def with_rate_limit_episode(table: dict[str, Route]) -> dict[str, Route]:
    """Pulls page 2: primary limit (403, Remaining 0, Reset in a second); runs page 1: 429
    with Retry-After; deployments page 2: the secondary limit (403 + Retry-After); commits
    page 2: one 502. Each once, then the real page."""

    def reset() -> str:
        return str(int(time.time()) + 1)

    episodes = {
        f"{BASE}/pulls?page=2": Reply(
            403, PRIMARY, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        ),
        f"{BASE}/actions/runs": Reply(429, {"message": "Too many requests"}, {"Retry-After": "1"}),
        f"{BASE}/deployments?page=2": Reply(403, SECONDARY, {"Retry-After": "1"}),
        f"{BASE}/commits?page=2": Reply(
            502, "<html>502 Bad Gateway</html>", {"Content-Type": "text/html"}
        ),
    }
    out = dict(table)
    for key, episode in episodes.items():
        page = table[key]
        assert isinstance(page, Reply)
        out[key] = [episode, page]
    return out


def expected_counts() -> dict[str, int]:
    """Records a complete sync of the fixtures yields, worked out from the files."""
    pr_commits = {c["sha"] for cs in load("pull_commits").values() for c in cs}
    branch_commits = {c["sha"] for c in load("commits")}
    completed = [r for r in load("runs") if r["status"] == "completed"]
    return {
        "pull_request": len(load("pulls")),
        "commit": len(pr_commits | branch_commits),
        "pipeline_run": len(completed) + len(load("deployments")),
        "version": len(load("tags")),  # releases share their tag's name
    }


# --- for the tests ---------------------------------------------------------------------

TOKEN = "ghp_TestTokenNeverPrinted0123456789"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(routes()) as replay:
        yield replay


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return TOKEN


def sync(run_cli: Any, server: ReplayServer, *args: str) -> CliResult:
    result: CliResult = run_cli(
        "sync", "github", "--repo", REPO, "--base-url", server.base_url, "--format", "json", *args
    )
    return result


def records(engine: Engine) -> dict[str, list[str]]:
    """Every stored record (its JSON), per kind, sorted."""
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for kind, m in MAPPINGS.items():
            out[kind] = sorted(conn.execute(select(m.table.c.data)).scalars())
    return out
