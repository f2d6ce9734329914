"""The flow pages (``/p/NAME/time-in-status``, ``/p/NAME/pr-lead-time`` and their drill-downs)
on ``tests/flow_records.py`` (figures by hand): the CLI's numbers, tables with ids, every
count linking to exactly the records behind it, and every link answering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from tests import flow_records as data
from tests.web.html import Page

QUERY = f"?from={data.FROM}&to={data.TO}&interval=week&stat=mean"


@pytest.fixture
def stored(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    records, _ = data.write(tmp_path)
    assert run_cli("import", str(records)).code == 0
    profiles.put(engine, "pay", data.PROFILE)
    return engine


def _page(client: TestClient, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:500])
    return Page(response.text)


def _ids(client: TestClient, url: str, table: str) -> list[str]:
    page = _page(client, url)
    body = page.by_id[table].find_all("tbody")[0]
    return [tr.find_all("th")[0].text.split()[0] for tr in body.find_all("tr")]


def test_time_in_status_page(client: TestClient, stored: Engine) -> None:
    page = _page(client, "/p/pay/time-in-status" + QUERY)
    assert page.rows("time-in-status-table") == [
        ["to do", "1", "2h", "2h", "1", "0", "0"],
        ["in progress", "2", "5h", "10h", "3", "1", "1"],
        ["in progress", "1", "2h", "2h", "2", "1", "1"],
    ]
    assert page.by_id["issues-count"].text == "3 issues"
    links = dict((text, href) for href, text in page.links() if "/issues" in href)
    # each count links to exactly the issues behind it
    hrefs = [h for h, _ in page.links() if "time-in-status/issues" in h]
    in_progress = next(h for h in hrefs if "status=In+Progress" in h and "which" not in h)
    assert _ids(client, in_progress, "time-in-status-issues") == ["PAY-2", "PAY-1"]
    bounced = next(h for h in hrefs if "status=Review" in h and "which=bounced" in h)
    assert _ids(client, bounced, "time-in-status-issues") == ["PAY-1"]
    assert _ids(client, links["3 issues"], "time-in-status-issues") == ["PAY-3", "PAY-2", "PAY-1"]
    for href, _ in page.links():
        if href.startswith("/p/"):
            assert client.get(href).status_code == 200, href


def test_pr_lead_time_page(client: TestClient, stored: Engine) -> None:
    page = _page(client, "/p/pay/pr-lead-time" + QUERY)
    assert page.rows("pr-lead-time-stages") == [
        ["32m 30s", "2", "1"],
        ["15m 30s", "2", "1"],
        ["32m", "2", "1"],
        ["51m 20s", "3", "0"],
        ["2h 11m", "3", ""],
    ]
    assert page.rows("pr-lead-time-trend") == [
        ["0", "No data", "No data", "No data", "No data", "No data"],
        ["1", "14m", "5m", "1m", "4m", "4m"],
        ["1", "3h", "1h", "No data", "No data", "2h"],
        ["1", "2h", "No data", "30m", "1h", "30m"],
        ["0", "No data", "No data", "No data", "No data", "No data"],
    ]
    hrefs = [h for h, _ in page.links() if "pr-lead-time/prs" in h]
    missing = next(h for h in hrefs if "stage=first_comment" in h and "which=missing" in h)
    assert _ids(client, missing, "pr-lead-time-prs") == ["acme/pay#2"]
    week = next(h for h in hrefs if parse_qs(urlsplit(h).query).get("from") == ["2024-03-11"])
    assert _ids(client, week, "pr-lead-time-prs") == ["acme/pay#2"]
    svg = page.root.find_all("svg")
    assert all(s.hidden() for s in svg)  # hidden itself or inside a hidden plot
    for href, _ in page.links():
        if href.startswith("/p/"):
            assert client.get(href).status_code == 200, href


def test_overview_links_both_and_bad_input_is_a_page(client: TestClient, stored: Engine) -> None:
    overview = _page(client, "/p/pay" + QUERY)
    texts = [t for _, t in overview.links()]
    assert "time in status" in texts and "PR lead time by stage" in texts
    for url, status in [
        ("/p/pay/pr-lead-time/prs" + QUERY + "&stage=nope", 422),
        ("/p/pay/time-in-status/issues" + QUERY + "&which=nope", 422),
        ("/p/pay/pr-lead-time" + QUERY.replace("week", "year"), 422),
        ("/p/nope/time-in-status" + QUERY, 404),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert "<html" in response.text


def test_collection_pages(client: TestClient, org: Engine) -> None:
    for url in (
        "/c/Team%20A/time-in-status",
        "/c/Team%20A/pr-lead-time",
        "/c/Acme/time-in-status/issues",
        "/c/Acme/pr-lead-time/prs",
    ):
        assert client.get(url + "?from=2024-01-01&to=2024-04-01").status_code == 200, url


def test_a_kept_answer_moves_with_new_data(
    client: TestClient, stored: Engine, run_cli: Any, tmp_path: Path
) -> None:
    """The pages keep their answer until the data moves (services/answer_cache.py): a new
    issue resolved in the window shows on the next request, not a minute later."""
    url = "/p/pay/time-in-status" + QUERY
    before = _page(client, url).by_id["issues-count"].text
    assert before == "3 issues" and _page(client, url).by_id["issues-count"].text == before
    more = tmp_path / "more.ndjson"
    issue = {"kind": "issue", "key": "PAY-9", "project": "PAY", "type": "Story",
             "created_at": "2024-03-05T00:00:00Z", "resolved_at": "2024-03-05T04:00:00Z",
             "status_changes": [{"to": "In Progress", "at": "2024-03-05T01:00:00Z",
                                 "category": "in_progress"}]}  # fmt: skip
    more.write_text(json.dumps(issue) + "\n")
    assert run_cli("import", str(more)).code == 0
    assert _page(client, url).by_id["issues-count"].text == "4 issues"
