"""Write N realistic NDJSON records of every kind (deterministic) to a file or stdout.

python bench/gen_records.py 200000 > /tmp/records.ndjson
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import IO, Any

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _sha(i: int, salt: str) -> str:
    """A realistic (uniformly distributed) 40-hex SHA."""
    return hashlib.sha1(f"{salt}{i}".encode()).hexdigest()


def ts(minutes: float) -> str:
    return (BASE + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def records(n: int, seed: int = 7) -> Any:
    """Yield about ``n`` records: per ticket an issue, 2 commits, a PR, 2 runs, sometimes more."""
    rng = random.Random(seed)
    made = 0
    i = 0
    while made < n:
        i += 1
        key = f"PROJ{i % 7}-{i}"
        t0 = i * 7.0
        sha1, sha2, merge = _sha(i, "a"), _sha(i, "b"), _sha(i, "m")
        repo = f"acme/svc{i % 13}"
        batch: list[dict[str, Any]] = [
            {
                "kind": "issue", "key": key, "type": rng.choice(["Story", "Bug", "Task"]),
                "title": f"Ticket {i}", "created_at": ts(t0), "fix_versions": [f"v{i // 500}"],
                "status_changes": [
                    {"to": "In Progress", "at": ts(t0 + 10)},
                    {"to": "In Review", "at": ts(t0 + 40)},
                    {"to": "Done", "at": ts(t0 + 90)},
                ],
            },
            {"kind": "commit", "repo": repo, "sha": sha1, "committed_at": ts(t0 + 15),
             "message": f"{key}: part one", "author": "dev", "parents": [_sha(i - 1, "m")]},
            {"kind": "commit", "repo": repo, "sha": sha2, "committed_at": ts(t0 + 25),
             "message": f"{key}: part two", "author": "dev", "parents": [sha1]},
            {"kind": "pull_request", "repo": repo, "number": i, "title": f"{key} change",
             "source_branch": f"feature/{key.lower()}", "target_branch": "main",
             "created_at": ts(t0 + 30), "merged_at": ts(t0 + 60), "merge_commit_sha": merge,
             "commit_shas": [sha1, sha2], "author": "dev",
             "reviews": [{"author": "rev", "state": "approved", "at": ts(t0 + 50)}]},
            {"kind": "pipeline_run", "system": "jenkins", "pipeline": f"build-{repo}",
             "run_id": str(i), "type": "ci", "status": rng.choice(["success"] * 9 + ["failure"]),
             "finished_at": ts(t0 + 65), "commit_sha": merge, "repo": repo,
             "artifacts": [{"name": repo, "version": str(i), "direction": "output"}]},
            {"kind": "pipeline_run", "system": "argo", "pipeline": f"deploy-{repo}",
             "run_id": str(i), "type": "cd", "status": "success", "environment": "production",
             "finished_at": ts(t0 + 70), "commit_sha": merge, "service": repo},
        ]  # fmt: skip
        if i % 500 == 0:
            batch.append(
                {"kind": "version", "project": f"PROJ{i % 7}", "name": f"v{i // 500}",
                 "released_at": ts(t0 + 100)}
            )  # fmt: skip
        if i % 50 == 0:
            batch.append(
                {"kind": "incident", "source": "pagerduty", "id": f"I{i}", "service": repo,
                 "created_at": ts(t0 + 80), "resolved_at": ts(t0 + 95)}
            )  # fmt: skip
        if i % 3 == 0:
            batch.append(
                {"kind": "event", "component": "jira", "key": key, "event_type": "work_started",
                 "event_time": (BASE + timedelta(minutes=t0 + 5)).timestamp()}
            )  # fmt: skip
        yield from batch[: n - made]
        made += len(batch[: n - made])


def write(n: int, out: IO[str]) -> None:
    for record in records(n):
        out.write(json.dumps(record, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    write(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, sys.stdout)
