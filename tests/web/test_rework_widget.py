"""The dashboard's deployment rework rate: the widget, its chart's data table, the drill-down
listing each rework deployment with the rules that counted it, and the change failure rate
from hotfix and revert PRs — on the PR quarter of tests/services/test_unplanned_quarter.py
(by hand there: CFR 3 of 8; rework 4 of 8, by month 1 of 3, 1 of 2, 2 of 3). Real ASGI app,
SQLite or PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from tests.services.test_unplanned_quarter import FAILURES, RECORDS, REWORK
from tests.web.html import Page

WINDOW = {"from": "2024-01-01", "to": "2024-04-01", "interval": "month", "compare": "none"}
QUERY = "?from=2024-01-01&to=2024-04-01&interval=month&stat=mean&compare=none"


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


@pytest.fixture
def loaded(client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path) -> TestClient:
    data = tmp_path / "prs.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(data)).code == 0
    profiles.put(engine, "Rework", _profile("Rework", rework=REWORK))
    profiles.put(engine, "Plain", _profile("Plain"))
    return client


def get_page(client: TestClient, path: str, **window: str) -> Page:
    deadline = time.monotonic() + 30
    while True:  # the server's refresher builds a new profile's timelines first (202)
        response = client.get(path, params={**WINDOW, **window})
        if response.status_code != 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[:500]
    return Page(response.text)


def test_rework_widget_chart_and_table(loaded: TestClient) -> None:
    page = get_page(loaded, "/p/Rework")
    widget = page.by_id["deployment_rework_rate"]
    assert widget.find_all("h2")[0].text == "Deployment rework rate"
    value = widget.find_all("a")[0]
    assert (value.text, value.attrs["href"]) == ("50.0 %", f"/p/Rework/rework{QUERY}")
    badge = next(e for e in widget.find_all("span") if "badge" in e.attrs.get("class", ""))
    assert badge.text == "No band"  # DORA publishes no bands for rework
    facts = {dt.text: dd.text for dt, dd in zip(widget.find_all("dt"), widget.find_all("dd"),
                                                  strict=True)}  # fmt: skip
    assert facts["Rework"] == "4" and facts["Deployments"] == "8"
    assert facts["Signals"] == "pull requests, issues"
    assert facts["95 % interval"] == "21.5 % – 78.5 %"  # Wilson 4 of 8: [0.2152, 0.7848]
    assert facts["Samples"] == "fewer than 10: read with care"
    table = widget.find_all("table")[0].find_all("tbody")[0]
    rows = [[c.text for c in tr.children] for tr in table.find_all("tr")]
    assert rows == [
        ["2024-01-01", "33.3 %", "No band", "1 rework, 3 deployments"],
        ["2024-02-01", "50.0 %", "No band", "1 rework, 2 deployments"],
        ["2024-03-01", "66.7 %", "No band", "2 rework, 3 deployments"],
    ]
    february = table.find_all("a")[0 + 2].attrs["href"]
    assert february == (
        "/p/Rework/rework?from=2024-02-01&to=2024-03-01&interval=month&stat=mean&compare=none"
    )
    cfr = page.by_id["change_failure_rate"].find_all("a")[0]
    assert cfr.text == "37.5 %"  # 3 of 8, from two reverts and a hotfix branch


def test_rework_drill_down(loaded: TestClient) -> None:
    page = get_page(loaded, "/p/Rework/rework")
    assert page.by_id["count"].text == "4"
    rows = page.rows()
    assert [(r[1], r[2]) for r in rows] == [
        ("acme/api#8", "ticket PAY-8: type 'Bug'"),
        ("acme/api#7", "pull request acme/api#7: title 'Revert \"*\"'"),
        ("acme/api#5", "pull request acme/api#5: branch 'hotfix/*'"),
        ("acme/api#3", "pull request acme/api#3: title 'Revert \"*\"'"),
    ]
    assert ("/p/Rework/rework" + QUERY, "Rework") in page.links()  # the tab
    march = get_page(loaded, "/p/Rework/rework", **{"from": "2024-03-01"})
    assert march.by_id["count"].text == "2"


def test_without_a_rework_block_nothing_changes(loaded: TestClient) -> None:
    page = get_page(loaded, "/p/Plain")
    assert "deployment_rework_rate" not in page.by_id
    assert not any("/rework" in href for href, _ in page.links())
    drill = get_page(loaded, "/p/Plain/deployments")
    assert not any("/rework" in href for href, _ in drill.links())
    response = loaded.get("/p/Plain/rework", params=WINDOW)
    assert response.status_code == 422
    assert "has no dora.rework block" in response.text


def test_failures_page_lists_the_hotfix_and_revert_prs(loaded: TestClient) -> None:
    page = get_page(loaded, "/p/Plain/failures")
    assert page.by_id["count"].text == "3"
    rows = page.rows()
    assert [r[1] for r in rows] == ["acme/api#6", "acme/api#4", "acme/api#2"]
    assert rows[0][2].startswith('acme/api#7 · Revert "Reports export" [title \'Revert "*"\']')
    assert rows[1][2].startswith("acme/api#5 · Fix null amount [branch 'hotfix/*']")
