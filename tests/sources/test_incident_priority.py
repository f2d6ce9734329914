"""Incident ``priority``, ``urgency`` and ``acknowledged_at`` from each incident tool, field by
field, against the values written in the fixtures (docs/records.md#incident).

PagerDuty's are in tests/sources/test_pagerduty.py (its real v3 deliveries).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadline.domain.records import Incident
from leadline.sources import opsgenie, servicenow
from leadline.sources.base import PayloadError
from leadline.sources.opsgenie import rest

FIXTURES = Path(__file__).parents[1] / "fixtures"
UTC_ZONE = ZoneInfo("UTC")


def _json(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def _one(parsed: Any) -> Incident:
    (record,) = parsed.records
    assert isinstance(record, Incident)
    return record


def test_opsgenie_webhook_create_has_its_priority() -> None:
    # real create.json: "priority": 3 (a bare number) → P3; no acknowledgement
    got = _one(opsgenie.parse(_json("opsgenie/create.json")))
    assert (got.priority, got.severity, got.urgency, got.acknowledged_at) == (
        "P3",
        "P3",
        None,
        None,
    )


def test_opsgenie_webhook_close_without_priority() -> None:
    # real close.json has no priority
    got = _one(opsgenie.parse(_json("opsgenie/close.json")))
    assert (got.priority, got.urgency, got.acknowledged_at) == (None, None, None)


def test_opsgenie_acknowledge_sets_acknowledged_at_from_updated_at() -> None:
    payload = _json("opsgenie/edge/acknowledge.json")
    payload["alert"]["updatedAt"] = 1502710256288000000  # ns: 2017-08-14T11:30:56.288Z
    got = _one(opsgenie.parse(payload))
    assert got.acknowledged_at == datetime(2017, 8, 14, 11, 30, 56, 288000, tzinfo=UTC)
    assert got.created_at == datetime(2017, 8, 14, 11, 25, 56, 288000, tzinfo=UTC)  # createdAt
    assert got.resolved_at is None and got.priority == "P3"


def test_opsgenie_acknowledge_needs_its_time() -> None:
    payload = _json("opsgenie/edge/acknowledge.json")
    del payload["alert"]["updatedAt"]
    with pytest.raises(PayloadError, match=r"alert.updatedAt: required field is missing"):
        opsgenie.parse(payload)


def test_opsgenie_acknowledge_then_close_keeps_both() -> None:
    ack = _json("opsgenie/edge/acknowledge.json")
    ack["alert"]["updatedAt"] = 1502710256288000000  # 11:30:56.288
    close = copy.deepcopy(ack)
    close["action"] = "Close"
    close["alert"]["updatedAt"] = 1502713556288000000  # 12:25:56.288
    acked, closed = _one(opsgenie.parse(ack)), _one(opsgenie.parse(close))
    for merged in (opsgenie.merge(acked, closed), opsgenie.merge(closed, acked)):
        assert merged.acknowledged_at == datetime(2017, 8, 14, 11, 30, 56, 288000, tzinfo=UTC)
        assert merged.resolved_at == datetime(2017, 8, 14, 12, 25, 56, 288000, tzinfo=UTC)


def test_opsgenie_rest_alert_acknowledged_after_ack_time() -> None:
    # alerts.json tinyId 11: createdAt 2024-03-04T09:14:00Z, report.ackTime 15702 ms, P1
    (item,) = [a for a in _json("opsgenie_rest/alerts.json") if a["tinyId"] == "11"]
    got = _one(rest.alert(item))
    assert got.acknowledged_at == datetime(2024, 3, 4, 9, 14, 15, 702000, tzinfo=UTC)
    assert (got.priority, got.urgency) == ("P1", None)


def test_opsgenie_rest_alert_without_report_is_not_acknowledged() -> None:
    (item,) = [a for a in _json("opsgenie_rest/alerts.json") if a["tinyId"] == "14"]
    got = _one(rest.alert(item))
    assert (got.priority, got.acknowledged_at) == ("P4", None)


@pytest.mark.parametrize(("tiny", "priority"), [("3", "P3"), ("1", "P5")])
def test_opsgenie_rest_incidents_real_priorities(tiny: str, priority: str) -> None:
    # the two real incidents DevLake captured: tinyId 3 is P3, tinyId 1 is P5
    (item,) = [i for i in _json("opsgenie_rest/incidents.json") if i["tinyId"] == tiny]
    got = _one(rest.incident(item))
    assert (got.priority, got.severity, got.urgency, got.acknowledged_at) == (
        priority, priority, None, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("number", "priority", "urgency", "severity"),
    [
        ("INC0010001", "1", "1", "1 - Critical"),
        ("INC0010002", "2", "1", "2 - High"),
        ("INC0010004", "4", "1", "4 - Low"),
    ],
)
def test_servicenow_table_incident_priority_and_urgency_are_choice_values(
    number: str, priority: str, urgency: str, severity: str
) -> None:
    records = _json("servicenow/table/incident.json")["result"]
    (record,) = [r for r in records if r["number"]["value"] == number]
    got = _one(servicenow.incident(record, UTC_ZONE))
    assert (got.priority, got.urgency, got.severity) == (priority, urgency, severity)
    assert got.acknowledged_at is None  # the incident table has no acknowledgement time


def test_servicenow_plain_values_give_the_same_codes() -> None:
    # "priority": "2", "urgency": "1": the Table API's plain shape
    got = _one(servicenow.parse(_json("servicenow/webhook/incident-resolved-plain-values.json"),
                                UTC_ZONE))  # fmt: skip
    assert (got.priority, got.urgency, got.severity) == ("2", "1", "2")
