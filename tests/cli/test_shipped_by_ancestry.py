"""Deployments ship what their commit contains (docs/deployments.md, rule 8), end to end on
a real git graph.

A squash-merged PR and a PR whose merge commit was never itself deployed both reach the
production stage at the deployment that first contained them (issue 4, acceptance 2).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

PROFILE = """name: PR to production
start: {event: commit_created}
stages:
  - {name: Merged, event: pr_merged}
  - {name: Production, event: cd_completed, environments: [production]}
"""


class Repo:
    def __init__(self, path: Path) -> None:
        path.mkdir()
        self.path = path
        self.clock = 0
        self.git("-c", "init.defaultBranch=main", "init", "-q")

    def git(self, *args: str) -> str:
        self.clock += 1
        when = f"2024-05-01T09:{self.clock:02d}:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "d@x",
               "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "d@x",
               "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}  # fmt: skip
        out = subprocess.run(["git", *args], cwd=self.path, env=env, check=True,
                             capture_output=True, text=True)  # fmt: skip
        return out.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def records(self) -> list[dict[str, Any]]:
        log = self.git("log", "--all", "--format=%H|%P|%cI|%s")
        return [
            {"kind": "commit", "repo": "acme/app", "sha": sha, "committed_at": at,
             "message": msg, "parents": parents.split()}
            for sha, parents, at, msg in (line.split("|", 3) for line in log.splitlines())
        ]  # fmt: skip


def deploy(run: str, sha: str, at: str, env: str = "production") -> dict[str, Any]:
    return {"kind": "pipeline_run", "system": "argo", "pipeline": "deploy", "run_id": run,
            "type": "cd", "status": "success", "environment": env, "finished_at": at,
            "commit_sha": sha}  # fmt: skip


@pytest.fixture
def history(tmp_path: Path) -> dict[str, Any]:
    repo = Repo(tmp_path / "repo")
    repo.commit("root")
    # PR 1: merged with a merge commit that is never itself deployed.
    repo.git("checkout", "-q", "-b", "feature-1")
    a1 = repo.commit("feature one")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "feature-1", "-m", "Merge PR #1")
    m1 = repo.git("rev-parse", "HEAD")
    x1 = repo.commit("direct change on main")
    # PR 2: squash-merged; its own commits never reach main.
    repo.git("checkout", "-q", "-b", "feature-2")
    b1 = repo.commit("feature two, part 1")
    b2 = repo.commit("feature two, part 2")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "feature-2")
    s2 = repo.commit("Feature two (#2)")
    prs = [
        {"kind": "pull_request", "repo": "acme/app", "number": 1, "title": "Feature one",
         "created_at": "2024-05-01T09:10:00Z", "merged_at": "2024-05-01T09:20:00Z",
         "commit_shas": [a1], "merge_commit_sha": m1, "target_branch": "main"},
        {"kind": "pull_request", "repo": "acme/app", "number": 2, "title": "Feature two",
         "created_at": "2024-05-01T09:30:00Z", "merged_at": "2024-05-01T09:40:00Z",
         "commit_shas": [b1, b2], "merge_commit_sha": s2, "target_branch": "main"},
    ]  # fmt: skip
    runs = [
        deploy("s1", x1, "2024-05-01T10:00:00Z", env="staging"),
        deploy("1", x1, "2024-05-01T11:00:00Z"),  # contains PR 1 (m1 is an ancestor of x1)
        deploy("2", s2, "2024-05-01T12:00:00Z"),  # contains PR 2 through its squash commit
        deploy("3", s2, "2024-05-01T13:00:00Z"),  # a redeploy ships nothing new
    ]
    return {"base": repo.records() + prs, "runs": runs}


def write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def production(run_cli: Any, profile: Path, key: str) -> tuple[str | None, str | None]:
    result = run_cli("lead-time", "--profile", str(profile), "--change", key, "--format", "json")
    assert result.code == 0, result.err
    stage = json.loads(result.out)["stages"][1]
    return stage["at"], stage["source"]


def test_squash_and_undeployed_merge_commits_ship_with_the_first_deployment_containing_them(
    run_cli: Any, tmp_path: Path, history: dict[str, Any]
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    records = history["base"] + history["runs"]
    assert run_cli("import", write(tmp_path / "all.ndjson", records)).code == 0
    assert production(run_cli, profile, "acme/app#1") == (
        "2024-05-01T11:00:00Z", "pipeline_run argo/deploy/1",
    )  # fmt: skip
    assert production(run_cli, profile, "acme/app#2") == (
        "2024-05-01T12:00:00Z", "pipeline_run argo/deploy/2",
    )  # fmt: skip


def test_a_later_deployment_reaches_earlier_changes_incrementally(
    run_cli: Any, tmp_path: Path, history: dict[str, Any]
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    assert run_cli("import", write(tmp_path / "base.ndjson", history["base"])).code == 0
    assert production(run_cli, profile, "acme/app#1") == (None, None)  # not deployed yet
    assert run_cli("import", write(tmp_path / "runs.ndjson", history["runs"])).code == 0
    assert production(run_cli, profile, "acme/app#1")[0] == "2024-05-01T11:00:00Z"
    assert production(run_cli, profile, "acme/app#2")[0] == "2024-05-01T12:00:00Z"


COMMIT_PROFILE = """name: Commits
stages: [{name: Deployed, event: cd_completed, environments: [production]}]
dora:
  deployments: {source: cd, environments: [production]}
  failures: {source: cd, environments: [production]}
  lead_time: commits
