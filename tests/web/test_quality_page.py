"""The data-quality page (``/p/NAME/quality``, ``/c/NAME/quality``) on the hand-built dataset
of ``tests/services/test_doctor.py``: linked from the overview, the counts of ``leadline
doctor``, a table per check whose records link to the pages that show them, and every link
answers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from tests.services.test_doctor import DATA, EXPECTED, PROFILE, WINDOW
from tests.web.html import Page

QUERY = "?from=2024-03-01&to=2024-04-01&interval=week&stat=mean"


@pytest.fixture
def stored(engine: Engine, run_cli: Any) -> Any:
    assert run_cli("import", str(DATA / "records.ndjson")).code == 0
    profiles.put(engine, "Doctor", yaml.safe_load(PROFILE.read_text()))
    return run_cli


def _page(client: TestClient, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:500])
    return Page(response.text)


def test_the_page_has_the_cli_counts_and_links_every_record(
    client: TestClient, stored: Any
) -> None:
    overview = _page(client, "/p/Doctor" + QUERY)
    link = overview.by_id["quality-link"].attrs["href"]
    assert link == "/p/Doctor/quality" + QUERY
    response = client.get(link)
    assert response.status_code == 200
    assert "1 deployment ships no commit" in response.text  # plural() words, verb agreed
    page = Page(response.text)
    cli = json.loads(stored("doctor", "--profile", str(PROFILE), *WINDOW, "--format", "json").out)
    summary = page.rows("checks")
    assert [(row[0], row[2]) for row in summary] == [
        (c["id"], "—" if c["count"] is None else str(c["count"])) for c in cli["checks"]
    ]  # a check that does not apply (commit_without_paths: no scope.paths) shows a dash
    assert page.by_id["count"].text == "12 checks with findings"
    clamped = page.by_id["check-stage-clamped-coding"]
    [(href, text)] = [(a.attrs["href"], a.text) for a in clamped.find_all("tbody")[0].find_all("a")]
    assert (href, text) == ("/p/Doctor/changes/PAY-9" + QUERY, "change PAY-9")
    shipped = page.by_id["check-deployment-ships-nothing"]
    assert [a.attrs["href"] for a in shipped.find_all("tbody")[0].find_all("a")] == [
        "/p/Doctor/deployments" + QUERY
    ]
    records = {
        section.attrs["id"]: [tr.find_all("td")[0].text for tr in section.find_all("tr")[1:]]
        for section in page.root.find_all("section")
        if section.attrs.get("id", "").startswith("check-")
    }
    assert sum(len(v) for v in records.values()) == sum(len(v) for v in EXPECTED.values())
    for href, _ in page.links():
        if href.startswith("/"):
            assert client.get(href).status_code == 200, href
        else:
            assert href.startswith("#") and href[1:] in page.by_id, href
    assert all(urlsplit(h).netloc == "" for h, _ in page.links())


def test_a_collection_page_names_the_collection(
    client: TestClient, stored: Any, tmp_path: Any
) -> None:
    org = {
        "collections": [
            {"name": "Pay team", "profile": "Doctor", "filters": {"repositories": ["acme/pay-api"]}}
        ]
    }
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(org))
    assert stored("apply", str(path)).code == 0
    page = _page(client, "/c/Pay%20team/quality" + QUERY)
    assert "collection Pay team" in page.root.text
    cli = stored("doctor", "--collection", "Pay team", *WINDOW, "--format", "json")
    counts = {(c["id"], c.get("stage")): c["count"] for c in json.loads(cli.out)["checks"]}
    assert counts[("pattern_matched_nothing", None)] == 1  # the collection's repos replace
    assert counts[("time_in_future", None)] == 1  # acme/pay-lib is out of the collection


def test_a_bad_window_is_a_4xx_page(client: TestClient, stored: Any) -> None:
    assert client.get("/p/Doctor/quality?from=2024-04-01&to=2024-03-01").status_code == 422
    assert client.get("/p/Nobody/quality").status_code == 404
