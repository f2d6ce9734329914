"""Record validation at the edge (docs/records.md): table-driven."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from leadline.domain.parse import parse_line, parse_object
from leadline.domain.records import Event, Issue, PipelineRun, infer_category
from leadline.errors import LineError

T = "2024-05-01T10:00:00Z"
MINIMAL: dict[str, dict[str, Any]] = {
    "issue": {"kind": "issue", "key": "PROP-1", "created_at": T},
    "version": {"kind": "version", "project": "PROP", "name": "1.0"},
    "commit": {"kind": "commit", "repo": "r", "sha": "abc", "committed_at": T},
    "pull_request": {"kind": "pull_request", "repo": "r", "number": 1, "created_at": T},
    "pipeline_run": {
        "kind": "pipeline_run", "system": "s", "pipeline": "p", "run_id": "1",
        "type": "ci", "status": "success", "finished_at": T,
    },
    "incident": {"kind": "incident", "source": "pd", "id": "I1", "created_at": T},
    "event": {
        "kind": "event", "component": "jira", "key": "PROP-1", "event_type": "x", "event_time": T,
    },
}  # fmt: skip


def parse(obj: dict[str, Any]) -> Any:
    import json

    return parse_line(json.dumps(obj), "f.ndjson", 3)


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_minimal_record_of_each_kind_is_valid(kind: str) -> None:
    record = parse(MINIMAL[kind])
    assert not isinstance(record, LineError), record
    assert record.kind == kind


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_unknown_extra_fields_are_kept(kind: str) -> None:
    record = parse({**MINIMAL[kind], "x_custom": {"a": [1, 2]}})
    assert record.model_dump(mode="json")["x_custom"] == {"a": [1, 2]}


@pytest.mark.parametrize(
    ("kind", "field"),
    [(k, f) for k, rec in MINIMAL.items() for f in rec if f != "kind"],
)
def test_every_required_field_is_required(kind: str, field: str) -> None:
    obj = {k: v for k, v in MINIMAL[kind].items() if k != field}
    err = parse(obj)
    assert err == LineError("f.ndjson", 3, field, "required field is missing")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01t10:00:00.250z", datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2024-05-01 10:00:00-0130", datetime(2024, 5, 1, 11, 30, tzinfo=UTC)),
    ],
)
def test_times_with_offsets_are_normalised_to_utc(value: str, expected: datetime) -> None:
    record = parse({**MINIMAL["issue"], "created_at": value})
    assert isinstance(record, Issue)
    assert record.created_at == expected
    assert record.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2024-05-01T10:00:00", "naive time '2024-05-01T10:00:00': add an offset or Z"),
        ("2024-05-01", "not an RFC 3339 time: '2024-05-01'"),
        ("yesterday", "not an RFC 3339 time: 'yesterday'"),
        ("2024-13-01T10:00:00Z", "not a valid time: '2024-13-01T10:00:00Z'"),
        (1714557600, "expected an RFC 3339 time string, got a number"),
        (None, "expected an RFC 3339 time string, got null"),
    ],
)
def test_bad_times_are_errors(value: object, problem: str) -> None:
    err = parse({**MINIMAL["commit"], "committed_at": value})
    assert isinstance(err, LineError)
    assert err.field == "committed_at"
    assert err.problem.startswith(problem), err.problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1714557600, datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (1714557600.5, datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_event_time_accepts_epoch_seconds(value: object, expected: datetime) -> None:
    record = parse({**MINIMAL["event"], "event_time": value})
    assert isinstance(record, Event)
    assert record.event_time == expected


@pytest.mark.parametrize("value", [True, -5, 1e20, "1714557600"])
def test_event_time_rejects_nonsense(value: object) -> None:
    err = parse({**MINIMAL["event"], "event_time": value})
    assert isinstance(err, LineError) and err.field == "event_time"


@pytest.mark.parametrize(
    ("status", "category"),
    [
        ("Done", "done"), ("closed", "done"), ("Resolved", "done"), ("RELEASED", "done"),
        ("To Do", "todo"), ("Open", "todo"), ("backlog", "todo"), ("New", "todo"),
        ("In Progress", "in_progress"), ("In Review", "in_progress"), ("QA", "in_progress"),
    ],
)  # fmt: skip
def test_status_category_is_inferred(status: str, category: str) -> None:
    assert infer_category(status) == category
    record = parse({**MINIMAL["issue"], "status_changes": [{"to": status, "at": T}]})
    assert record.status_changes[0].category == category


def test_explicit_category_wins_and_project_defaults_to_key_prefix() -> None:
    record = parse(
        {
            **MINIMAL["issue"],
            "key": "WEB-APP-12",
            "status_changes": [{"to": "Shipped", "at": T, "category": "DONE"}],
        }
    )
    assert record.project == "WEB-APP"
    assert record.status_changes[0].category == "done"


def test_pipeline_values_are_case_insensitive_and_ids_may_be_numbers() -> None:
    record = parse({**MINIMAL["pipeline_run"], "type": "CI_CD", "status": "SUCCESS", "run_id": 42})
    assert isinstance(record, PipelineRun)
    assert (record.type, record.status, record.run_id) == ("ci_cd", "success", "42")


@pytest.mark.parametrize(
    ("patch", "field", "problem"),
    [
        ({"type": "deploy"}, "type", "Input should be 'ci', 'cd' or 'ci_cd', got 'deploy'"),
        ({"commit_shas": "abc"}, "commit_shas", "expected a list, got the string 'abc'"),
        ({"params": []}, "params", "expected an object, got a list"),
        ({"system": ""}, "system", "String should have at least 1 character"),
        (
            {"artifacts": [{"name": "a", "direction": "sideways"}]},
            "artifacts[0].direction",
            "Input should be 'input' or 'output', got 'sideways'",
        ),
    ],
)
def test_wrong_types_name_the_field(patch: dict[str, Any], field: str, problem: str) -> None:
    err = parse({**MINIMAL["pipeline_run"], **patch})
    assert err == LineError("f.ndjson", 3, field, problem)


def test_several_problems_in_one_line_are_one_message() -> None:
    err = parse({"kind": "commit", "repo": 5, "sha": None})
    assert isinstance(err, LineError)
    assert err.field == "repo"
    assert "sha: expected a string, got null" in err.problem
    assert "committed_at: required field is missing" in err.problem


def test_parse_object_validates_decoded_json() -> None:
    assert isinstance(parse_object(MINIMAL["issue"], "body", 1), Issue)
    assert isinstance(parse_object("x", "body", 2), LineError)
