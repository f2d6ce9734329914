"""Data-quality warnings: a record whose end precedes its start, per kind, by hand."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.domain.parse import parse_object
from leadline.domain.quality import Warnings, findings, warnings
from leadline.domain.records import RecordModel

T1 = "2024-05-01T10:00:00Z"
T0 = "2024-05-01T09:00:00Z"  # before T1


def rec(data: dict[str, Any]) -> RecordModel:
    record = parse_object(data, "t", 1)
    assert not isinstance(record, Exception) and hasattr(record, "kind"), record
    return record  # type: ignore[return-value]


PR = {"kind": "pull_request", "repo": "acme/api", "number": 12, "created_at": T1}
ISSUE = {"kind": "issue", "key": "PROJ-1", "created_at": T1}
RUN = {
    "kind": "pipeline_run", "system": "gha", "pipeline": "deploy", "run_id": "42", "type": "cd",
    "status": "success", "finished_at": T1,
}  # fmt: skip
INCIDENT = {"kind": "incident", "source": "pagerduty", "id": "P1", "created_at": T1}
COMMIT = {"kind": "commit", "repo": "acme/api", "sha": "abc1234", "committed_at": T1}

CASES = [
    (PR | {"merged_at": T0, "closed_at": T0}, [
        "pull_request acme/api#12: merged_at 2024-05-01T09:00:00Z is before created_at "
        "2024-05-01T10:00:00Z",
        "pull_request acme/api#12: closed_at 2024-05-01T09:00:00Z is before created_at "
        "2024-05-01T10:00:00Z",
    ]),
    (PR | {"merged_at": T1, "closed_at": "2024-05-01T11:00:00Z"}, []),
    (ISSUE | {"resolved_at": T0}, [
        "issue PROJ-1: resolved_at 2024-05-01T09:00:00Z is before created_at "
        "2024-05-01T10:00:00Z",
    ]),
    (ISSUE | {"resolved_at": "2024-05-02T00:00:00+02:00"}, []),  # 22:00 UTC: after
    (RUN | {"started_at": "2024-05-01T10:00:00.5Z"}, [
        "pipeline_run gha/deploy/42: finished_at 2024-05-01T10:00:00Z is before started_at "
        "2024-05-01T10:00:00.500000Z",
    ]),
    (RUN, []),  # no start: nothing to compare
    (INCIDENT | {"resolved_at": "2024-05-01T11:59:00+03:00"}, [  # 08:59 UTC
        "incident pagerduty/P1: resolved_at 2024-05-01T08:59:00Z is before created_at "
        "2024-05-01T10:00:00Z",
    ]),
    (COMMIT | {"authored_at": "2024-05-01T10:00:01Z"}, [
        "commit acme/api@abc1234: committed_at 2024-05-01T10:00:00Z is before authored_at "
        "2024-05-01T10:00:01Z",
    ]),
    ({"kind": "version", "project": "P", "name": "1.0", "released_at": T0}, []),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_end_before_start(data: dict[str, Any], expected: list[str]) -> None:
    record = rec(data)
    assert warnings(record) == expected
    assert [f for f, _ in findings(record)] == [line.split(": ")[1].split()[0] for line in expected]


def test_warnings_are_capped_and_counted() -> None:
    kept = Warnings(limit=2)
    for _ in range(3):
        kept.add_record(rec(PR | {"merged_at": T0, "closed_at": T0}))
    assert kept.total == 6 and len(kept.kept) == 2
