"""One team's tools end to end, through their real webhooks: a work item on Azure Boards, the
pull request on Azure Repos that names it (``AB#5``), the Azure Pipelines build and release
that shipped it, and ServiceNow in change-management mode — the change request that recorded
the deployment and an incident "Caused by" that change. Lead time comes from the Azure
records; deployment frequency, change failure rate and time to restore from ServiceNow's
(the efficiency profile's ServiceNow mode). Expectations are computed by hand from the
payloads' own times.

- work item 5 created 2014-07-15 17:42:44.663 (the recorded ``workitem.created``);
- its PR merged 2015-04-07 17:00:00.123456 (the recorded ``git.pullrequest.merged``, retitled
  ``AB#5`` and merged as the commit the build built);
- build 2 finished 2015-04-07 18:06:10.69, the release reached Production 18:14:41.784297;
- change request CHG0040001 closed successful, work ended 18:20:00;
- incident INC0040001 (another configuration item), caused by CHG0040001, opened 19:00:00,
  resolved 21:00:00.
"""

from __future__ import annotations

import base64
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

AZURE, SERVICENOW = "az-secret", "sn-secret"
HOOKS = FIXTURES / "azure_devops" / "webhooks"
SN = FIXTURES / "servicenow" / "webhook"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, azure_devops_webhook_secret=AZURE,
                        servicenow_webhook_secret=SERVICENOW)  # fmt: skip
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _azure(client: TestClient, payload: Any) -> None:
    token = base64.b64encode(f"azure-devops:{AZURE}".encode()).decode("ascii")
    answer = client.post("/v1/webhooks/azure-devops", content=json.dumps(payload).encode(),
                         headers={"Authorization": f"Basic {token}",
                                  "Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 202, answer.text


def _servicenow(client: TestClient, payload: Any, delivery: str) -> None:
    answer = client.post("/v1/webhooks/servicenow", json=payload, headers={
        "X-Leadline-Secret": SERVICENOW, "X-Leadline-Delivery": delivery})  # fmt: skip
    assert answer.status_code == 202, answer.text


def _field(value: str) -> dict[str, str]:
    return {"value": value, "display_value": value}


PROFILE = """
name: Azure team
stages:
  - {name: Merged, event: pr_merged}
  - {name: CI, event: ci_completed}
  - {name: Deployed, event: cd_completed, environments: [Production]}
dora:
  deployments: {source: cd, pipelines: ["change_request/*"], statuses: [success]}
  failures: {source: incidents}
  restore: {source: incidents}
"""
WINDOW = ("--from", "2015-04-01", "--to", "2015-05-01")


def test_work_item_to_release_to_change_request_to_incident(
    client: TestClient, run_cli: Any, tmp_path: Path
) -> None:
    created = load(HOOKS / "aspnet-AspNetWebHooks/workitem.created.json")
    merged = load(HOOKS / "go-playground/git.pullrequest.merged.json")
    build = load(HOOKS / "go-playground/build.complete.json")
    release = load(HOOKS / "constructed/ms.vss-release.deployment-completed-event.artifacts.json")
    key = f"AB#{created['resource']['id']}"
    merged["resource"]["title"] = f"Fix the login ({key})"
    merged["resource"]["lastMergeCommit"]["commitId"] = build["resource"][
        "sourceGetVersion"
    ].rsplit(":", 1)[1]
    merged["resource"]["closedDate"] = "2015-04-07T17:00:00.1234567Z"
    for payload in (created, merged, build, release):
        _azure(client, payload)

    change = load(SN / "change-closed-successful.json")
    change.update(
        number=_field("CHG0040001"), sys_id=_field("c" * 32),
        work_end=_field("2015-04-07 18:20:00"), closed_at=_field("2015-04-07 18:25:00"),
    )  # fmt: skip
    _servicenow(client, change, "c:1")
    incident = load(SN / "incident-closed.json")
    incident.update(
        number=_field("INC0040001"), sys_id=_field("d" * 32),
        opened_at=_field("2015-04-07 19:00:00"), resolved_at=_field("2015-04-07 21:00:00"),
        cmdb_ci={"value": "e" * 32, "display_value": "another-service"},
        caused_by={"value": "c" * 32, "display_value": "CHG0040001"},
    )  # fmt: skip
    _servicenow(client, incident, "i:1")

    profile = tmp_path / "azure.yaml"
    profile.write_text(PROFILE)
    lead = run_cli("lead-time", "--profile", str(profile), *WINDOW, "--format", "json")
    assert lead.code == 0, lead.err
    report = json.loads(lead.out)
    start = at(created["resource"]["fields"]["System.CreatedDate"])
    merge_at = at("2015-04-07T17:00:00.123456Z")
    ci_at = at(build["resource"]["finishTime"])
    deployed = at(release["resource"]["deployment"]["completedOn"][:26] + "Z")
    expected = [(merge_at - start).total_seconds(), (ci_at - merge_at).total_seconds(),
                (deployed - ci_at).total_seconds()]  # fmt: skip
    assert report["changes"] == 1, json.dumps(report)[-300:]
    assert [s["seconds"] for s in report["stages"]] == pytest.approx(expected, abs=1e-6)
    assert report["total_seconds"] == pytest.approx((deployed - start).total_seconds(), abs=1e-6)
    assert report["baseline"]["changes"] == 0  # the build shows tracking was on

    dora = run_cli("dora", "--profile", str(profile), *WINDOW, "--format", "json")
    assert dora.code == 0, dora.err
    figures = json.loads(dora.out)
    df = figures["deployment_frequency"]
    assert (df["deployments"], df["per_day"]) == (1, round(1 / 30, 4))  # the change request
    cfr = figures["change_failure_rate"]
    # The incident names its change: linked whatever its configuration item.
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (1, 1, 1.0)
    mttr = figures["mean_time_to_restore"]
    assert (mttr["incidents"], mttr["mean_seconds"]) == (1, 7200.0)
    lt = figures["lead_time_for_changes"]
    assert lt["changes"] == 1
    assert lt["total_seconds"] == pytest.approx((deployed - start).total_seconds(), abs=1e-6)
