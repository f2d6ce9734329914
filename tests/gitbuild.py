"""Real git repositories for tests, with every date fixed so expected numbers are exact."""

from __future__ import annotations

import os
import statistics
import subprocess
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(days: float, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


@dataclass
class GitRepo:
    """A repository in ``path``; commits are committed at the given time and authored three
    hours earlier (so a test notices if author dates are used instead)."""

    path: Path
    tag_dates: dict[str, datetime] = field(default_factory=dict)
    commit_dates: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def create(cls, path: Path, branch: str = "main") -> GitRepo:
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        repo.git("init", "-q", "-b", branch)
        repo.git("config", "user.name", "Test Author")
        repo.git("config", "user.email", "author@example.com")
        repo.git("config", "advice.nestedTag", "false")
        return repo

    def git(self, *args: str, when: datetime | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        if when is not None:
            env["GIT_COMMITTER_DATE"] = when.isoformat()
            env["GIT_AUTHOR_DATE"] = (when - timedelta(hours=3)).isoformat()
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def commit(self, message: str, when: datetime) -> str:
        name = f"file-{len(self.commit_dates)}.txt"  # one file per commit: merges never conflict
        (self.path / name).write_text(f"{message}\n")
        self.git("add", name)
        self.git("commit", "-q", "-m", message, when=when)
        return self._head(when)

    def merge(self, branch: str, when: datetime) -> str:
        self.git("merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch, when=when)
        return self._head(when)

    def tag(self, name: str, target: str, when: datetime | None = None) -> None:
        """Annotated when ``when`` is given (the tagger date), else lightweight."""
        if when is None:
            self.git("tag", name, target)
            self.tag_dates[name] = self.commit_dates[self.git("rev-parse", target)]
        else:
            self.git("tag", "-a", name, "-m", f"release {name}", target, when=when)
            self.tag_dates[name] = when

    def _head(self, when: datetime) -> str:
        sha = self.git("rev-parse", "HEAD")
        self.commit_dates[sha] = when
        return sha

    def release_tags(self, prereleases: Collection[str]) -> list[str]:
        """The release rule's oracle, from ``git rev-list``: leave out the ``prereleases``
        (named by the test), then take the tags in tag-time order (ties by name) and leave out
        each one that reaches no commit the releases kept before it do not reach."""
        order = sorted((n for n in self.tag_dates if n not in prereleases),
                       key=lambda n: (self.tag_dates[n], n))  # fmt: skip
        kept: list[str] = []
        for name in order:
            ships = self.git("rev-list", "--count", f"{name}^{{commit}}", "--not", *kept)
            if int(ships):
                kept.append(name)
        return kept

    def expected(
        self,
        start: datetime,
        end: datetime,
        tag_filter: str | None = None,
        only: Collection[str] | None = None,
    ) -> tuple[int, float | None, int]:
        """The acceptance oracle, from ``git tag --contains``: (deployments in the window,
        median seconds from commit to the first tag that contains it, commits counted); the
        deployments are the tags starting with ``tag_filter``, or the tags in ``only``."""
        names = [n for n in self.tag_dates if tag_filter is None or n.startswith(tag_filter)]
        names = [n for n in names if only is None or n in only]
        deployments = sum(1 for n in names if start <= self.tag_dates[n] < end)
        leads = []
        for sha in self.git("rev-list", "--all").split():
            containing = [n for n in self.git("tag", "--contains", sha).split() if n in names]
            if not containing:
                continue  # in flight
            first = min(self.tag_dates[n] for n in containing)
            if start <= first < end:
                leads.append(max(0.0, (first - self.commit_dates[sha]).total_seconds()))
        return deployments, (statistics.median(leads) if leads else None), len(leads)


def history(path: Path) -> tuple[GitRepo, dict[str, str]]:
    """Branches, --no-ff merges, annotated and lightweight tags, a tag of a blob, a hotfix tag
    on an unmerged branch, a re-deployment of an old commit, and commits never tagged.

    Days from 2024-01-01 (commit times at 10:00 unless said otherwise)::

        c1(0) ─ c2(1) ─ c3(2 12h) ─ m1(4 8h) ─ c4(6) ─ c5(7) ─ m2(10) ─ c6(11)  main
                   \\             /                         /
                    f1(2 9h) ─ f2(3 15h)    h1(8) ──────────┘   hotfix from m1

        v0.1  lightweight on c2            → 01-02 10:00
        v1.0  annotated on m1, day 5 10:00
        nightly-1  lightweight on c4       → day 6 10:00 (not v*)
        v1.0.1 annotated on h1, day 8 12:00
        v1.1  annotated on c5, day 9 10:00
        v1.0-redeploy annotated on m1, day 12 (ships nothing new)
        v1.2  annotated on m2, day 40 (after a January window)
        blob  a tag of a blob (no commit: never a deployment)
    """
    g = GitRepo.create(path)
    c: dict[str, str] = {}
    c["c1"] = g.commit("c1: initial", at(0, 10))
    c["c2"] = g.commit("c2: second", at(1, 10))
    g.tag("v0.1", c["c2"])
    g.git("checkout", "-q", "-b", "feature")
    c["f1"] = g.commit("f1: feature work", at(2, 9))
    c["f2"] = g.commit("f2: more feature work", at(3, 15))
    g.git("checkout", "-q", "main")
    c["c3"] = g.commit("c3: on main meanwhile", at(2, 12))
    c["m1"] = g.merge("feature", at(4, 8))
    g.tag("v1.0", c["m1"], at(5, 10))
    c["c4"] = g.commit("c4: after v1.0", at(6, 10))
    g.tag("nightly-1", c["c4"])
    c["c5"] = g.commit("c5: more", at(7, 10))
    g.git("checkout", "-q", "-b", "hotfix", c["m1"])
    c["h1"] = g.commit("h1: hotfix", at(8, 10))
    g.tag("v1.0.1", c["h1"], at(8, 12))
    g.git("checkout", "-q", "main")
    g.tag("v1.1", c["c5"], at(9, 10))
    c["m2"] = g.merge("hotfix", at(10, 10))
    c["c6"] = g.commit("c6: not released yet", at(11, 10))
    g.tag("v1.0-redeploy", c["m1"], at(12, 10))
    g.tag("v1.2", c["m2"], at(40, 10))
    blob = g.git("hash-object", "-w", str(path / "file-0.txt"))
    g.git("tag", "blob", blob)
    return g, c
