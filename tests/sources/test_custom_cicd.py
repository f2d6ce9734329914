"""Custom CI/CD job payloads: the seed page's examples against the reviewed snapshot, the
field rules table-driven, fuzzing.

``tests/fixtures/custom_cicd/expected.json`` maps each payload file to its outcome. Regenerate
with ``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import PipelineRun
from leadline.sources.base import PayloadError
from leadline.sources.custom_cicd import webhook as custom_cicd
from tests.sources.fuzz import mutate
from tests.sources.snapshots import (
    FIXTURES_ROOT,
    assert_covers,
    fixture_names,
    load_json,
    outcome_of,
    snapshot,
)

FIXTURES = FIXTURES_ROOT / "custom_cicd"
SNAPSHOT = FIXTURES / "expected.json"
CASES = fixture_names(FIXTURES, recursive=False)


def load(name: str) -> Any:
    return load_json(FIXTURES / name)


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(lambda: custom_cicd.parse(load(name)))


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def test_snapshot_covers_every_fixture() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]
    assert ("error" in EXPECTED[name]) == name.startswith("error-")


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("error-")])
def test_records_validate_as_ndjson_records(name: str) -> None:
    (record,) = custom_cicd.parse(load(name)).records
    assert parse_object(record.model_dump(mode="json"), name, 1) == record


def _run(payload: Any) -> dict[str, Any]:
    (run,) = custom_cicd.parse(payload).records
    assert isinstance(run, PipelineRun)
    return run.model_dump(mode="json")


def test_seed_example() -> None:
    got = _run(load("seed-example.json"))
    assert got["system"] == "custom" and got["pipeline"] == "Pipeline-2"
    assert got["run_id"] == "UNIQUE_EXECUTION_ID" and got["type"] == "ci"
    assert got["status"] == "success"
    assert got["started_at"] == "2024-03-28T05:25:45Z"  # 1711603545000 ms
    assert got["finished_at"] == "2024-03-28T05:38:45Z"  # + 780000 ms
    assert got["commit_shas"] == ["64be72b2c1f7d2a33082f98a40a848880fcdcd5e"]
    assert got["params"] == {"version": 1, "revision": 1}
    assert got["artifacts"] == [
        {
            "name": "image1",
            "version": "1",
            "direction": "output",
            "type": "container",
            "location": "http://generated/image/location",
        }
    ]
    assert got["branch"] == "master" and got["url"] == "http://somelink-updated.com"


BASE = load("seed-example.json")


def _with(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


@pytest.mark.parametrize(
    ("ci", "cd", "expected"),
    [
        (True, False, "ci"),
        (False, True, "cd"),
        (True, True, "ci_cd"),
        (False, False, "ci"),
        (None, None, "ci"),
    ],
)
def test_type_from_flags(ci: bool | None, cd: bool | None, expected: str) -> None:
    assert _run(_with(ci=ci, cd=cd))["type"] == expected


@pytest.mark.parametrize(
    ("result", "status"),
    [
        ("SUCCESS", "success"), ("success", "success"), ("FAILURE", "failure"),
        ("FAILED", "failure"), ("ABORTED", "cancelled"), ("CANCELED", "cancelled"),
        ("UNSTABLE", "unstable"), ("NOT_BUILT", "not_built"), ("Running", "running"),
    ],
)  # fmt: skip
def test_status_from_result(result: str, status: str) -> None:
    assert _run(_with(result=result))["status"] == status


@pytest.mark.parametrize(
    ("changes", "run_id"),
    [
        ({}, "UNIQUE_EXECUTION_ID"),
        ({"execution_id": None, "build_number": 42}, "42"),
        ({"execution_id": "", "build_number": "42"}, "42"),
        ({"execution_id": None}, "1711603545000"),
    ],
)
def test_run_id(changes: dict[str, Any], run_id: str) -> None:
    assert _run(_with(**changes))["run_id"] == run_id


@pytest.mark.parametrize(
    ("url", "repo"),
    [
        ("https://github.com/acme/web", "acme/web"),
        ("https://gitlab.example.com/group/sub/app.git", "group/sub/app"),
        ("git@github.com:acme/web.git", "acme/web"),
        ("acme/web", "acme/web"),
        ("", None),
    ],
)
def test_repo_from_url(url: str, repo: str | None) -> None:
    assert _run(_with(repo_url=url))["repo"] == repo


def test_environment_and_service_from_fields_or_params() -> None:
    params = [{"name": "ENVIRONMENT", "value": "production"}, {"name": "service", "value": "web"}]
    got = _run(_with(job_run_params=params))
    assert (got["environment"], got["service"]) == ("production", "web")
    got = _run(_with(job_run_params=params, environment="staging", service="api"))
    assert (got["environment"], got["service"]) == ("staging", "api")
    assert _run(_with(job_run_params=[{"name": "env", "value": "qa"}]))["environment"] == "qa"


def test_artifact_directions() -> None:
    artifacts = [
        {"input": True, "output": True, "name": "lib", "qualifier": 3},
        {"name": "image", "qualifier": "9"},
    ]
    ci = _run(_with(artifacts=artifacts))["artifacts"]
    assert [(a["name"], a["version"], a["direction"]) for a in ci] == [
        ("lib", "3", "input"), ("lib", "3", "output"), ("image", "9", "output"),
    ]  # fmt: skip
    cd = _run(_with(artifacts=artifacts, ci=False, cd=True))["artifacts"]
    assert cd[-1]["direction"] == "input"  # no flag on a CD run: it consumed the artifact


def test_wrapped_payload_is_the_same_run() -> None:
    assert _run(load("edge-wrapped.json")) == _run(load("seed-curl-example.json"))


def test_system_override_and_duplicate_commits() -> None:
    got = _run(_with(system="jenkins-eu", scm_commit_ids=["abc1234", "", "abc1234", "def5678"]))
    assert got["system"] == "jenkins-eu" and got["commit_shas"] == ["abc1234", "def5678"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_time": None}, "start_time: required field is missing"),
        ({"start_time": "1711603545000"}, "start_time: expected a number, got the string"),
        ({"start_time": 1711603545}, "start_time: 1711603545 looks like epoch seconds"),
        ({"start_time": 10**20}, "start_time: epoch milliseconds out of range"),
        ({"duration": None}, "duration: required field is missing"),
        ({"duration": -1}, "duration: must not be negative"),
        ({"duration": 10**18}, "duration: too large"),
        ({"result": None}, "result: required field is missing"),
        ({"result": " "}, "result: must not be empty"),
        ({"pipeline": None, "job_full_name": None}, "pipeline: required field is missing"),
        ({"pipeline": 7}, "pipeline: expected a string, got the number 7"),
        ({"ci": "yes"}, "ci: expected true or false"),
        ({"scm_commit_ids": [1]}, r"scm_commit_ids\[0\]: expected a string"),
        (
            {"job_run_params": [{"value": 1}]},
            r"job_run_params\[0\].name: required field is missing",
        ),
        ({"artifacts": [{"input": True}]}, r"artifacts\[0\].name: required field is missing"),
        ({"artifacts": ["image"]}, r"artifacts\[0\]: expected an object"),
        ({"execution_id": 1.5}, "execution_id: expected a string or an integer"),
        ({"pipeline": "x" * 1001}, "pipeline: String should have at most 1000 characters"),
    ],
)
def test_malformed_payloads_name_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        custom_cicd.parse(_with(**changes))


@pytest.mark.parametrize("body", [[], "x", 1, None])
def test_body_must_be_an_object(body: Any) -> None:
    with pytest.raises(PayloadError, match=r"\(body\): expected an object"):
        custom_cicd.parse(body)


# --- fuzzing: mutate the page's payloads ---------------------------------------------------

PAYLOADS = [load(n) for n in CASES if not n.startswith("error-")]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just(1711603545000), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    payload = copy.deepcopy(draw(st.sampled_from(PAYLOADS)))
    payload = mutate(draw, payload, JSON_VALUES)
    return payload


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_payloads_parse_or_raise_payload_error(payload: Any) -> None:
    try:
        parsed = custom_cicd.parse(payload)
    except PayloadError:
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record
