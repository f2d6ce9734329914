"""The first-commit rule (issue 16): a merge commit is never a change's first commit, and a
pull request with no known commit of its own leaves its commit-based stages unknown.

Every row is a hand-built change on 2024-05-01; the expected minutes are computed by hand
from the times in the row (durations from the start, or from the previous stage reached).
"""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.linking import link
from leadline.correlate.timeline import build_timeline
from leadline.domain.records import RecordModel
from tests.correlate.builders import commit, dt, issue, pr, profile

A, B, M = "a" * 40, "b" * 40, "e" * 40  # two commits of the PR and its merge commit

PR_PROFILE = profile(
    {"name": "PR created", "event": "pr_created"},
    {"name": "Merged", "event": "pr_merged"},
    start={"event": "commit_created"},
)
TICKET_PROFILE = profile(
    {"name": "First commit", "event": "commit"},
    {"name": "PR created", "event": "pr_created"},
    {"name": "Merged", "event": "pr_merged"},
)

# (name, records, start, minutes per stage — None: unknown)
PR_CASES: list[tuple[str, list[RecordModel], str, list[float | None]]] = [
    (
        "merge-only PR (webhook data): start at its creation, coding unknown",
        [commit(M, "10:40", parents=[A, B]),
         pr(1, "10:10", merge=M, merged="10:40")],
        "10:10", [None, 30],
    ),
    (
        "merge-only squash PR (one parent): its merge commit is still not a first commit",
        [commit(M, "10:40", parents=[A]), pr(1, "10:10", merge=M, merged="10:40")],
        "10:10", [None, 30],
    ),
    (
        "PR with commits and a merge commit: the first non-merge commit",
        [commit(A, "10:02"), commit(B, "10:05"), commit(M, "10:40", parents=[A, B]),
         pr(1, "10:10", shas=(A, B), merge=M, merged="10:40")],
        "10:02", [8, 30],
    ),
    (
        "a merge commit dated first (clock skew) is still not the first commit",
        [commit(A, "10:02"), commit(M, "09:00", parents=[A, B]),
         pr(1, "10:10", shas=(A,), merge=M, merged="10:40")],
        "10:02", [8, 30],
    ),
    (
        "squash merge with its commit list: the squash commit is left out",
        [commit(A, "10:03"), commit(M, "10:40", parents=[B]),
         pr(1, "10:10", shas=(A,), merge=M, merged="10:40")],
        "10:03", [7, 30],
    ),
    (
        "fast-forward: the merge commit is the PR's own (listed) commit",
        [commit(A, "10:04", parents=[B]), pr(1, "10:10", shas=(A,), merge=A, merged="10:40")],
        "10:04", [6, 30],
    ),
    (
        "a merge of main into the branch (two parents) inside the PR's commits",
        [commit(B, "10:01", parents=[A, M]), commit(A, "10:06"),
         pr(1, "10:10", shas=(B, A), merge=M, merged="10:40")],
        "10:06", [4, 30],
    ),
]  # fmt: skip


def _minutes(start: Any, stages: tuple[Any, ...]) -> list[float | None]:
    out: list[float | None] = []
    previous = start.at
    for hit in stages:
        if hit is None:
            out.append(None)
            continue
        out.append(max((hit.at - previous).total_seconds(), 0) / 60)
        previous = hit.at
    return out


@pytest.mark.parametrize(("records", "start", "minutes"), [c[1:] for c in PR_CASES],
                         ids=[c[0] for c in PR_CASES])  # fmt: skip
def test_pull_request_unit(records: list[RecordModel], start: str, minutes: list[float]) -> None:
    bundle = link(records, "pull_request")["acme/api#1"]
    timeline = build_timeline(PR_PROFILE, bundle)
    assert timeline is not None
    assert timeline.start.at == dt(start)
    assert _minutes(timeline.start, timeline.stages) == minutes


TICKET_CASES: list[tuple[str, list[RecordModel], list[float | None]]] = [
    (
        "ticket whose PR has only its merge commit: the commit stage is unknown",
        [issue("P-1"), commit(M, "10:40", "Merge P-1", parents=[A, B]),
         pr(1, "10:10", title="P-1", merge=M, merged="10:40")],
        [None, 20, 30],
    ),
    (
        "ticket with a commit and a merge commit naming it: the commit",
        [issue("P-1"), commit(M, "10:00", "Merge branch P-1", parents=[A, B]),
         commit(A, "10:05", "P-1: work"), pr(1, "10:10", title="P-1", merge=M, merged="10:40")],
        [15, 5, 30],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("records", "minutes"), [c[1:] for c in TICKET_CASES],
                         ids=[c[0] for c in TICKET_CASES])  # fmt: skip
def test_ticket_unit(records: list[RecordModel], minutes: list[float]) -> None:
    timeline = build_timeline(TICKET_PROFILE, link(records)["P-1"])
    assert timeline is not None
    assert timeline.start.at == dt("09:50")  # the ticket's creation
    assert _minutes(timeline.start, timeline.stages) == minutes
