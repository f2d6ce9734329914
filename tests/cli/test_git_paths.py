"""`leadline git PATH --paths GLOB` on a real repository (a monorepo's component): the
commits it reports are exactly `git log --format=%H -- src`'s, and the tags that count are
those shipping one of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leadline.services.dora_select import Deployments, commit_times
from leadline.services.gitrepo import git_profile
from leadline.store.db import make_engine, reading
from tests.gitbuild import GitRepo, at

WINDOW = ("--from", "2024-01-01", "--to", "2024-02-01")
ODD = "src/spaced name ü\n\t.py"  # quoted by git without -z


def _change(repo: GitRepo, when: Any, message: str, *files: str, move: tuple[str, str] | None
            = None) -> str:  # fmt: skip
    for name in files:
        path = repo.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{message}\n")
        repo.git("add", name)
    if move is not None:
        (repo.path / move[1]).parent.mkdir(parents=True, exist_ok=True)
        repo.git("mv", *move)
    repo.git("commit", "-q", "-m", message, when=when)
    return repo.git("rev-parse", "HEAD")


def monorepo(path: Path) -> GitRepo:
    """Days from 2024-01-01::

        d0 README.md ─ d1 src/app.py ─ d2 docs/b.md ─────────── m4 ─ d5 src/app.py → lib/app.py
                                    \\                         /      ─ d6 ODD ─ d7 docs/c.md
                                     f2 src/lib/x.py ─ f3 docs/guide.md

        v1 on d1 (day 1 12:00), v2 on d6 (day 6 12:00), v3 on d7 (day 7 12:00): docs only

    The merge m4 takes the feature branch (the only side that changed src/), so
    `git log -- src` leaves it out, and it carries no paths.
    """
    repo = GitRepo.create(path)
    _change(repo, at(0, 10), "d0", "README.md")
    d1 = _change(repo, at(1, 10), "d1", "src/app.py")
    repo.git("checkout", "-q", "-b", "feature")
    _change(repo, at(2, 9), "f2", "src/lib/x.py")
    _change(repo, at(3, 9), "f3", "docs/guide.md")
    repo.git("checkout", "-q", "main")
    _change(repo, at(2, 10), "d2", "docs/b.md")
    repo.git("merge", "-q", "--no-ff", "-m", "m4", "feature", when=at(4, 10))
    _change(repo, at(5, 10), "d5", move=("src/app.py", "lib/app.py"))
    d6 = _change(repo, at(6, 10), "d6", ODD)
    d7 = _change(repo, at(7, 10), "d7", "docs/c.md")
    repo.tag("v1", d1, at(1, 12))
    repo.tag("v2", d6, at(6, 12))
    repo.tag("v3", d7, at(7, 12))
    return repo


def test_paths_report_the_commits_git_log_lists_for_them(
    run_cli: Any, tmp_path: Path, db_url: str
) -> None:
    repo = monorepo(tmp_path / "mono")
    expected = set(repo.git("log", "--format=%H", "--", "src").split())
    assert len(expected) == 4  # d1, f2, d5 (the rename's old path), d6

    result = run_cli("git", str(repo.path), *WINDOW, "--paths", "src/**", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    # v1 ships d0, d1; v2 ships f2, f3, d2, m4, d5, d6; v3 ships d7 (docs only: left out).
    assert report["deployment_frequency"]["deployments"] == 2
    # d1 → v1 2 h; f2 → v2 4 d 3 h; d5 → v2 1 d 2 h; d6 → v2 2 h: median (2 h + 1 d 2 h) / 2
    lead = report["lead_time_for_changes"]
    assert (lead["changes"], lead["total_seconds"]) == (4, (2 + 26) / 2 * 3600)

    engine = make_engine(db_url)
    profile = git_profile("mono", ["src/**"])
    assert profile.dora is not None
    with reading(engine) as conn:
        found = Deployments.load(conn, profile, profile.dora, 2**62)
        times, _ = commit_times(conn, profile, found)
    engine.dispose()
    assert set(times.shas) == expected

    every = run_cli("git", str(repo.path), *WINDOW, "--format", "json")
    assert json.loads(every.out)["deployment_frequency"]["deployments"] == 3


def test_paths_globs_repeat_and_a_blank_glob_is_an_error(run_cli: Any, tmp_path: Path) -> None:
    repo = monorepo(tmp_path / "mono")
    args = ("git", str(repo.path), *WINDOW, "--format", "json")
    both = run_cli(*args, "--paths", "docs/**", "--paths", "README.md")
    assert both.code == 0, both.err
    # d0 (README.md) → v1, f3 and d2 → v2, d7 → v3: three tags, four commits.
    report = json.loads(both.out)
    assert report["deployment_frequency"]["deployments"] == 3
    assert report["lead_time_for_changes"]["changes"] == 4
    blank = run_cli(*args, "--paths", " ")
    assert blank.code != 0
    assert "--paths: give a glob of 1 to 1000 characters" in blank.err
    assert "Traceback" not in blank.err
