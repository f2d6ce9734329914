"""The export links wired under the figures' tables (org overview, overview, charts): the
organisation overview's CSV has, per team, the cells the page shows (team and profile,
each metric's value, band, sample size, change against the previous window) and each
figure's machine value, equal to ``leadline dora --collection NAME --compare previous``;
"No data" is an empty value, never 0. On the fixture org, SQLite or PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.csvtext import safe_cell
from leadline.services import profiles
from leadline.services.ingest import import_records
from tests.correlate.builders import record
from tests.correlate.workflow_case import CATEGORIES, RECORDS, profile_data
from tests.web.html import Page

WINDOW = "from=2024-01-04&to=2024-01-08"
START, END = "2024-01-04", "2024-01-08"
NAMES = ["Acme", "Team A", "Team B", "Team B deploys"]
# metric column → (the dora report's key, its figure's field)
FIGURES = {
    "Deployment frequency": ("deployment_frequency", "per_day"),
    "Lead time for changes": ("lead_time_for_changes", "total_seconds"),
    "Change failure rate": ("change_failure_rate", "rate"),
    "Time to restore": ("mean_time_to_restore", "mean_seconds"),
}


@pytest.fixture
def built(org: Engine, run_cli: Any) -> Engine:
    assert run_cli("refresh").code == 0
    return org


def dora(run_cli: Any, name: str) -> dict[str, Any]:
    result = run_cli("dora", "--collection", name, "--from", START, "--to", END,
                     "--compare", "previous", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def test_org_overview_csv_has_the_page_figures_and_their_values(
    client: TestClient, built: Engine, run_cli: Any
) -> None:
    page = client.get(f"/?{WINDOW}&compare=previous")
    assert page.status_code == 200
    html = Page(page.text)
    links = html.by_id["org-overview-export"].find_all("a")
    assert [a.attrs["aria-label"] for a in links] == [
        "Download DORA metrics by team as CSV",
        "Download DORA metrics by team as JSON",
    ]
    got = client.get(links[0].attrs["href"])
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    parsed = list(csv.reader(io.StringIO(got.text)))
    header, body = parsed[0], parsed[1:]
    assert header[0] == "Team"
    for title in FIGURES:
        assert header[header.index(title) + 1] == f"{title} (value)"
    table = html.by_id["org-overview"]
    shown = [
        [" ".join("".join(c.shown).split()) for c in tr.children if c.tag in ("th", "td")]
        for tr in table.find_all("tbody")[0].find_all("tr")
    ]
    values = {i for i, h in enumerate(header) if h.endswith(" (value)")}
    assert [[c for i, c in enumerate(r) if i not in values] for r in body] == [
        [safe_cell(c) for c in r] for r in shown
    ]
    assert sum(1 for r in body for i in values if r[i]) >= 8, body  # figures, not only gaps
    for name, row in zip(NAMES, body, strict=True):
        assert row[0].startswith(name), row[0]  # the team, then its profile
        report = dora(run_cli, name)
        for title, (key, figure) in FIGURES.items():
            i = header.index(title)
            section = report[key]
            want = section.get(figure)
            if key == "lead_time_for_changes" and not section["changes"]:
                want = None
            text, value = row[i], row[i + 1]
            if want is None:  # no data is an empty value, never 0
                assert value == "" and "No data" in text, (name, title, row)
            else:
                assert float(value) == pytest.approx(want, rel=1e-9), (name, title)
            if section.get("band") and want is not None:
                assert section["band"].capitalize() in text or section["band"] in text, text
        deploys = report["deployment_frequency"]["deployments"]
        assert f"{deploys} deployment" in row[header.index("Deployment frequency")]
        assert "was" in " ".join(row) or "not enough data" in " ".join(row).lower(), row


def test_lead_time_by_category_downloads_with_seconds(client: TestClient, engine: Engine) -> None:
    """The overview's category table (records: ``tests/correlate/workflow_case.py``): WF-1
    (Hotfix) 60 + 60 + 60 min; WF-2 (Defect) 30 + 60 + 0 min; WF-3 (Feature) never deployed,
    so its cells say "No data"/"—" and its values are empty, not 0."""
    import_records(engine, [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
                            for r in RECORDS])  # fmt: skip
    profiles.put(engine, "Workflow", profile_data(categories=CATEGORIES))
    page = client.get("/p/Workflow?from=2024-05-01&to=2024-05-02")
    assert page.status_code == 200
    links = Page(page.text).by_id["lead-time-by-category-table-export"].find_all("a")
    got = client.get(links[0].attrs["href"])
    assert got.status_code == 200
    assert list(csv.reader(io.StringIO(got.text))) == [
        ["Category", "Changes", "Total", "Total (value)", "Rating", "Coding", "Coding (value)",
         "Review", "Review (value)", "Deploy", "Deploy (value)"],
        ["Hotfix", "1", "3h", "10800.0", "no target", "1h", "3600.0", "1h", "3600.0", "1h",
         "3600.0"],
        ["Defect", "1", "1h 30m", "5400.0", "no target", "30m", "1800.0", "1h", "3600.0", "0s",
         "0.0"],
        ["Feature", "0", "No data", "", "no target", "—", "", "—", "", "—", ""],
    ]  # fmt: skip
