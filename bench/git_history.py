"""Time ``leadline git`` on a generated repository with N commits; print the figures.

    python bench/git_history.py [N] [--pg URL] [--profile]

Builds the repository with ``git fast-import`` (one commit every 5 minutes of 2023: runs of
ten commits on main, then a three-commit branch merged with a merge commit; a tag about
every 100 commits, annotated and lightweight in turn, an annotated one dated an hour after
its commit). Then runs the real CLI in a child process on a fresh database: the first import,
a re-run with nothing new, and a run after 1,000 more commits and a tag. ``--profile``
writes a cProfile of the first run to ``git_history.prof``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

START = 1_672_531_200  # 2023-01-01T00:00:00Z
STEP = 300  # seconds between commits
WHO = "Bench Author <bench@example.com>"


def stream(n: int, first: int = 0, tags_every: int = 100) -> Iterator[bytes]:
    """fast-import commands for commits ``first`` … ``first + n - 1`` (marks = number + 1)."""
    made = 0
    i = first

    def commit(ref: str, parent: int | None, merge: int | None = None) -> bytes:
        nonlocal i, made
        when = START + i * STEP
        msg = f"change {i}: update module {i % 50} (PROJ-{i // 20 + 1})\n".encode()
        body = f"{i}\n".encode()
        lines = [f"commit {ref}", f"mark :{i + 1}", f"author {WHO} {when - 600} +0000",
                 f"committer {WHO} {when} +0000", f"data {len(msg)}"]  # fmt: skip
        out = "\n".join(lines).encode() + b"\n" + msg
        if parent is not None:
            out += f"from :{parent}\n".encode()
        if merge is not None:
            out += f"merge :{merge}\n".encode()
        out += f"M 644 inline src/module{i % 50}.txt\ndata {len(body)}\n".encode() + body + b"\n"
        i += 1
        made += 1
        return out

    main_tip: int | None = first if first else None  # a later run continues from mark `first`
    while made < n:
        for _ in range(min(10, n - made)):
            yield commit("refs/heads/main", main_tip)
            main_tip = i
        if n - made >= 4:
            base = main_tip
            for k in range(3):
                yield commit("refs/heads/feature", base if k == 0 else None)
            yield commit("refs/heads/main", main_tip, merge=i)
            main_tip = i
        if main_tip is not None and main_tip // tags_every != (main_tip - 14) // tags_every:
            yield tag(main_tip, annotated=(main_tip // tags_every) % 2 == 0)


def tag(mark: int, annotated: bool) -> bytes:
    name = f"v{mark // 100}.{mark % 100}"
    if not annotated:
        return f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode()
    when = START + (mark - 1) * STEP + 3600
    msg = f"release {name}\n".encode()
    head = f"tag {name}\nfrom :{mark}\ntagger {WHO} {when} +0000\ndata {len(msg)}\n"
    return head.encode() + msg + b"\n"


def fast_import(repo: Path, n: int, first: int = 0) -> float:
    started = time.perf_counter()
    if first == 0:
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    marks = repo / ".git" / "bench-marks"
    args = ["git", "fast-import", "--quiet", f"--export-marks={marks}"]
    if first:
        args.append(f"--import-marks={marks}")
    proc = subprocess.Popen(args, cwd=repo, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for chunk in stream(n, first):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    return time.perf_counter() - started


def run(db_url: str, repo: Path, label: str, profile: bool = False) -> None:
    args = [sys.executable]
    if profile:
        args += ["-m", "cProfile", "-o", "git_history.prof"]
    args += ["-m", "leadline", "--db", db_url, "git", str(repo), "--format", "json",
             "--from", "2023-01-01", "--to", "2024-01-01"]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{label}: leadline failed: {proc.stderr.strip()}")
    out = json.loads(proc.stdout)
    lead = out["lead_time_for_changes"]
    summary = proc.stderr.strip().splitlines()[-1].removeprefix("leadline: ")
    deployments = out["deployment_frequency"]["deployments"]
    print(f"{label:<26} {seconds:6.1f} s  {deployments:>5} deployments, "
          f"{lead['changes']:>7,} commits, median {lead['total_seconds']:.0f} s")  # fmt: skip
    print(f"{'':<26} {summary}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--pg", help="PostgreSQL URL (postgresql+psycopg://…)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        seconds = fast_import(repo, args.n)
        print(f"generated {args.n:,} commits with git fast-import in {seconds:.1f} s")
        urls = [("sqlite", f"sqlite:///{tmp}/bench.db")]
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        if args.pg:
            from sqlalchemy import create_engine, text

            admin = create_engine(args.pg)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            urls.append(("postgresql", f"{args.pg}?options=-csearch_path%3D{schema}"))
        try:
            for label, url in urls:
                run(url, repo, f"{label}: first import", profile=args.profile and label == "sqlite")
                run(url, repo, f"{label}: re-run")
            fast_import(repo, 1000, first=args.n)
            print("added 1,000 commits and their tags")
            for label, url in urls:
                run(url, repo, f"{label}: after 1,000 more")
        finally:
            if args.pg:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
