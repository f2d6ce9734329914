"""The deployment rework rate over HTTP: ``GET /v1/metrics/dora`` (a profile stored with
``PUT /v1/profiles``) and ``GET /metrics``, on the PR quarter of
tests/services/test_unplanned_quarter.py (by hand there: 4 rework of 8 deployments; Wilson
[0.2152, 0.7848]). Real ASGI app, SQLite or PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.api.test_prometheus import scrape
from tests.services.test_unplanned_quarter import FAILURES, RECORDS, REWORK

WINDOW = {"from": "2024-01-01", "to": "2024-04-01", "interval": "month"}


def _profile(name: str, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "stages": [{"name": "Merged", "event": "pr_merged"}],
        "dora": {
            "deployments": {"source": "pull_requests", "target_branches": ["main"]},
            "failures": FAILURES,
            **more,
        },
    }


def test_rework_rate_over_http_and_prometheus(
    client: TestClient, keys: dict[str, str], run_cli: Any, tmp_path: Path
) -> None:
    data = tmp_path / "prs.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(data)).code == 0
    for name, more in (("rework", {"rework": REWORK}), ("plain", {})):
        put = client.put(f"/v1/profiles/{name}", json=_profile(name, **more),
                         headers=auth(keys["admin"]))  # fmt: skip
        assert put.is_success, put.text
    stored = client.get("/v1/profiles/rework", headers=auth(keys["read"])).json()
    assert stored["dora"]["rework"]["pull_requests"]["branches"] == ["hotfix/*"]
    assert stored["dora"]["failures"]["titles"] == ['Revert "*"', "hotfix*"]
    api = client.get("/v1/metrics/dora", params={"profile": "rework", "compare": "previous",
                     **WINDOW}, headers=auth(keys["read"])).json()  # fmt: skip
    rr = api["deployment_rework_rate"]
    assert (rr["rework"], rr["deployments"], rr["rate"], rr["band"]) == (4, 8, 0.5, None)
    assert (rr["interval"]["low"], rr["interval"]["high"]) == (0.2152, 0.7848)
    assert api["comparison"]["deployment_rework_rate"]["verdict"] == "not enough data"
    assert api["change_failure_rate"]["rate"] == 0.375

    samples = scrape(client, keys["read"], **WINDOW)
    assert samples['leadline_dora_deployment_rework_rate{profile="rework"}'] == 0.5
    assert samples['leadline_dora_change_failure_rate{profile="rework"}'] == 0.375
    for bound, value in (("low", 0.2152), ("high", 0.7848)):
        labels = f'profile="rework",metric="deployment_rework_rate",bound="{bound}"'
        name = f"leadline_dora_interval{{{labels}}}"
        assert samples[name] == pytest.approx(value)
    assert (
        samples['leadline_dora_few_samples{profile="rework",metric="deployment_rework_rate"}'] == 1
    )
    assert not any("deployment_rework_rate" in n and "band" in n for n in samples)  # no bands
    # Without a dora.rework block: no gauge, no interval (no data is not zero).
    assert not any('profile="plain"' in n and "rework" in n for n in samples)
    plain = client.get("/v1/metrics/dora", params={"profile": "plain", **WINDOW},
                       headers=auth(keys["read"])).json()  # fmt: skip
    assert plain["deployment_rework_rate"]["rate"] is None
    assert plain["deployment_rework_rate"]["reason"].startswith("not measured")
