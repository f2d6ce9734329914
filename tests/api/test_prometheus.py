"""``GET /metrics``: Prometheus text format with records, webhook deliveries and, per stored
profile with a dora block, the same DORA figures as ``/v1/metrics/dora``."""

from __future__ import annotations

import re
from typing import Any

import yaml
from fastapi.testclient import TestClient

from leadline.services.webhooks import Delivery, receive_batch
from tests.api.conftest import auth
from tests.conftest import FIXTURES

SAMPLE = re.compile(r'^[a-z_]+(\{([a-z_]+="(\\.|[^"\\])*",?)*\})? -?[0-9.e+-]+$')


def scrape(client: TestClient, key: str, **params: str) -> dict[str, float]:
    response = client.get("/metrics", params=params, headers=auth(key, "Bearer"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line.startswith("#"):
            assert line.startswith(("# HELP ", "# TYPE ", "# profile ")), line
            continue
        assert SAMPLE.match(line), line
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
    return samples


def test_dora_figures_per_profile_equal_the_api(
    client: TestClient, keys: dict[str, str], run_cli: Any, engine: Any
) -> None:
    quarter = FIXTURES / "dora_quarter"
    assert run_cli("import", str(quarter / "records.ndjson")).code == 0
    data = yaml.safe_load((quarter / "incidents.yaml").read_text())
    data["name"] = 'Team "A"'  # a label value that needs escaping
    assert client.put("/v1/profiles/Team%20%22A%22", json=data,
                      headers=auth(keys["admin"])).is_success  # fmt: skip
    no_dora = {
        "name": "plain",
        "start": {"event": "ticket_created"},
        "stages": [{"name": "Done", "event": "issue_status", "statuses": ["Done"]}],
    }
    assert client.put("/v1/profiles/plain", json=no_dora, headers=auth(keys["admin"])).is_success
    window = {"from": "2024-01-01", "to": "2024-04-01"}
    samples = scrape(client, keys["read"], **window)
    api = client.get("/v1/metrics/dora", params={"profile": 'Team "A"', **window},
                     headers=auth(keys["read"])).json()  # fmt: skip
    label = 'profile="Team \\"A\\""'
    df, cfr = api["deployment_frequency"], api["change_failure_rate"]
    assert df["deployments"] > 0 and cfr["failures"] > 0
    assert samples[f"leadline_dora_deployments{{{label}}}"] == df["deployments"]
    assert samples[f"leadline_dora_deployments_per_day{{{label}}}"] == df["per_day"]
    assert samples[f"leadline_dora_change_failure_rate{{{label}}}"] == cfr["rate"]
    restore = api["mean_time_to_restore"]["mean_seconds"]
    assert samples[f"leadline_dora_time_to_restore_seconds{{{label}}}"] == restore
    band = f'leadline_dora_band{{{label},metric="deployment_frequency",band="{df["band"]}"}}'
    assert samples[band] == 1
    for section in ("deployment_frequency", "change_failure_rate"):
        for bound in ("low", "high"):
            name = f'leadline_dora_interval{{{label},metric="{section}",bound="{bound}"}}'
            assert samples[name] == api[section]["interval"][bound]
        few = samples[f'leadline_dora_few_samples{{{label},metric="{section}"}}']
        assert few == int(api[section]["few_samples"])
    assert not any('profile="plain"' in name for name in samples)
    assert samples['leadline_records{kind="pipeline_run"}'] > 0
    bad = client.get("/metrics", params={"from": "soon"}, headers=auth(keys["read"]))
    assert bad.status_code == 422


def test_webhook_deliveries_by_source_and_status(
    client: TestClient, engine: Any, keys: dict[str, str]
) -> None:
    body = (FIXTURES / "github" / "derived" / "pull_request.closed.merged.json").read_bytes()
    for delivery in (
        Delivery("github", "pull_request", "d1", body),
        Delivery("github", "ping", "d2", b"{}"),
        Delivery("github", "pull_request", "d3", b'{"pull_request": 1}'),
    ):
        receive_batch(engine, [delivery])
    samples = scrape(client, keys["read"])
    for status in ("parsed", "ignored", "failed"):
        assert samples[f'leadline_webhook_deliveries{{source="github",status="{status}"}}'] == 1


def test_metrics_need_a_read_key_unless_public(
    client: TestClient, keys: dict[str, str], db_url: str
) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth(keys["ingest"])).status_code == 403
    from leadline.api.app import create_app
    from leadline.config import Settings

    with TestClient(create_app(Settings(database_url=db_url, public_metrics=True))) as public:
        assert public.get("/metrics").status_code == 200
