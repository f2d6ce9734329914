"""The *Restored* drill-down through the real ASGI app: per ticket (or incident), when its
clock started and stopped and which rule picked each time (dora.restore, docs/dora.md)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.domain.parse import parse_object
from leadline.services import profiles
from leadline.services.ingest import import_records
from tests.services.test_dora_restore import INCIDENTS, TICKETS
from tests.web.html import Page

WINDOW = "from=2024-03-01&to=2024-03-08&interval=week&stat=mean"
STAGES = [{"name": "Deployed", "event": "cd_completed"}]


def _page(client: TestClient, engine: Engine, restore: dict[str, object]) -> Page:
    records = [parse_object(r, "test", n) for n, r in enumerate(INCIDENTS + TICKETS)]
    import_records(engine, records)
    profiles.put(engine, "Ops", {"stages": STAGES, "dora": {"restore": restore}})
    response = client.get(f"/p/Ops/incidents?{WINDOW}")
    assert response.status_code == 200, response.text[:500]
    return Page(response.text)


def test_ticket_rows_name_the_rules(client: TestClient, engine: Engine) -> None:
    page = _page(client, engine, {"source": "issues", "start_statuses": ["In Progress"],
                                  "stop_statuses": ["Resolved", "Done", "Closed"]})  # fmt: skip
    rows = {r[1]: (r[2], r[4], r[5]) for r in page.rows()}
    assert rows == {  # time to restore, started by, stopped by
        "INC-1": ("7h", "entered In Progress", "entered Resolved again, after a reopen"),
        "INC-2": ("2h", "entered In Progress", "entered Done"),
        "INC-3": ("5h", "created (never entered a start status)", "entered Resolved"),
    }
    still_open = page.by_id["open"].find_all("tbody")[0].find_all("tr")
    cells = [[td.text for td in tr.find_all("td")] for tr in still_open]
    assert [(c[1], c[3], c[5]) for c in cells] == [
        ("INC-4", "entered In Progress", "not in a stop status (now Reopened)")
    ]


def test_incident_rows_from_the_acknowledgement(client: TestClient, engine: Engine) -> None:
    page = _page(client, engine, {"start": "acknowledged", "priorities": ["P1"]})
    rows = {r[1]: (r[2], r[4], r[5]) for r in page.rows()}
    assert rows == {  # A: 10:10 → 11:00; C: 00:30 → 06:00
        "pagerduty/A": ("50m", "acknowledged", "resolved"),
        "pagerduty/C": ("5h 30m", "acknowledged", "resolved"),
    }
