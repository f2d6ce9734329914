"""Jenkins Notification plugin deliveries through ``POST /v1/webhooks/jenkins`` (the real ASGI
app): every fixture stored, ignored with its reason or refused — one table — the secret as a
header or ``?secret=``, duplicates by ``JOB#NUMBER:PHASE``, and the run field by field
against the values the test reads from the payload. The bodies are constructed (no real one
is openly licensed): tests/fixtures/jenkins/PROVENANCE.md."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from tests.conftest import FIXTURES
from tests.services.sync_harness import records

NOTES = FIXTURES / "jenkins" / "notification"
SECRET = "jenkins-shared-secret"

TABLE: list[tuple[str, int, str, int, str]] = [
    ("queued.json", 200, "ignored", 0, "build phase QUEUED: the result comes with COMPLETED"),
    ("started.json", 200, "ignored", 0, "build phase STARTED: the result comes with COMPLETED"),
    ("completed.json", 202, "stored", 1, ""),
    ("finalized.json", 200, "ignored", 0, "build phase FINALIZED: COMPLETED carried the result"),
    ("completed_unstable_in_folder.json", 202, "stored", 1, ""),
    ("invalid_status.json", 422, "failed", 0, "build.status: expected one of SUCCESS, FAILURE"),
]


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, jenkins_webhook_secret=SECRET))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def post(client: TestClient, name: str, *, query: bool = False, secret: str = SECRET) -> Any:
    body = (NOTES / name).read_bytes()
    headers = {"Content-Type": "application/json"}
    url = "/v1/webhooks/jenkins"
    if query:
        url += f"?secret={secret}"
    else:
        headers["X-Leadline-Secret"] = secret
    return client.post(url, content=body, headers=headers)


def test_every_notification_is_stored_ignored_or_refused(hooks: TestClient) -> None:
    assert {row[0] for row in TABLE} == {p.name for p in NOTES.glob("*.json")}
    for name, code, outcome, count, reason in TABLE:
        answer = post(hooks, name, query=name.startswith("c"))
        body = answer.json()
        assert answer.status_code == code, (name, body)
        if outcome == "failed":
            assert reason in body["error"]["message"], body
        else:
            assert (body["status"], body["records"]) == (outcome, count), (name, body)
            assert reason in body.get("reason", ""), (name, body)


def test_secret_and_duplicates(db_url: str, hooks: TestClient) -> None:
    assert post(hooks, "completed.json", secret="wrong").status_code == 401
    assert post(hooks, "completed.json", query=True, secret="wrong").status_code == 401
    assert post(hooks, "completed.json").status_code == 202
    again = post(hooks, "completed.json", query=True)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    # FINALIZED is another delivery (another phase) of the same build: not a duplicate.
    finalized = post(hooks, "finalized.json")
    assert (finalized.status_code, finalized.json()["status"]) == (200, "ignored")
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as unset:
        refused = post(unset, "completed.json")
    assert refused.status_code == 403
    assert "LEADLINE_JENKINS_WEBHOOK_SECRET" in refused.json()["error"]["message"]


def _ms(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _norm(text: str) -> str:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_the_run_field_by_field(hooks: TestClient, engine: Engine) -> None:
    for name in ("completed.json", "completed_unstable_in_folder.json"):
        assert post(hooks, name).status_code == 202
    runs = {r["pipeline"]: r for r in records(engine)["pipeline_run"]}
    assert len(runs) == 2
    note = json.loads((NOTES / "completed.json").read_text())
    build, scm = note["build"], note["build"]["scm"]
    run = runs[note["name"]]
    assert (run["system"], run["run_id"], run["type"], run["status"]) == (
        "jenkins",
        str(build["number"]),
        "ci_cd",
        build["status"].lower(),
    )
    # COMPLETED's timestamp is the build's end (start + duration).
    assert _norm(run["finished_at"]) == _ms(build["timestamp"])
    assert _norm(run["started_at"]) == _ms(build["timestamp"] - build["duration"])
    assert run["commit_sha"] == scm["commit"]
    assert run["branch"] == scm["branch"].removeprefix("origin/")
    assert run["repo"] == scm["url"].split(":", 1)[1].removesuffix(".git")
    folder = json.loads((NOTES / "completed_unstable_in_folder.json").read_text())
    unstable = runs["deploy/" + folder["name"]]  # the job's full name, from its url
    assert (unstable["status"], unstable["params"]["result"]) == ("failure", "UNSTABLE")


def test_the_profile_globs_tell_ci_jobs_from_deploy_jobs(
    hooks: TestClient, run_cli: Any, tmp_path: Path
) -> None:
    """Every Jenkins run is ci_cd; the profile's pipelines globs (job names) choose which
    job is the CI stage and which the deployment (docs/sources-jenkins.md)."""
    for name in ("completed.json", "completed_unstable_in_folder.json"):
        assert post(hooks, name).status_code == 202
    build = json.loads((NOTES / "completed.json").read_text())["build"]
    deploy = json.loads((NOTES / "completed_unstable_in_folder.json").read_text())["build"]
    pr = {"kind": "pull_request", "repo": "netmelody/ci-eye", "number": 1,
          "created_at": "2017-07-14T09:00:00Z", "merged_at": "2017-07-14T09:20:00Z",
          "commit_shas": [build["scm"]["commit"]]}  # fmt: skip
    (tmp_path / "pr.ndjson").write_text(json.dumps(pr) + "\n")
    assert run_cli("import", str(tmp_path / "pr.ndjson")).code == 0
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: PR\nstart: {event: commit_created}\nstages:\n"
        "  - {name: Built, event: ci_completed, pipelines: [foo]}\n"
        "  - {name: Deployed, event: cd_completed, pipelines: ['deploy/*'],"
        " statuses: [success, failure]}\n"
    )
    result = run_cli("lead-time", "--profile", str(profile), "--change",
                     "netmelody/ci-eye#1", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    stages = {s["name"]: s for s in json.loads(result.out)["stages"]}
    assert _norm(stages["Built"]["at"]) == _ms(build["timestamp"])
    assert _norm(stages["Deployed"]["at"]) == _ms(deploy["timestamp"])
