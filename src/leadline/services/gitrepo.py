"""``leadline git``: import a local repository's commits and tags, then report its DORA metrics.

One write transaction per run holds everything: the commits that are new since the last run
(not reachable from the ref tips the cursor remembers), every tag that matches the globs as a
successful production deployment, tags written before that are gone (or no longer match) as
``inactive`` runs, and the cursor. A killed run leaves nothing half-written, and the cursor
moves with the records. The report is ``services.dora`` with a built-in profile: deployments
are this repository's tags, lead time is per commit (``dora.lead_time: commits``). See
docs/git.md.

With ``releases_only`` (the CLI's default; ``--all-tags`` turns it off) only release tags are
deployments: ``domain.releases`` decides, and a tag it leaves out is treated exactly like a
tag the globs do not match (not written; ``inactive`` if written before). A report with no
deployment is an error (``require_deployment``: ``NoDeployment``, exit code 3) unless the
caller allows it (``--allow-empty``): an all-zero table reads like a real answer, so the
message says what was found and what to pass instead.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from leadline.domain import releases
from leadline.domain.times import format_time, parse_time
from leadline.errors import LeadlineError
from leadline.metrics.dora_json import DoraReport
from leadline.profiles.loader import profile_from_data
from leadline.profiles.models import Profile
from leadline.services.dora import dora
from leadline.services.dora_lead import COMMIT_STAGE
from leadline.services.leadtime import Window
from leadline.sources.git import gitlog
from leadline.sources.git import parse as gitparse
from leadline.store import cursors
from leadline.store.db import writing
from leadline.store.writer import KindCounts, RecordWriter
from leadline.words import plural

CURSOR_SOURCE = "git"
CURSOR_RESOURCE = "refs"
REMOVED = "inactive"  # a tag that no longer exists or matches: not a deployment any more
PROGRESS_EVERY = 1000
Progress = Callable[[int, int], None]
EXAMPLES = 3  # names shown in a message before "…"
_ALLOW = "; --allow-empty prints the empty report"


class NoDeployment(LeadlineError):
    """The report would count no deployment: a message saying why, and exit code 3."""

    exit_code = 3
    code = "no_deployment"


def _some(names: Sequence[str]) -> str:
    shown = ", ".join(names[:EXAMPLES])
    return shown + (", …" if len(names) > EXAMPLES else "")


@dataclass
class GitImport:
    """What one run read and wrote."""

    repo: str
    git_dir: str
    commits: KindCounts = field(default_factory=KindCounts)
    tags: KindCounts = field(default_factory=KindCounts)  # the deployments, as runs
    tags_removed: int = 0
    full: bool = True  # no cursor to start from: every reachable commit was read
    first_tag_at: datetime | None = None  # of the deployments
    last_tag_at: datetime | None = None
    seconds: float = 0.0
    globs: tuple[str, ...] = ("*",)
    releases_only: bool = False
    tag_names: list[str] = field(default_factory=list)  # every tag of a commit, by name
    matched: int = 0  # of those, how many match the globs
    prereleases: list[str] = field(default_factory=list)  # left out, in tag-time order
    nothing_new: list[str] = field(default_factory=list)  # left out, in tag-time order
    commits_in_repo: int = 0  # reachable from any ref (counted only when no tag is kept)
    notes: gitparse.ReadNotes = field(default_factory=gitparse.ReadNotes)
    undated_tags: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c, t = self.commits, self.tags
        how = "full import" if self.full else "new since the last run"
        return (
            f"git {self.repo}: {plural(c.new, 'new commit')} ({c.total} read, {how}); "
            f"{plural(t.total, 'tag')} ({t.new} new, {t.updated} moved, "
            f"{self.tags_removed} removed) in {self.seconds:.1f} s"
        )

    def _which(self) -> str:
        return "" if self.globs == ("*",) else f" matching {self._tags_option()}"

    def _tags_option(self) -> str:
        return " ".join(f"--tags {shlex.quote(g)}" for g in self.globs)

    def _left_out(self) -> str:
        parts = []
        if self.prereleases:
            parts.append(f"{plural(len(self.prereleases), 'pre-release')} "
                         f"({_some(self.prereleases)})")  # fmt: skip
        if self.nothing_new:
            n = len(self.nothing_new)
            parts.append(f"{n} that {'ships' if n == 1 else 'ship'} nothing new "
                         f"({_some(self.nothing_new)})")  # fmt: skip
        return " and ".join(parts)

    def selection(self) -> str | None:
        """What the release rule left out, for stderr; ``None`` when it left nothing out."""
        if not (self.prereleases or self.nothing_new):
            return None
        kept = self.matched - len(self.prereleases) - len(self.nothing_new)
        return (
            f"{plural(self.matched, 'tag')}{self._which()}: {plural(kept, 'release')}; "
            f"left out {self._left_out()}; --all-tags counts them"
        )

    def warnings(self) -> list[str]:
        """One line per kind of commit or tag read unusually (module docstring of
        ``leadline.sources.git.parse``)."""
        out = []
        skipped, odd = self.notes.skipped, self.notes.odd_offsets
        if skipped:
            out.append(f"skipped {plural(len(skipped), 'commit')} whose date git cannot read: "
                       f"{_some(skipped)}")  # fmt: skip
        if odd:
            shown = _some([f"{sha[:12]} {offset}" for sha, offset in odd])
            out.append(
                f"{plural(len(odd), 'commit')} with an impossible UTC offset ({shown}): read "
                f"at {'its' if len(odd) == 1 else 'their'} exact UTC time, the offset ignored"
            )
        if self.undated_tags:
            out.append(f"skipped {plural(len(self.undated_tags), 'tag')} whose date git "
                       f"cannot read: {_some(self.undated_tags)}")  # fmt: skip
        return out

    def no_deployment(self, report: Mapping[str, Any], allowed: bool = False) -> str:
        """Why the report counts no deployment, and what to pass instead (``allowed``: the
        caller asked for the empty report, so do not suggest ``--allow-empty``)."""
        return self._no_deployment(report) + ("" if allowed else _ALLOW)

    def _no_deployment(self, report: Mapping[str, Any]) -> str:
        commits = plural(self.commits_in_repo, "commit")
        if not self.tag_names:
            return (
                f"no deployment: {self.repo} has {commits} and no tags; tag its releases "
                f"(git tag v1.0 <commit>)"
            )
        if not self.matched:
            n = len(self.tag_names)
            found = "the only tag" if n == 1 else f"none of the {n} tags"
            verb = "does not match" if n == 1 else "matches"
            return (
                f"no deployment: {found} ({_some(self.tag_names)}) {verb} "
                f"{self._tags_option()}; pass --tags "
                f"{shlex.quote(_glob_for(self.tag_names[0]))} (or another glob)"
            )
        if not self.tags.total:
            return (
                f"no deployment: {plural(self.matched, 'tag')}{self._which()} and none is a "
                f"release: {self._left_out()}; pass --all-tags to count them"
            )
        first, last = self.first_tag_at, self.last_tag_at
        span = f", dated {first.date()} to {last.date()}" if first and last else ""
        kind = "release" if self.releases_only else "tag"
        also = " (or --all-tags)" if self.prereleases or self.nothing_new else ""
        return (
            f"no deployment in the window [{report['from']}, {report['to']}): "
            f"{plural(self.tags.total, kind)}{self._which()}{span}; pass --from/--to to "
            f"cover them{also}"
        )


def import_repository(
    engine: Engine,
    path: str,
    globs: Sequence[str] = ("*",),
    name: str | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 2000,
    full: bool = False,
    releases_only: bool = False,
) -> GitImport:
    """Import what is new in the repository at ``path`` (see the module docstring); with
    ``full``, read every commit again (unchanged ones are left untouched); with
    ``releases_only``, only release tags are deployments (``domain.releases``)."""
    started = time.perf_counter()
    repo = gitlog.open_repository(path, _name(name))
    refs = gitlog.read_refs(repo)
    tags = [t for t in refs.tags if any(fnmatch.fnmatchcase(t.name, g) for g in globs)]
    scope = _scope(repo.git_dir)
    done = GitImport(repo.name, repo.git_dir, globs=tuple(globs), releases_only=releases_only)
    done.tag_names, done.matched = [t.name for t in refs.tags], len(tags)
    done.undated_tags = list(refs.undated)
    if releases_only:
        picked = releases.pick_releases(tags, gitlog.ancestry(repo, {t.sha for t in tags}))
        tags = sorted(picked.kept, key=lambda t: t.name)
        done.prereleases = [t.name for t in picked.prereleases]
        done.nothing_new = [t.name for t in picked.nothing_new]
    with writing(engine) as conn:
        state = cursors.get(conn, CURSOR_SOURCE, scope, CURSOR_RESOURCE)
        if not isinstance(state, dict) or state.get("repo") != repo.name:
            state = {}  # never imported, or under another name: start over
        known = gitlog.existing(repo, state.get("tips", ())) if state and not full else set()
        done.full = not known
        writer = RecordWriter(conn, batch_size=batch_size)
        total = gitlog.count_commits(repo, refs.tips, known) if on_progress else 0
        commits = gitlog.read_commits(repo, refs.tips, known, done.notes)
        for i, commit in enumerate(commits, start=1):
            writer.add(commit)
            if on_progress is not None and i % PROGRESS_EVERY == 0:
                on_progress(i, total)
        writer.add_all(gitparse.tag_run(repo.name, t) for t in tags)
        writer.flush()
        done.commits = writer.counts.get("commit", KindCounts())
        done.tags = writer.counts.pop("pipeline_run", KindCounts())
        current = {t.name for t in tags}
        gone = [_tag(n, v) for n, v in state.get("tags", {}).items() if n not in current]
        writer.add_all(gitparse.tag_run(repo.name, t, status=REMOVED) for t in gone)
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
    else:  # for the message that says why nothing is deployed
        done.commits_in_repo = gitlog.count_commits(repo, refs.tips, ())
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
    releases_only: bool = False,
    paths: Sequence[str] | None = None,
) -> tuple[GitImport, DoraReport]:
    """Import, then the ``leadline dora`` JSON for this repository alone (with ``paths``:
    for the commits changing a matching path, ``git_profile``)."""
    paths = _paths(paths)  # a bad glob fails before anything is imported
    done = import_repository(
        engine, path, globs, name, on_progress, full=full, releases_only=releases_only
    )
    return done, dora(engine, git_profile(done.repo, paths), window, interval, stat, now)


def require_deployment(done: GitImport, report: Mapping[str, Any]) -> None:
    """Raise ``NoDeployment`` when the report counts no deployment (the import is kept: the
    next run reads only what is new)."""
    if not report["deployment_frequency"]["deployments"]:
        raise NoDeployment(done.no_deployment(report))


def git_profile(repo: str, paths: Sequence[str] | None = None) -> Profile:
    """The built-in profile: this repository's tags are its production deployments; lead time
    is per commit, to the first deployment that contains it. Failures and restores
    come from incidents, which git does not have: import them to fill those metrics. With
    ``paths`` (``--paths``): ``scope.paths``, so only the commits changing a matching path
    count, and the tags that ship one."""
    only = [literal_glob(repo)]
    scope: dict[str, Any] = {"repos": only}
    if paths is not None:
        scope["paths"] = list(paths)
    return profile_from_data(
        {
            "name": f"git {repo}",
            "description": "leadline git: tags as production deployments, commits as changes",
            "scope": scope,
            "stages": [{"name": COMMIT_STAGE, "event": "cd_completed", "pipelines": only,
                        "environments": [gitparse.ENVIRONMENT]}],
            "dora": {
                "deployments": {"source": "cd", "pipelines": only,
                                "environments": [gitparse.ENVIRONMENT], "statuses": ["success"]},
                "failures": {"source": "incidents"},
                "restore": {"source": "incidents"},
                "lead_time": "commits",
            },
        },
        "<leadline git profile>",
    )  # fmt: skip


def _glob_for(tag: str) -> str:
    """A glob for tags named like ``tag``: what comes before its first digit, then ``*``."""
    return re.split(r"\d", tag, maxsplit=1)[0] + "*"


def literal_glob(text: str) -> str:
    """A glob that matches ``text`` only (``*``, ``?`` and ``[`` bracketed)."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _name(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    if not name or len(name) > 1000:
        raise gitparse.GitError("--repo: give a name of 1 to 1000 characters")
    return name


def _paths(paths: Sequence[str] | None) -> list[str] | None:
    if paths is None:
        return None
    if not paths or any(not p.strip() or len(p) > 1000 for p in paths):
        raise gitparse.GitError("--paths: give a glob of 1 to 1000 characters (e.g. 'src/**')")
    return list(paths)


def _scope(git_dir: str) -> str:
    """The cursor's scope: the repository's absolute git directory (hashed if very long)."""
    if len(git_dir) <= 500:
        return git_dir
    return "sha256:" + hashlib.sha256(git_dir.encode()).hexdigest()


def _tag(name: str, value: Any) -> gitparse.Tag:
    sha, at, annotated = value
    return gitparse.Tag(str(name), str(sha), parse_time(at), bool(annotated))
