"""What ``git`` prints, read into records: pure functions of text and byte streams (the
``git`` processes themselves run in ``leadline.sources.git.gitlog``).

Dates are read as epoch seconds (``%ct``, ``%at``, ``:raw``), which git always prints for any
date it stored; every time is kept in UTC, so a commit's UTC offset never changes a number.
Git accepts offsets that are not valid UTC offsets (``+051800`` in psf/requests, which git
reads as +518 hours and prints as ``+518:00`` in ISO dates): such a commit is read at its exact
UTC time and reported in ``ReadNotes.odd_offsets``. A commit whose date git cannot print at
all (a damaged object) is skipped and reported in ``ReadNotes.skipped``: one bad commit never
stops an import.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from leadline.domain.records import Commit, PipelineRun
from leadline.errors import InputError

SYSTEM = "git"
ENVIRONMENT = "production"
# With --date=raw, %cd is "<epoch seconds> <offset as git stored it>".
LOG_FIELDS = ("%H", "%P", "%ct", "%cd", "%at", "%aN", "%aE", "%B")
REF_FIELDS = (
    "%(refname)", "%(objecttype)", "%(objectname)", "%(*objecttype)", "%(*objectname)",
    "%(taggerdate:raw)", "%(*committerdate:raw)", "%(committerdate:raw)",
)  # fmt: skip
SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
CHUNK = 1 << 16
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second a datetime can hold
OFFSET = re.compile(r"^[+-](\d\d)([0-5]\d)$")  # +hhmm with hh < 24 and mm < 60


class GitError(InputError):
    """The path is not a readable git repository, or ``git`` is missing or failed."""

    code = "git_error"


@dataclass(frozen=True)
class Repository:
    path: str  # as given, for messages
    git_dir: str  # absolute common git directory: the same for every worktree
    name: str  # the records' ``repo``


@dataclass(frozen=True)
class Tag:
    name: str  # without refs/tags/
    sha: str  # the commit it points at, peeled
    at: datetime  # tagger date (annotated), else the commit's committer date
    annotated: bool


@dataclass(frozen=True)
class Refs:
    tips: frozenset[str]  # every branch, remote branch, tag (peeled to a commit) and HEAD
    tags: tuple[Tag, ...]  # tags that point (through annotated tags) at a commit
    undated: tuple[str, ...] = ()  # tags of commits whose date cannot be read: skipped


@dataclass
class ReadNotes:
    """What ``read_commits`` read unusually: commits skipped because git could not print
    their committer date, and commits with an out-of-range UTC offset (read at their exact
    UTC time; the offset is not used)."""

    skipped: list[str] = field(default_factory=list)  # SHAs
    odd_offsets: list[tuple[str, str]] = field(default_factory=list)  # (SHA, offset as git has it)


def remote_name(url: str) -> str | None:
    """``owner/name`` of a hosted remote URL (any depth of groups); ``None`` for local paths."""
    url = url.strip().rstrip("/")
    if "://" in url:
        scheme, rest = url.split("://", 1)
        path = "" if scheme == "file" or "/" not in rest else rest.split("/", 1)[1]
    elif re.match(r"^[^/:]+:(?!/)", url):  # scp-like: [user@]host:path
        path = url.split(":", 1)[1]
    else:
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    return path or None


def dir_name(git_dir: str) -> str:
    """The name of a repository without a remote: its directory's, without ``.git``."""
    base = os.path.basename(git_dir)
    if base == ".git":
        return os.path.basename(os.path.dirname(git_dir)) or "repository"
    return base.removesuffix(".git") or "repository"


def scan_refs(out: str) -> tuple[set[str], list[Tag], list[tuple[str, str]], list[str]]:
    """``for-each-ref`` output (``REF_FIELDS``, NUL-separated) → the commits the refs point
    at, the tags of commits, the tags of tags still to peel (``(ref, date)``) and the tags
    whose date cannot be read."""
    tips: set[str] = set()
    tags: list[Tag] = []
    nested: list[tuple[str, str]] = []  # (ref, its date): a tag of a tag
    undated: list[str] = []
    for line in out.splitlines():
        ref, kind, sha, peeled_kind, peeled, tagged_at, peeled_at, committed_at = line.split("\0")
        if kind == "commit":
            commit, at, annotated = sha, committed_at, False
        elif kind == "tag" and peeled_kind == "commit":
            commit, at, annotated = peeled, tagged_at or peeled_at, True
        else:
            if kind == "tag" and peeled_kind == "tag":
                nested.append((ref, tagged_at))
            continue  # a tag of a tree or a blob: no commit, no deployment
        tips.add(commit)
        if ref.startswith("refs/tags/"):
            name, when = ref.removeprefix("refs/tags/"), epoch(at) or epoch(peeled_at)
            if when is None:
                undated.append(name)
            else:
                tags.append(Tag(name, commit, when, annotated))
    return tips, tags, nested, undated


