"""The overview of a profile whose metrics have no source (nothing but tickets and commits yet,
as early in an import): every widget reads "No data" with its reason, no band, never a 0 and
never a server error; the comparison with the previous window says there is not enough data.
Real ASGI app on the test database (SQLite, or PostgreSQL)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from tests.web.html import Page

PROFILE = {
    "name": "Early",
    "stages": [{"name": "Deployed", "event": "cd_completed", "environments": ["production"]}],
    "dora": {"failures": {"source": "incidents"}},
}
RECORDS = [
    {"kind": "issue", "key": "E-1", "project": "E", "type": "Story", "title": "E-1",
     "created_at": "2024-01-02T10:00:00Z"},
    {"kind": "commit", "repo": "acme/e", "sha": "e" * 40, "committed_at": "2024-01-02T11:00:00Z",
     "message": "E-1: start"},
]  # fmt: skip
WINDOW = {"from": "2024-01-01", "to": "2024-03-01"}
REASONS = {
    "deployment_frequency": "No deployment source: no deployment run matches dora.deployments.",
    "lead_time": "No change counted in the window.",
    "change_failure_rate": "No failure source: no incident matches dora.failures",
    "mean_time_to_restore": "No restore source: no incident matches dora.restore",
}


def test_widgets_without_a_source_say_no_data(
    client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    data = tmp_path / "early.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(data)).code == 0
    profiles.put(engine, PROFILE["name"], PROFILE)
    deadline = time.monotonic() + 30
    while True:  # the server's refresher builds the new profile's timelines first (202)
        response = client.get("/p/Early", params=WINDOW)
        if response.status_code != 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[:500]
    page = Page(response.text)
    for key, reason in REASONS.items():
        widget = page.by_id[key]
        assert widget.find_all("a")[0].text == "No data", key
        badge = next(e for e in widget.find_all("span") if "badge" in e.attrs.get("class", ""))
        assert (badge.attrs["class"], badge.text) == ("badge band-none", "No band"), key
        text = " ".join(widget.text.split())
        assert reason in text, (key, text)
        assert "not enough data to compare" in text, (key, text)
        bars = [r for r in widget.find_all("rect") if "bar" in r.attrs.get("class", "").split()]
        marks = [c for c in widget.find_all("circle") if c.attrs.get("class") == "nodata"]
        assert not bars and marks, (key, bars)  # no bar is a 0: a "no data" mark instead
    zero = re.compile(r"(?<![\d.])0\.00 per day|(?<![\d.])0\.0 %")  # not the legend's "30.0 %"
    assert not zero.search(page.root.text), zero.search(page.root.text)
