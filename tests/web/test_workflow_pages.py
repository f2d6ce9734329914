"""The dashboard under ``workflow_order: enforce``: the changes page lists the out-of-order
change apart with its reason, and that change's page says why it is excluded (records:
``tests/correlate/workflow_case.py``; WF-2 was deployed at 10:15, before its merge at 10:30)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from leadline.services.ingest import import_records
from tests.correlate.builders import record
from tests.correlate.workflow_case import CATEGORIES, RECORDS, profile_data
from tests.web.html import Page

WINDOW = "from=2024-05-01&to=2024-05-02"
REASON = "out of order (stage Deploy before stage Review)"


def get(client: TestClient, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:500])
    return Page(response.text)


def test_enforce_shows_the_excluded_change_and_why(client: TestClient, engine: Engine) -> None:
    import_records(engine, [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
                            for r in RECORDS])  # fmt: skip
    data = profile_data(workflow_order="enforce", categories=CATEGORIES)
    profiles.put(engine, "Workflow", data)
    changes = get(client, f"/p/Workflow/changes?{WINDOW}")
    assert [row[0] for row in changes.rows()] == ["WF-1"]
    excluded = changes.by_id["excluded"].text
    assert "Left out, out of order: 1" in excluded
    assert "WF-2" in excluded and f"excluded: {REASON}" in excluded
    two = get(client, f"/p/Workflow/changes/WF-2?{WINDOW}")
    assert two.by_id["excluded"].text == f"Excluded: {REASON} (workflow_order: enforce)"
    assert two.by_id["category"].text == "Category: Defect"
    one = get(client, f"/p/Workflow/changes/WF-1?{WINDOW}")
    assert "excluded" not in one.by_id and one.by_id["category"].text == "Category: Hotfix"


def test_the_overview_shows_lead_time_by_category(client: TestClient, engine: Engine) -> None:
    # Default switches: WF-1 (Hotfix) 60 + 60 + 60 min; WF-2 (Defect) 30 + 60 + 0 min (its
    # early deployment counts 0); WF-3 (Feature) was never deployed, so it does not count.
    import_records(engine, [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
                            for r in RECORDS])  # fmt: skip
    profiles.put(engine, "Workflow", profile_data(categories=CATEGORIES))
    page = get(client, f"/p/Workflow?{WINDOW}")
    section = page.by_id["lead-time-by-category"]
    heads = [th.text for th in section.find_all("th")]
    assert heads[:7] == ["Category", "Changes", "Total", "Rating", "Coding", "Review", "Deploy"]
    assert heads[7:] == ["Hotfix", "Defect", "Feature"]  # the row headers, in profile order
    assert page.rows("lead-time-by-category") == [
        ["1", "3h", "no target", "1h", "1h", "1h"],  # the stages have no ideal/acceptable
        ["1", "1h 30m", "no target", "30m", "1h", "0s"],
        ["0", "No data", "no target", "—", "—", "—"],
    ]


def test_no_category_section_without_categories(client: TestClient, engine: Engine) -> None:
    import_records(engine, [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
                            for r in RECORDS])  # fmt: skip
    profiles.put(engine, "Workflow", profile_data())
    page = get(client, f"/p/Workflow?{WINDOW}")
    assert "lead-time-by-category" not in page.by_id
    assert "lead-time-by-stage" in page.by_id
