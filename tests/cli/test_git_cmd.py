"""`leadline git PATH` on real repositories (issue 6, acceptance): the deployments in the window
and the median commit → tag lead time that `git tag --contains` implies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.gitbuild import GitRepo, at, history

WINDOW = ("--from", "2024-01-03", "--to", "2024-02-01")  # days [2, 31) of tests/gitbuild.py
HOUR, DAY = 3600.0, 86400.0


def git_json(run_cli: Any, path: Path, *args: str) -> tuple[dict[str, Any], str]:
    result = run_cli("git", str(path), *WINDOW, "--format", "json", *args)
    assert result.code == 0, result.err
    out: dict[str, Any] = json.loads(result.out)
    return out, result.err


def test_matches_git_tag_contains(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    out, err = git_json(run_cli, repo.path)
    deployments, median, counted = repo.expected(at(2), at(31))
    df, lead = out["deployment_frequency"], out["lead_time_for_changes"]
    assert (df["deployments"], lead["changes"], lead["total_seconds"]) == (
        deployments, counted, median,
    )  # fmt: skip
    # By hand: v1.0, nightly-1, v1.0.1, v1.1, v1.0-redeploy in the window; f1 3d1h, c3 2d22h,
    # f2 1d19h, m1 1d2h, c4 0 (its own lightweight tag), c5 2d, h1 2h → median 1d19h.
    assert (deployments, counted, median) == (5, 7, DAY + 19 * HOUR)
    assert (df["days"], df["per_day"]) == (29.0, round(5 / 29, 4))
    assert lead["statistic"] == "median" and lead["stages"][0]["name"] == "Commit to deployment"
    assert lead["band"] == "high"  # ≤ 7 days
    assert [p["count"] for p in df["series"]] == [2, 3, 0, 0, 0]  # weeks from Mon 01-01
    assert out["change_failure_rate"]["rate"] == 0.0
    assert out["mean_time_to_restore"]["incidents"] == 0
    assert out["profile"] == "git app"
    assert "11 new commits (11 read, full import); 7 tags (7 new" in err


def test_tag_glob(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    out, _ = git_json(run_cli, repo.path, "--tags", "v*")
    deployments, median, counted = repo.expected(at(2), at(31), tag_filter="v")
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert lead["total_seconds"] == median == 2 * DAY  # c4 now waits for v1.1: 3 days
    # The glob narrowed: nightly-1 was a deployment, now it is not.
    out, err = git_json(run_cli, repo.path)
    assert out["deployment_frequency"]["deployments"] == 5
    out, err = git_json(run_cli, repo.path, "--tags", "v*", "--tags", "nightly-*")
    assert "0 new commits" in err and "0 removed" in err
    out, err = git_json(run_cli, repo.path, "--tags", "v1.0*")
    assert "3 tags (0 new, 0 moved, 4 removed)" in err  # v0.1, nightly-1, v1.1, v1.2
    assert out["deployment_frequency"]["deployments"] == 3  # v1.0, v1.0.1, v1.0-redeploy


def test_rerun_imports_only_what_is_new(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    first, _ = git_json(run_cli, repo.path)
    again, err = git_json(run_cli, repo.path)
    assert again == first
    assert "0 new commits (0 read, new since the last run); 7 tags (0 new, 0 moved" in err
    # Two more commits on main and a tag on the second: only those are read.
    repo.git("checkout", "-q", "main")
    repo.commit("c7", at(13, 10))
    c8 = repo.commit("c8", at(14, 10))
    repo.tag("v1.3", c8, at(15, 10))
    out, err = git_json(run_cli, repo.path)
    assert "2 new commits (2 read, new since the last run); 8 tags (1 new, 0 moved" in err
    deployments, median, counted = repo.expected(at(2), at(31))
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert deployments == 6
    assert lead["total_seconds"] == median
    assert counted == 7 + 4  # m2, c6 (v1.3 contains them now), c7, c8


def test_moved_and_deleted_tags(run_cli: Any, tmp_path: Path) -> None:
    repo, c = history(tmp_path / "app")
    git_json(run_cli, repo.path)
    repo.git("tag", "-d", "v1.0-redeploy")
    repo.git("tag", "-f", "-a", "v1.1", "-m", "moved", c["c6"], when=at(13, 10))
    del repo.tag_dates["v1.0-redeploy"]
    repo.tag_dates["v1.1"] = at(13, 10)
    out, err = git_json(run_cli, repo.path)
    assert "6 tags (0 new, 1 moved, 1 removed)" in err
    deployments, median, counted = repo.expected(at(2), at(31))
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert (deployments, lead["total_seconds"]) == (4, median)


def test_repositories_do_not_mix(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    other = GitRepo.create(tmp_path / "other")
    sha = other.commit("other: one", at(3))
    other.tag("r1", sha, at(20))
    assert run_cli("git", str(other.path), *WINDOW).code == 0
    out, _ = git_json(run_cli, repo.path)
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (5, 7)
    theirs, _ = git_json(run_cli, other.path)
    assert theirs["lead_time_for_changes"]["total_seconds"] == 17 * DAY


def test_name_from_origin_and_repo_option(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "checkout")
    repo.tag("v1", repo.commit("one", at(3)), at(4))
    repo.git("remote", "add", "origin", "git@github.com:acme/api.git")
    out, err = git_json(run_cli, repo.path)
    assert out["profile"] == "git acme/api" and "git acme/api: 1 new commits" in err
    out, err = git_json(run_cli, repo.path, "--repo", "mine[1]*")
    assert out["profile"] == "git mine[1]*" and "1 new commits (1 read, full import)" in err
    assert out["deployment_frequency"]["deployments"] == 1  # the name is not a glob


def test_default_window_hint(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    result = run_cli("git", str(repo.path))  # the 90 days ending today: no 2024 tags
    assert result.code == 0, result.err
    assert "no deployment in the window; the tags run from 2024-01-02 to 2024-02-10" in result.err
    assert "Deployment frequency" in result.out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such directory"),
        (lambda p: p, "not a git repository"),
    ],
)
def test_bad_path(run_cli: Any, tmp_path: Path, make: Any, message: str) -> None:
    path = make(tmp_path / "plain")
    (tmp_path / "plain").mkdir()
    result = run_cli("git", str(path))
    assert result.code == 2
    assert result.err == f"leadline: error: {path}: {message}\n"
    assert result.out == ""


def test_git_missing(run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo.create(tmp_path / "app")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    result = run_cli("git", str(repo.path))
    assert (result.code, result.out) == (2, "")
    assert result.err == "leadline: error: git is not installed or not on PATH: " \
        "`leadline git` needs it\n"  # fmt: skip


def test_empty_repository(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "empty")
    out, err = git_json(run_cli, repo.path)
    assert out["deployment_frequency"]["deployments"] == 0
    assert out["lead_time_for_changes"]["changes"] == 0
    assert "0 new commits (0 read, full import); 0 tags" in err


def test_renamed_repository_counts_each_commit_once(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    git_json(run_cli, repo.path)
    out, err = git_json(run_cli, repo.path, "--repo", "acme/app")  # the same SHAs, a new name
    assert "11 new commits (11 read, full import)" in err
    assert out["profile"] == "git acme/app"
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (5, 7)
    assert lead["total_seconds"] == DAY + 19 * HOUR


def test_tags_dated_out_of_order_and_clock_skew(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "skew")
    c1 = repo.commit("c1", at(3))
    c2 = repo.commit("c2", at(4))
    c3 = repo.commit("c3", at(6))
    repo.tag("late", c1, at(10))  # on the oldest commit, but dated after "early"
    repo.tag("early", c2, at(5))  # contains c1 too: c1's first deployment
    repo.tag("skewed", c3, at(5, 12))  # tagged before c3 was committed: counts 0
    out, _ = git_json(run_cli, repo.path)
    deployments, median, counted = repo.expected(at(2), at(31))
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert (counted, lead["total_seconds"], median) == (3, DAY, DAY)  # c1 2d, c2 1d, c3 0


def test_same_output_as_dora_with_the_built_in_profile(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    out, _ = git_json(run_cli, repo.path, "--interval", "day")
    profile = tmp_path / "git.json"
    profile.write_text(json.dumps({
        "name": "git app",
        "scope": {"repos": ["app"]},
        "stages": [{"name": "Commit to deployment", "event": "cd_completed"}],
        "dora": {"deployments": {"source": "cd", "pipelines": ["app"],
                                 "environments": ["production"]},
                 "failures": {"source": "incidents"}, "lead_time": "commits"},
    }))  # fmt: skip
    result = run_cli(
        "dora", "--profile", str(profile), *WINDOW, "--interval", "day", "--stat", "median",
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out) == out


def test_full_reads_everything_again(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    first, _ = git_json(run_cli, repo.path)
    again, err = git_json(run_cli, repo.path, "--full")
    assert "0 new commits (11 read, full import); 7 tags (0 new, 0 moved, 0 removed)" in err
    assert again == first
