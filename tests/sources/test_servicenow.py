"""ServiceNow mapping (``leadline.sources.servicenow``): the field shapes ServiceNow sends,
the zone, the change request → deployment table, malformed records named by path, fuzzing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Incident, PipelineRun
from leadline.sources import servicenow
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.payload import Node
from leadline.sources.servicenow.fields import code, label, text, time
from tests.sources.fuzz import mutate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "servicenow"
UTC_ZONE = ZoneInfo("UTC")


def table(name: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads((FIXTURES / "table" / f"{name}.json").read_text())[
        "result"
    ]
    return result


def change(number: str) -> dict[str, Any]:
    (found,) = [r for r in table("change_request") if r["number"]["value"] == number]
    return copy.deepcopy(found)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7), (7, 7), (-5.0, -5), ({"value": "3", "display_value": "Closed"}, 3),
        ({"value": -5.0, "display_value": "New"}, -5), ("", None), (None, None),
        ({"value": "", "display_value": ""}, None),
    ],
)  # fmt: skip
def test_code_reads_every_shape(value: Any, expected: int | None) -> None:
    assert code(Node(value, "state")) == expected


@pytest.mark.parametrize(
    ("value", "shown", "plain"),
    [
        ({"value": "b0c2", "display_value": "payments-api"}, "payments-api", "b0c2"),
        ({"value": "b0c2", "display_value": ""}, "b0c2", "b0c2"),
        ("b0c2", "b0c2", "b0c2"),
        ({"value": True, "display_value": "true"}, "true", "true"),
        ({"value": "", "display_value": ""}, None, None),
    ],
)
def test_label_prefers_the_display_value(value: Any, shown: str | None, plain: str | None) -> None:
    assert (label(Node(value, "cmdb_ci")), text(Node(value, "cmdb_ci"))) == (shown, plain)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", datetime(2024, 3, 4, 9, 15, tzinfo=UTC)),
        ("Europe/Paris", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),  # CET, +01:00
        ("Europe/Paris", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        ("America/Los_Angeles", datetime(2024, 3, 4, 17, 15, tzinfo=UTC)),  # PST, -08:00
        ("Asia/Kolkata", datetime(2024, 3, 4, 3, 45, tzinfo=UTC)),  # +05:30
    ],
)
def test_times_are_read_in_the_given_zone(zone: str, expected: datetime) -> None:
    node = Node({"value": "2024-03-04 09:15:00", "display_value": "03/04/2024 01:15:00"}, "x")
    assert time(node, ZoneInfo(zone)) == expected


def test_a_summer_time_is_read_with_the_summer_offset() -> None:
    node = Node("2024-07-01 12:00:00", "opened_at")
    assert time(node, ZoneInfo("Europe/Paris")) == datetime(2024, 7, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "status", "finished", "started"),
    [
        ("CHG0030001", "success", "work_end", "work_start"),
        ("CHG0030002", "successful_issues", "work_end", "work_start"),
        ("CHG0030003", "failure", "work_end", "work_start"),
        ("CHG0030004", "canceled", "closed_at", None),  # canceled before any work
        ("CHG0030005", "review", "work_end", "work_start"),
    ],
)
def test_change_requests_carried_out_are_deployments(
    number: str, status: str, finished: str, started: str | None
) -> None:
    record = change(number)
    (run,) = servicenow.change_request(record, UTC_ZONE).records
    assert isinstance(run, PipelineRun)
    got = run.model_dump(mode="json")
    assert (got["run_id"], got["type"], got["status"]) == (number, "cd", status)
    assert got["finished_at"] == record[finished]["value"].replace(" ", "T") + "Z"
    expected_start = record[started]["value"].replace(" ", "T") + "Z" if started else None
    assert got["started_at"] == expected_start
    assert got["service"] == record["cmdb_ci"]["display_value"]
    assert got["pipeline"] == f"change_request/{record['type']['value']}"


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        ({"state": {"value": -1, "display_value": "Implement"}},
         "change request CHG0030001 is Implement: not carried out"),
        ({"state": "-2"}, "change request CHG0030001 is Scheduled: not carried out"),
        ({"state": ""}, "change request CHG0030001 is (no state): not carried out"),
        ({"work_end": "", "closed_at": ""},
         "change request CHG0030001 is Closed but has no work_end or closed_at"),
    ],
)  # fmt: skip
def test_change_requests_not_carried_out_say_why(update: dict[str, Any], reason: str) -> None:
    record = {**change("CHG0030001"), **update}
    assert servicenow.change_request(record, UTC_ZONE) == Parsed(records=[], ignored=reason)


def test_close_code_without_a_known_name_is_kept_lower_case() -> None:
    record = {**change("CHG0030001"), "close_code": "Rolled_Back"}
    (run,) = servicenow.change_request(record, UTC_ZONE).records
    assert run.model_dump()["status"] == "rolled_back"


def test_incident_service_falls_back_to_business_service() -> None:
    (record,) = [r for r in table("incident") if r["number"]["value"] == "INC0010004"]
    assert record["cmdb_ci"]["value"] == ""
    (incident,) = servicenow.incident(record, UTC_ZONE).records
    assert isinstance(incident, Incident)
    assert incident.service == record["business_service"]["display_value"] == "Payments"


def test_incident_created_from_sys_created_on_when_opened_at_is_empty() -> None:
    record = {**table("incident")[0], "opened_at": ""}
    (incident,) = servicenow.incident(record, UTC_ZONE).records
    expected = record["sys_created_on"]["value"].replace(" ", "T") + "Z"
    assert incident.model_dump(mode="json")["created_at"] == expected


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"opened_at": "", "sys_created_on": ""},
         "opened_at: required field is missing (nor sys_created_on)"),
        ({"resolved_at": {"value": "04/03/2024 10:45", "display_value": ""}},
         "resolved_at.value: expected a date-time YYYY-MM-DD HH:MM:SS, got '04/03/2024 10:45'"),
        ({"state": {"value": "1.5"}}, "state.value: expected an integer choice value"),
        ({"number": ["INC1"]}, "number: expected a string or an integer, got a list"),
        ({"short_description": {"value": "a\u0000b"}}, "short_description: contains a NUL"),
        ({"cmdb_ci": 5.5}, "cmdb_ci: expected a string or an integer, got the number 5.5"),
    ],
)  # fmt: skip
def test_malformed_incidents_name_the_path(update: dict[str, Any], message: str) -> None:
    with pytest.raises(PayloadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        servicenow.incident({**table("incident")[0], **update}, UTC_ZONE)


# --- fuzzing: mutate the records -----------------------------------------------------------

PAYLOADS = table("incident") + table("change_request")
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2024-03-04 09:15:00"), st.just("3"),
    st.just("change_request"), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAYLOADS), st.data())
def test_mutated_records_parse_or_raise_payload_error(payload: Any, data: st.DataObject) -> None:
    mutated = mutate(data.draw, copy.deepcopy(payload), JSON_VALUES)
    try:
        parsed = servicenow.parse(mutated, ZoneInfo("Europe/Paris"))
    except PayloadError:
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record


@pytest.mark.parametrize(
    ("caused_by", "expected"),
    [
        ({"value": "a1b2c3", "display_value": "CHG0030001"}, "CHG0030001"),
        ({"value": "a1b2c3", "display_value": " CHG0030002 "}, "CHG0030002"),
        ({"value": "a1b2c3", "display_value": ""}, None),  # a sys_id alone names no deployment
        ({"value": "", "display_value": ""}, None),
        ("a1b2c3", None),
        (None, None),
    ],
)
def test_caused_by_change_names_the_deployment(caused_by: Any, expected: str | None) -> None:
    record = {**table("incident")[0], "caused_by": caused_by}
    (incident,) = servicenow.incident(record, UTC_ZONE).records
    assert isinstance(incident, Incident)
    assert incident.deployment_run_id == expected