"""


@pytest.mark.parametrize("baseline", ["include", "exclude"])
def test_commit_lead_time_is_first_containing_deployment_minus_commit_time(
    run_cli: Any, tmp_path: Path, history: dict[str, Any], baseline: str
) -> None:
    import statistics
    from datetime import datetime

    profile = tmp_path / "c.yaml"
    profile.write_text(COMMIT_PROFILE + f"deployments: {{baseline: {baseline}}}\n")
    records = history["base"] + history["runs"]
    assert run_cli("import", write(tmp_path / "all.ndjson", records)).code == 0
    result = run_cli("dora", "--profile", str(profile), "--from", "2024-05-01", "--to",
                     "2024-05-02", "--stat", "median", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    lead = json.loads(result.out)["lead_time_for_changes"]

    # Oracle: git itself says which production deployment first contains each commit.
    repo = tmp_path / "repo"
    production = sorted(
        (r for r in history["runs"] if r["environment"] == "production"),
        key=lambda r: r["finished_at"],
    )

    def contains(commit: str, head: str) -> bool:
        check = ["git", "merge-base", "--is-ancestor", commit, head]
        return subprocess.run(check, cwd=repo, check=False).returncode == 0

    def ts(text: str) -> float:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    expected, left_out = [], 0
    for c in (r for r in history["base"] if r["kind"] == "commit"):
        first = next((d for d in production if contains(c["sha"], d["commit_sha"])), None)
        if first is None:
            continue
        # Only CD runs are known, the first (staging, 10:00) starts tracking: what the first
        # production deployment ships, all committed before 10:00, is the baseline.
        if baseline == "exclude" and first is production[0]:
            left_out += 1
            continue
        expected.append(ts(first["finished_at"]) - ts(c["committed_at"]))
    # root, a1, m1, x1 (shipped by the first deployment), and the squash commit
    assert lead["changes"] == len(expected) == (5 if baseline == "include" else 1)
    assert lead["baseline"] == {"changes": 4, "included": baseline == "include"}
    assert left_out == (4 if baseline == "exclude" else 0)
    assert lead["stages"][0]["name"] == "Commit to deployment"
    assert lead["total_seconds"] == statistics.median(expected)


def test_ancestry_counts_for_deployment_stages_only(
    run_cli: Any, tmp_path: Path, history: dict[str, Any]
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: CI and CD\nstart: {event: commit_created}\nstages:\n"
        "  - {name: CI, event: ci_completed}\n"
        "  - {name: Deployed, event: cd_completed, statuses: [deployed]}\n"
    )
    x1 = history["runs"][1]["commit_sha"]
    run = {**deploy("cicd-1", x1, "2024-05-01T11:30:00Z"), "type": "ci_cd", "status": "deployed"}
    run.pop("environment")
    assert run_cli("import", write(tmp_path / "r.ndjson", [*history["base"], run])).code == 0
    result = run_cli("lead-time", "--profile", str(profile), "--change", "acme/app#1",
                     "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    ci, deployed = json.loads(result.out)["stages"]
    assert ci["at"] is None  # the run built x1, not PR 1's commits
    assert deployed["at"] == "2024-05-01T11:30:00Z"  # but it shipped them (custom status)
