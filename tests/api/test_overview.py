"""``GET /v1/overview``: every collection's DORA report, each equal to ``GET /v1/metrics/dora
?collection=NAME`` and to ``leadline overview --format json``; a limited key reads its
subtree; bad parameters are 422s. The cache of the server's rows follows new data."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.domain.times import parse_time
from leadline.metrics.windows import Window
from leadline.services.apikeys import create
from leadline.services.org_overview import overview
from tests.api.conftest import auth
from tests.web.conftest import COLLECTIONS

QUERY = "from=2024-01-04&to=2024-01-08&compare=previous"
NAMES = ["Acme", "Team A", "Team B", "Team B deploys"]


def _load(run_cli: Any) -> None:
    assert run_cli("import", str(COLLECTIONS / "records.ndjson")).code == 0
    assert run_cli("apply", str(COLLECTIONS / "org.yaml")).code == 0
    assert run_cli("refresh").code == 0


def _without_as_of(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "as_of"}


def test_every_team_equals_its_dora_report_and_the_cli(
    client: TestClient, engine: Engine, run_cli: Any, keys: dict[str, Any]
) -> None:
    _load(run_cli)
    answer = client.get(f"/v1/overview?{QUERY}", headers=auth(keys["read"]))
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    assert [r["collection"] for r in rows] == NAMES
    for row in rows:
        one = client.get(f"/v1/metrics/dora?collection={row['collection']}&{QUERY}",
                         headers=auth(keys["read"]))  # fmt: skip
        assert _without_as_of(row) == _without_as_of(one.json())
        assert "comparison" in row
    printed = run_cli("overview", "--from", "2024-01-04", "--to", "2024-01-08", "--format", "json")
    assert printed.code == 0, printed.err
    assert [_without_as_of(r) for r in json.loads(printed.out)] == [_without_as_of(r) for r in rows]
    plain = client.get("/v1/overview?from=2024-01-04&to=2024-01-08", headers=auth(keys["read"]))
    assert all("comparison" not in r for r in plain.json())  # as /v1/metrics/dora


def test_the_cli_csv_and_table(engine: Engine, run_cli: Any) -> None:
    _load(run_cli)
    window = ("--from", "2024-01-04", "--to", "2024-01-08")
    printed = run_cli("overview", *window, "--format", "json")
    reports = {r["collection"]: r for r in json.loads(printed.out)}
    found = run_cli("overview", *window, "--format", "csv")
    assert found.code == 0, found.err
    lines = list(csv.DictReader(io.StringIO(found.out)))
    assert [line["collection"] for line in lines] == NAMES
    for line in lines:
        df = reports[line["collection"]]["deployment_frequency"]
        assert line["deployment_frequency.deployments"] == str(df["deployments"])
        # No data is an empty cell with its reason, never a 0.
        if df.get("reason"):
            assert line["deployment_frequency.per_day"] == ""
            assert line["deployment_frequency.reason"] == df["reason"]
        else:
            assert float(line["deployment_frequency.per_day"]) == df["per_day"]
    table = run_cli("overview", *window)
    assert table.code == 0 and "Team B deploys" in table.out and "no data" in table.out
    bad = run_cli("overview", "--format", "xml")
    assert bad.code == 2 and "Traceback" not in bad.err


def test_a_limited_key_reads_its_subtree(client: TestClient, engine: Engine, run_cli: Any) -> None:
    _load(run_cli)
    team = create(engine, "team-b", "read", collection="Team B")
    rows = client.get(f"/v1/overview?{QUERY}", headers=auth(team)).json()
    assert [r["collection"] for r in rows] == ["Team B", "Team B deploys"]
    assert client.get("/v1/overview").status_code == 401


def test_bad_parameters_are_422(client: TestClient, keys: dict[str, Any]) -> None:
    for query in ("from=yesterdayish", "stat=mode", "compare=next", "interval=hour",
                  "from=2024-02-01&to=2024-01-01"):  # fmt: skip
        answer = client.get(f"/v1/overview?{query}", headers=auth(keys["read"]))
        assert answer.status_code == 422, query
        assert "error" in answer.json()


def test_new_data_reaches_the_cached_rows(engine: Engine, run_cli: Any) -> None:
    """The server's rows are cached per process, keyed on the store's position: a new
    deployment moves it, so the next answer counts it."""
    _load(run_cli)
    window = Window(parse_time("2024-01-04T00:00:00Z"), parse_time("2024-01-08T00:00:00Z"))
    before = overview(engine, ["Team A"], window)[0]["deployment_frequency"]["deployments"]
    assert overview(engine, ["Team A"], window)[0]["deployment_frequency"]["deployments"] == before
    run = {"kind": "pipeline_run", "system": "argo", "pipeline": "deploy-a", "run_id": "cd-new",
           "type": "cd", "status": "success", "started_at": "2024-01-05T07:00:00Z",
           "finished_at": "2024-01-05T08:00:00Z", "environment": "production", "service": "a",
           "repo": "acme/a", "commit_sha": "a001000000000000000000000000000000000000"}  # fmt: skip
    assert run_cli("import", "-", stdin=(json.dumps(run) + "\n").encode()).code == 0
    after = overview(engine, ["Team A"], window)[0]["deployment_frequency"]["deployments"]
    assert after == before + 1


def test_an_incident_edited_in_place_reaches_the_cached_rows(engine: Engine, run_cli: Any) -> None:
    """Incidents write no change-log entry; the cache's stamp reads them itself."""
    _load(run_cli)
    window = Window(parse_time("2024-01-04T00:00:00Z"), parse_time("2024-01-08T00:00:00Z"))

    def mean() -> float:
        found = overview(engine, ["Team A"], window)[0]["mean_time_to_restore"]["mean_seconds"]
        assert found is not None
        return float(found)

    before = mean()
    assert mean() == before  # answered from the cache
    edited = {"kind": "incident", "source": "pagerduty", "id": "INC-4", "title": "outage",
              "created_at": "2024-01-05T03:00:00Z", "resolved_at": "2024-01-05T09:00:00Z",
              "service": "a"}  # fmt: skip  # restored 2 h later than before
    assert run_cli("import", "-", stdin=(json.dumps(edited) + "\n").encode()).code == 0
    assert mean() != before
