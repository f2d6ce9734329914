"""CircleCI, Harness and Argo CD webhooks through the real ASGI app, signed (or carrying the
token) as each tool sends them, with every fixture of ``tests/fixtures/{circleci,harness,
argocd}``: stored, ignored with a reason, or refused with the documented reason; and the
stored runs checked field by field against values read from the payloads here."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.store.tables import raw_events
from tests.api.test_webhook_signatures import BODY, PD_MALFORMED, TOKENS
from tests.conftest import FIXTURES
from tests.services.sync_harness import records

CIRCLE = FIXTURES / "circleci" / "webhooks"
HARNESS = FIXTURES / "harness"
ARGO = FIXTURES / "argocd"
SECRETS = {"circleci": "circle-secret", "harness": "harness-secret", "argocd": "argo-secret"}


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=db_url,
        circleci_webhook_secret=f"rotated-out,{SECRETS['circleci']}",
        harness_webhook_secret=SECRETS["harness"],
        argocd_webhook_secret=SECRETS["argocd"],
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def post(client: TestClient, tool: str, body: bytes, secret: str | None = None) -> Any:
    """``body`` to ``/v1/webhooks/TOOL`` as the tool sends it."""
    secret = SECRETS[tool] if secret is None else secret
    headers = {"Content-Type": "application/json"}
    if tool == "circleci":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers["circleci-signature"] = f"v1={digest},v2=ignored"
        with contextlib.suppress(ValueError, KeyError):
            headers["circleci-event-type"] = json.loads(body)["type"]
    else:
        headers["X-Leadline-Secret"] = secret
    return client.post(f"/v1/webhooks/{tool}", content=body, headers=headers)


STORED, IGNORED = "stored", "ignored"
# (tool, fixture, HTTP status, outcome or error code, what the reason or message says)
CASES = [
    ("circleci", CIRCLE / "workflow-completed.github-oauth-bitbucket-cloud.json", 202, STORED,
     None),
    ("circleci", CIRCLE / "workflow-completed.gitlab-github-app-bitbucket-dc.json", 202, STORED,
     None),
    ("circleci", CIRCLE / "job-completed.github-oauth-bitbucket-cloud.json", 202, STORED, None),
    ("circleci", CIRCLE / "zulip.github_workflow_completed.json", 202, STORED, None),
    ("circleci", CIRCLE / "zulip.github_job_completed.json", 202, STORED, None),
    ("circleci", CIRCLE / "zulip.gitlab_workflow_completed.json", 202, STORED, None),
    ("circleci", CIRCLE / "job-completed.gitlab-github-app-bitbucket-dc.INVALID-JSON.txt", 400,
     "bad_request", "not valid JSON"),
    ("harness", HARNESS / "PipelineSuccess.json", 202, STORED, None),
    ("harness", HARNESS / "PipelineFailed.json", 202, STORED, None),
    ("harness", HARNESS / "PipelineEnd.json", 202, STORED, None),
    ("harness", HARNESS / "StageSuccess.json", 202, STORED, None),
    ("harness", HARNESS / "StageFailed.json", 202, STORED, None),
    ("harness", HARNESS / "PipelineStart.json", 200, IGNORED, "has not finished"),
    ("harness", HARNESS / "StageStart.json", 200, IGNORED, "has not finished"),
    ("harness", HARNESS / "TriggerFailed.json", 200, IGNORED, "started no execution"),
    ("argocd", ARGO / "app-deployed.json", 202, STORED, None),
    ("argocd", ARGO / "app-deployed.labelled.json", 202, STORED, None),
    ("argocd", ARGO / "app-deployed.no-value.json", 202, STORED, None),
    ("argocd", ARGO / "app-sync-failed.json", 202, STORED, None),
    ("argocd", ARGO / "app-health-degraded.json", 202, STORED, None),
    ("argocd", ARGO / "app-sync-running.json", 200, IGNORED, "sync has not finished"),
    ("argocd", ARGO / "error.finished-at-without-zone.json", 422, "invalid_payload",
     "finished_at: naive time"),
    ("argocd", ARGO / "error.no-app.json", 422, "invalid_payload",
     "app: required field is missing"),
]  # fmt: skip


def test_every_fixture_is_covered_by_the_table() -> None:
    listed = {path for _, path, *_ in CASES}
    found = {p for d in (CIRCLE, HARNESS, ARGO) for p in d.iterdir()
             if p.suffix in (".json", ".txt")}  # fmt: skip
    assert found == listed


@pytest.mark.parametrize(("tool", "path", "code", "outcome", "says"), CASES,
                         ids=[f"{c[0]}:{c[1].name}" for c in CASES])  # fmt: skip
def test_each_fixture_through_its_webhook(
    hooks: TestClient, engine: Engine, tool: str, path: Path, code: int, outcome: str,
    says: str | None,
) -> None:  # fmt: skip
    response = post(hooks, tool, path.read_bytes())
    assert response.status_code == code, response.text
    answer = response.json()
    if code >= 400:
        assert answer["error"]["code"] == outcome
        assert says is not None and says in answer["error"]["message"]
    else:
        assert answer["status"] == outcome
        assert answer["records"] == (1 if outcome == STORED else 0)
        if says is None:
            assert "reason" not in answer
        else:
            assert says in answer["reason"]
    with engine.connect() as conn:
        rows = conn.execute(select(raw_events.c.source, raw_events.c.parse_status)).all()
    if code == 400:  # not JSON: refused before anything is kept
        assert rows == []
    else:
        status = {202: "parsed", 200: "ignored", 422: "failed"}[code]
        assert [tuple(r) for r in rows] == [(tool, status)]


def _run(engine: Engine, system: str, pipeline: str) -> dict[str, Any]:
    (found,) = [r for r in records(engine)["pipeline_run"]
                if r["system"] == system and r["pipeline"] == pipeline]  # fmt: skip
    return found


def test_circleci_workflow_and_job_field_by_field(hooks: TestClient, engine: Engine) -> None:
    names = ("workflow-completed.github-oauth-bitbucket-cloud.json",
             "zulip.gitlab_workflow_completed.json", "zulip.github_job_completed.json")  # fmt: skip
    for name in names:
        assert post(hooks, "circleci", (CIRCLE / name).read_bytes()).status_code == 202
    hook = json.loads((CIRCLE / "workflow-completed.github-oauth-bitbucket-cloud.json").read_text())
    wf, vcs = hook["workflow"], hook["pipeline"]["vcs"]
    run = _run(engine, "circleci", wf["name"])
    assert run["run_id"] == wf["id"]
    assert run["type"] == "ci" and run["status"] == wf["status"] == "success"
    assert run["started_at"] == wf["created_at"].replace(".616Z", ".616000Z")
    assert run["finished_at"] == wf["stopped_at"].replace(".170Z", ".170000Z")
    assert run["commit_sha"] == vcs["revision"] and run["branch"] == vcs["branch"]
    assert run["repo"] == vcs["target_repository_url"].removeprefix("https://github.com/")
    assert run["params"]["pipeline_number"] == str(hook["pipeline"]["number"])
    # GitLab project: no vcs block, the commit is in trigger_parameters.git.
    gitlab = json.loads((CIRCLE / "zulip.gitlab_workflow_completed.json").read_text())
    git = gitlab["pipeline"]["trigger_parameters"]["git"]
    run = _run(engine, "circleci", gitlab["workflow"]["name"])
    assert run["run_id"] == gitlab["workflow"]["id"]
    assert (run["commit_sha"], run["branch"]) == (git["checkout_sha"], git["branch"])
    assert run["repo"] == git["checkout_url"].split(":", 1)[1].removesuffix(".git")
    # A job: WORKFLOW/JOB, its own id and times.
    job_hook = json.loads((CIRCLE / "zulip.github_job_completed.json").read_text())
    job = job_hook["job"]
    run = _run(engine, "circleci", f"{job_hook['workflow']['name']}/{job['name']}")
    assert run["run_id"] == job["id"] and run["status"] == job["status"]
    assert run["params"]["workflow_id"] == job_hook["workflow"]["id"]
    assert run["commit_sha"] == job_hook["pipeline"]["vcs"]["revision"]


def test_circleci_signatures_secrets_duplicates_and_bad_payloads(
    hooks: TestClient, engine: Engine, db_url: str
) -> None:
    body = (CIRCLE / "zulip.github_workflow_completed.json").read_bytes()
    bad = post(hooks, "circleci", body, secret="wrong")
    assert bad.status_code == 401 and "circleci-signature" in bad.json()["error"]["message"]
    assert post(hooks, "circleci", body, secret="rotated-out").status_code == 202
    again = post(hooks, "circleci", body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert json.loads(body)["id"] in again.json()["reason"]
    broken = json.loads(body)
    broken["id"] = "another-event"
    broken["workflow"]["stopped_at"] = 5
    failed = post(hooks, "circleci", json.dumps(broken).encode())
    assert failed.status_code == 422
    assert (
        "workflow.stopped_at: expected a string, got the number 5"
        in (failed.json()["error"]["message"])
    )
    with engine.connect() as conn:
        rows = conn.execute(select(raw_events.c.delivery_id, raw_events.c.parse_status)).all()
    assert ("another-event", "failed") in [tuple(r) for r in rows]
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as unset:
        for tool in SECRETS:
            refused = post(unset, tool, body)
            assert refused.status_code == 403
            env = f"LEADLINE_{tool.upper()}_WEBHOOK_SECRET"
            assert f"{env} is not set" in refused.json()["error"]["message"]


def test_harness_runs_field_by_field_and_one_record_per_execution(
    hooks: TestClient, engine: Engine
) -> None:
    for name in ("PipelineSuccess.json", "PipelineEnd.json", "StageFailed.json"):
        assert post(hooks, "harness", (HARNESS / name).read_bytes()).status_code == 202
    data = json.loads((HARNESS / "PipelineSuccess.json").read_text())["eventData"]
    end = json.loads((HARNESS / "PipelineEnd.json").read_text())["eventData"]
    runs = records(engine)["pipeline_run"]
    # PipelineSuccess and PipelineEnd of one execution: one record (the later one's times).
    (run,) = [r for r in runs if r["pipeline"] == data["pipelineIdentifier"]]
    assert run["system"] == "harness" and run["run_id"] == data["planExecutionId"]
    assert run["status"] == "success" and run["type"] == "cd"
    assert run["finished_at"] == _epoch_text(end["endTs"])
    assert run["started_at"] == _epoch_text(end["startTs"])
    assert run["params"]["pipelineName"] == end["pipelineName"]
    assert run["commit_sha"] is None and run["environment"] is None  # the default body has none
    stage = json.loads((HARNESS / "StageFailed.json").read_text())["eventData"]
    (failed,) = [r for r in runs if r["pipeline"] != data["pipelineIdentifier"]]
    assert failed["pipeline"] == f"{stage['pipelineIdentifier']}/{stage['stageIdentifier']}"
    assert failed["status"] == "failure"
    assert failed["params"]["errorMessage"] == stage["errorMessage"]
    assert failed["finished_at"] == _epoch_text(stage["endTs"])


def test_harness_custom_template_fields_and_bad_token(hooks: TestClient, engine: Engine) -> None:
    body = json.loads((HARNESS / "PipelineSuccess.json").read_text())
    body["eventData"].update(commitSha="1dc6aa69429bff4806ad6afe58d3d8f57e25973e",
                             branch="main", repoUrl="https://github.com/acme/app.git",
                             environment="prod", service="checkout",
                             artifact="registry.example.com/acme/app:1.4.2")  # fmt: skip
    assert post(hooks, "harness", json.dumps(body).encode(), secret="nope").status_code == 401
    assert post(hooks, "harness", json.dumps(body).encode()).status_code == 202
    (run,) = records(engine)["pipeline_run"]
    data = body["eventData"]
    assert (run["commit_sha"], run["branch"], run["environment"], run["service"]) == (
        data["commitSha"], data["branch"], data["environment"], data["service"])  # fmt: skip
    assert run["repo"] == "acme/app"
    assert run["artifacts"] == [{"name": "registry.example.com/acme/app", "version": "1.4.2",
                                 "direction": "input"}]  # fmt: skip
    body["eventData"]["endTs"] = "soon"
    body["eventData"]["planExecutionId"] = "other"
    failed = post(hooks, "harness", json.dumps(body).encode())
    assert failed.status_code == 422
    assert (
        "eventData.endTs: expected a number, got the string 'soon'"
        in (failed.json()["error"]["message"])
    )


def test_argocd_deployment_field_by_field_and_later_health(
    hooks: TestClient, engine: Engine
) -> None:
    body = json.loads((ARGO / "app-deployed.json").read_text())
    assert post(hooks, "argocd", (ARGO / "app-deployed.json").read_bytes()).status_code == 202
    run = _run(engine, "argocd", body["app"])
    assert run["type"] == "cd" and run["status"] == "success"
    assert run["commit_sha"] == body["revision"]
    assert run["run_id"] == body["started_at"] == run["started_at"]
    assert run["finished_at"] == body["finished_at"]
    assert body["environment"] == "" and run["environment"] == body["destination"]["namespace"]
    assert run["service"] == body["app"]
    assert run["repo"] == body["repo_url"].removeprefix("https://github.com/").removesuffix(".git")
    image, tag = body["images"][0].split(":")
    assert run["artifacts"] == [{"name": image, "version": tag, "direction": "input"}]
    assert run["params"]["cluster"] == body["destination"]["name"]
    # The same operation turning Degraded: the same run, now a failure.
    degraded = ARGO / "app-health-degraded.json"
    assert post(hooks, "argocd", degraded.read_bytes()).status_code == 202
    (run,) = records(engine)["pipeline_run"]
    assert run["status"] == "failure" and run["params"]["health"] == "Degraded"
    # A later failed sync: its own run, the revision Argo CD compared with.
    failed = json.loads((ARGO / "app-sync-failed.json").read_text())
    assert post(hooks, "argocd", json.dumps(failed).encode()).status_code == 202
    run = _by_id(engine, failed["started_at"])
    assert failed["revision"] == "" and run["commit_sha"] == failed["sync_revision"]
    assert run["status"] == "failure"
    labelled = json.loads((ARGO / "app-deployed.labelled.json").read_text())
    assert post(hooks, "argocd", json.dumps(labelled).encode()).status_code == 200  # same id
    relabelled = copy.deepcopy(labelled)
    relabelled["event"] = "app-sync-succeeded"
    assert post(hooks, "argocd", json.dumps(relabelled).encode()).status_code == 202
    run = _by_id(engine, labelled["started_at"])
    assert run["environment"] == labelled["environment"] == "production"


def _by_id(engine: Engine, run_id: str) -> dict[str, Any]:
    (found,) = [r for r in records(engine)["pipeline_run"] if r["run_id"] == run_id]
    return found


def _epoch_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("value", PD_MALFORMED, ids=repr)
def test_circleci_malformed_signature_is_401(hooks: TestClient, value: bytes) -> None:
    response = hooks.post("/v1/webhooks/circleci", content=BODY,
                          headers={"circleci-signature": value})  # type: ignore[dict-item]  # fmt: skip
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("tool", ["harness", "argocd"])
@pytest.mark.parametrize("value", TOKENS, ids=repr)
def test_wrong_token_is_401(hooks: TestClient, tool: str, value: bytes) -> None:
    response = hooks.post(f"/v1/webhooks/{tool}", content=BODY,
                          headers={"X-Leadline-Secret": value})  # type: ignore[dict-item]  # fmt: skip
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_a_failed_delivery_is_replayed_after_a_fix(
    hooks: TestClient, engine: Engine, run_cli: Any
) -> None:
    body = json.loads((HARNESS / "PipelineFailed.json").read_text())
    body["eventData"]["endTs"] = "later"
    assert post(hooks, "harness", json.dumps(body).encode()).status_code == 422
    result = run_cli("replay", "--source", "harness")
    assert result.out.startswith("1 failed delivery replayed: 0 parsed now, 1 still failing")
    with engine.begin() as conn:  # "fix the parser": the stored body repaired instead
        conn.execute(
            raw_events.update().values(payload=(HARNESS / "PipelineFailed.json").read_text())
        )
    result = run_cli("replay", "--source", "harness")
    assert result.out.startswith("1 failed delivery replayed: 1 parsed now, 0 still failing")
    (run,) = records(engine)["pipeline_run"]
    assert run["status"] == "failure" and run["pipeline"] == body["eventData"]["pipelineIdentifier"]
