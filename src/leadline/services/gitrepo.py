"""``leadline git``: import a local repository's commits and tags, then report its DORA metrics.

One write transaction per run holds everything: the commits that are new since the last run
(not reachable from the ref tips the cursor remembers), every tag that matches the globs as a
successful production deployment, tags written before that are gone (or no longer match) as
``inactive`` runs, and the cursor. A killed run leaves nothing half-written, and the cursor
moves with the records. The report is ``services.dora`` with a built-in profile: deployments
are this repository's tags, lead time is per commit (``dora.lead_time: commits``). See
docs/git.md.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadline.domain.times import format_time, parse_time
from leadline.profiles.loader import profile_from_data
from leadline.profiles.models import Profile
from leadline.services.dora import COMMIT_STAGE, dora
from leadline.services.leadtime import Window
from leadline.sources import gitlog
from leadline.store import cursors
from leadline.store.db import writing
from leadline.store.writer import KindCounts, RecordWriter

CURSOR_SOURCE = "git"
CURSOR_RESOURCE = "refs"
REMOVED = "inactive"  # a tag that no longer exists or matches: not a deployment any more
PROGRESS_EVERY = 1000
Progress = Callable[[int, int], None]


@dataclass
class GitImport:
    """What one run read and wrote."""

    repo: str
    git_dir: str
    commits: KindCounts = field(default_factory=KindCounts)
    tags: KindCounts = field(default_factory=KindCounts)  # the tags that match, as runs
    tags_removed: int = 0
    full: bool = True  # no cursor to start from: every reachable commit was read
    first_tag_at: datetime | None = None
    last_tag_at: datetime | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        c, t = self.commits, self.tags
        how = "full import" if self.full else "new since the last run"
        return (
            f"git {self.repo}: {c.new} new commits ({c.total} read, {how}); "
            f"{t.total} tags ({t.new} new, {t.updated} moved, {self.tags_removed} removed) "
            f"in {self.seconds:.1f} s"
        )


def import_repository(
    engine: Engine,
    path: str,
    globs: Sequence[str] = ("*",),
    name: str | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 2000,
    full: bool = False,
) -> GitImport:
    """Import what is new in the repository at ``path`` (see the module docstring); with
    ``full``, read every commit again (unchanged ones are left untouched)."""
    started = time.perf_counter()
    repo = gitlog.open_repository(path, _name(name))
    refs = gitlog.read_refs(repo)
    tags = [t for t in refs.tags if any(fnmatch.fnmatchcase(t.name, g) for g in globs)]
    scope = _scope(repo.git_dir)
    done = GitImport(repo.name, repo.git_dir)
    with writing(engine) as conn:
        state = cursors.get(conn, CURSOR_SOURCE, scope, CURSOR_RESOURCE)
        if not isinstance(state, dict) or state.get("repo") != repo.name:
            state = {}  # never imported, or under another name: start over
        known = gitlog.existing(repo, state.get("tips", ())) if state and not full else set()
        done.full = not known
        writer = RecordWriter(conn, batch_size=batch_size)
        total = gitlog.count_commits(repo, refs.tips, known) if on_progress else 0
        for i, commit in enumerate(gitlog.read_commits(repo, refs.tips, known), start=1):
            writer.add(commit)
            if on_progress is not None and i % PROGRESS_EVERY == 0:
                on_progress(i, total)
        writer.add_all(gitlog.tag_run(repo.name, t) for t in tags)
        writer.flush()
        done.commits = writer.counts.get("commit", KindCounts())
        done.tags = writer.counts.pop("pipeline_run", KindCounts())
        current = {t.name for t in tags}
        gone = [_tag(n, v) for n, v in state.get("tags", {}).items() if n not in current]
        writer.add_all(gitlog.tag_run(repo.name, t, status=REMOVED) for t in gone)
        writer.flush()
        done.tags_removed = len(gone)
        cursors.put(conn, CURSOR_SOURCE, scope, CURSOR_RESOURCE, {
            "repo": repo.name,
            "tips": sorted(refs.tips),
            "tags": {t.name: [t.sha, format_time(t.at), t.annotated] for t in tags},
        })  # fmt: skip
    if on_progress is not None and total:
        on_progress(total, total)
    if tags:
        done.first_tag_at, done.last_tag_at = min(t.at for t in tags), max(t.at for t in tags)
    done.seconds = time.perf_counter() - started
    return done


def git_report(
    engine: Engine,
    path: str,
    globs: Sequence[str] = ("*",),
    name: str | None = None,
    window: Window | None = None,
    interval: str = "week",
    stat: str = "median",
    now: datetime | None = None,
    on_progress: Progress | None = None,
    full: bool = False,
) -> tuple[GitImport, dict[str, Any]]:
    """Import, then CONTRACT §3's ``dora`` JSON for this repository alone."""
    done = import_repository(engine, path, globs, name, on_progress, full=full)
    return done, dora(engine, git_profile(done.repo), window, interval, stat, now)


def git_profile(repo: str) -> Profile:
    """The built-in profile: this repository's tags are its production deployments; lead time
    is per commit, to the first deployment that contains it (DESIGN 8). Failures and restores
    come from incidents, which git does not have: import them to fill those metrics."""
    only = [literal_glob(repo)]
    return profile_from_data(
        {
            "name": f"git {repo}",
            "description": "leadline git: tags as production deployments, commits as changes",
            "scope": {"repos": only},
            "stages": [{"name": COMMIT_STAGE, "event": "cd_completed", "pipelines": only,
                        "environments": [gitlog.ENVIRONMENT]}],
            "dora": {
                "deployments": {"source": "cd", "pipelines": only,
                                "environments": [gitlog.ENVIRONMENT], "statuses": ["success"]},
                "failures": {"source": "incidents"},
                "restore": {"source": "incidents"},
                "lead_time": "commits",
            },
        },
        "<leadline git profile>",
    )  # fmt: skip


def literal_glob(text: str) -> str:
    """A glob that matches ``text`` only (``*``, ``?`` and ``[`` bracketed)."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _name(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    if not name or len(name) > 1000:
        raise gitlog.GitError("--repo: give a name of 1 to 1000 characters")
    return name


def _scope(git_dir: str) -> str:
    """The cursor's scope: the repository's absolute git directory (hashed if very long)."""
    if len(git_dir) <= 500:
        return git_dir
    return "sha256:" + hashlib.sha256(git_dir.encode()).hexdigest()


def _tag(name: str, value: Any) -> gitlog.Tag:
    sha, at, annotated = value
    return gitlog.Tag(str(name), str(sha), parse_time(at), bool(annotated))
