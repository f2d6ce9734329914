"""The lead-time-by-group page (``/p/NAME/lead-time?by=type``), its drill-down
(``changes?group=type:Bug``: as many changes as the group counts), the what-if page
(``/compare?profile=A&profile=B``) and their API forms, through the real app (SQLite, and
PostgreSQL in that pass). Figures: ``tests/services/lead_groups_case.py``."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadline.services.apikeys import create
from tests.services.lead_groups_case import write

WINDOW = {"from": "2024-05-01", "to": "2024-05-02"}


@pytest.fixture
def stored(client: TestClient, run_cli: Any, tmp_path: Path, engine: Any) -> TestClient:
    records, paths = write(tmp_path)
    assert run_cli("import", str(records)).code == 0
    for path in paths.values():
        assert run_cli("profile", "apply", str(path)).code == 0
    client.headers["Authorization"] = f"Apikey {create(engine, 'reader', 'read')}"
    return client


def _count(page: str) -> int:
    found = re.search(r'id="count">(\d+)<', page)
    assert found, page
    return int(found.group(1))


@pytest.mark.parametrize("by", ["type", "priority", "label", "project"])
def test_each_groups_link_lists_exactly_its_changes(stored: TestClient, by: str) -> None:
    page = stored.get("/p/Pull%20requests/lead-time", params={**WINDOW, "by": by})
    assert page.status_code == 200, page.text
    body = page.text
    assert 'id="lead-time-by-group"' in body and 'id="lead-time-by-group-stages"' in body
    assert '<nav class="tabs" aria-label="Group by">' in body
    api = stored.get("/v1/metrics/lead-time", params={"profile": "Pull requests", **WINDOW,
                                                      "by": by}).json()  # fmt: skip
    links = re.findall(r'<td class="num"><a href="([^"]+group=[^"]+)">(\d+)</a></td>', body)
    assert len(links) == 2 * len(api["groups"])  # the bar table and the stage table
    for group, (href, count) in zip(api["groups"], links, strict=False):
        assert int(count) == group["changes"]
        assert _count(stored.get(html.unescape(href)).text) == group["changes"]


def test_the_page_shows_no_data_and_bad_groupings(stored: TestClient) -> None:
    empty = stored.get("/p/Tickets/lead-time", params={"from": "2023-01-01", "to": "2023-01-02"})
    assert empty.status_code == 200 and "No data" in empty.text
    bad = stored.get("/p/Tickets/lead-time", params={"by": "colour"})
    assert bad.status_code == 422 and "unknown grouping" in bad.text
    group = stored.get("/p/Tickets/changes", params={"group": "colour:red"})
    assert group.status_code == 422 and "unknown grouping" in group.text


def test_the_overview_links_the_reports(stored: TestClient) -> None:
    page = stored.get("/p/Tickets", params=WINDOW).text
    assert "/p/Tickets/lead-time?" in page and 'action="/compare"' in page


def test_api_by_type_and_errors(stored: TestClient) -> None:
    got = stored.get("/v1/metrics/lead-time", params={"profile": "Tickets", **WINDOW,
                                                      "by": "priority"})  # fmt: skip
    assert got.status_code == 200, got.text
    assert [(g["name"], g["changes"]) for g in got.json()["groups"]] == [
        ("High", 2), ("Low", 1), ("(none)", 1)]  # fmt: skip
    bad = stored.get("/v1/metrics/lead-time", params={"profile": "Tickets", "by": "colour"})
    assert bad.status_code == 422 and "unknown grouping" in bad.json()["error"]["message"]


def test_what_if_page_and_api(stored: TestClient) -> None:
    params = [("profile", "Tickets"), ("profile", "Tickets B"), *WINDOW.items()]
    page = stored.get("/compare", params=params)
    assert page.status_code == 200, page.text
    assert 'id="both">4<' in page.text and 'id="compare-by-stage"' in page.text
    assert "−40m" in page.text and "−32.7 %" in page.text  # the total: 122.5 → 82.5 minutes
    api = stored.get("/v1/metrics/lead-time/compare", params=params)
    assert api.status_code == 200, api.text
    assert api.json()["total"]["difference_seconds"] == -2400.0
    one = [("profile", "Tickets")]
    assert stored.get("/compare", params=one).status_code == 422
    assert stored.get("/v1/metrics/lead-time/compare", params=one).status_code == 422
    unknown = [("profile", "Tickets"), ("profile", "Nope")]
    assert stored.get("/compare", params=unknown).status_code == 404
    assert stored.get("/v1/metrics/lead-time/compare", params=unknown).status_code == 404
