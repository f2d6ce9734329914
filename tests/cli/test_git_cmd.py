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
# Every tag a deployment, as before releases were told apart: the answers of these tests
# (whose repositories hold tags that ship nothing new) are exactly the ones of that time.
ALL = "--all-tags"


def git_json(run_cli: Any, path: Path, *args: str) -> tuple[dict[str, Any], str]:
    result = run_cli("git", str(path), *WINDOW, "--format", "json", *args)
    assert result.code == 0, result.err
    out: dict[str, Any] = json.loads(result.out)
    return out, result.err


def test_matches_git_tag_contains(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    out, err = git_json(run_cli, repo.path, ALL)
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
    # git records no failure and no restore: no data, never a rated 0 % (it was 0.0 "elite").
    cfr, mttr = out["change_failure_rate"], out["mean_time_to_restore"]
    assert (cfr["rate"], cfr["band"], cfr["interval"]) == (None, None, None)
    assert cfr["reason"].startswith("no failure source: no incident matches dora.failures")
    assert (mttr["incidents"], mttr["mean_seconds"], mttr["band"]) == (0, None, None)
    assert mttr["reason"].startswith("no restore source: no incident matches dora.restore")
    assert out["profile"] == "git app"
    assert "11 new commits (11 read, full import); 7 tags (7 new" in err


def test_tag_glob(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    out, _ = git_json(run_cli, repo.path, ALL, "--tags", "v*")
    deployments, median, counted = repo.expected(at(2), at(31), tag_filter="v")
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert lead["total_seconds"] == median == 2 * DAY  # c4 now waits for v1.1: 3 days
    # The glob narrowed: nightly-1 was a deployment, now it is not.
    out, err = git_json(run_cli, repo.path, ALL)
    assert out["deployment_frequency"]["deployments"] == 5
    out, err = git_json(run_cli, repo.path, ALL, "--tags", "v*", "--tags", "nightly-*")
    assert "0 new commits" in err and "0 removed" in err
    out, err = git_json(run_cli, repo.path, ALL, "--tags", "v1.0*")
    assert "3 tags (0 new, 0 moved, 4 removed)" in err  # v0.1, nightly-1, v1.1, v1.2
    assert out["deployment_frequency"]["deployments"] == 3  # v1.0, v1.0.1, v1.0-redeploy


def test_rerun_imports_only_what_is_new(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    first, _ = git_json(run_cli, repo.path, ALL)
    again, err = git_json(run_cli, repo.path, ALL)
    assert again == first
    assert "0 new commits (0 read, new since the last run); 7 tags (0 new, 0 moved" in err
    # Two more commits on main and a tag on the second: only those are read.
    repo.git("checkout", "-q", "main")
    repo.commit("c7", at(13, 10))
    c8 = repo.commit("c8", at(14, 10))
    repo.tag("v1.3", c8, at(15, 10))
    out, err = git_json(run_cli, repo.path, ALL)
    assert "2 new commits (2 read, new since the last run); 8 tags (1 new, 0 moved" in err
    deployments, median, counted = repo.expected(at(2), at(31))
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert deployments == 6
    assert lead["total_seconds"] == median
    assert counted == 7 + 4  # m2, c6 (v1.3 contains them now), c7, c8


def test_moved_and_deleted_tags(run_cli: Any, tmp_path: Path) -> None:
    repo, c = history(tmp_path / "app")
    git_json(run_cli, repo.path, ALL)
    repo.git("tag", "-d", "v1.0-redeploy")
    repo.git("tag", "-f", "-a", "v1.1", "-m", "moved", c["c6"], when=at(13, 10))
    del repo.tag_dates["v1.0-redeploy"]
    repo.tag_dates["v1.1"] = at(13, 10)
    out, err = git_json(run_cli, repo.path, ALL)
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
    assert run_cli("git", str(other.path), *WINDOW, ALL).code == 0
    out, _ = git_json(run_cli, repo.path, ALL)
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (5, 7)
    theirs, _ = git_json(run_cli, other.path, ALL)
    assert theirs["lead_time_for_changes"]["total_seconds"] == 17 * DAY


def test_name_from_origin_and_repo_option(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "checkout")
    repo.tag("v1", repo.commit("one", at(3)), at(4))
    repo.git("remote", "add", "origin", "git@github.com:acme/api.git")
    out, err = git_json(run_cli, repo.path)
    assert out["profile"] == "git acme/api" and "git acme/api: 1 new commit (" in err
    out, err = git_json(run_cli, repo.path, "--repo", "mine[1]*")
    assert out["profile"] == "git mine[1]*" and "1 new commit (1 read, full import)" in err
    assert out["deployment_frequency"]["deployments"] == 1  # the name is not a glob


def test_no_deployment_in_the_window(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    result = run_cli("git", str(repo.path))  # the 90 days ending today: no 2024 tags
    assert (result.code, result.out) == (3, "")
    # The kept releases of 2024: every tag of a commit but v1.0-redeploy (ships nothing new).
    assert "leadline: error: no deployment in the window [" in result.err
    assert (
        "): 6 releases, dated 2024-01-02 to 2024-02-10; pass --from/--to to cover them (or "
        "--all-tags); --allow-empty prints the empty report\n"
    ) in result.err
    allowed = run_cli("git", str(repo.path), "--allow-empty")
    assert allowed.code == 0, allowed.err
    assert "Deployment frequency" in allowed.out and "0 deployments in 90 days" in allowed.out
    assert "no deployment in the window" in allowed.err and "--allow-empty" not in allowed.err


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
    result = run_cli("git", str(repo.path), *WINDOW)
    assert (result.code, result.out) == (3, "")
    assert "0 new commits (0 read, full import); 0 tags" in result.err
    assert "error: no deployment: empty has 0 commits and no tags" in result.err
    out, _ = git_json(run_cli, repo.path, "--allow-empty")
    assert out["deployment_frequency"]["deployments"] == 0
    assert out["lead_time_for_changes"]["changes"] == 0


def test_renamed_repository_counts_each_commit_once(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    git_json(run_cli, repo.path, ALL)
    out, err = git_json(run_cli, repo.path, ALL, "--repo", "acme/app")  # the same SHAs, a new name
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
    out, _ = git_json(run_cli, repo.path, ALL)
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
    first, _ = git_json(run_cli, repo.path, ALL)
    again, err = git_json(run_cli, repo.path, ALL, "--full")
    assert "0 new commits (11 read, full import); 7 tags (0 new, 0 moved, 0 removed)" in err
    assert again == first


def test_release_tags_by_default(run_cli: Any, tmp_path: Path) -> None:
    """history() holds one tag that ships nothing new (v1.0-redeploy, on v1.0's commit):
    left out by default, which changes the deployments and no lead time."""
    repo, _ = history(tmp_path / "app")
    out, err = git_json(run_cli, repo.path)
    kept = repo.release_tags(prereleases=())
    assert "v1.0-redeploy" not in kept and len(kept) == 6
    deployments, median, counted = repo.expected(at(2), at(31), only=kept)
    df, lead = out["deployment_frequency"], out["lead_time_for_changes"]
    assert (df["deployments"], lead["changes"], lead["total_seconds"]) == (
        deployments, counted, median,
    )  # fmt: skip
    assert (deployments, counted, median) == (4, 7, DAY + 19 * HOUR)
    assert "6 tags (6 new, 0 moved, 0 removed)" in err
    assert "leadline: 7 tags: 6 releases; left out 1 that ships nothing new (v1.0-redeploy); " \
        "--all-tags counts them\n" in err  # fmt: skip
    # --all-tags afterwards: the left-out tag is written, today's answer exactly.
    everything, err = git_json(run_cli, repo.path, ALL)
    assert "7 tags (1 new, 0 moved, 0 removed)" in err and "left out" not in err
    assert everything["deployment_frequency"]["deployments"] == 5
    back, err = git_json(run_cli, repo.path)  # and back: it is inactive again
    assert "6 tags (0 new, 0 moved, 1 removed)" in err
    assert back == out


def releases_repo(path: Path) -> GitRepo:
    """Pre-releases before releases on the same commits, a maintenance branch, archive tags
    made in one day on already-released commits, and a pre-release that ships new work.

        c1(0) ─ c2(1) ─ c3(2) ─ c4(4) ─ c5(6) ─ c6(9)   main
                   \\
                    b1(3)                           1.x maintenance

        v1.0rc1   on c2, day 1 12h  pre-release       v1.0      on c2, day 2
        1.0.1     on b1, day 3 12h                    2.0.0.dev1 on c3, day 3 (lightweight)
        v2.0.0-beta.1 on c4, day 4 12h                v2.0      on c5, day 7
        1.x, 1.0.x, 2.x  on b1, c2, c5, day 8 (archive: ship nothing new)
        v2.1RC1   on c6, day 10 (pre-release: c6 stays in flight by default)
    """
    g = GitRepo.create(path)
    c1 = g.commit("c1", at(0, 10))
    c2 = g.commit("c2", at(1, 10))
    g.git("checkout", "-q", "-b", "maint")
    b1 = g.commit("b1: backport", at(3, 10))
    g.git("checkout", "-q", "main")
    c3 = g.commit("c3", at(2, 10))
    c4 = g.commit("c4", at(4, 10))
    c5 = g.commit("c5", at(6, 10))
    c6 = g.commit("c6", at(9, 10))
    g.tag("v1.0rc1", c2, at(1, 12))
    g.tag("v1.0", c2, at(2, 10))
    g.tag("1.0.1", b1, at(3, 12))
    g.tag("2.0.0.dev1", c3)
    g.tag("v2.0.0-beta.1", c4, at(4, 12))
    g.tag("v2.0", c5, at(7, 10))
    for name, sha in (("1.x", b1), ("1.0.x", c2), ("2.x", c5)):
        g.tag(name, sha, at(8, 10))
    g.tag("v2.1RC1", c6, at(10, 10))
    assert c1
    return g


PRERELEASES = {"v1.0rc1", "2.0.0.dev1", "v2.0.0-beta.1", "v2.1RC1"}  # named by hand


def test_prereleases_and_archive_tags(run_cli: Any, tmp_path: Path) -> None:
    repo = releases_repo(tmp_path / "rel")
    kept = repo.release_tags(PRERELEASES)
    assert kept == ["v1.0", "1.0.1", "v2.0"]  # v1.0 kept: the rc before it is no release
    out, err = git_json(run_cli, repo.path)
    deployments, median, counted = repo.expected(at(2), at(31), only=kept)
    df, lead = out["deployment_frequency"], out["lead_time_for_changes"]
    assert (df["deployments"], lead["changes"], lead["total_seconds"]) == (
        deployments, counted, median,
    )  # fmt: skip
    assert (deployments, counted) == (3, 6)  # c6 waits for a release: in flight
    assert (
        "leadline: 10 tags: 3 releases; left out 4 pre-releases (v1.0rc1, 2.0.0.dev1, "
        "v2.0.0-beta.1, …) and 3 that ship nothing new (1.0.x, 1.x, 2.x); --all-tags counts "
        "them\n"
    ) in err
    # --all-tags: every tag, against the oracle over every tag (today's behaviour).
    everything, err = git_json(run_cli, repo.path, ALL)
    deployments, median, counted = repo.expected(at(2), at(31))
    df, lead = everything["deployment_frequency"], everything["lead_time_for_changes"]
    assert (df["deployments"], lead["changes"], lead["total_seconds"]) == (
        deployments, counted, median,
    )  # fmt: skip
    assert (deployments, counted) == (9, 5)  # v1.0rc1 (day 1) ships c1, c2 before the window
    assert "left out" not in err


def test_only_prereleases(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "pre")
    sha = repo.commit("one", at(3))
    repo.tag("v1.0rc1", sha, at(4))
    repo.tag("v1.0-RC.2", sha, at(5))
    result = run_cli("git", str(repo.path), *WINDOW)
    assert (result.code, result.out) == (3, "")
    assert result.err.endswith(
        "leadline: error: no deployment: 2 tags and none is a release: 2 pre-releases "
        "(v1.0rc1, v1.0-RC.2); pass --all-tags to count them; --allow-empty prints the empty "
        "report\n"
    )
    out, _ = git_json(run_cli, repo.path, ALL)
    assert out["deployment_frequency"]["deployments"] == 2


def test_glob_that_matches_nothing(run_cli: Any, tmp_path: Path) -> None:
    repo, _ = history(tmp_path / "app")
    result = run_cli("git", str(repo.path), *WINDOW, "--tags", "release-*")
    assert (result.code, result.out) == (3, "")
    assert result.err.endswith(
        "leadline: error: no deployment: none of the 7 tags (nightly-1, v0.1, v1.0, …) "
        "matches --tags 'release-*'; pass --tags 'nightly-*' (or another glob); "
        "--allow-empty prints the empty report\n"
    )
    assert run_cli("git", str(repo.path), *WINDOW, "--tags", "release-*", "--allow-empty").code == 0


def test_one_of_each_is_singular(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "one")
    repo.tag("v1", repo.commit("one", at(3)), at(4))
    result = run_cli("git", str(repo.path), *WINDOW)
    assert result.code == 0, result.err
    assert "1 new commit (1 read, full import); 1 tag (1 new, 0 moved, 0 removed)" in result.err
    assert "1 deployment in 29 days" in result.out and "0 failures / 1 deployment" in result.out
    assert "1 change" in result.out and "changes" not in result.out.replace("for changes", "")


def craft_commit(
    repo: GitRepo, parent: str, when: str, message: str, literally: bool = False
) -> str:
    """A commit object written by hand: git refuses such dates from GIT_COMMITTER_DATE (it
    normalises ``+051800`` to ``+0000``), but keeps them in objects it is given."""
    tree = repo.git("rev-parse", f"{parent}^{{tree}}")
    body = (
        f"tree {tree}\nparent {parent}\nauthor A <a@example.com> {when}\n"
        f"committer A <a@example.com> {when}\n\n{message}\n"
    )
    path = repo.path / ".git" / "crafted"
    path.write_text(body)
    args = ["hash-object", "-t", "commit", "-w"] + (["--literally"] if literally else [])
    return repo.git(*args, str(path))


def test_odd_timezone_and_unreadable_date(run_cli: Any, tmp_path: Path) -> None:
    repo = GitRepo.create(tmp_path / "tz")
    c1 = repo.commit("c1", at(1))
    epoch = int(at(3).timestamp())
    odd = craft_commit(repo, c1, f"{epoch} +051800", "odd offset, as in psf/requests")
    assert repo.git("cat-file", "-p", odd).count("+051800") == 2
    assert repo.git("log", "-1", "--format=%cI", odd).endswith("+518:00")  # not ISO 8601
    repo.git("update-ref", "refs/heads/main", odd)
    repo.commit_dates[odd] = at(3)  # git's own reading: the epoch seconds
    repo.tag("v1", odd, at(5))
    bad = craft_commit(repo, c1, "garbage", "a damaged date", literally=True)
    repo.git("update-ref", "refs/heads/broken", bad)
    assert repo.git("log", "-1", "--format=%ct", bad) == ""  # git cannot print it either
    out, err = git_json(run_cli, repo.path)
    deployments, median, counted = repo.expected(at(2), at(31))
    lead = out["lead_time_for_changes"]
    assert (out["deployment_frequency"]["deployments"], lead["changes"]) == (deployments, counted)
    assert (counted, lead["total_seconds"]) == (2, median) and median == 3 * DAY  # 4 d and 2 d
    assert "2 new commits (2 read, full import)" in err
    assert f"leadline: warning: skipped 1 commit whose date git cannot read: {bad}\n" in err
    assert (
        f"leadline: warning: 1 commit with an impossible UTC offset ({odd[:12]} +51800): read "
        "at its exact UTC time, the offset ignored\n"
    ) in err
