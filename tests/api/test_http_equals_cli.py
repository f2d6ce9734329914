"""Lead time and DORA over HTTP equal the CLI's output for the same profile and data."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.conftest import FIXTURES
from tests.helpers import current

QUARTER = FIXTURES / "dora_quarter"
WINDOW = {"from": "2024-01-01", "to": "2024-04-01"}


@pytest.mark.parametrize("profile_file", ["cd-failures.yaml", "incidents.yaml"])
@pytest.mark.parametrize("interval", ["week", "month"])
def test_dora_and_lead_time_match_the_cli(
    client: TestClient, keys: dict[str, str], run_cli: Any, profile_file: str, interval: str
) -> None:
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    path = QUARTER / profile_file
    data = yaml.safe_load(path.read_text())
    name = data["name"]
    assert client.put(f"/v1/profiles/{name}", json=data, headers=auth(keys["admin"])).is_success
    cli = run_cli("dora", "--profile", str(path), "--from", WINDOW["from"], "--to", WINDOW["to"],
                  "--interval", interval, "--format", "json")  # fmt: skip
    assert cli.code == 0, cli.err
    http = client.get("/v1/metrics/dora", params={"profile": name, "interval": interval, **WINDOW},
                      headers=auth(keys["read"]))  # fmt: skip
    assert http.status_code == 200, http.text
    assert current(http.json()) == json.loads(cli.out)
    for stat in ("mean", "p90"):
        cli = run_cli("lead-time", "--profile", str(path), "--stat", stat, "--from",
                      WINDOW["from"], "--to", WINDOW["to"], "--format", "json")  # fmt: skip
        http = client.get("/v1/metrics/lead-time", params={"profile": name, "stat": stat, **WINDOW},
                          headers=auth(keys["read"]))  # fmt: skip
        assert http.status_code == 200, http.text
        assert current(http.json()) == json.loads(cli.out)


@pytest.mark.parametrize("profile_file", ["cd-failures.yaml", "incidents.yaml"])
def test_dora_compare_previous_matches_the_cli(
    client: TestClient, keys: dict[str, str], run_cli: Any, profile_file: str
) -> None:
    """``compare=previous`` is ``leadline dora --compare previous``: the same JSON, with the
    same ``comparison``; and without ``from``/``to`` both use the same default window."""
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    path = QUARTER / profile_file
    data = yaml.safe_load(path.read_text())
    name = data["name"]
    assert client.put(f"/v1/profiles/{name}", json=data, headers=auth(keys["admin"])).is_success
    for window in (WINDOW, {}):
        args = [f"--{k}={v}" for k, v in window.items()]
        cli = run_cli("dora", "--profile", str(path), *args, "--compare", "previous",
                      "--format", "json")  # fmt: skip
        assert cli.code == 0, cli.err
        query = {"profile": name, "compare": "previous", **window}
        http = client.get("/v1/metrics/dora", params=query, headers=auth(keys["read"]))
        assert http.status_code == 200, http.text
        expected = json.loads(cli.out)
        assert current(http.json()) == expected
        assert expected["comparison"]["to"] == expected["from"]
    # In the quarter: 5 deployments against 1 in the previous 91 days (docs/dora.md).
    query = {"profile": name, "compare": "previous", **WINDOW}
    http = client.get("/v1/metrics/dora", params=query, headers=auth(keys["read"]))
    df = http.json()["comparison"]["deployment_frequency"]
    assert df["p_value"] == pytest.approx(2 * 7 / 64) and df["verdict"] == "no significant change"
    plain = client.get("/v1/metrics/dora", params={"profile": name, **WINDOW},
                       headers=auth(keys["read"]))  # fmt: skip
    assert "comparison" not in plain.json()


def test_a_bad_compare_is_a_422_naming_the_field(client: TestClient, keys: dict[str, str]) -> None:
    http = client.get("/v1/metrics/dora", params={"profile": "x", "compare": "next"},
                      headers=auth(keys["read"]))  # fmt: skip
    assert http.status_code == 422, http.text
    assert "compare" in http.text
