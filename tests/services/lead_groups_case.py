"""Four tickets and five pull requests for ``lead-time --by type|priority|label|project`` and
the what-if, all on 2024-05-01 UTC, with every figure worked out by hand in the tests.

| ticket | project | type | priority | labels | PR [labels] | commit | merged | deployed |
|---|---|---|---|---|---|---|---|---|
| G-1 | G | Bug | High | backend, urgent | acme/api#1 [hotfix] | 10:00 | 11:00 | 12:00 |
| G-2 | G | Bug | Low | backend | acme/api#2 [hotfix, bug] | 09:30 | 10:30 | 11:30 |
| G-3 | G | Story | — | — | acme/api#3 [] | 09:20 | 10:20 | 10:40 |
| H-1 | H | Story | High | frontend | acme/web#4 [ui] | 09:10 | 09:40 | 10:00 |
| — | | | | | acme/api#9 [] (no ticket) | 13:00 | 13:30 | 14:00 |

Every ticket was created at 09:00.

Deployments at 08:00 of no change start the tracking of both repositories (none of the
changes is a baseline change). Ticket profile ``TICKETS`` (start: ticket created; stages
Coding = first commit, Review = PR merged, Deploy = production CD), minutes:
G-1 60/60/60, G-2 30/60/60, G-3 20/60/20, H-1 10/30/20. Pull-request profile ``PRS`` (start:
first commit; Review, Deploy): #1 60/60, #2 60/60, #3 60/20, #4 30/20, #9 30/30.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

M = 60.0


def _at(hm: str) -> str:
    return f"2024-05-01T{hm}:00Z"


def _sha(n: int) -> str:
    return f"{n:02d}" * 20


def _ticket(key: str, project: str, type_: str, priority: str | None, labels: list[str]) -> Any:
    out = {"kind": "issue", "key": key, "project": project, "type": type_, "labels": labels,
           "created_at": _at("09:00")}  # fmt: skip
    if priority is not None:
        out["priority"] = priority
    return out


def _change(n: int, repo: str, key: str | None, labels: list[str], times: list[str]) -> list[Any]:
    committed, merged, deployed = times
    title = f"{key} work" if key else "Tidy up"
    return [
        {"kind": "commit", "repo": repo, "sha": _sha(n), "committed_at": _at(committed),
         "message": title, "parents": []},
        {"kind": "pull_request", "repo": repo, "number": n, "title": title,
         "source_branch": f"work/{n}", "target_branch": "main", "created_at": _at(committed),
         "commit_shas": [_sha(n)], "labels": labels, "merged_at": _at(merged)},
        _deploy(f"d{n}", repo, _sha(n), deployed),
    ]  # fmt: skip


def _deploy(run: str, repo: str, sha: str, at: str) -> dict[str, Any]:
    return {"kind": "pipeline_run", "system": "argocd", "pipeline": "deploy", "run_id": run,
            "type": "cd", "status": "success", "finished_at": _at(at),
            "environment": "production", "repo": repo, "commit_sha": sha}  # fmt: skip


RECORDS: list[Any] = [
    _deploy("a0", "acme/api", "a0" * 20, "08:00"),
    _deploy("w0", "acme/web", "b0" * 20, "08:00"),
    _ticket("G-1", "G", "Bug", "High", ["backend", "urgent"]),
    *_change(1, "acme/api", "G-1", ["hotfix"], ["10:00", "11:00", "12:00"]),
    _ticket("G-2", "G", "Bug", "Low", ["backend"]),
    *_change(2, "acme/api", "G-2", ["hotfix", "bug"], ["09:30", "10:30", "11:30"]),
    _ticket("G-3", "G", "Story", None, []),
    *_change(3, "acme/api", "G-3", [], ["09:20", "10:20", "10:40"]),
    _ticket("H-1", "H", "Story", "High", ["frontend"]),
    *_change(4, "acme/web", "H-1", ["ui"], ["09:10", "09:40", "10:00"]),
    *_change(9, "acme/api", None, [], ["13:00", "13:30", "14:00"]),
]

DEPLOY = {"name": "Deploy", "event": "cd_completed", "environments": ["production"]}
TICKETS: dict[str, Any] = {
    "name": "Tickets",
    "stages": [{"name": "Coding", "event": "commit"},
               {"name": "Review", "event": "pr_merged"}, DEPLOY],
}  # fmt: skip
PRS: dict[str, Any] = {
    "name": "Pull requests",
    "start": {"event": "commit_created"},
    "stages": [{"name": "Review", "event": "pr_merged"}, DEPLOY],
}
# The what-if's B: the ticket profile ending at the merge (no Deploy stage): totals G-1 120,
# G-2 90, G-3 80, H-1 40 minutes.
TICKETS_B: dict[str, Any] = {
    "name": "Tickets B",
    "stages": [{"name": "Coding", "event": "commit"}, {"name": "Review", "event": "pr_merged"}],
}

WINDOW = ("--from", "2024-05-01", "--to", "2024-05-02")


def write(tmp: Path) -> tuple[Path, dict[str, Path]]:
    records = tmp / "groups.ndjson"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    profiles = {}
    for data in (TICKETS, PRS, TICKETS_B):
        path = tmp / f"{data['name'].replace(' ', '_')}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        profiles[data["name"]] = path
    return records, profiles
