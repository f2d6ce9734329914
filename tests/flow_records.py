"""A small dataset for time in status and PR lead time by stage, with the figures computed by
hand (the service, CLI, API and page tests share it). Window: March 2024.

Issues (profile scope ``projects: [PAY]``):

* PAY-1: To Do 00:00, In Progress 02:00, Review 05:00, In Progress 06:00, Review 10:00, Done
  11:00 (no ``resolved_at``: resolved by its last move to done). To Do 2 h; In Progress 3 + 4
  = 7 h, 2 visits (a bounce); Review 1 + 1 = 2 h, 2 visits (a bounce).
* PAY-2 (history given out of order): To Do and In Progress both at 00:00 (To Do no visit),
  Done 04:00, ``resolved_at`` 03:00 (wins): In Progress 3 h.
* PAY-3: no history, resolved in the window: counted, no visit.
* PAY-4 never resolved, PAY-5 resolved in February, WEB-1 out of the scope: not counted.

Per status (mean): To Do 1 issue 2 h; In Progress 2 issues (7 h, 3 h) mean 5 h, total 10 h,
3 visits, 1 bounce; Review 1 issue 2 h, 2 visits, 1 bounce. p90 of In Progress: 3 + 0.9 × 4 =
6.6 h.

Pull requests (scope ``repos: [acme/pay]``, and a PAY ticket named):

* acme/pay#1 (PAY-1): first commit 03-10 10:00 (a second at 10:03, named by a 7-character
  prefix), opened 10:05, commented 10:06, approved 10:10, merged 10:14: 5 + 1 + 4 + 4 min.
* acme/pay#2 (PAY-3): commit 03-11 09:00, opened 10:00, no review, merged 12:00: creation
  60 min, merge 120 min (from creation).
* acme/pay#3 (PAY-2): its commit unknown, opened 03-20 00:00, changes requested 00:30,
  approved 01:30, merged 02:00 (an approval after it gated nothing): comment 30, approval
  60, merge 30 min.
* acme/pay#4 not merged, acme/pay#5 merged in February, acme/pay#6 names no ticket,
  acme/web#1 another repository: not counted.

Per stage (mean): creation (5, 60) 32.5 min, 1 missing; comment (1, 30) 15.5 min; approval
(4, 60) 32 min; merge (4, 120, 30) 51 ⅓ min; total 1950 + 930 + 1920 + 3080 = 7880 s.
Weekly trend: 02-26 none; 03-04 #1 840 s; 03-11 #2 10 800 s; 03-18 #3 7200 s; 03-25 none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FROM, TO = "2024-03-01", "2024-04-01"
H = 3600.0


def _st(to: str, at: str) -> dict[str, str]:
    return {"to": to, "at": at}


def _issue(key: str, created: str, changes: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "kind": "issue",
        "key": key,
        "created_at": created,
        "type": "Story",
        "title": f"{key} title",
        "status_changes": changes,
        **extra,
    }


def _commit(sha: str, at: str, repo: str = "acme/pay") -> dict[str, Any]:
    return {"kind": "commit", "repo": repo, "sha": sha, "committed_at": at}


def _pr(
    repo: str,
    number: int,
    title: str,
    created: str,
    merged: str | None,
    shas: list[str],
    reviews: list[tuple[str, str]],
) -> dict[str, Any]:
    return {
        "kind": "pull_request",
        "repo": repo,
        "number": number,
        "title": title,
        "created_at": created,
        "merged_at": merged,
        "commit_shas": shas,
        "reviews": [{"author": "rev", "state": s, "at": a} for s, a in reviews],
    }


SHA1, SHA2, SHA3 = "a1" * 20, "b2" * 20, "c3" * 20

RECORDS: list[dict[str, Any]] = [
    _issue(
        "PAY-1",
        "2024-02-28T00:00:00Z",
        [
            _st("To Do", "2024-03-01T00:00:00Z"),
            _st("In Progress", "2024-03-01T02:00:00Z"),
            _st("Review", "2024-03-01T05:00:00Z"),
            _st("In Progress", "2024-03-01T06:00:00Z"),
            _st("Review", "2024-03-01T10:00:00Z"),
            _st("Done", "2024-03-01T11:00:00Z"),
        ],
    ),
    _issue(
        "PAY-2",
        "2024-03-01T00:00:00Z",
        [
            _st("Done", "2024-03-02T04:00:00Z"),
            _st("To Do", "2024-03-02T00:00:00Z"),
            _st("In Progress", "2024-03-02T00:00:00Z"),
        ],
        resolved_at="2024-03-02T03:00:00Z",
    ),
    _issue("PAY-3", "2024-03-01T00:00:00Z", [], resolved_at="2024-03-03T00:00:00Z"),
    _issue("PAY-4", "2024-03-01T00:00:00Z", [_st("In Progress", "2024-03-04T00:00:00Z")]),
    _issue(
        "PAY-5",
        "2024-02-01T00:00:00Z",
        [_st("In Progress", "2024-02-10T00:00:00Z"), _st("Done", "2024-02-15T00:00:00Z")],
    ),
    _issue(
        "WEB-1",
        "2024-03-01T00:00:00Z",
        [_st("In Progress", "2024-03-05T00:00:00Z"), _st("Done", "2024-03-05T01:00:00Z")],
    ),
    _commit(SHA1, "2024-03-10T10:00:00Z"),
    _commit(SHA2, "2024-03-10T10:03:00Z"),
    _commit(SHA3, "2024-03-11T09:00:00Z"),
    _commit("d4" * 20, "2024-03-10T09:00:00Z", repo="acme/web"),
    _pr(
        "acme/pay",
        1,
        "PAY-1 pay",
        "2024-03-10T10:05:00Z",
        "2024-03-10T10:14:00Z",
        [SHA1, SHA2[:7]],
        [("commented", "2024-03-10T10:06:00Z"), ("approved", "2024-03-10T10:10:00Z")],
    ),
    _pr("acme/pay", 2, "PAY-3 more", "2024-03-11T10:00:00Z", "2024-03-11T12:00:00Z", [SHA3], []),
    _pr(
        "acme/pay",
        3,
        "PAY-2 fix",
        "2024-03-20T00:00:00Z",
        "2024-03-20T02:00:00Z",
        ["e5" * 20],
        [
            ("approved", "2024-03-20T03:00:00Z"),
            ("changes_requested", "2024-03-20T00:30:00Z"),
            ("approved", "2024-03-20T01:30:00Z"),
        ],
    ),
    _pr("acme/pay", 4, "PAY-4 open", "2024-03-20T00:00:00Z", None, [], []),
    _pr("acme/pay", 5, "PAY-5 old", "2024-02-19T00:00:00Z", "2024-02-20T00:00:00Z", [], []),
    _pr("acme/pay", 6, "no ticket", "2024-03-12T00:00:00Z", "2024-03-12T01:00:00Z", [], []),
    _pr(
        "acme/web", 1, "PAY-1 web", "2024-03-10T09:30:00Z", "2024-03-10T11:00:00Z", ["d4" * 20], []
    ),
]

PROFILE: dict[str, Any] = {
    "name": "pay",
    "stages": [{"name": "Coding", "event": "commit"}, {"name": "Merged", "event": "pr_merged"}],
    "scope": {"projects": ["PAY"], "repos": ["acme/pay"]},
}

STATUSES = [  # name, category, issues, mean seconds, total, visits, bounces, bounced issues
    ("To Do", "todo", 1, 2 * H, 2 * H, 1, 0, 0),
    ("In Progress", "in_progress", 2, 5 * H, 10 * H, 3, 1, 1),
    ("Review", "in_progress", 1, 2 * H, 2 * H, 2, 1, 1),
]
STAGES = [  # key, mean seconds, samples, missing
    ("pr_creation", 1950.0, 2, 1),
    ("first_comment", 930.0, 2, 1),
    ("approval", 1920.0, 2, 1),
    ("merge", 3080.0, 3, 0),
]
TOTAL = 7880.0
WEEKS = [
    ("2024-02-26", 0, None),
    ("2024-03-04", 1, 840.0),
    ("2024-03-11", 1, 10800.0),
    ("2024-03-18", 1, 7200.0),
    ("2024-03-25", 0, None),
]


def write(tmp: Path) -> tuple[Path, Path]:
    """The records (NDJSON) and the profile (JSON) as files."""
    records = tmp / "flow.ndjson"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    profile = tmp / "pay.json"
    profile.write_text(json.dumps(PROFILE))
    return records, profile
