"""Opsgenie alert webhooks: fixtures against the reviewed snapshot, merge, fuzzing.

``tests/fixtures/opsgenie/expected.json`` maps each fixture file to its outcome. Regenerate
with ``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Incident
from leadline.sources import opsgenie
from leadline.sources.base import Parsed, PayloadError
from tests.sources.fuzz import mutate
from tests.sources.snapshots import (
    FIXTURES_ROOT,
    assert_covers,
    fixture_names,
    load_json,
    outcome_of,
    snapshot,
)

FIXTURES = FIXTURES_ROOT / "opsgenie"
SNAPSHOT = FIXTURES / "expected.json"
CASES = fixture_names(FIXTURES)


def load(name: str) -> Any:
    return load_json(FIXTURES / name)


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(lambda: opsgenie.parse(load(name)))


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def test_snapshot_covers_every_fixture() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]


@pytest.mark.parametrize("name", [n for n in CASES if EXPECTED[n].get("records")])
def test_records_validate_as_ndjson_records(name: str) -> None:
    (record,) = opsgenie.parse(load(name)).records
    assert parse_object(record.model_dump(mode="json"), name, 1) == record


def _incident(payload: Any) -> Incident:
    (incident,) = opsgenie.parse(payload).records
    assert isinstance(incident, Incident)
    return incident


def test_create() -> None:
    got = _incident(load("create.json")).model_dump(mode="json")
    assert got["source"] == "opsgenie" and got["id"] == "ec03dad6-62c8-4c94-b38b-d88f398e900f"
    assert got["created_at"] == "2017-08-14T11:25:56.288000Z"  # createdAt, epoch ms
    assert (got["title"], got["service"], got["severity"]) == ("another alert", "Server", "P3")
    assert got["resolved_at"] is None


def test_close_resolves_at_updated_at_in_nanoseconds() -> None:
    got = _incident(load("close.json")).model_dump(mode="json")
    assert got["created_at"] == "2015-01-05T10:03:11.104000Z"
    assert got["resolved_at"] == "2015-01-05T10:06:14.669001Z"  # 1420452374669001603 ns


@pytest.mark.parametrize(
    ("updated_at", "expected"),
    [
        (1420452374669001603, "2015-01-05T10:06:14.669001Z"),  # ns (what Opsgenie sends)
        (1420452374669001, "2015-01-05T10:06:14.669001Z"),  # µs
        (1420452374669, "2015-01-05T10:06:14.669000Z"),  # ms
    ],
)
def test_updated_at_unit_is_told_by_magnitude(updated_at: int, expected: str) -> None:
    payload = load("close.json")
    payload["alert"]["updatedAt"] = updated_at
    assert _incident(payload).model_dump(mode="json")["resolved_at"] == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [("edge/delete.json", "Delete: not an alert action leadline uses")],
)
def test_ignored_actions_say_why(name: str, reason: str) -> None:
    assert opsgenie.parse(load(name)) == Parsed(records=[], ignored=reason)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (None, r"\(body\): expected an object, got null"),
        ({"alert": {}}, "action: required field is missing"),
        ({"action": "Create"}, "alert: required field is missing"),
        (
            {"action": "Create", "alert": {"alertId": "a", "createdAt": True}},
            "alert.createdAt: expected a number, got a boolean",
        ),
        (
            {"action": "Create", "alert": {"alertId": "a", "createdAt": -1}},
            "alert.createdAt: epoch milliseconds out of range",
        ),
        (
            {"action": "Create", "alert": {"alertId": ["a"], "createdAt": 1}},
            "alert.alertId: expected a string or an integer",
        ),
    ],
)
def test_malformed_payloads_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        opsgenie.parse(payload)


def test_merge_late_create_does_not_reopen() -> None:
    close = load("create.json")
    close["action"] = "Close"
    close["alert"]["updatedAt"] = 1502710000000000000
    closed = _incident(close)
    created = _incident(load("create.json"))
    assert opsgenie.merge(closed, created) == closed
    assert opsgenie.merge(created, closed) == closed


# --- fuzzing: mutate real deliveries -------------------------------------------------------

PAYLOADS = [load(n) for n in CASES if EXPECTED[n].get("records")]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("Close"), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    payload = copy.deepcopy(draw(st.sampled_from(PAYLOADS)))
    payload = mutate(draw, payload, JSON_VALUES)
    return payload


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_deliveries_parse_or_raise_payload_error(payload: Any) -> None:
    try:
        parsed = opsgenie.parse(payload)
    except PayloadError:
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record