def commit_of(
    repo: Repository, fields: Sequence[str], notes: ReadNotes, paths: Sequence[str] = ()
) -> Commit | None:
    """One ``git log`` record (``LOG_FIELDS``) and the paths it changes → a commit; ``None``
    (noted) when its date cannot be read."""
    sha, parents, committed, raw, authored, author, email, message = fields
    if not SHA.match(sha):
        raise GitError(f"{repo.path}: unexpected `git log` output near {sha[:60]!r}")
    committed_at = epoch(committed)
    if committed_at is None:
        notes.skipped.append(sha)
        return None
    offset = raw.strip().rpartition(" ")[2]
    if not OFFSET.match(offset):
        notes.odd_offsets.append((sha, offset))
    return Commit(
        kind="commit",
        repo=repo.name,
        sha=sha,
        committed_at=committed_at,
        authored_at=epoch(authored),
        author=author or None,
        author_email=email or None,
        parents=parents.split(),
        message=message.rstrip("\n"),
        paths=list(dict.fromkeys(paths)),
    )


def tag_run(repo_name: str, tag: Tag, status: str = "success") -> PipelineRun:
    """A tag as a production deployment: a ``cd`` run of pipeline = the repository."""
    return PipelineRun(
        kind="pipeline_run",
        system=SYSTEM,
        pipeline=repo_name,
        run_id=tag.name,
        type="cd",
        status=status,
        started_at=tag.at,
        finished_at=tag.at,
        environment=ENVIRONMENT,
        repo=repo_name,
        commit_sha=tag.sha,
        tag_type="annotated" if tag.annotated else "lightweight",
    )


def revs_of(tips: Iterable[str], known: Iterable[str]) -> str:
    """The ``--stdin`` revisions: every tip, and every known commit excluded (``^sha``)."""
    tips = sorted(set(tips))
    if not tips:
        return ""
    return "".join(f"{s}\n" for s in tips) + "".join(f"^{s}\n" for s in sorted(set(known)))


def epoch(text: str) -> datetime | None:
    """A date git printed as epoch seconds (``%ct``), or ``<seconds> <offset>`` (``:raw``);
    ``None`` when git printed nothing readable (a damaged date)."""
    seconds = text.strip().partition(" ")[0]
    if not seconds.isdigit() or int(seconds) > MAX_EPOCH:
        return None
    return datetime.fromtimestamp(int(seconds), UTC)


def split_commits(stream: IO[bytes], n: int) -> Iterator[tuple[list[str], list[str]]]:
    """``git log -z --name-only`` output whose format is a NUL then ``n`` NUL-separated
    fields (``LOG_FIELDS``) → each commit's fields and the paths it changes.

    Git ends the format with a NUL and then lists the paths, the first after a newline, each
    ended by a NUL; a commit without paths (a merge, an empty commit) lists none. A path is
    never empty, so the format's leading NUL — an empty token — tells the next commit apart
    from a path whatever bytes the paths hold (``-z``: no quoting)."""
    fields: list[str] | None = None  # None: between two commits
    paths: list[str] = []
    for token in _tokens(stream):
        if fields is None:
            if token:
                fields = [token.decode("utf-8", "replace")]
        elif len(fields) < n:
            fields.append(token.decode("utf-8", "replace"))
        elif token:
            first = not paths and token.startswith(b"\n")
            paths.append((token[1:] if first else token).decode("utf-8", "replace"))
        else:
            yield fields, paths
            fields, paths = None, []
    if fields is not None and len(fields) != n:
        raise GitError(f"unexpected end of `git log` output ({len(fields)} of {n} fields)")
    if fields is not None:
        yield fields, paths


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-separated tokens of ``stream``, read incrementally; the last one unended."""
    rest = b""
    while chunk := stream.read(CHUNK):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    yield rest


def failure(path: str, stderr: str) -> GitError:
    """The error of a failed ``git``, from what it wrote to stderr."""
    lines = [x.strip() for x in stderr.splitlines() if x.strip()]
    first = next(
        (x for x in lines if x.startswith(("fatal:", "error:"))), lines[0] if lines else ""
    )
    if "not a git repository" in first:
        return GitError(f"{path}: not a git repository")
    return GitError(f"{path}: git failed: {first or 'no message'}")
