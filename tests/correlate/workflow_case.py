"""Three tickets for the workflow options (``workflow_order``, ``completed_work``, stage
``minimum``/``maximum``, ``categories``), all on 2024-05-01 UTC, with the figures worked out
by hand in the tests that use them.

Stages: Coding (first commit), Review (PR merged), Deploy (production CD run).

| ticket | created | commit | PR (source branch, labels) | merged | deployed | done | category |
|---|---|---|---|---|---|---|---|
| WF-1 | 09:00 | 10:00 | hotfix/wf-1, [urgent] | 11:00 | 12:00 | — | Hotfix |
| WF-2 | 09:00 | 09:30 | feature/wf-2, [Bug] | 10:30 | 10:15 (before the merge) | — | Defect |
| WF-3 | 09:00 | 09:20 | feature/wf-3, [] | 10:20 | never | 11:00 | Feature |

A deployment at 08:00 of no ticket starts the tracking. Durations (minutes): WF-1
60/60/60; WF-2 30/60/0 (out of order: Deploy before Review); WF-3 20/60/not reached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHAS = {1: "a1" * 20, 2: "b2" * 20, 3: "c3" * 20}


def _at(hm: str) -> str:
    return f"2024-05-01T{hm}:00Z"


def _ticket(n: int, done: str | None = None) -> dict[str, Any]:
    moves = [{"to": "In Progress", "at": _at("09:10")}]
    if done:
        moves.append({"to": "Done", "at": _at(done)})
    return {"kind": "issue", "key": f"WF-{n}", "project": "WF", "type": "Story",
            "created_at": _at("09:00"), "status_changes": moves}  # fmt: skip


def _code(n: int, committed: str, branch: str, labels: list[str], merged: str) -> list[Any]:
    sha = SHAS[n]
    return [
        {"kind": "commit", "repo": "acme/api", "sha": sha, "committed_at": _at(committed),
         "message": f"WF-{n}: work", "parents": []},
        {"kind": "pull_request", "repo": "acme/api", "number": n, "title": f"WF-{n} work",
         "source_branch": branch, "target_branch": "main", "created_at": _at(committed),
         "commit_shas": [sha], "labels": labels, "merged_at": _at(merged)},
    ]  # fmt: skip


def _deploy(n: int, finished: str) -> dict[str, Any]:
    return {"kind": "pipeline_run", "system": "argocd", "pipeline": "deploy", "run_id": f"d{n}",
            "type": "cd", "status": "success", "finished_at": _at(finished),
            "environment": "production", "repo": "acme/api", "commit_sha": SHAS[n]}  # fmt: skip


RECORDS: list[dict[str, Any]] = [
    # An earlier deployment of the stream, of no ticket: tracking began before the tickets'
    # commits, so none of them is a baseline change (docs/deployments.md).
    {**_deploy(1, "08:00"), "run_id": "d0", "commit_sha": "f0" * 20},
    _ticket(1),
    *_code(1, "10:00", "hotfix/wf-1", ["urgent"], "11:00"),
    _deploy(1, "12:00"),
    _ticket(2),
    *_code(2, "09:30", "feature/wf-2", ["Bug"], "10:30"),
    _deploy(2, "10:15"),
    _ticket(3, done="11:00"),
    *_code(3, "09:20", "feature/wf-3", [], "10:20"),
]

STAGES: list[dict[str, Any]] = [
    {"name": "Coding", "event": "commit"},
    {"name": "Review", "event": "pr_merged"},
    {"name": "Deploy", "event": "cd_completed", "environments": ["production"]},
]
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Hotfix", "source_branches": ["hotfix/*"]},
    {"name": "Defect", "labels": ["bug"]},
    {"name": "Feature", "default": True},
]


def profile_data(**top: Any) -> dict[str, Any]:
    return {"name": "Workflow", "scope": {"projects": ["WF"]}, "stages": STAGES, **top}


def write_records(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def write_profile(path: Path, **top: Any) -> Path:
    path.write_text(json.dumps(profile_data(**top)), encoding="utf-8")
    return path
