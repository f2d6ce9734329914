"""Signed webhooks through the real ASGI app, with the real (and derived) fixture payloads."""

from __future__ import annotations

import hashlib
import hmac
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

GH = FIXTURES / "github" / "derived"
PD = FIXTURES / "pagerduty"
SECRET = "It's a Secret to Everybody"


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=db_url, github_webhook_secret=f"old-secret,{SECRET}",
        pagerduty_webhook_secret="pd-secret",
    )  # fmt: skip
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def github(client: TestClient, event: str, path: Path, delivery: str, secret: str = SECRET) -> Any:
    body = path.read_bytes()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
               "X-Hub-Signature-256": signature, "Content-Type": "application/json"}  # fmt: skip
    return client.post("/v1/webhooks/github", content=body, headers=headers)


def test_merged_pr_review_and_ci_run_link_into_one_change(
    hooks: TestClient, run_cli: Any, tmp_path: Path
) -> None:
    assert (
        github(hooks, "pull_request", GH / "pull_request.closed.merged.json", "d1").status_code
        == 202
    )
    review = GH / "pull_request_review.submitted.approved.json"
    assert github(hooks, "pull_request_review", review, "d2").status_code == 202
    run = GH / "workflow_run.completed.merge-commit.json"
    assert github(hooks, "workflow_run", run, "d3").status_code == 202
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: PR\nstart: {event: ticket_created}\nstages:\n"
        "  - {name: Approved, event: pr_approved}\n  - {name: Merged, event: pr_merged}\n"
        "  - {name: CI, event: ci_completed}\n"
    )
    # PR-unit profile: the change is the pull request.
    profile.write_text(profile.read_text().replace("ticket_created", "commit_created"))
    result = run_cli("lead-time", "--profile", str(profile), "--change",
                     "Codertocat/Hello-World#2", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    stages = {s["name"]: s for s in json.loads(result.out)["stages"]}
    assert all(stages[n]["at"] is not None for n in ("Approved", "Merged", "CI")), stages
    merged = json.loads((GH / "pull_request.closed.merged.json").read_text())
    assert stages["Merged"]["at"] == merged["pull_request"]["merged_at"]
    assert stages["CI"]["source"].startswith("pipeline_run ")


def test_signatures_secrets_and_duplicates(hooks: TestClient, engine: Engine) -> None:
    path = GH / "pull_request.closed.merged.json"
    bad = github(hooks, "pull_request", path, "x1", secret="wrong")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
    assert github(hooks, "pull_request", path, "x2", secret="old-secret").status_code == 202
    again = github(hooks, "pull_request", path, "x2")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    with engine.connect() as conn:
        assert len(conn.execute(select(raw_events.c.id)).all()) == 1
    gitlab = hooks.post("/v1/webhooks/gitlab", json={}, headers={"X-Gitlab-Token": "t"})
    assert gitlab.status_code == 403
    assert "LEADLINE_GITLAB_WEBHOOK_TOKEN is not set" in gitlab.json()["error"]["message"]


def test_unused_events_are_acknowledged_and_bad_bodies_rejected(
    hooks: TestClient, engine: Engine, tmp_path: Path
) -> None:
    ping = FIXTURES / "github" / "go-playground" / "ping.json"
    response = github(hooks, "ping", ping, "p1")
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"{not json")
    assert github(hooks, "push", junk, "j1").status_code == 400
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"pull_request": {"number": "x"}, "repository": {}}))
    failed = github(hooks, "pull_request", broken, "b1")
    assert failed.status_code == 422 and failed.json()["error"]["code"] == "invalid_payload"
    with engine.connect() as conn:
        rows = conn.execute(select(raw_events.c.delivery_id, raw_events.c.parse_status)).all()
    assert ("b1", "failed") in [tuple(r) for r in rows]  # kept for replay, never lost


def pagerduty(client: TestClient, path: Path) -> Any:
    body = path.read_bytes()
    signature = "v1=" + hmac.new(b"pd-secret", body, hashlib.sha256).hexdigest()
    return client.post("/v1/webhooks/pagerduty", content=body,
                       headers={"X-PagerDuty-Signature": signature})  # fmt: skip


def test_pagerduty_incidents_open_and_resolved(hooks: TestClient, engine: Engine) -> None:
    from leadline.store.tables import incidents

    # The two real deliveries are of different incidents: one open, one resolved.
    assert pagerduty(hooks, PD / "triggered_v3.json").status_code == 202
    assert pagerduty(hooks, PD / "resolved_v3.json").status_code == 202
    with engine.connect() as conn:
        rows = conn.execute(
            select(incidents.c.ext_id, incidents.c.resolved_at).order_by(incidents.c.ext_id)
        ).all()
    assert [(r.ext_id, r.resolved_at is not None) for r in rows] == [
        ("PCPZE64", True), ("PFQZPSY", False),
    ]  # fmt: skip
    unsigned = hooks.post("/v1/webhooks/pagerduty", content=(PD / "resolved_v3.json").read_bytes())
    assert unsigned.status_code == 401


def test_replay_after_a_fix(
    hooks: TestClient, run_cli: Any, engine: Engine, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"pull_request": {"number": "x"}, "repository": {}}))
    assert github(hooks, "pull_request", broken, "r1").status_code == 422
    result = run_cli("replay", "--source", "github")
    assert result.code == 0, result.err
    assert result.out.startswith("1 failed delivery replayed: 0 parsed now, 1 still failing")
    # "Fix the parser": here, the stored body is repaired, as a parser upgrade would do.
    with engine.begin() as conn:
        good = (GH / "pull_request.closed.merged.json").read_text()
        conn.execute(raw_events.update().values(payload=good))
    result = run_cli("replay")
    assert result.out.startswith("1 failed delivery replayed: 1 parsed now, 0 still failing")
