"""Custom maturity levels over HTTP: ``PUT /v1/profiles/{name}`` round-trips ``dora.bands``,
``GET /v1/metrics/dora`` names the levels, ``/v1/metrics/lead-time`` gives each stage its
level, and ``/metrics`` exports the level and its rank (SQLite or PostgreSQL).

Figures of tests/fixtures/dora_quarter, by hand (tests/cli/test_maturity_levels.py): a week
has 35/91 ≈ 0.385 deployments (OK: ≥ 0.25, < 1), the failure rate is 2/7 (Poor: > 25 %),
lead time 72 h and restore 18.875 h sit on their OK edges, the stage Deployed (3 days) too.
"""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.api.test_prometheus import scrape
from tests.cli.test_maturity_levels import LEVELS, PROFILE
from tests.conftest import FIXTURES

WINDOW = {"from": "2024-01-01", "to": "2024-04-01"}


def test_levels_over_http_and_in_prometheus(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    quarter = FIXTURES / "dora_quarter"
    assert run_cli("import", str(quarter / "records.ndjson")).code == 0
    data = {**yaml.safe_load(PROFILE), "name": "Maturity"}
    put = client.put("/v1/profiles/Maturity", json=data, headers=auth(keys["admin"]))
    assert put.is_success, put.text
    stored = client.get("/v1/profiles/Maturity", headers=auth(keys["read"])).json()
    assert stored["dora"]["bands"]["levels"][1] == {"name": "OK", "colour": "#9a6700"}
    assert stored["dora"]["bands"]["mean_time_to_restore"] == {"edges": [1, 18.875]}
    preset = {**yaml.safe_load((quarter / "incidents.yaml").read_text()), "name": "Preset"}
    assert client.put("/v1/profiles/Preset", json=preset, headers=auth(keys["admin"])).is_success

    api = client.get("/v1/metrics/dora", params={"profile": "Maturity", **WINDOW},
                     headers=auth(keys["read"])).json()  # fmt: skip
    assert (api["bands"], api["levels"]) == ("custom", LEVELS)
    bands = {
        s: api[s]["band"]
        for s in (
            "deployment_frequency",
            "lead_time_for_changes",
            "change_failure_rate",
            "mean_time_to_restore",
        )
    }
    assert bands == {"deployment_frequency": "OK", "lead_time_for_changes": "OK",
                     "change_failure_rate": "Poor", "mean_time_to_restore": "OK"}  # fmt: skip
    lead = client.get("/v1/metrics/lead-time", params={"profile": "Maturity", **WINDOW},
                      headers=auth(keys["read"])).json()  # fmt: skip
    assert [(s["name"], s["level"]) for s in lead["stages"]] == [("Deployed", "OK")]

    samples = scrape(client, keys["read"], **WINDOW)
    mine = 'profile="Maturity"'
    assert samples[f'leadline_dora_band{{{mine},metric="change_failure_rate",band="Poor"}}'] == 1
    assert samples[f'leadline_dora_band_rank{{{mine},metric="change_failure_rate"}}'] == 3
    assert samples[f'leadline_dora_band_rank{{{mine},metric="deployment_frequency"}}'] == 2
    assert samples[f"leadline_dora_band_levels{{{mine}}}"] == 3
    other = client.get("/v1/metrics/dora", params={"profile": "Preset", **WINDOW},
                       headers=auth(keys["read"])).json()  # fmt: skip
    assert "levels" not in other
    rank = {"elite": 1, "high": 2, "medium": 3, "low": 4}
    for section in ("deployment_frequency", "change_failure_rate", "mean_time_to_restore"):
        name = f'leadline_dora_band_rank{{profile="Preset",metric="{section}"}}'
        assert samples[name] == rank[other[section]["band"]], section
    assert samples['leadline_dora_band_levels{profile="Preset"}'] == 4
