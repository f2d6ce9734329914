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
5. The same in the record fields other mappings filled without listing their path: Azure
   DevOps (``key``, ``repo``, ``run_id``, ``status``, ``status_changes``), GitLab (``repo``,
   a pipeline's ``params``), CircleCI (``params``), PagerDuty (``url``), Opsgenie
   (``tiny_id``), ServiceNow (``title``, ``servicenow_severity``, ``params``), Argo CD's
   ``environment`` read from ``destination.namespace``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

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
from tests.helpers import snapshot

SECRET = "s3cret"


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    tools = ("opsgenie", "servicenow", "harness", "jenkins", "argocd", "pagerduty", "circleci",
             "azure_devops")  # fmt: skip
    secrets = {f"{tool}_webhook_secret": SECRET for tool in tools}
    app = create_app(Settings(database_url=db_url, gitlab_webhook_token=SECRET, **secrets))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def post(client: TestClient, tool: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """``body`` to ``tool``'s webhook, authenticated as that tool does it."""
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    basic = base64.b64encode(f"azure-devops:{SECRET}".encode()).decode()
    auth = {
        "gitlab": {"X-Gitlab-Token": SECRET},
        "pagerduty": {"X-PagerDuty-Signature": f"v1={digest}"},
        "circleci": {"circleci-signature": f"v1={digest}"},
        "azure-devops": {"Authorization": f"Basic {basic}"},
    }.get(tool, {"X-Leadline-Secret": SECRET})
    headers = {**auth, "Content-Type": "application/json"}
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


ADO = "azure_devops/webhooks/"
DEPLOYED = ADO + "constructed/ms.vss-release.deployment-completed-event.artifacts.json"
PUSH = ADO + "aspnet-AspNetWebHooks/git.push.json"
CIRCLECI = "circleci/webhooks/workflow-completed.github-oauth-bitbucket-cloud.json"
CIRCLECI_JOB = "circleci/webhooks/job-completed.github-oauth-bitbucket-cloud.json"
SN_INCIDENT = "servicenow/webhook/incident-closed.json"
SN_CHANGE = "servicenow/webhook/change-closed-successful.json"


@pytest.mark.parametrize(
    ("tool", "fixture", "path"),
    [
        # Azure DevOps: key, status_changes (a created and an updated work item), repo (a
        # push's commits), run_id (release id or stage id) and status of a deployment.
        ("azure-devops", ADO + "aspnet-AspNetWebHooks/workitem.created.json", "resource.id"),
        ("azure-devops", ADO + "aspnet-AspNetWebHooks/workitem.created.json",
         "resource.fields.System.State"),
        ("azure-devops", ADO + "aspnet-AspNetWebHooks/workitem.updated.json",
         "resource.revision.id"),
        ("azure-devops", ADO + "aspnet-AspNetWebHooks/workitem.updated.json",
         "resource.fields.System.State.newValue"),
        ("azure-devops", PUSH, "resource.repository.name"),
        ("azure-devops", DEPLOYED, "resource.release.id"),
        ("azure-devops", DEPLOYED, "resource.environment.id"),
        ("azure-devops", DEPLOYED, "resource.environment.status"),
        # GitLab: a push's repo; a pipeline's and a deployment's params.
        ("gitlab", "gitlab/docs-examples/push.json", "project.path_with_namespace"),
        ("gitlab", "gitlab/docs-examples/pipeline.json", "object_attributes.name"),
        ("gitlab", "gitlab/docs-examples/pipeline.json", "object_attributes.source"),
        ("gitlab", "gitlab/docs-examples/pipeline.json", "object_attributes.url"),
        ("gitlab", "gitlab/docs-examples/deployment.json", "deployable_url"),
        # CircleCI: params.
        ("circleci", CIRCLECI, "pipeline.id"),
        ("circleci", CIRCLECI_JOB, "workflow.id"),
        ("circleci", CIRCLECI_JOB, "job.number"),
        ("pagerduty", "pagerduty/resolved_v3.json", "event.data.html_url"),
        ("opsgenie", "opsgenie/create.json", "alert.tinyId"),
        # ServiceNow: a change's title and params, an incident's severity (plain values).
        ("servicenow", SN_CHANGE, "short_description"),
        ("servicenow", SN_CHANGE, "category"),
        ("servicenow", SN_INCIDENT, "severity"),
        ("argocd", "argocd/app-deployed.json", "destination.namespace"),
    ],
)  # fmt: skip
def test_an_unstorable_value_names_its_json_path(
    hooks: TestClient, engine: Engine, tool: str, fixture: str, path: str
) -> None:
    payload = json.loads((FIXTURES / fixture).read_text(encoding="utf-8-sig"))
    parent = payload
    keys = path.split(".")
    if path.startswith("resource.fields.System.State"):  # a key with a dot in it
        keys = ["resource", "fields", "System.State", *keys[4:]]
    for key in keys[:-1]:
        parent = parent[key]
    assert parent[keys[-1]] is not None  # the fixture has the value the test replaces
    parent[keys[-1]] = "x\x00"
    before = snapshot(engine)
    status, answer = post(hooks, tool, json.dumps(payload).encode())
    message = f"{path}: contains a NUL character (\\u0000), which databases cannot store"
    assert (status, answer["error"]["message"]) == (422, f"payload not understood: {message}")
    after = snapshot(engine)
    assert [row[-2:] for row in after.pop("raw_events")] == [("failed", message)]
    assert before.pop("raw_events") == []
    assert after == before  # nothing else written
