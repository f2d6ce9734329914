"""ServiceNow and Opsgenie webhooks through the real ASGI app: every fixture stored, ignored
with its reason or refused with the documented reason (one table); field-by-field checks of
the stored incident and deployment against the payload; secrets, duplicates, failures kept,
the ServiceNow zone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.store.tables import raw_events
from tests.conftest import FIXTURES
from tests.services.sync_harness import records

SN, OG = FIXTURES / "servicenow", FIXTURES / "opsgenie"
SN_SECRET, OG_SECRET = "sn-s3cret", "og-s3cret"
DEMISTO = "demisto-content/create_co_from_template_result.json"


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, servicenow_webhook_secret=SN_SECRET,
                        opsgenie_webhook_secret=f"old,{OG_SECRET}")  # fmt: skip
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def body_of(tool: str, name: str) -> bytes:
    """The delivery body: the fixture file; the real change request is the ``result`` of a
    Change Management API answer, the record a business rule sends."""
    path = (SN if tool == "servicenow" else OG) / name
    if name == DEMISTO:
        return json.dumps(json.loads(path.read_text())["result"]).encode()
    return path.read_bytes()


def post(client: TestClient, tool: str, body: bytes, secret: str | None = None,
         delivery: str | None = None) -> Any:  # fmt: skip
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Leadline-Secret"] = secret
    if delivery is not None:
        headers["X-Leadline-Delivery"] = delivery
    return client.post(f"/v1/webhooks/{tool}", content=body, headers=headers)


def deliver(client: TestClient, tool: str, name: str) -> Any:
    secret = SN_SECRET if tool == "servicenow" else OG_SECRET
    return post(client, tool, body_of(tool, name), secret)


# status, and the reason (ignored, refused) or the record kinds (stored)
CASES = [
    ("servicenow", "webhook/incident-closed.json", 202, "incident"),
    ("servicenow", "webhook/incident-resolved-plain-values.json", 202, "incident"),
    ("servicenow", "webhook/incident-in-progress.json", 202, "incident"),
    ("servicenow", "webhook/change-closed-successful.json", 202, "pipeline_run"),
    ("servicenow", "webhook/change-closed-unsuccessful-emergency.json", 202, "pipeline_run"),
    ("servicenow", "webhook/change-canceled.json", 202, "pipeline_run"),
    ("servicenow", "webhook/change-implement.json", 200,
     "change request CHG0030006 is Implement: not carried out"),
    ("servicenow", DEMISTO, 200, "change request CHG0031889 is New: not carried out"),
    ("servicenow", "webhook/edge-problem-table.json", 200, "problem: not a table leadline uses"),
    ("servicenow", "webhook/error-no-table.json", 422,
     "sys_class_name: required field is missing (the record's table)"),
    ("servicenow", "webhook/error-opened-at-with-zone.json", 422,
     "opened_at.value: expected a date-time YYYY-MM-DD HH:MM:SS, got '2024-03-04T09:15:00Z'"),
    ("servicenow", "webhook/error-state-not-a-number.json", 422,
     "state.value: expected an integer choice value, got 'Closed'"),
    ("servicenow", "webhook/error-no-number.json", 422, "number.value: required field is missing"),
    ("servicenow", "webhook/error-body-is-a-list.json", 422,
     "(body): expected an object, got a list"),
    ("opsgenie", "create.json", 202, "incident"),
    ("opsgenie", "close.json", 202, "incident"),
    ("opsgenie", "edge/create-priority-text-no-entity.json", 202, "incident"),
    ("opsgenie", "edge/acknowledge.json", 202, "incident"),  # acknowledged_at
    ("opsgenie", "edge/delete.json", 200, "Delete: not an alert action leadline uses"),
    ("opsgenie", "edge/error-close-without-updated-at.json", 422,
     "alert.updatedAt: required field is missing (the time the alert was closed)"),
    ("opsgenie", "edge/error-created-at-text.json", 422,
     "alert.createdAt: expected a number, got the string"),
]  # fmt: skip


def test_the_table_covers_every_fixture() -> None:
    found = {("servicenow", p.relative_to(SN).as_posix()) for p in (SN / "webhook").glob("*.json")}
    found |= {("opsgenie", p.relative_to(OG).as_posix()) for p in OG.rglob("*.json")
              if p.name != "expected.json"}  # fmt: skip
    assert found | {("servicenow", DEMISTO)} == {(tool, name) for tool, name, *_ in CASES}


@pytest.mark.parametrize(("tool", "name", "status", "what"), CASES)
def test_every_fixture_through_its_webhook(
    hooks: TestClient, engine: Engine, tool: str, name: str, status: int, what: str
) -> None:
    answer = deliver(hooks, tool, name)
    assert answer.status_code == status, answer.text
    with engine.connect() as conn:
        (row,) = conn.execute(select(raw_events)).mappings().all()
    assert row["source"] == tool and row["payload"] == body_of(tool, name).decode()
    if status == 202:
        assert answer.json()["kinds"] == {what: 1} and row["parse_status"] == "parsed"
    elif status == 200:
        assert answer.json() == {"status": "ignored", "records": 0, "reason": what}
        assert row["parse_status"] == "ignored"
    else:  # refused, and kept as failed (replayable)
        error = answer.json()["error"]
        assert error["code"] == "invalid_payload" and what in error["message"]
        assert row["parse_status"] == "failed" and what in row["parse_error"]


def _sn_time(field: Any) -> str:
    naive = datetime.strptime(field["value"], "%Y-%m-%d %H:%M:%S")
    return naive.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def test_servicenow_incident_field_by_field(hooks: TestClient, engine: Engine) -> None:
    name = "webhook/incident-closed.json"
    assert deliver(hooks, "servicenow", name).status_code == 202
    sent = json.loads(body_of("servicenow", name))
    (got,) = records(engine)["incident"]
    assert got == {
        "kind": "incident", "source": "servicenow", "id": sent["number"]["value"],
        "created_at": _sn_time(sent["opened_at"]), "resolved_at": _sn_time(sent["resolved_at"]),
        "title": sent["short_description"]["value"],
        "service": sent["cmdb_ci"]["display_value"],
        "severity": sent["priority"]["display_value"],
        "priority": sent["priority"]["value"], "urgency": sent["urgency"]["value"],
        "impact": sent["impact"]["value"], "servicenow_severity": sent["severity"]["value"],
        "state": sent["state"]["display_value"], "sys_id": sent["sys_id"]["value"],
        "updated_at": _sn_time(sent["sys_updated_on"]),
        "deployment_run_id": None, "commit_sha": None,
        "acknowledged_at": None,  # the incident table has no acknowledgement time
    }  # fmt: skip


def test_servicenow_change_request_is_a_deployment(hooks: TestClient, engine: Engine) -> None:
    name = "webhook/change-closed-successful.json"
    assert deliver(hooks, "servicenow", name).status_code == 202
    sent = json.loads(body_of("servicenow", name))
    (got,) = records(engine)["pipeline_run"]
    expected = {
        "system": "servicenow", "pipeline": f"change_request/{sent['type']['value']}",
        "run_id": sent["number"]["value"], "type": "cd", "status": "success",
        "finished_at": _sn_time(sent["work_end"]), "started_at": _sn_time(sent["work_start"]),
        "service": sent["cmdb_ci"]["display_value"], "environment": None,
        "title": sent["short_description"]["value"], "sys_id": sent["sys_id"]["value"],
    }  # fmt: skip
    assert {k: got[k] for k in expected} == expected
    assert got["params"]["close_code"] == sent["close_code"]["value"] == "successful"
    assert got["params"]["state"] == sent["state"]["display_value"] == "Closed"


def test_opsgenie_incident_field_by_field(hooks: TestClient, engine: Engine) -> None:
    assert deliver(hooks, "opsgenie", "create.json").status_code == 202
    assert deliver(hooks, "opsgenie", "close.json").status_code == 202
    by_id = {r["id"]: r for r in records(engine)["incident"]}
    for name in ("create.json", "close.json"):
        sent = json.loads(body_of("opsgenie", name))["alert"]
        got = by_id[sent["alertId"]]
        created = datetime.fromtimestamp(sent["createdAt"] / 1000, UTC)
        assert got["created_at"] == created.isoformat().replace("+00:00", "Z")
        assert (got["title"], got["service"]) == (sent["message"], sent.get("entity") or None)
        priority = sent.get("priority")
        assert got["severity"] == (f"P{priority}" if isinstance(priority, int) else priority)
        updated_ns = sent["updatedAt"]
        resolved = datetime.fromtimestamp(updated_ns // 1000 / 1e6, UTC)
        expected = resolved.isoformat().replace("+00:00", "Z") if name == "close.json" else None
        assert got["resolved_at"] == expected


def test_unset_secret_403_bad_secret_401(db_url: str, engine: Engine) -> None:
    app = create_app(Settings(database_url=db_url, opsgenie_webhook_secret=OG_SECRET))
    with TestClient(app, raise_server_exceptions=False) as client:
        unset = post(client, "servicenow", b"{}", "anything")
        assert unset.status_code == 403
        assert "LEADLINE_SERVICENOW_WEBHOOK_SECRET is not set" in unset.json()["error"]["message"]
        for secret in (None, "wrong", ""):
            bad = post(client, "opsgenie", body_of("opsgenie", "create.json"), secret)
            assert bad.status_code == 401, bad.text
            assert bad.json()["error"]["message"] == "bad or missing X-Leadline-Secret"
        assert post(client, "opsgenie", b"{", OG_SECRET).status_code == 400
    with engine.connect() as conn:
        assert conn.execute(select(raw_events)).all() == []


def test_duplicates_are_acknowledged_once(hooks: TestClient) -> None:
    body = body_of("servicenow", "webhook/incident-closed.json")
    assert post(hooks, "servicenow", body, SN_SECRET, "9d38:9").status_code == 202
    again = post(hooks, "servicenow", body, SN_SECRET, "9d38:9")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert post(hooks, "servicenow", body, SN_SECRET, "9d38:10").status_code == 202
    # Opsgenie sends no delivery id: alertId:action:updatedAt stands in for one.
    assert deliver(hooks, "opsgenie", "close.json").status_code == 202
    assert deliver(hooks, "opsgenie", "close.json").json()["status"] == "duplicate"
    assert post(hooks, "opsgenie", body_of("opsgenie", "close.json"), "old").status_code == 200


def test_servicenow_times_read_in_the_configured_zone(
    hooks: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_SERVICENOW_TIMEZONE", "America/Los_Angeles")
    name = "webhook/incident-closed.json"
    assert deliver(hooks, "servicenow", name).status_code == 202
    sent = json.loads(body_of("servicenow", name))
    naive = datetime.strptime(sent["opened_at"]["value"], "%Y-%m-%d %H:%M:%S")
    local = naive.replace(tzinfo=ZoneInfo("America/Los_Angeles")).astimezone(UTC)
    (got,) = records(engine)["incident"]
    assert got["created_at"] == local.isoformat().replace("+00:00", "Z")
    assert got["created_at"] == "2024-03-04T17:15:00Z"  # 09:15 PST is 17:15 UTC


def test_unknown_zone_is_refused_at_start(db_url: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        Settings(database_url=db_url, servicenow_timezone="Mars/Olympus")


# Header values as the bytes on the wire (Starlette reads them as latin-1): never a 500.
MALFORMED_SECRETS: list[bytes] = [
    "é".encode(), "é".encode("latin-1"), b"", b" ", b"\xff", SN_SECRET.upper().encode(),
    SN_SECRET.encode() + b"!",
]  # fmt: skip


@pytest.mark.parametrize("tool", ["servicenow", "opsgenie"])
@pytest.mark.parametrize("value", MALFORMED_SECRETS, ids=repr)
def test_malformed_secrets_are_401(hooks: TestClient, tool: str, value: bytes) -> None:
    headers = {"Content-Type": b"application/json", "X-Leadline-Secret": value}
    answer = hooks.post(f"/v1/webhooks/{tool}", content=b"{}", headers=headers)  # type: ignore[arg-type]
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
