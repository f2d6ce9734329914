"""The dashboard, the API and the Prometheus scrape with the deployment and failure-counting
options (issue 17): an absolute failure count reads as a count with no band everywhere, and
the drill-downs say which rule counted each record. Real ASGI app on the test database; the
records and the reasoning behind each number are in ``tests/services/deploys_data.py``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from leadline.services.apikeys import create
from tests.services.deploys_data import FAILURE_TICKETS, RUNS, TICKETS, profile_data, write_records
from tests.web.html import Page

WINDOW = {"from": "2024-03-01", "to": "2024-04-01"}


def _get(client: TestClient, path: str, key: str | None = None, **params: str) -> Any:
    headers = {} if key is None else {"Authorization": f"Apikey {key}"}
    deadline = time.monotonic() + 30
    while True:  # the server's refresher builds a new profile's timelines first (202)
        response = client.get(path, params=WINDOW | params, headers=headers)
        if response.status_code != 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[:500]
    return response


def _load(engine: Engine, run_cli: Any, tmp_path: Path, name: str, **block: Any) -> None:
    assert run_cli("import", str(write_records(tmp_path / "r.ndjson"))).code == 0
    profiles.put(engine, name, profile_data(name, **block))


def test_absolute_failures_everywhere(
    client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    _load(engine, run_cli, tmp_path, "Counted", deployments=RUNS,
          failures={"count": "absolute"})  # fmt: skip
    widget = Page(_get(client, "/p/Counted").text).by_id["change_failure_rate"]
    text = " ".join(widget.text.split())
    assert widget.find_all("a")[0].text == "2", text  # r5 and r6 failed
    assert "Change failures" in text and "%" not in text.split("Deployments")[0]
    badge = next(e for e in widget.find_all("span") if "badge" in e.attrs.get("class", ""))
    assert badge.text == "No band"
    key = create(engine, "test-read", "read")  # the API needs a key (the dashboard: none yet)
    api = _get(client, "/v1/metrics/dora", key, profile="Counted").json()["change_failure_rate"]
    assert (api["count"], api["failures"], api["rate"], api["band"]) == ("absolute", 2, None, None)
    scrape = _get(client, "/metrics", key).text
    assert 'leadline_dora_change_failures{profile="Counted"} 2' in scrape.splitlines()
    assert 'leadline_dora_change_failure_rate{profile="Counted"}' not in scrape


def test_drilldowns_name_the_rule(
    client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    _load(engine, run_cli, tmp_path, "Tickets", deployments=TICKETS, failures=FAILURE_TICKETS)
    rows = Page(_get(client, "/p/Tickets/deployments").text).by_id["records"]
    text = " ".join(rows.text.split())
    for key in ("PAY-1", "PAY-2", "PAY-5"):  # first entries in March
        assert f"ticket {key} reached Done (deployments.source: issues, first entry)" in text
    assert "PAY-3" not in text  # resolved first in February
    failed = " ".join(Page(_get(client, "/p/Tickets/failures").text).by_id["records"].text.split())
    assert "linked to INC-1 (same service) (failures.source: issues)" in failed
    assert "linked to INC-3 (names it) (failures.source: issues)" in failed
