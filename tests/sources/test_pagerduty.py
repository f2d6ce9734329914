"""PagerDuty v3 webhooks: fixtures against the reviewed snapshot, merge, signatures, fuzzing.

``tests/fixtures/pagerduty/expected.json`` maps each fixture file to its outcome. Regenerate
with ``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Incident
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.pagerduty import signature as pagerduty_signature
from leadline.sources.pagerduty import webhook as pagerduty
from tests.sources.fuzz import mutate
from tests.sources.snapshots import (
    FIXTURES_ROOT,
    assert_covers,
    fixture_names,
    load_json,
    outcome_of,
    snapshot,
)

FIXTURES = FIXTURES_ROOT / "pagerduty"
SNAPSHOT = FIXTURES / "expected.json"
CASES = fixture_names(FIXTURES)


def load(name: str) -> Any:
    return load_json(FIXTURES / name)


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(lambda: pagerduty.parse(load(name)))


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def test_snapshot_covers_every_fixture() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]


@pytest.mark.parametrize("name", [n for n in CASES if EXPECTED[n].get("records")])
def test_records_validate_as_ndjson_records(name: str) -> None:
    (record,) = pagerduty.parse(load(name)).records
    assert parse_object(record.model_dump(mode="json"), name, 1) == record


def _incident(name: str) -> Incident:
    (incident,) = pagerduty.parse(load(name)).records
    assert isinstance(incident, Incident)
    return incident


def test_triggered() -> None:
    got = _incident("triggered_v3.json").model_dump(mode="json")
    assert got == {
        "kind": "incident",
        "source": "pagerduty",
        "id": "PFQZPSY",
        "created_at": "2021-06-04T13:35:29.781000Z",
        "title": "Test Incident 3",
        "service": "pig208",
        "severity": "high",
        "resolved_at": None,
        "deployment_run_id": None,
        "commit_sha": None,
        "priority": None,  # "priority": null in the delivery
        "urgency": "high",
        "acknowledged_at": None,  # a trigger is no acknowledgement
        "updated_at": "2021-06-04T13:35:29.781000Z",
        "url": "https://pig208.pagerduty.com/incidents/PFQZPSY",
    }


def test_resolved_sets_resolved_at() -> None:
    got = _incident("resolved_v3.json")
    assert got.id == "PCPZE64"
    assert got.model_dump(mode="json")["resolved_at"] == "2021-06-04T13:16:53.816000Z"


def test_created_at_and_priority_when_the_payload_has_them() -> None:
    got = _incident("edge/triggered_with_created_at_and_priority_v3.json").model_dump(mode="json")
    assert (got["created_at"], got["severity"]) == ("2021-06-04T13:35:29Z", "P1")
    # event.data.priority.summary "P1", event.data.urgency "high"
    assert (got["priority"], got["urgency"], got["acknowledged_at"]) == ("P1", "high", None)


def test_priority_reference_without_summary_gives_its_name() -> None:
    payload = load("edge/triggered_with_created_at_and_priority_v3.json")
    del payload["event"]["data"]["priority"]["summary"]
    payload["event"]["data"]["priority"]["name"] = "SEV-2"
    payload["event"]["data"]["urgency"] = "low"
    got = pagerduty.parse(payload).records[0]
    assert isinstance(got, Incident)
    assert (got.priority, got.urgency) == ("SEV-2", "low")


def test_acknowledged_event_sets_acknowledged_at() -> None:
    # The delivery's event.occurred_at is 2021-06-04T13:40:02.112Z; its incident was created
    # 13:35:29.781Z (triggered_v3.json).
    got = _incident("edge/acknowledged_v3.json").model_dump(mode="json")
    assert got["acknowledged_at"] == "2021-06-04T13:40:02.112000Z"
    assert got["resolved_at"] is None


def test_the_first_acknowledgement_is_kept_and_priority_filled_in() -> None:
    triggered = _incident("edge/triggered_with_created_at_and_priority_v3.json")
    acked = _incident("edge/acknowledged_v3.json")  # priority null in this delivery
    later = load("edge/acknowledged_v3.json")
    later["event"]["occurred_at"] = "2021-06-04T14:00:00Z"  # acknowledged again, later
    again = pagerduty.parse(later).records[0]
    assert isinstance(again, Incident)
    merged = pagerduty.merge(pagerduty.merge(pagerduty.merge(None, triggered), again), acked)
    dumped = merged.model_dump(mode="json")
    assert dumped["acknowledged_at"] == "2021-06-04T13:40:02.112000Z"
    assert (dumped["priority"], dumped["urgency"]) == ("P1", "high")
    assert dumped["created_at"] == "2021-06-04T13:35:29Z"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("edge/annotated_v3.json", "incident.annotated: not an event leadline uses"),
        ("edge/pagey_ping.json", "pagey.ping: not an event leadline uses"),
    ],
)
def test_ignored_events_say_why(name: str, reason: str) -> None:
    assert pagerduty.parse(load(name)) == Parsed(records=[], ignored=reason)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("x", r"\(body\): expected an object, got the string 'x'"),
        ({}, "event: required field is missing"),
        ({"event": {"event_type": 5}}, "event.event_type: expected a string, got the number 5"),
        ({"event": {"event_type": "incident.triggered"}}, "event.occurred_at: required field"),
        (
            {"event": {"event_type": "incident.resolved", "occurred_at": "2021-06-04T13:16:53Z"}},
            "event.data: required field is missing",
        ),
        (
            {
                "event": {
                    "event_type": "incident.triggered",
                    "occurred_at": "2021-06-04T13:16:53Z",
                    "data": {"id": "P1", "service": []},
                }
            },
            "event.data.service: expected an object, got a list",
        ),
    ],
)
def test_malformed_payloads_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        pagerduty.parse(payload)


# --- merge -------------------------------------------------------------------------------


def _replay(names: list[str]) -> Incident:
    stored: Incident | None = None
    for name in names:
        stored = pagerduty.merge(stored, _incident(name))
    assert stored is not None
    return stored


def _resolved_copy() -> Incident:
    """The resolve delivery for the triggered incident (same id, 10 minutes later)."""
    payload = load("resolved_v3.json")
    payload["event"]["data"]["id"] = "PFQZPSY"
    payload["event"]["occurred_at"] = "2021-06-04T13:45:29.781000Z"
    (incident,) = pagerduty.parse(payload).records
    assert isinstance(incident, Incident)
    return incident


def test_merge_keeps_creation_time_across_the_lifecycle() -> None:
    stored = _replay(["triggered_v3.json", "edge/acknowledged_v3.json"])
    merged = pagerduty.merge(stored, _resolved_copy())
    dumped = merged.model_dump(mode="json")
    assert dumped["created_at"] == "2021-06-04T13:35:29.781000Z"
    assert dumped["resolved_at"] == "2021-06-04T13:45:29.781000Z"
    reopened = pagerduty.merge(merged, _incident("edge/reopened_v3.json"))
    assert reopened.resolved_at is None and reopened.created_at == merged.created_at


def test_merge_out_of_order_and_replayed() -> None:
    resolved = _resolved_copy()
    late_trigger = pagerduty.merge(resolved, _incident("triggered_v3.json"))
    assert late_trigger.resolved_at == resolved.resolved_at  # an older delivery cannot reopen
    assert late_trigger.model_dump(mode="json")["created_at"] == "2021-06-04T13:35:29.781000Z"
    assert pagerduty.merge(late_trigger, resolved) == late_trigger
    assert pagerduty.merge(None, resolved) == resolved


def test_merge_fills_fields_the_newer_delivery_lacks() -> None:
    stored = _incident("edge/triggered_with_created_at_and_priority_v3.json")
    newer = _resolved_copy().model_copy(update={"title": None, "deployment_run_id": None})
    stored = stored.model_copy(update={"deployment_run_id": "custom/deploy/7"})
    merged = pagerduty.merge(stored, newer)
    assert (merged.title, merged.deployment_run_id) == ("Test Incident 3", "custom/deploy/7")
    assert merged.severity == "high"  # the newer delivery's own value wins


# --- signatures ----------------------------------------------------------------------------

BODY = (FIXTURES / "triggered_v3.json").read_bytes()


def _sig(secret: str, body: bytes = BODY) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("header", "secrets", "valid"),
    [
        (_sig("s3cret"), ["s3cret"], True),
        (_sig("s3cret"), ["wrong"], False),
        (_sig("s3cret", b"tampered"), ["s3cret"], False),
        # Rotation: PagerDuty signs with every active secret; we may hold old and new.
        (f"{_sig('new')},{_sig('old')}", ["old"], True),
        (f"{_sig('new')}, {_sig('old')}", ["new"], True),
        (_sig("old"), ["new", "old"], True),
        (f"{_sig('a')},{_sig('b')}", ["c", "d"], False),
        (_sig("s3cret").upper().replace("V1=", "v1="), ["s3cret"], True),
        # Malformed headers are simply not valid.
        (None, ["s3cret"], False),
        ("", ["s3cret"], False),
        ("v1", ["s3cret"], False),
        ("v1=", ["s3cret"], False),
        (",,", ["s3cret"], False),
        ("v2=" + _sig("s3cret")[3:], ["s3cret"], False),
        (_sig("s3cret")[3:], ["s3cret"], False),
        ("v1=not-hex-ü", ["s3cret"], False),
        (_sig("s3cret"), [], False),
        (_sig(""), [""], False),
    ],
)
def test_signature_ok(header: str | None, secrets: list[str], valid: bool) -> None:
    assert pagerduty_signature.signature_ok(BODY, header, secrets) is valid


# --- fuzzing: mutate real deliveries -------------------------------------------------------

PAYLOADS = [load(n) for n in CASES if EXPECTED[n].get("records")]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2021-06-04T13:35:29+00:00"),
    st.just("incident.resolved"), st.lists(st.integers(), max_size=2),
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
        parsed = pagerduty.parse(payload)
    except PayloadError:
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record
