"""A local git repository, read with the ``git`` binary (``leadline git``; docs/git.md).

No database and no clock: the service passes in the commits it already imported (as the ref
tips of its last run) and gets back commit records, streamed, and one ``cd`` pipeline run per
tag. Every call is one ``git`` process whose output is NUL-separated, so any message, name or
path reads back exactly.

Dates are read as epoch seconds (``%ct``, ``%at``, ``:raw``), which git always prints for any
date it stored; every time is kept in UTC, so a commit's UTC offset never changes a number.
Git accepts offsets that are not valid UTC offsets (``+051800`` in psf/requests, which git
reads as +518 hours and prints as ``+518:00`` in ISO dates): such a commit is read at its exact
UTC time and reported in ``ReadNotes.odd_offsets``. A commit whose date git cannot print at
all (a damaged object) is skipped and reported in ``ReadNotes.skipped``: one bad commit never
stops an import.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from leadline.domain.records import Commit, PipelineRun
from leadline.errors import InputError

SYSTEM = "git"
ENVIRONMENT = "production"
# Variables that would point git at another repository than PATH.
_REPO_ENV = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
)  # fmt: skip
# With --date=raw, %cd is "<epoch seconds> <offset as git stored it>".
_LOG_FIELDS = ("%H", "%P", "%ct", "%cd", "%at", "%aN", "%aE", "%B")
_REF_FIELDS = (
    "%(refname)", "%(objecttype)", "%(objectname)", "%(*objecttype)", "%(*objectname)",
    "%(taggerdate:raw)", "%(*committerdate:raw)", "%(committerdate:raw)",
)  # fmt: skip
_HEX = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_CHUNK = 1 << 16
_MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second a datetime can hold
_OFFSET = re.compile(r"^[+-](\d\d)([0-5]\d)$")  # +hhmm with hh < 24 and mm < 60


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


def open_repository(path: str, name: str | None = None) -> Repository:
    """Check that ``path`` is a git repository; its name is ``name``, else origin's path
    (``acme/api`` for ``git@github.com:acme/api.git``), else the directory's name."""
    if not os.path.isdir(path):
        raise GitError(f"{path}: no such directory")
    out = _git(path, ["rev-parse", "--path-format=absolute", "--git-common-dir"]).strip()
    git_dir = os.path.normpath(os.path.join(os.path.abspath(path), out))
    if name is None:
        origin = _git(path, ["config", "--get", "remote.origin.url"], ok=(0, 1)).strip()
        name = remote_name(origin) or _dir_name(git_dir)
    return Repository(path, git_dir, name)


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


def _dir_name(git_dir: str) -> str:
    base = os.path.basename(git_dir)
    if base == ".git":
        return os.path.basename(os.path.dirname(git_dir)) or "repository"
    return base.removesuffix(".git") or "repository"


def read_refs(repo: Repository) -> Refs:
    """Every ref tip (for the commit walk) and the tags that point at commits."""
    fmt = "%00".join(_REF_FIELDS)
    out = _git(repo.path, ["for-each-ref", f"--format={fmt}", "refs/heads", "refs/remotes",
                           "refs/tags"])  # fmt: skip
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
            name, when = ref.removeprefix("refs/tags/"), _epoch(at) or _epoch(peeled_at)
            if when is None:
                undated.append(name)
            else:
                tags.append(Tag(name, commit, when, annotated))
    tags.extend(_peel(repo, nested, tips, undated))
    head = _git(repo.path, ["rev-parse", "-q", "--verify", "HEAD^{commit}"], ok=(0, 1)).strip()
    if head:
        tips.add(head)
    return Refs(frozenset(tips), tuple(sorted(tags, key=lambda t: t.name)), tuple(undated))


def _peel(
    repo: Repository, nested: list[tuple[str, str]], tips: set[str], undated: list[str]
) -> Iterator[Tag]:
    """Tags of tags (rare): peel to the commit with ``cat-file``; skip non-commits."""
    if not nested:
        return
    query = "".join(f"{ref}^{{commit}}\n" for ref, _ in nested)
    out = _git(repo.path, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], query)
    for (ref, tagged_at), line in zip(nested, out.splitlines(), strict=True):
        sha, _, kind = line.partition(" ")
        if kind != "commit":
            continue
        tips.add(sha)
        if ref.startswith("refs/tags/"):
            name = ref.removeprefix("refs/tags/")
            at = _epoch(tagged_at) or _epoch(_git(repo.path, ["show", "-s", "--format=%ct", sha]))
            if at is None:
                undated.append(name)
            else:
                yield Tag(name, sha, at, annotated=True)


def existing(repo: Repository, shas: Iterable[str]) -> set[str]:
    """The commits of ``shas`` the repository still has (a deleted branch may be gone)."""
    wanted = sorted(s for s in shas if _HEX.match(s))
    if not wanted:
        return set()
    out = _git(repo.path, ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
               "".join(f"{s}\n" for s in wanted))  # fmt: skip
    return {line.split(" ")[0] for line in out.splitlines() if line.endswith(" commit")}


def count_commits(repo: Repository, tips: Iterable[str], known: Iterable[str]) -> int:
    """How many commits ``read_commits`` with the same arguments will yield."""
    revs = _revs(tips, known)
    if not revs:
        return 0
    return int(_git(repo.path, ["rev-list", "--count", "--stdin"], revs).strip() or 0)


