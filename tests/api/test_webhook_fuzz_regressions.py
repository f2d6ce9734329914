"""What fuzzing the webhooks found (``test_webhook_fuzz.py``, ``bench/webhook_fuzz.py``), each
with the smallest delivery that showed it, through the real ASGI app.

1. A lone surrogate (the JSON escape ``\\ud800``, or its invalid UTF-8 bytes ``ED A0 80``)
   quoted by an "ignored" reason — an Opsgenie action, a ServiceNow table, a Harness event
   type — made the JSON answer unencodable: 500 ``UnicodeEncodeError``, after the delivery
   was committed. The reason now carries the escape.
2. The same surrogate as a duplicated key: the 400 naming the key was a 500.
3. A Jenkins ``build.duration`` past the years a time can hold (``2**64``, or 2**53 ms: 285
   000 years) raised ``OverflowError`` in the parser: the delivery was kept as ``failed`` with
   ``records could not be stored: OverflowError: …``, naming no path. The same shift of a
   time by milliseconds read Jenkins' REST builds and Opsgenie's alert ``closeTime``.
4. A value the database cannot hold (a NUL) in a field kept in a run's ``params`` was named
   by the record field (``params.pipelineName``), not by its JSON path
   (``eventData.pipelineName``): Harness, Argo CD, Jenkins.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.sources.base import PayloadError
from leadline.sources.jenkins import rest as jenkins_rest
from leadline.sources.opsgenie import rest as opsgenie_rest
from leadline.store.tables import raw_events
from tests.conftest import FIXTURES

SECRET = "s3cret"


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    tools = ("opsgenie", "servicenow", "harness", "jenkins", "argocd")
    secrets = {f"{tool}_webhook_secret": SECRET for tool in tools}
    app = create_app(Settings(database_url=db_url, **secrets))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine().dispose()


def post(client: TestClient, tool: str, body: bytes) -> tuple[int, dict[str, object]]:
    headers = {"X-Leadline-Secret": SECRET, "Content-Type": "application/json"}
    response = client.post(f"/v1/webhooks/{tool}", content=body, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("tool", "body", "reason"),
    [
        ("opsgenie", rb'{"action": "\ud800"}', r"\ud800: not an alert action leadline uses"),
        ("opsgenie", b'{"action": "\xed\xa0\x80"}', r"\ud800: not an alert action leadline uses"),
        ("servicenow", rb'{"sys_class_name": "x\udfff"}', r"x\udfff: not a table leadline uses"),
        ("harness", rb'{"eventData": {"eventType": "\ud83d"}}',
         r"\ud83d: not a pipeline or stage outcome"),
    ],
)  # fmt: skip
def test_an_ignored_reason_quoting_a_lone_surrogate_is_answered(
    hooks: TestClient, engine: Engine, tool: str, body: bytes, reason: str
) -> None:
    assert post(hooks, tool, body) == (200, {"status": "ignored", "records": 0, "reason": reason})
    with engine.connect() as conn:
        assert conn.execute(select(raw_events.c.parse_status)).scalars().all() == ["ignored"]


@pytest.mark.parametrize(
    "body", [rb'{"\ud800": 1, "\ud800": 2}', b'{"\xed\xa0\x80": 1, "\xed\xa0\x80": 2}']
)
def test_a_duplicate_key_that_is_a_lone_surrogate_is_a_400(hooks: TestClient, body: bytes) -> None:
    status, answer = post(hooks, "opsgenie", body)
    assert status == 400
    message = r'body is not valid JSON: duplicate key "\ud800" in $'
    assert answer["error"] == {"code": "bad_request", "message": message, "details": []}


JENKINS = {"name": "app", "build": {"number": 7, "phase": "COMPLETED", "status": "SUCCESS",
                                    "timestamp": 1_700_000_000_000}}  # fmt: skip


@pytest.mark.parametrize("duration", [2**64, 2**53 + 1, -(2**64)])
def test_a_jenkins_duration_out_of_range_names_its_path(
    hooks: TestClient, engine: Engine, duration: int
) -> None:
    body = json.dumps({**JENKINS, "build": {**JENKINS["build"], "duration": duration}})
    status, answer = post(hooks, "jenkins", body.encode())
    message = f"build.duration: out of range: {duration} milliseconds"
    error = {"code": "invalid_payload", "message": f"payload not understood: {message}",
             "details": []}  # fmt: skip
    assert (status, answer["error"]) == (422, error)
    with engine.connect() as conn:
        rows = conn.execute(select(raw_events.c.parse_status, raw_events.c.parse_error)).all()
    assert [tuple(row) for row in rows] == [("failed", message)]


def test_the_same_duration_in_a_jenkins_api_build_and_an_opsgenie_close_time() -> None:
    build = {"number": 7, "timestamp": 1_700_000_000_000, "duration": 2**64, "result": "SUCCESS"}
    with pytest.raises(
        PayloadError, match=r"^builds\[0\]\.duration: out of range: 18446744073709551616 "
    ):
        jenkins_rest.build_run("app", build, "builds[0]")
    alert = {"id": "a", "tinyId": "1", "message": "m", "status": "closed",
             "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T01:00:00Z",
             "report": {"closeTime": 10**30}}  # fmt: skip
    with pytest.raises(PayloadError, match=r"^report\.closeTime: out of range: 10{30} "):
        opsgenie_rest.alert(alert)


@pytest.mark.parametrize(
    ("tool", "fixture", "path", "named"),
    [
        ("harness", "harness/PipelineSuccess.json", ["eventData", "pipelineName"],
         "eventData.pipelineName"),
        ("harness", "harness/PipelineSuccess.json", ["eventData", "triggeredBy", "triggerType"],
         "eventData.triggeredBy.triggerType"),
        ("argocd", "argocd/app-deployed.json", ["project"], "project"),
        ("argocd", "argocd/app-deployed.json", ["app_namespace"], "app_namespace"),
        ("jenkins", "jenkins/notification/completed.json", ["build", "full_url"],
         "build.full_url (or build.url)"),
    ],
)  # fmt: skip
def test_an_unstorable_run_parameter_names_its_json_path(
    hooks: TestClient, tool: str, fixture: str, path: list[str], named: str
) -> None:
    payload = json.loads((FIXTURES / fixture).read_text())
    parent = payload
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = "x\x00"
    status, answer = post(hooks, tool, json.dumps(payload).encode())
    message = f"{named}: contains a NUL character (\\u0000), which databases cannot store"
    assert (status, answer["error"]["message"]) == (422, f"payload not understood: {message}")
