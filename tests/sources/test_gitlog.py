"""sources/git (gitlog, parse): commits and tags read from real repositories with the git binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadline.sources.git import gitlog
from leadline.sources.git.parse import GitError, Tag, remote_name, tag_run
from tests.gitbuild import GitRepo, at, history


def test_commits_with_parents_dates_and_authors(tmp_path: Path) -> None:
    g, c = history(tmp_path / "app")
    repo = gitlog.open_repository(str(g.path))
    refs = gitlog.read_refs(repo)
    commits = {x.sha: x for x in gitlog.read_commits(repo, refs.tips, ())}
    assert set(commits) == set(g.commit_dates) == set(c.values())
    assert gitlog.count_commits(repo, refs.tips, ()) == 11
    m1 = commits[c["m1"]]
    assert m1.parents == [c["c3"], c["f2"]]  # first parent first
    assert commits[c["c1"]].parents == []
    assert m1.committed_at == at(4, 8)
    assert m1.authored_at == at(4, 5)  # authored three hours earlier
    assert (m1.author, m1.model_extra) == ("Test Author", {"author_email": "author@example.com"})
    assert (m1.repo, m1.message) == ("app", "Merge feature")
    assert all(x.committed_at == g.commit_dates[x.sha] for x in commits.values())


def test_tags_annotated_lightweight_and_skipped(tmp_path: Path) -> None:
    g, c = history(tmp_path / "app")
    g.git("tag", "-a", "nested", "-m", "a tag of a tag", "v1.1", when=at(30))
    g.git("checkout", "-q", "--detach", c["c3"])  # a detached HEAD is a tip too
    refs = gitlog.read_refs(gitlog.open_repository(str(g.path)))
    tags = {t.name: t for t in refs.tags}
    assert "blob" not in tags  # a tag of a blob is no deployment
    assert tags["v0.1"] == Tag("v0.1", c["c2"], at(1, 10), annotated=False)
    assert tags["v1.0"] == Tag("v1.0", c["m1"], at(5, 10), annotated=True)
    assert tags["nightly-1"] == Tag("nightly-1", c["c4"], at(6, 10), annotated=False)
    assert tags["nested"] == Tag("nested", c["c5"], at(30), annotated=True)
    assert {t.at for n, t in tags.items() if n != "nested"} == set(g.tag_dates.values())
    heads = {c["c6"], c["f2"], c["m2"]}  # main, feature, hotfix (merged into main)
    assert refs.tips == heads | {c[n] for n in ("c2", "m1", "c4", "h1", "c5")} | {c["c3"]}


def test_only_commits_not_reachable_from_known(tmp_path: Path) -> None:
    g, c = history(tmp_path / "app")
    repo = gitlog.open_repository(str(g.path))
    refs = gitlog.read_refs(repo)
    new = [x.sha for x in gitlog.read_commits(repo, refs.tips, [c["m1"]])]
    assert sorted(new) == sorted(c[n] for n in ("c4", "c5", "h1", "m2", "c6"))
    assert gitlog.count_commits(repo, refs.tips, [c["m1"]]) == 5
    assert list(gitlog.read_commits(repo, refs.tips, refs.tips)) == []
    assert list(gitlog.read_commits(repo, [], ())) == []
    gone = "0" * 40
    assert gitlog.existing(repo, [c["m1"], gone, "not-a-sha"]) == {c["m1"]}


def test_messages_read_back_exactly(tmp_path: Path) -> None:
    g = GitRepo.create(tmp_path / "r")
    message = "Ünïcode: fix PROJ-12\n\nBody with\ttabs, %x00 and \x1e separators\n  indented"
    g.commit(message, at(1))
    repo = gitlog.open_repository(str(g.path))
    (commit,) = gitlog.read_commits(repo, gitlog.read_refs(repo).tips, ())
    assert commit.message == message


def test_reader_stopped_early_leaves_no_error(tmp_path: Path) -> None:
    g, _ = history(tmp_path / "app")
    repo = gitlog.open_repository(str(g.path))
    stream = gitlog.read_commits(repo, gitlog.read_refs(repo).tips, ())
    assert next(stream).sha
    stream.close()  # kills git; nothing raised


def test_tag_run_is_a_production_deployment() -> None:
    run = tag_run("acme/api", Tag("v2", "a" * 40, at(3), annotated=True))
    assert run.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "pipeline_run", "system": "git", "pipeline": "acme/api", "run_id": "v2",
        "type": "cd", "status": "success", "started_at": "2024-01-04T00:00:00Z",
        "finished_at": "2024-01-04T00:00:00Z", "environment": "production",
        "repo": "acme/api", "commit_sha": "a" * 40, "tag_type": "annotated",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("git@github.com:acme/api.git", "acme/api"),
        ("https://github.com/acme/api", "acme/api"),
        ("https://gitlab.example.com/group/sub/proj.git/", "group/sub/proj"),
        ("ssh://git@host:2222/acme/api.git", "acme/api"),
        ("file:///srv/git/api.git", None),
        ("/srv/git/api.git", None),
        ("../api", None),
        ("", None),
    ],
)
def test_remote_name(url: str, name: str | None) -> None:
    assert remote_name(url) == name


def test_names(tmp_path: Path) -> None:
    g = GitRepo.create(tmp_path / "work")
    assert gitlog.open_repository(str(g.path)).name == "work"
    (g.path / "sub").mkdir()
    inner = gitlog.open_repository(str(g.path / "sub"))
    assert (inner.name, inner.git_dir) == ("work", str(g.path / ".git"))
    bare = tmp_path / "served.git"
    g.git("init", "-q", "--bare", str(bare))
    assert gitlog.open_repository(str(bare)).name == "served"
    assert gitlog.open_repository(str(bare), "x/y").name == "x/y"


def test_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(GitError, match=r"missing: no such directory$"):
        gitlog.open_repository(str(tmp_path / "missing"))
    with pytest.raises(GitError, match=r": not a git repository$"):
        gitlog.open_repository(str(tmp_path))
    g = GitRepo.create(tmp_path / "r")
    repo = gitlog.open_repository(str(g.path))
    with pytest.raises(GitError, match=r"git failed: fatal: bad object"):
        list(gitlog.read_commits(repo, ["1" * 40], ()))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))  # ignored: PATH decides
    assert gitlog.open_repository(str(g.path)).git_dir == str(g.path / ".git")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(GitError, match="git is not installed or not on PATH"):
        gitlog.open_repository(str(g.path))
