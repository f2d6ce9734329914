"""services/gitrepo: one transaction per run, the cursor, and what each run reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from leadline.domain.records import Commit
from leadline.services import gitrepo
from leadline.sources.git import gitlog
from leadline.store import cursors
from leadline.store.db import reading
from leadline.store.tables import commit_parents, commits, pipeline_runs
from tests.gitbuild import GitRepo, at, history
from tests.helpers import snapshot


def count(engine: Engine, table: Any) -> int:
    with reading(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_failed_run_writes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    g, _ = history(tmp_path / "app")
    before = snapshot(engine)
    real = gitlog.read_commits

    def dies_midway(*args: Any) -> Iterator[Commit]:
        for i, commit in enumerate(real(*args)):
            if i == 5:
                raise KeyboardInterrupt  # killed after two batches were flushed
            yield commit

    monkeypatch.setattr(gitlog, "read_commits", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        gitrepo.import_repository(engine, str(g.path), batch_size=2)
    assert snapshot(engine) == before
    monkeypatch.setattr(gitlog, "read_commits", real)
    done = gitrepo.import_repository(engine, str(g.path), batch_size=2)
    assert (done.full, done.commits.new, done.tags.new) == (True, 11, 7)
    assert (count(engine, commits), count(engine, commit_parents)) == (11, 12)  # 2 merges


def test_cursor_moves_with_the_records(engine: Engine, tmp_path: Path) -> None:
    g, c = history(tmp_path / "app")
    gitrepo.import_repository(engine, str(g.path), globs=["v1.0*"])
    with reading(engine) as conn:
        state = cursors.get(conn, "git", str(g.path / ".git"), "refs")
    assert state["repo"] == "app"
    assert set(state["tips"]) == gitlog.read_refs(gitlog.open_repository(str(g.path))).tips
    assert state["tags"] == {
        "v1.0": [c["m1"], "2024-01-06T10:00:00Z", True],
        "v1.0.1": [c["h1"], "2024-01-09T12:00:00Z", True],
        "v1.0-redeploy": [c["m1"], "2024-01-13T10:00:00Z", True],
    }
    assert count(engine, pipeline_runs) == 3


def test_pruned_branch_and_new_name(engine: Engine, tmp_path: Path) -> None:
    g = GitRepo.create(tmp_path / "app")
    base = g.commit("base", at(1))
    g.git("checkout", "-q", "-b", "spike")
    g.commit("spike", at(2))
    g.git("checkout", "-q", "main")
    assert gitrepo.import_repository(engine, str(g.path)).commits.new == 2
    # The spike branch is deleted and its commit pruned: the old tip is gone from the repo.
    g.git("branch", "-D", "spike")
    g.git("reflog", "expire", "--expire=now", "--all")
    g.git("gc", "-q", "--prune=now")
    g.tag("v1", g.commit("after", at(3)), at(4))
    done = gitrepo.import_repository(engine, str(g.path))
    assert (done.full, done.commits.new, done.commits.total) == (False, 1, 1)
    assert base
    # Another name for the same repository: everything is read again, under that name.
    done = gitrepo.import_repository(engine, str(g.path), name="acme/app")
    assert (done.full, done.commits.new, done.repo) == (True, 2, "acme/app")


def test_progress(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g, _ = history(tmp_path / "app")
    monkeypatch.setattr(gitrepo, "PROGRESS_EVERY", 4)
    seen: list[tuple[int, int]] = []
    gitrepo.import_repository(engine, str(g.path), on_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(4, 11), (8, 11), (11, 11)]


def test_profile_is_this_repository_only() -> None:
    profile = gitrepo.git_profile("acme/[x]*")
    assert profile.scope.repos == ["acme/[[]x][*]"]
    assert profile.dora is not None and profile.dora.lead_time == "commits"
    assert profile.dora.deployments.pipelines == ["acme/[[]x][*]"]
    assert profile.dora.deployments.environments == ["production"]


def test_report_uses_commit_times(engine: Engine, tmp_path: Path) -> None:
    g = GitRepo.create(tmp_path / "app")
    first = g.commit("one", at(1, 10))
    g.tag("v1", g.commit("two", at(2, 10)), at(3, 10))
    done, report = gitrepo.git_report(
        engine, str(g.path), window=gitrepo.Window(at(0), at(7)), stat="mean"
    )
    lead = report["lead_time_for_changes"]
    assert (lead["changes"], lead["statistic"], lead["total_seconds"]) == (2, "mean", 1.5 * 86400)
    assert done.first_tag_at == done.last_tag_at == at(3, 10) and first
