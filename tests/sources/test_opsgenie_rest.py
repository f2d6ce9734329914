"""Opsgenie REST mapping (``leadline.sources.opsgenie.rest``): alerts and incidents of the
listings, their resolution times, malformed items named by path, fuzzing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Incident
from leadline.sources import opsgenie
from leadline.sources.base import PayloadError
from leadline.sources.opsgenie import rest
from tests.sources.fuzz import mutate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "opsgenie_rest"
ALERTS: list[dict[str, Any]] = json.loads((FIXTURES / "alerts.json").read_text())
INCIDENTS: list[dict[str, Any]] = json.loads((FIXTURES / "incidents.json").read_text())


def _one(parsed: Any) -> Incident:
    (record,) = parsed.records
    assert isinstance(record, Incident)
    return record


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize("item", ALERTS, ids=lambda a: a["tinyId"])
def test_alerts(item: dict[str, Any]) -> None:
    got = _one(rest.alert(item))
    assert (got.source, got.id, got.title) == ("opsgenie", item["id"], item["message"])
    assert got.created_at == _time(item["createdAt"])
    assert (got.severity, got.service) == (item["priority"], item.get("entity"))
    if item["status"] != "closed":
        assert got.resolved_at is None
    elif "closeTime" in item["report"]:
        closed = _time(item["createdAt"]) + timedelta(milliseconds=item["report"]["closeTime"])
        assert got.resolved_at == closed
    else:
        assert got.resolved_at == _time(item["updatedAt"])


@pytest.mark.parametrize("item", INCIDENTS, ids=lambda i: i["tinyId"])
def test_incidents(item: dict[str, Any]) -> None:
    got = _one(rest.incident(item)).model_dump(mode="json")
    assert _time(got["created_at"]) == _time(item["impactStartDate"])
    end = item.get("impactEndDate")
    assert (got["resolved_at"] and _time(got["resolved_at"])) == (end and _time(end))
    assert got["service"] == item["impactedServices"][0]
    assert (got["opsgenie_kind"], got["url"]) == ("incident", item["links"]["web"])


def test_a_resolved_incident_without_impact_end_resolves_at_its_update() -> None:
    item = {k: v for k, v in INCIDENTS[0].items() if k != "impactEndDate"}
    item["status"] = "closed"
    assert _one(rest.incident(item)).resolved_at == _time(item["updatedAt"])


def test_the_webhook_and_the_listing_give_one_record() -> None:
    """The first alert is the real webhook fixture's: same key, same creation time."""
    hook = json.loads((FIXTURES.parent / "opsgenie" / "create.json").read_text())
    from_hook, from_rest = _one(opsgenie.parse(hook)), _one(rest.alert(ALERTS[-1]))
    assert from_hook.natural_key() == from_rest.natural_key()
    assert from_hook.created_at == from_rest.created_at


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ([], r"\(body\): expected an object, got a list"),
        ({"id": "a", "createdAt": "x", "updatedAt": "2024-03-04T09:14:00Z"}, "createdAt: "),
        ({"id": "a", "createdAt": "2024-03-04T09:14:00Z"}, "updatedAt: required field"),
        ({"id": "a", "createdAt": "2024-03-04T09:14:00Z", "updatedAt": "2024-03-04T09:14:00Z",
          "status": "closed", "report": {"closeTime": 1.5}},
         "report.closeTime: expected an integer"),
        ({"id": None, "createdAt": "2024-03-04T09:14:00Z", "updatedAt": "2024-03-04T09:14:00Z"},
         "id: expected a string or an integer, got null"),
    ],
)  # fmt: skip
def test_malformed_alerts_name_the_path(item: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        rest.alert(item)


PAYLOADS = [("alert", a) for a in ALERTS] + [("incident", i) for i in INCIDENTS]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2024-03-04T09:14:00Z"), st.just("closed"),
    st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=3), st.none()),
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAYLOADS), st.data())
def test_mutated_items_parse_or_raise_payload_error(
    case: tuple[str, Any], data: st.DataObject
) -> None:
    kind, item = case
    mutated = mutate(data.draw, copy.deepcopy(item), JSON_VALUES)
    try:
        parsed = rest.alert(mutated) if kind == "alert" else rest.incident(mutated)
    except PayloadError:
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record
