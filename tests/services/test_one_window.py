"""One default window (issue 16): the demo's summary, ``leadline dora``, the HTTP API and the
dashboard report the same window and the same figures for the same team on the same data.

The demo is loaded as a user would (``leadline demo``, anchored today), then each surface is
asked without ``--from``/``--to``: all must answer for the 90 days ending at the end of today,
UTC. Real database (SQLite, or PostgreSQL with ``LEADLINE_TEST_DATABASE_URL``), real CLI, real
ASGI app over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create
from leadline.web import formatting as fmt
from tests.helpers import current
from tests.web.html import Page

TEAMS = ("Payments", "Mobile", "Identity", "Search", "Acme")  # Azure DevOps, Bitbucket
VERDICTS = ("better (p", "worse (p", "no significant change (was", "not enough data to compare")


@pytest.fixture
def client(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _expected_window() -> dict[str, Any]:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()  # the end of today, UTC
    start = tomorrow - timedelta(days=90)
    return {"from": f"{start}T00:00:00Z", "to": f"{tomorrow}T00:00:00Z", "days": 90.0}


@pytest.mark.slow
def test_demo_cli_api_and_dashboard_agree(run_cli: Any, engine: Engine, client: TestClient) -> None:
    demo = run_cli("demo", "--format", "json")
    assert demo.code == 0, demo.err
    summary = json.loads(demo.out)
    window = _expected_window()
    assert summary["window"] == window
    rows = {r["team"]: r for r in summary["teams"]}
    key = create(engine, "test-read", "read")
    for team in TEAMS:
        cli = run_cli("dora", "--collection", team, "--format", "json")
        assert cli.code == 0, cli.err
        report = json.loads(cli.out)
        assert report["window"] == window, team
        http = client.get("/v1/metrics/dora", params={"collection": team},
                          headers={"Authorization": f"Apikey {key}"})  # fmt: skip
        assert http.status_code == 200, http.text
        assert current(http.json()) == report, team
        df, lead = report["deployment_frequency"], report["lead_time_for_changes"]
        cfr, mttr = report["change_failure_rate"], report["mean_time_to_restore"]
        row = rows[team]
        assert (row["deployments"], row["per_day"], row["deployment_band"]) == (
            df["deployments"], df["per_day"], df["band"],
        ), team  # fmt: skip
        assert (row["changes"], row["lead_time_seconds"]) == (
            lead["changes"], lead["total_seconds"],
        ), team  # fmt: skip
        assert (row["failures"], row["failure_rate"]) == (cfr["failures"], cfr["rate"]), team
        assert (row["restored"], row["restore_seconds"]) == (
            mttr["incidents"], mttr["mean_seconds"],
        ), team  # fmt: skip
        page = client.get(f"/c/{team}")
        assert page.status_code == 200, page.text[:300]
        html = Page(page.text)
        assert html.by_id["from"].attrs["value"] == window["from"][:10]
        assert html.by_id["to"].attrs["value"] == window["to"][:10]
        assert "(90 days, to exclusive)" in html.by_id["about"].text
        shown = {
            "deployment_frequency": fmt.frequency(df["per_day"]),
            "lead_time": fmt.duration(lead["total_seconds"]),
            "change_failure_rate": fmt.percent(cfr["rate"]),
            "mean_time_to_restore": fmt.duration(mttr["mean_seconds"]),
        }
        for widget, value in shown.items():
            figure = html.by_id[widget].find_all("a")[0].text
            assert figure == value, (team, widget)
            # Compared with the previous window by default, in words.
            text = " ".join(html.by_id[widget].text.split())
            assert "vs the previous 90 days" in text, (team, widget)
            assert any(w in text for w in VERDICTS), (team, widget, text)
