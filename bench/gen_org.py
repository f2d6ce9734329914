"""Write a realistic engineering organisation of N tickets as NDJSON (deterministic).

    python bench/gen_org.py 100000 > /tmp/org.ndjson        # or --out PATH

One year (2024) of work, whatever the size: a bigger organisation is more tickets in the same
year, as in life. Per ticket (averages at any size):

- an issue with about ten status changes (To Do → In Progress → In Review → QA → Done, with
  rework loops back to In Progress and some Blocked spells), a fix version per project and
  fortnight; a fifth of the tickets are still in flight at the end;
- about half a pull request: 45 % of the tickets have code, a tenth of those two PRs; each PR
  has 1–4 commits chained by ``parents`` off the repository's main line, reviews (sometimes
  changes requested first), and a merge commit whose parents are the main line and the PR head;
- CI runs with failures and reruns on the PR head (1–3 runs, ~20 % fail then are rerun) and one
  on the merge commit;
- CD runs per repository every few merges (production; ~6 % fail, a few are rolled back),
  incidents after some of the failures and a few unrelated ones, released versions, and
  generic ``event`` records for a tenth of the tickets.

So 1,000,000 tickets make about 4.5 million records with ten million status changes, half a
million PRs and a million and a half pipeline runs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 366 * 86400
PROJECTS = ["PAY", "CORE", "WEB", "MOB", "DATA", "OPS", "AUTH", "SRCH", "BILL", "API"]
REPOS_PER_PROJECT = 5
FORTNIGHT = 14 * 86400


def _sha(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def ts(seconds: float) -> str:
    return (YEAR_START + timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Repo:
    def __init__(self, name: str) -> None:
        self.name = name
        self.head = _sha(name, "root")
        self.merges_since_deploy = 0
        self.deploys = 0


def organisation(tickets: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    """Yield the records of an organisation of ``tickets`` tickets, roughly in time order."""
    rng = random.Random(seed)
    repos = {
        p: [_Repo(f"acme/{p.lower()}-svc{r}") for r in range(REPOS_PER_PROJECT)] for p in PROJECTS
    }
    step = YEAR_SECONDS * 0.8 / max(tickets, 1)  # tickets are created over the first ~10 months
    released: set[tuple[str, int]] = set()
    pr_number = 0
    for i in range(1, tickets + 1):
        project = PROJECTS[rng.randrange(len(PROJECTS))]
        key = f"{project}-{i}"
        t = i * step + rng.random() * step
        created = t
        # Fortnightly fix versions, released when the fortnight ends (once per project).
        fortnight = int(created // FORTNIGHT) + 1
        version = f"{project} {fortnight}"
        in_flight = rng.random() < 0.2
        changes: list[dict[str, Any]] = []

        def move(status: str, after: float, changes: list[dict[str, Any]] = changes) -> float:
            nonlocal t
            t += after
            changes.append({"to": status, "at": ts(t)})
            return t

        move("Selected for Development", rng.expovariate(1 / 3600))
        move("In Progress", rng.expovariate(1 / 7200))
        if rng.random() < 0.5:
            move("Blocked", rng.expovariate(1 / 3600))
            move("In Progress", rng.expovariate(1 / 14400))
        has_code = rng.random() < 0.45
        n_prs = (2 if rng.random() < 0.1 else 1) if has_code else 0
        records: list[dict[str, Any]] = []
        for p in range(n_prs):
            repo = repos[project][rng.randrange(REPOS_PER_PROJECT)]
            pr_number += 1
            parent = repo.head
            shas = []
            for c in range(rng.randint(1, 4)):
                t += rng.expovariate(1 / 5400)
                sha = _sha(key, p, c)
                records.append(
                    {"kind": "commit", "repo": repo.name, "sha": sha, "committed_at": ts(t),
                     "message": f"{key}: step {c + 1}", "author": f"dev{i % 97}",
                     "parents": [parent]}
                )  # fmt: skip
                shas.append(sha)
                parent = sha
            pr_created = t + rng.expovariate(1 / 1800)
            if p == 0:
                move("In Review", pr_created - t + 1)
            t = pr_created
            reviews = []
            if rng.random() < 0.25:
                t += rng.expovariate(1 / 7200)
                reviews.append({"author": f"rev{i % 31}", "state": "changes_requested",
                                "at": ts(t)})  # fmt: skip
                if p == 0:
                    move("In Progress", 60)
                    move("In Review", rng.expovariate(1 / 3600))
            # CI on the PR head: failures are rerun (a new run of the same pipeline).
            for attempt in range(rng.choice((1, 1, 2, 3))):
                t += rng.expovariate(1 / 900)
                failed = attempt == 0 and rng.random() < 0.2
                records.append(
                    {"kind": "pipeline_run", "system": "github-actions",
                     "pipeline": f"build {repo.name}", "run_id": f"{pr_number}.{attempt}",
                     "type": "ci",
                     "status": "failure" if failed else "success", "started_at": ts(t - 600),
                     "finished_at": ts(t), "commit_sha": parent, "repo": repo.name,
                     "branch": f"feature/{key.lower()}"}
                )  # fmt: skip
            t += rng.expovariate(1 / 3600)
            reviews.append({"author": f"rev{i % 31}", "state": "approved", "at": ts(t)})
            merged = not in_flight or rng.random() < 0.5
            merge_sha = _sha(key, p, "merge")
            pr: dict[str, Any] = {
                "kind": "pull_request", "repo": repo.name, "number": pr_number,
                "title": f"{key} {'fix' if p else 'feature'} #{p + 1}",
                "source_branch": f"feature/{key.lower()}-{p}", "target_branch": "main",
                "created_at": ts(pr_created), "commit_shas": shas, "author": f"dev{i % 97}",
                "reviews": reviews, "labels": ["backend"] if i % 3 else [],
            }  # fmt: skip
            if merged:
                t += rng.expovariate(1 / 1800)
                pr["merged_at"] = ts(t)
                pr["merge_commit_sha"] = merge_sha
                records.append(
                    {"kind": "commit", "repo": repo.name, "sha": merge_sha, "committed_at": ts(t),
                     "message": f"Merge pull request #{pr_number} from feature/{key.lower()}",
                     "author": f"dev{i % 97}", "parents": [repo.head, parent], "branch": "main"}
                )  # fmt: skip
                repo.head = merge_sha
                t += 600
                records.append(
                    {"kind": "pipeline_run", "system": "github-actions",
                     "pipeline": f"build {repo.name}", "run_id": f"{pr_number}.main",
                     "type": "ci", "status": "success",
                     "started_at": ts(t - 500), "finished_at": ts(t), "commit_sha": merge_sha,
                     "repo": repo.name, "branch": "main",
                     "artifacts": [{"name": repo.name, "version": merge_sha[:12],
                                    "direction": "output"}]}
                )  # fmt: skip
                repo.merges_since_deploy += 1
                if repo.merges_since_deploy >= rng.randint(1, 4):
                    records.extend(_deploy(rng, repo, t))
            records.append(pr)
        if not in_flight:
            if not n_prs:
                move("In Review", rng.expovariate(1 / 3600))
            move("Ready for QA", rng.expovariate(1 / 3600))
            move("QA", rng.expovariate(1 / 14400))
            if rng.random() < 0.15:
                move("In Progress", rng.expovariate(1 / 3600))
                move("QA", rng.expovariate(1 / 7200))
            move("Ready for Release", rng.expovariate(1 / 3600))
            move("Done", rng.expovariate(1 / 7200))
        issue = {
            "kind": "issue", "key": key, "type": rng.choice(("Story", "Story", "Bug", "Task")),
            "title": f"Ticket {i}", "created_at": ts(created), "status_changes": changes,
            "fix_versions": [version], "priority": rng.choice(("P1", "P2", "P3")),
            "labels": ["team-" + project.lower()],
        }  # fmt: skip
        yield issue
        yield from records
        if i % 10 == 0:
            epoch = int(created) + 1704067200 + 60  # 2024-01-01 is 1704067200
            yield {"kind": "event", "component": "jira", "key": key,
                   "event_type": "work_started", "event_time": epoch}  # fmt: skip
        if (project, fortnight - 1) not in released and fortnight > 1:
            released.add((project, fortnight - 1))
            yield {"kind": "version", "project": project, "name": f"{project} {fortnight - 1}",
                   "released_at": ts((fortnight - 1) * FORTNIGHT + 3600)}  # fmt: skip
        if rng.random() < 0.001:
            repo = repos[project][rng.randrange(REPOS_PER_PROJECT)]
            yield _incident(rng, repo, t, f"U{i}")


def _deploy(rng: random.Random, repo: _Repo, t: float) -> Iterator[dict[str, Any]]:
    repo.merges_since_deploy = 0
    repo.deploys += 1
    roll = rng.random()
    status = "failure" if roll < 0.05 else "rolled_back" if roll < 0.06 else "success"
    t += rng.expovariate(1 / 1800) + 300
    yield {
        "kind": "pipeline_run", "system": "argo", "pipeline": f"deploy {repo.name}",
        "run_id": str(repo.deploys), "type": "cd", "status": status, "started_at": ts(t - 300),
        "finished_at": ts(t), "environment": "production", "commit_sha": repo.head,
        "repo": repo.name, "service": repo.name,
        "artifacts": [{"name": repo.name, "version": repo.head[:12], "direction": "input"}],
    }  # fmt: skip
    if status != "success" and rng.random() < 0.5:
        yield _incident(rng, repo, t + 600, f"D{repo.name}{repo.deploys}")


def _incident(rng: random.Random, repo: _Repo, t: float, ident: str) -> dict[str, Any]:
    resolved = rng.random() < 0.97
    out: dict[str, Any] = {
        "kind": "incident", "source": "pagerduty", "id": ident, "service": repo.name,
        "title": f"{repo.name} degraded", "severity": rng.choice(("SEV1", "SEV2", "SEV3")),
        "created_at": ts(t),
    }  # fmt: skip
    if resolved:
        out["resolved_at"] = ts(t + rng.expovariate(1 / 5400) + 60)
    return out


def write(tickets: int, out: IO[bytes]) -> int:
    """Write the organisation; returns the number of records (lines)."""
    n = 0
    dumps = orjson.dumps
    buf: list[bytes] = []
    for record in organisation(tickets):
        buf.append(dumps(record))
        n += 1
        if len(buf) >= 10_000:
            out.write(b"\n".join(buf) + b"\n")
            buf.clear()
    if buf:
        out.write(b"\n".join(buf) + b"\n")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tickets", type=int, nargs="?", default=10_000)
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args()
    if args.out is None:
        write(args.tickets, sys.stdout.buffer)
    else:
        with args.out.open("wb") as f:
            n = write(args.tickets, f)
        print(f"{n:,} records, {args.out.stat().st_size / 1e6:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
