"""A local git repository, read with the ``git`` binary (``leadline git``; docs/git.md): the
only module of ``leadline.sources`` that runs a process.

No database and no clock: the service passes in the commits it already imported (as the ref
tips of its last run) and gets back commit records, streamed, and one ``cd`` pipeline run per
tag. Every call is one ``git`` process whose output is NUL-separated, so any message, name or
path reads back exactly (each commit carries the paths it changes: ``PATH_OPTIONS``);
reading that output into records is ``leadline.sources.git.parse``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from leadline.domain.records import Commit
from leadline.sources.git.parse import (
    LOG_FIELDS,
    REF_FIELDS,
    SHA,
    GitError,
    ReadNotes,
    Refs,
    Repository,
    Tag,
    commit_of,
    dir_name,
    epoch,
    failure,
    remote_name,
    revs_of,
    scan_refs,
    split_commits,
)

# The paths a commit changes, from the repository's root, unquoted (``-z``): a rename as its
# old and its new path; a merge commit lists none (``git log`` shows no diff for merges).
PATH_OPTIONS = ("--name-only", "--no-renames", "--no-relative")
# Variables that would point git at another repository than PATH.
_REPO_ENV = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
)  # fmt: skip


def open_repository(path: str, name: str | None = None) -> Repository:
    """Check that ``path`` is a git repository; its name is ``name``, else origin's path
    (``acme/api`` for ``git@github.com:acme/api.git``), else the directory's name."""
    if not os.path.isdir(path):
        raise GitError(f"{path}: no such directory")
    out = _git(path, ["rev-parse", "--path-format=absolute", "--git-common-dir"]).strip()
    git_dir = os.path.normpath(os.path.join(os.path.abspath(path), out))
    if name is None:
        origin = _git(path, ["config", "--get", "remote.origin.url"], ok=(0, 1)).strip()
        name = remote_name(origin) or dir_name(git_dir)
    return Repository(path, git_dir, name)


def read_refs(repo: Repository) -> Refs:
    """Every ref tip (for the commit walk) and the tags that point at commits."""
    fmt = "%00".join(REF_FIELDS)
    out = _git(repo.path, ["for-each-ref", f"--format={fmt}", "refs/heads", "refs/remotes",
                           "refs/tags"])  # fmt: skip
    tips, tags, nested, undated = scan_refs(out)
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
            at = epoch(tagged_at) or epoch(_git(repo.path, ["show", "-s", "--format=%ct", sha]))
            if at is None:
                undated.append(name)
            else:
                yield Tag(name, sha, at, annotated=True)


def existing(repo: Repository, shas: Iterable[str]) -> set[str]:
    """The commits of ``shas`` the repository still has (a deleted branch may be gone)."""
    wanted = sorted(s for s in shas if SHA.match(s))
    if not wanted:
        return set()
    out = _git(repo.path, ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
               "".join(f"{s}\n" for s in wanted))  # fmt: skip
    return {line.split(" ")[0] for line in out.splitlines() if line.endswith(" commit")}


def count_commits(repo: Repository, tips: Iterable[str], known: Iterable[str]) -> int:
    """How many commits ``read_commits`` with the same arguments will yield."""
    revs = revs_of(tips, known)
    if not revs:
        return 0
    return int(_git(repo.path, ["rev-list", "--count", "--stdin"], revs).strip() or 0)


def read_commits(
    repo: Repository, tips: Iterable[str], known: Iterable[str], notes: ReadNotes | None = None
) -> Iterator[Commit]:
    """Commits reachable from ``tips`` and not from ``known`` (commits that exist), streamed;
    what was skipped or odd goes to ``notes`` (module docstring)."""
    revs = revs_of(tips, known)
    if not revs:
        return
    notes = notes if notes is not None else ReadNotes()
    args = ["-c", "log.showSignature=false", "-c", "log.showRoot=true", "log", "--stdin",
            "-z", "--encoding=UTF-8", "--no-color", "--date=raw", *PATH_OPTIONS,
            "--format=%x00" + "%x00".join(LOG_FIELDS)]  # fmt: skip
    with _stream(repo.path, args, revs) as out:
        for fields, paths in split_commits(out, len(LOG_FIELDS)):
            commit = commit_of(repo, fields, notes, paths)
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


def _env() -> dict[str, str]:
    """The environment of a ``git`` process: none of ``_REPO_ENV``, no prompt, no locks."""
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
    return failure(path, err.read().decode("utf-8", "replace"))


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
