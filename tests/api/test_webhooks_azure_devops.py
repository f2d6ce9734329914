"""Azure DevOps service hooks through the real ASGI app: every fixture delivery, sent the way
a "Web Hooks" subscription with Basic credentials sends it, is stored, ignored with its
reason, recognised as a repeat, or refused with the documented reason (one table), and the
route's refusals (secret unset → 403, bad credentials → 401)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.store.tables import raw_events
from tests.conftest import FIXTURES

HOOKS = FIXTURES / "azure_devops" / "webhooks"
SECRET = "hook-pässword"  # non-ASCII on purpose: compared as UTF-8 bytes
PR = "pull_request"
RUN = "pipeline_run"

# file → (HTTP status, outcome status, kinds stored or a piece of the reason). Files are sent
# in this order to one database: the go-playground samples are copies of the aspnet ones
# with the same notification ``id``, and two msdocs samples share one, so they are repeats.
TABLE: dict[str, tuple[int, str, dict[str, int] | str]] = {
    "aspnet-AspNetWebHooks/build.complete.json": (202, "stored", {RUN: 1}),
    "aspnet-AspNetWebHooks/git.pullrequest.created.json": (202, "stored", {PR: 1}),
    "aspnet-AspNetWebHooks/git.pullrequest.merged.json": (202, "stored", {PR: 1}),
    "aspnet-AspNetWebHooks/git.pullrequest.updated.json": (202, "stored", {PR: 1}),
    "aspnet-AspNetWebHooks/git.push.json": (202, "stored", {"commit": 1}),
    "aspnet-AspNetWebHooks/tfvc.checkin.json": (200, "ignored", "TFVC changesets"),
    "aspnet-AspNetWebHooks/workitem.commented.json": (202, "stored", {"issue": 1}),
    "aspnet-AspNetWebHooks/workitem.created.json": (202, "stored", {"issue": 1}),
    "aspnet-AspNetWebHooks/workitem.deleted.json": (200, "ignored", "keeps deleted"),
    "aspnet-AspNetWebHooks/workitem.restored.json": (202, "stored", {"issue": 1}),
    "aspnet-AspNetWebHooks/workitem.updated.json": (202, "stored", {"issue": 1}),
    "constructed/git.pullrequest.created.unset-creationDate.json": (
        422, "failed", "resource.creationDate: required time is unset ('0001-01-01T00:00:00')"
    ),
    "constructed/ms.vss-pipelines.run-state-changed-event.in-progress.json": (
        200, "ignored", "state 'inProgress': recorded when completed"
    ),
    "constructed/ms.vss-pipelines.run-state-changed-event.with-commit.json": (
        202, "stored", {RUN: 1}
    ),
    "constructed/ms.vss-release.deployment-completed-event.artifacts.json": (
        202, "stored", {RUN: 1}
    ),
    "go-playground/build.complete.json": (200, "duplicate", "received before"),
    "go-playground/git.pullrequest.created.json": (200, "duplicate", "received before"),
    "go-playground/git.pullrequest.merged.json": (200, "duplicate", "received before"),
    "go-playground/git.pullrequest.updated.json": (200, "duplicate", "received before"),
    "go-playground/git.push.json": (202, "stored", {"commit": 1}),
    "msdocs-service-hooks-events/ms.vss-pipelinechecks-events.approval-completed.json": (
        200, "ignored", "not an event leadline uses"
    ),
    "msdocs-service-hooks-events/ms.vss-pipelinechecks-events.approval-pending.json": (
        200, "ignored", "not an event leadline uses"
    ),
    "msdocs-service-hooks-events/ms.vss-pipelines.job-state-changed-event.json": (
        200, "ignored", "run's outcome arrives as"
    ),
    "msdocs-service-hooks-events/ms.vss-pipelines.run-state-changed-event.json": (
        200, "ignored", "pipeline run without its commit"
    ),
    "msdocs-service-hooks-events/ms.vss-pipelines.stage-state-changed-event.json": (
        200, "duplicate", "received before"
    ),
    "msdocs-service-hooks-events/ms.vss-release.deployment-completed-event.json": (
        202, "stored", {RUN: 1}
    ),
    "msdocs-service-hooks-events/ms.vss-release.deployment-started-event.json": (
        200, "ignored", "outcome arrives as ms.vss-release.deployment-completed-event"
    ),
    "zulip/code_pull_request__merged.json": (202, "stored", {PR: 1}),
}  # fmt: skip


def basic(password: str, user: str = "azure-devops") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json; charset=utf-8"}


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, azure_devops_webhook_secret=f"old,{SECRET}")
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def send(client: TestClient, body: bytes, password: str = SECRET) -> Any:
    return client.post("/v1/webhooks/azure-devops", content=body, headers=basic(password))


def test_every_fixture_is_stored_ignored_repeated_or_refused(
    hooks: TestClient, engine: Engine, run_cli: Any
) -> None:
    files = sorted(p.relative_to(HOOKS).as_posix() for p in HOOKS.rglob("*.json"))
    assert files == sorted(TABLE)  # every fixture has its line
    for name, (code, status, expected) in TABLE.items():
        response = send(hooks, (HOOKS / name).read_bytes())
        assert response.status_code == code, (name, response.text)
        answer = response.json()
        if status == "failed":
            assert answer["error"]["code"] == "invalid_payload", name
            assert expected in answer["error"]["message"], (name, answer)
            continue
        assert answer["status"] == status, (name, answer)
        if isinstance(expected, dict):
            assert answer["kinds"] == expected, (name, answer)
        else:
            assert expected in answer["reason"], (name, answer)
    with engine.connect() as conn:
        rows = conn.execute(select(raw_events.c.delivery_id, raw_events.c.parse_status)).all()
    kept = dict((r.delivery_id, r.parse_status) for r in rows)
    # Every delivery but the repeats is kept verbatim — the refused one as ``failed``.
    assert len(rows) == sum(1 for c in TABLE.values() if c[1] != "duplicate")
    assert kept["0c7e11a2-5f0b-46f4-8e2a-7d1d9b2c4e55"] == "failed"
    assert kept["d4cbc5f3-be4a-4fa6-80df-bfad83e313c5"] == "parsed"
    assert kept["72da0ade-0709-40ee-beb7-104287bf7e84"] == "ignored"
    replayed = run_cli("replay", "--source", "azure-devops")  # the refused one, kept
    assert replayed.code == 0, replayed.err
    assert replayed.out.startswith("1 failed delivery replayed: 0 parsed now, 1 still failing")


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        ({}, 401, "Authorization: Basic"),
        (basic("wrong"), 401, "Authorization: Basic"),
        ({"Authorization": "Bearer old"}, 401, "Authorization: Basic"),
        ({"Authorization": "Basic %%%"}, 401, "Authorization: Basic"),
        (basic(SECRET, user=""), 202, None),  # Azure's user name is free
        (basic("old"), 202, None),  # a secret being rotated out still works
    ],
)
def test_credentials(
    hooks: TestClient, headers: dict[str, str], code: int, message: str | None
) -> None:
    body = (HOOKS / "zulip" / "code_pull_request__merged.json").read_bytes()
    response = hooks.post("/v1/webhooks/azure-devops", content=body,
                          headers={"Content-Type": "application/json", **headers})  # fmt: skip
    assert response.status_code == code, response.text
    if message is not None:
        assert message in response.json()["error"]["message"]


def test_unset_secret_is_refused_naming_the_variable(client: TestClient) -> None:
    body = (HOOKS / "zulip" / "code_pull_request__merged.json").read_bytes()
    response = send(client, body)
    assert response.status_code == 403
    assert "LEADLINE_AZURE_DEVOPS_WEBHOOK_SECRET is not set" in response.json()["error"]["message"]


def test_a_body_that_is_not_an_envelope_is_refused_naming_the_path(
    hooks: TestClient, tmp_path: Path
) -> None:
    response = send(hooks, b'{"id": "x1", "eventType": "git.push", "resource": []}')
    assert response.status_code == 422
    assert "resource: expected an object, got a list" in response.json()["error"]["message"]
    assert send(hooks, b"{not json").status_code == 400


def test_work_item_pr_build_and_release_link_into_one_change(
    hooks: TestClient, run_cli: Any, tmp_path: Path
) -> None:
    """Boards → Repos → Pipelines through the hooks: the PR names the work item ``AB#5`` in
    its title, merges as the commit the build built, and the release deploys that build (by
    artifact); the lead time of ``AB#5`` has every stage at the payloads' times."""
    created = json.loads((HOOKS / "aspnet-AspNetWebHooks/workitem.created.json").read_bytes())
    merged = json.loads((HOOKS / "go-playground/git.pullrequest.merged.json").read_bytes())
    build = json.loads((HOOKS / "go-playground/build.complete.json").read_bytes())
    release = json.loads(
        (
            HOOKS / "constructed/ms.vss-release.deployment-completed-event.artifacts.json"
        ).read_bytes()
    )
    sha = build["resource"]["sourceGetVersion"].rsplit(":", 1)[1]
    key = f"AB#{created['resource']['id']}"
    merged["resource"]["title"] = f"Fix the login ({key})"
    merged["resource"]["lastMergeCommit"]["commitId"] = sha  # the build built the merge
    merged["resource"]["closedDate"] = "2015-04-07T17:00:00.1234567Z"
    for payload in (created, merged, build, release):
        assert send(hooks, json.dumps(payload).encode()).status_code == 202
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: Azure\nstart: {event: ticket_created}\nstages:\n"
        "  - {name: Merged, event: pr_merged}\n  - {name: CI, event: ci_completed}\n"
        "  - {name: Deployed, event: cd_completed}\n"
    )
    result = run_cli("lead-time", "--profile", str(profile), "--change", key, "--format", "json")
    assert result.code == 0, result.err
    stages = {s["name"]: s["at"] for s in json.loads(result.out)["stages"]}
    assert stages == {
        "Merged": "2015-04-07T17:00:00.123456Z",
        "CI": build["resource"]["finishTime"].replace(".69Z", ".690000Z"),
        "Deployed": release["resource"]["deployment"]["completedOn"][:26] + "Z",
    }
