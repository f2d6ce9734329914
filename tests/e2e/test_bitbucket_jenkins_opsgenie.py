"""One team's tools end to end, through their real webhooks: a pull request merged on
Bitbucket Cloud, built and deployed by Jenkins (a parameterised deployment job), an Opsgenie
alert on the deployed service, and the lead time, change failure rate and time to restore
leadline reports for it — every expectation computed by hand from the payloads' times.

The story (all 2020, UTC):
- PR #198 (the recorded ``pullrequest:fulfilled`` delivery) opened 02-10 16:28:23.479817,
  merged 16:28:43.763887 (Cloud's ``updated_on``), merge commit ``5d1d5087d409`` (12 characters,
  as Cloud sends it); its source commit ``123db174babc``;
- Jenkins ``build-pay`` #41 built the source commit, ending 16:20:00 (a CI run: tracking was on);
- Jenkins ``deploy-pay`` #1 deployed the merge commit (its full SHA) to ``production`` as
  service ``pay``, ending 17:00:00;
- Opsgenie alert on entity ``pay`` opened 17:10:00, closed 17:40:00;
- ``deploy-pay`` #2 deployed another commit on 02-12 10:00:00, with no alert after it.
"""

from __future__ import annotations

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

from leadline.api.app import create_app
from leadline.config import Settings
from tests.conftest import FIXTURES

BITBUCKET = "bb-secret"
JENKINS = "jk-secret"
OPSGENIE = "og-secret"
PR = (
    FIXTURES / "bitbucket" / "webhooks" / "jenkinsci-bitbucket-push-and-pull-request-plugin"
    / "cloud" / "pr_fulfilled.json"
)  # fmt: skip
JENKINS_COMPLETED = FIXTURES / "jenkins" / "notification" / "completed.json"
OPSGENIE_CREATE, OPSGENIE_CLOSE = (
    FIXTURES / "opsgenie" / "create.json",
    FIXTURES / "opsgenie" / "close.json",
)
MERGE_SHA = "5d1d5087d409" + "a" * 28  # the merge commit's full SHA, as Jenkins reports it
SOURCE_SHA = "123db174babc" + "b" * 28


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    settings = Settings(
        database_url=db_url, bitbucket_webhook_secret=BITBUCKET,
        jenkins_webhook_secret=JENKINS, opsgenie_webhook_secret=OPSGENIE,
    )  # fmt: skip
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _bitbucket(client: TestClient, body: bytes) -> None:
    signature = "sha256=" + hmac.new(BITBUCKET.encode(), body, hashlib.sha256).hexdigest()
    answer = client.post("/v1/webhooks/bitbucket", content=body, headers={
        "X-Hub-Signature": signature, "X-Event-Key": "pullrequest:fulfilled",
        "X-Request-UUID": "e2e-1", "Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 202, answer.text


def _jenkins(client: TestClient, job: str, number: int, sha: str, ended: str,
             parameters: dict[str, str]) -> None:  # fmt: skip
    payload = json.loads(JENKINS_COMPLETED.read_text())
    payload["name"], payload["url"] = job, f"job/{job}/"
    build = payload["build"]
    build.update(number=number, timestamp=ms(ended), duration=60_000, parameters=parameters,
                 url=f"job/{job}/{number}/", full_url=f"http://ci/job/{job}/{number}/")  # fmt: skip
    build["scm"].update(url="git@bitbucket.org:some-repo-namespace/some-repo.git", commit=sha)
    answer = client.post("/v1/webhooks/jenkins", json=payload,
                         headers={"X-Leadline-Secret": JENKINS})  # fmt: skip
    assert answer.status_code == 202, answer.text


def _opsgenie(client: TestClient, path: Path, **alert: Any) -> None:
    payload = copy.deepcopy(json.loads(path.read_text()))
    payload["alert"].update(alert)
    answer = client.post("/v1/webhooks/opsgenie", json=payload,
                         headers={"X-Leadline-Secret": OPSGENIE})  # fmt: skip
    assert answer.status_code == 202, answer.text


PROFILE = """
name: Pay team
start: {event: commit_created}
stages:
  - {name: Merged, event: pr_merged}
  - {name: Deployed, event: cd_completed, pipelines: ["deploy-*"], environments: [production]}
dora:
  deployments: {source: cd, pipelines: ["deploy-*"], environments: [production]}
  failures: {source: incidents}
  restore: {source: incidents}
"""
WINDOW = ("--from", "2020-02-01", "--to", "2020-03-01")


def test_pull_request_to_deployment_to_incident(
    client: TestClient, run_cli: Any, tmp_path: Path
) -> None:
    pr = json.loads(PR.read_text())["pullrequest"]
    assert (pr["merge_commit"]["hash"], pr["source"]["commit"]["hash"]) == (
        MERGE_SHA[:12], SOURCE_SHA[:12],
    )  # fmt: skip
    _bitbucket(client, PR.read_bytes())
    _jenkins(client, "build-pay", 41, SOURCE_SHA, "2020-02-10T16:20:00", {})
    target = {"SERVICE": "pay", "ENVIRONMENT": "production"}
    _jenkins(client, "deploy-pay", 1, MERGE_SHA, "2020-02-10T17:00:00", target)
    _jenkins(client, "deploy-pay", 2, "c" * 40, "2020-02-12T10:00:00", target)
    alert = {"alertId": "pay-down", "entity": "pay", "createdAt": ms("2020-02-10T17:10:00")}
    _opsgenie(client, OPSGENIE_CREATE, **alert)
    _opsgenie(client, OPSGENIE_CLOSE, **alert, updatedAt=ms("2020-02-10T17:40:00") * 1_000_000)
    profile = tmp_path / "pay.yaml"
    profile.write_text(PROFILE)

    lead = run_cli("lead-time", "--profile", str(profile), *WINDOW, "--format", "json")
    assert lead.code == 0, lead.err
    report = json.loads(lead.out)
    # Opened 16:28:23.479817 → merged 16:28:43.763887 (20.284070 s) → deployed 17:00:00
    # (1,876.236113 s): 1,896.520183 s, one change, none left out as baseline (its CI run
    # shows tracking was on).
    assert report["changes"] == 1
    assert [s["seconds"] for s in report["stages"]] == pytest.approx(
        [20.284070, 1876.236113], abs=1e-6
    )
    assert report["total_seconds"] == pytest.approx(1896.520183, abs=1e-6)
    assert report["baseline"]["changes"] == 0

    dora = run_cli("dora", "--profile", str(profile), *WINDOW, "--format", "json")
    assert dora.code == 0, dora.err
    figures = json.loads(dora.out)
    df = figures["deployment_frequency"]
    assert (df["deployments"], df["per_day"]) == (2, round(2 / 29, 4))
    cfr = figures["change_failure_rate"]
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (1, 2, 0.5)  # #1's alert
    mttr = figures["mean_time_to_restore"]
    assert (mttr["incidents"], mttr["mean_seconds"], mttr["open"]) == (1, 1800.0, 0)
    lt = figures["lead_time_for_changes"]
    assert (lt["changes"], lt["total_seconds"]) == (1, pytest.approx(1896.520183, abs=1e-6))
