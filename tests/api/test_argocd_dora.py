"""Argo CD deployments through the webhook feed DORA: a commit, its sync (deployed) and a
later failed sync give the expected deployment count, lead time and change failure rate;
the first deployment turning Degraded makes it a failure too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from tests.conftest import FIXTURES

ARGO = FIXTURES / "argocd"
PROFILE = """\
name: GitOps
start: {event: commit_created}
stages:
  - {name: Deployed, event: cd_completed, environments: [test-lla]}
dora:
  lead_time: commits
  deployments: {source: cd, environments: [test-lla], statuses: [success]}
  failures: {source: cd, environments: [test-lla], statuses: [failure]}
# The commit predates the only runs (the syncs): the first sync ships it from before
# tracking began, a baseline commit; this test counts it (docs/deployments.md).
deployments: {baseline: include}
"""


def dora(run_cli: Any, profile: Path) -> dict[str, Any]:
    result = run_cli("dora", "--profile", str(profile), "--from", "2024-03-01",
                     "--to", "2024-03-08", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    found: dict[str, Any] = json.loads(result.out)
    return found


def test_argocd_deployments_give_lead_time_and_failure_rate(
    db_url: str, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    deployed = json.loads((ARGO / "app-deployed.json").read_text())
    commit = {"kind": "commit", "sha": deployed["revision"], "repo": "foo/manifests-velero",
              "committed_at": "2024-03-05T07:00:00Z"}  # fmt: skip
    (tmp_path / "c.ndjson").write_text(json.dumps(commit) + "\n")
    assert run_cli("import", str(tmp_path / "c.ndjson")).code == 0
    profile = tmp_path / "gitops.yaml"
    profile.write_text(PROFILE)
    app = create_app(Settings(database_url=db_url, argocd_webhook_secret="argo"))
    with TestClient(app) as client:

        def send(name: str) -> None:
            body = (ARGO / name).read_bytes()
            answer = client.post("/v1/webhooks/argocd", content=body,
                                 headers={"X-Leadline-Secret": "argo"})  # fmt: skip
            assert answer.status_code == 202, answer.text

        send("app-deployed.json")
        send("app-sync-failed.json")
        found = dora(run_cli, profile)
        # One successful sync (07:33:04) and one failed: 1 deployment, 1 failure in 2.
        assert found["deployment_frequency"]["deployments"] == 1
        cfr = found["change_failure_rate"]
        assert (cfr["failures"], cfr["rate"]) == (1, 0.5)
        # The commit (07:00:00) first shipped by the sync that finished at 07:33:04.
        lead = found["lead_time_for_changes"]
        assert (lead["changes"], lead["total_seconds"]) == (1, 33 * 60 + 4)
        assert lead["baseline"] == {"changes": 1, "included": True}
        send("app-health-degraded.json")  # the first sync's application turns Degraded
        found = dora(run_cli, profile)
        assert found["deployment_frequency"]["deployments"] == 0
        assert found["change_failure_rate"]["failures"] == 2