def read_commits(
    repo: Repository, tips: Iterable[str], known: Iterable[str], notes: ReadNotes | None = None
) -> Iterator[Commit]:
    """Commits reachable from ``tips`` and not from ``known`` (commits that exist), streamed;
    what was skipped or odd goes to ``notes`` (module docstring)."""
    revs = _revs(tips, known)
    if not revs:
        return
    notes = notes if notes is not None else ReadNotes()
    args = ["-c", "log.showSignature=false", "log", "--stdin", "-z", "--encoding=UTF-8",
            "--no-color", "--date=raw", "--format=" + "%x00".join(_LOG_FIELDS)]  # fmt: skip
    with _stream(repo.path, args, revs) as out:
        for fields in _split(out, len(_LOG_FIELDS)):
            commit = _commit(repo, fields, notes)
            if commit is not None:
                yield commit


def ancestry(repo: Repository, shas: Iterable[str]) -> dict[str, list[str]]:
    """The parents of every commit reachable from ``shas`` (one ``rev-list --parents``)."""
    revs = "".join(f"{s}\n" for s in sorted(set(shas)))
    if not revs:
        return {}
    out = _git(repo.path, ["rev-list", "--parents", "--stdin"], revs)
    graph: dict[str, list[str]] = {}
    for line in out.splitlines():
        sha, *parents = line.split()
        graph[sha] = parents
    return graph


def _commit(repo: Repository, fields: Sequence[str], notes: ReadNotes) -> Commit | None:
    sha, parents, committed, raw, authored, author, email, message = fields
    if not _HEX.match(sha):
        raise GitError(f"{repo.path}: unexpected `git log` output near {sha[:60]!r}")
    committed_at = _epoch(committed)
    if committed_at is None:
        notes.skipped.append(sha)
        return None
    offset = raw.strip().rpartition(" ")[2]
    if not _OFFSET.match(offset):
        notes.odd_offsets.append((sha, offset))
    return Commit(
        kind="commit",
        repo=repo.name,
        sha=sha,
        committed_at=committed_at,
        authored_at=_epoch(authored),
        author=author or None,
        author_email=email or None,
        parents=parents.split(),
        message=message.rstrip("\n"),
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


def _revs(tips: Iterable[str], known: Iterable[str]) -> str:
    tips = sorted(set(tips))
    if not tips:
        return ""
    return "".join(f"{s}\n" for s in tips) + "".join(f"^{s}\n" for s in sorted(set(known)))


def _epoch(text: str) -> datetime | None:
    """A date git printed as epoch seconds (``%ct``), or ``<seconds> <offset>`` (``:raw``);
    ``None`` when git printed nothing readable (a damaged date)."""
    seconds = text.strip().partition(" ")[0]
    if not seconds.isdigit() or int(seconds) > _MAX_EPOCH:
        return None
    return datetime.fromtimestamp(int(seconds), UTC)


def _split(stream: IO[bytes], n: int) -> Iterator[list[str]]:
    """Records of ``n`` NUL-terminated fields (``log -z`` leaves the last one open)."""
    pending: list[bytes] = []
    rest = b""
    while chunk := stream.read(_CHUNK):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        pending.extend(parts)
        whole = len(pending) - len(pending) % n
        for i in range(0, whole, n):
            yield [p.decode("utf-8", "replace") for p in pending[i : i + n]]
        del pending[:whole]
    if rest or pending:
        pending.append(rest)
    if pending and len(pending) != n:
        raise GitError(f"unexpected end of `git log` output ({len(pending)} of {n} fields)")
    if pending:
        yield [p.decode("utf-8", "replace") for p in pending]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


def _popen(path: str, args: list[str], err: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            ["git", *args], cwd=path, env=_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
        )  # fmt: skip
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH: `leadline git` needs it") from None
    except OSError as exc:
        raise GitError(f"{path}: cannot run git: {exc.strerror or exc}") from None


def _failure(path: str, err: IO[bytes]) -> GitError:
    err.seek(0)
    lines = [x.strip() for x in err.read().decode("utf-8", "replace").splitlines() if x.strip()]
    first = next(
        (x for x in lines if x.startswith(("fatal:", "error:"))), lines[0] if lines else ""
    )
    if "not a git repository" in first:
        return GitError(f"{path}: not a git repository")
    return GitError(f"{path}: git failed: {first or 'no message'}")


def _git(path: str, args: list[str], stdin: str = "", ok: tuple[int, ...] = (0,)) -> str:
    with tempfile.TemporaryFile() as err:
        proc = _popen(path, args, err)
        out, _ = proc.communicate(stdin.encode())
        if proc.returncode not in ok:
            raise _failure(path, err)
    return out.decode("utf-8", "replace")


@contextlib.contextmanager
def _stream(path: str, args: list[str], stdin: str) -> Iterator[IO[bytes]]:
    """A running git whose stdout is read incrementally; killed if the reader stops early."""
    with tempfile.TemporaryFile() as err:
        proc = _popen(path, args, err)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            with contextlib.suppress(BrokenPipeError):  # git failed early: reported below
                proc.stdin.write(stdin.encode())  # git reads every revision before it writes
                proc.stdin.close()
            yield proc.stdout
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        if proc.wait() != 0:
            raise _failure(path, err)
