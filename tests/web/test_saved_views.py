"""Saved views (the org file's ``views:``): stored by ``leadline apply`` and replaced whole
with the collections, listed by ``GET /v1/views`` and ``leadline views``, drawn at
``/v/NAME`` (the overview restricted to the view's widgets, in their order, with its window
as defaults the query overrides), and seen only by who may see what they show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create
from tests.web.conftest import COLLECTIONS
from tests.web.html import Page
from tests.web.test_dashboard_auth import basic

VIEWS = """
views:
  - name: Team A weekly
    description: The flow of team A
    collection: team a
    widgets: [lead_time_by_stage, change_failure_rate, lead_time]
    range: {last: 30d}
    interval: day
    stat: median
  - name: Team B restore
    collection: Team B deploys
    widgets: [mean_time_to_restore]
  - name: Flow
    profile: Team flow
"""
WEEKLY = "/v/" + quote("Team A weekly")


def org_file(tmp_path: Path, views: str = VIEWS) -> str:
    text = (
        (COLLECTIONS / "org.yaml")
        .read_text()
        .replace("  - team.yaml", f"  - {COLLECTIONS / 'team.yaml'}")
    )
    path = tmp_path / "org.yaml"
    path.write_text(text + views)
    return str(path)


@pytest.fixture
def saved(org: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    result = run_cli("apply", org_file(tmp_path))
    assert result.code == 0, result.err
    assert "views stored: Team A weekly, Team B restore, Flow" in result.out
    return org


def names(run_cli: Any) -> list[str]:
    result = run_cli("views", "list", "--format", "json")
    assert result.code == 0, result.err
    return [v["name"] for v in json.loads(result.out)]


def test_apply_replaces_the_views_whole(saved: Engine, run_cli: Any, tmp_path: Path) -> None:
    assert names(run_cli) == ["Team A weekly", "Team B restore", "Flow"]
    shown = json.loads(run_cli("views", "show", "team a WEEKLY", "--format", "json").out)
    assert shown == {"name": "Team A weekly", "description": "The flow of team A",
                     "collection": "Team A", "profile": None,
                     "widgets": ["lead_time_by_stage", "change_failure_rate", "lead_time"],
                     "range": {"days": 30}, "interval": "day", "stat": "median"}  # fmt: skip
    table = run_cli("views", "show", "Team A weekly").out
    assert "shows:       collection Team A" in table
    assert "defaults:    last 30 days, by day, median" in table
    assert "path:        /v/Team%20A%20weekly" in table
    listed = run_cli("views", "list").out.splitlines()
    assert listed[1] == "Team B restore  [collection Team B deploys]  default window, by week, " \
        "mean  mean_time_to_restore"  # fmt: skip
    assert run_cli("apply", org_file(tmp_path, "views:\n  - {name: Only, profile: Team flow}\n"))
    assert names(run_cli) == ["Only"]
    assert run_cli("apply", org_file(tmp_path, "")).code == 0
    assert names(run_cli) == []
    assert run_cli("views", "list").out.startswith("no views: define them under views:")


def test_a_view_of_an_unknown_collection_or_profile_is_refused(
    saved: Engine, run_cli: Any, tmp_path: Path
) -> None:
    path = org_file(tmp_path, "views:\n  - {name: X, collection: Nope, interval: year}\n"
                              "  - {name: Y, profile: Nope, stat: p99}\n")  # fmt: skip
    result = run_cli("apply", path)
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{path}: views[0].collection: no collection named 'Nope' (give it under " \
        "collections:)" in result.err  # fmt: skip
    assert "views[1].profile: no profile named 'Nope' (give it under profiles:)" in result.err
    assert "views[0].interval: expected one of day, week, month, got 'year'" in result.err
    assert "views[1].stat: expected one of mean, median, p90, p95, got 'p99'" in result.err
    assert names(run_cli) == ["Team A weekly", "Team B restore", "Flow"]  # all or nothing
    unknown = run_cli("views", "show", "Nope")
    assert unknown.code == 2 and unknown.err.strip() == "leadline: error: no view named 'Nope'"


def test_the_api_lists_the_views_a_key_may_see(saved: Engine, client: TestClient) -> None:
    everything = {"Authorization": f"Apikey {create(saved, 'all', 'read')}"}
    team_b = {"Authorization": f"Apikey {create(saved, 'b', 'read', collection='Team B')}"}
    found = client.get("/v1/views", headers=everything).json()["views"]
    assert [v["name"] for v in found] == ["Team A weekly", "Team B restore", "Flow"]
    assert found[0]["path"] == WEEKLY and found[0]["range"] == {"days": 30}
    assert client.get("/v1/views/flow", headers=everything).json()["profile"] == "Team flow"
    mine = client.get("/v1/views", headers=team_b).json()["views"]
    assert [v["name"] for v in mine] == ["Team B restore"]
    assert client.get("/v1/views/team%20b%20RESTORE", headers=team_b).json()["widgets"] == [
        "mean_time_to_restore"
    ]
    for name in ("Team A weekly", "Flow", "Nope"):  # refused alike: nothing learnt
        answer = client.get(f"/v1/views/{quote(name)}", headers=team_b)
        assert answer.status_code == 403, name
        assert answer.json()["error"]["message"] == "this key reads collection 'Team B' only"
    nope = client.get("/v1/views/Nope", headers=everything)
    assert nope.status_code == 404 and nope.json()["error"]["message"] == "no view named 'Nope'"
    assert client.get("/v1/views").status_code == 401


def _order(html: str, ids: list[str]) -> list[int]:
    return [html.index(f'id="{i}"') for i in ids]


def test_a_view_draws_its_widgets_in_order_with_its_defaults(
    saved: Engine, client: TestClient
) -> None:
    answer = client.get(WEEKLY)
    assert answer.status_code == 200, answer.text
    html = answer.text
    page = Page(html)
    assert page.by_id["title"].text == "Team A weekly"
    assert "The flow of team A" in page.by_id["saved-view"].text
    stage, failures, lead = _order(html, ["lead-time-by-stage", "change_failure_rate",
                                          "lead_time"])  # fmt: skip
    assert stage < failures < lead
    for absent in ("deployment_frequency", "mean_time_to_restore", "lead-time-by-category"):
        assert f'id="{absent}"' not in html
    # The defaults: the last 30 days (ending at the end of today), by day, the median.
    end = datetime.now(UTC).date() + timedelta(days=1)
    assert page.by_id["from"].attrs["value"] == (end - timedelta(days=30)).isoformat()
    assert page.by_id["to"].attrs["value"] == end.isoformat()
    assert "by day" in page.by_id["about"].text
    assert "Median" in page.by_id["lead-time-by-stage"].text
    # The window's own links keep /v/NAME; the drill-downs go to the collection's pages.
    presets = [a.attrs["href"] for a in page.by_id["main"].find_all("a")
               if a.parent is not None and a.parent.attrs.get("class") == "presets"]  # fmt: skip
    assert presets and all(h.startswith(WEEKLY + "?") for h in presets)
    compared = [a.attrs["href"] for a in page.by_id["compared"].find_all("a")]
    assert compared and all(h.startswith(WEEKLY + "?") for h in compared)
    assert any(h.startswith("/c/Team%20A/changes?") for h, _ in page.links())


def test_the_query_overrides_the_view(saved: Engine, client: TestClient) -> None:
    page = Page(client.get(WEEKLY + "?interval=week&stat=p90&from=2024-01-01&to=2024-03-01").text)
    assert "by week" in page.by_id["about"].text
    assert "P90" in page.by_id["lead-time-by-stage"].text
    assert page.by_id["from"].attrs["value"] == "2024-01-01"
    assert page.by_id["to"].attrs["value"] == "2024-03-01"
    only_to = Page(client.get(WEEKLY + "?to=2024-03-01").text)  # the view's range is replaced
    assert only_to.by_id["from"].attrs["value"] == "2023-12-02"  # every report's 90 days
    bad = client.get(WEEKLY + "?interval=year")
    assert bad.status_code == 422 and "interval: expected one of day, week, month" in bad.text


def test_every_header_lists_the_views(saved: Engine, client: TestClient) -> None:
    for path in ("/", "/c/Acme", "/p/Team%20flow", "/c/Acme/deployments", WEEKLY):
        nav = [n for n in Page(client.get(path).text).root.find_all("nav")
               if n.attrs.get("aria-label") == "Saved views"]  # fmt: skip
        assert len(nav) == 1, path
        hrefs = [a.attrs["href"] for a in nav[0].find_all("a")]
        assert hrefs == [WEEKLY, "/v/" + quote("Team B restore"), "/v/Flow"], path
    flow = client.get("/v/Flow").text
    assert "Deployment rework rate: not measured (profile" in " ".join(flow.split())
    assert "not measured" not in client.get("/p/Team%20flow").text
    current = Page(flow)
    marked = [a.text for a in current.root.find_all("a") if a.attrs.get("aria-current")]
    assert "Flow" in marked


def test_a_view_whose_collection_is_gone_is_a_404_page(
    saved: Engine, client: TestClient, run_cli: Any
) -> None:
    assert run_cli("collection", "delete", "Team A").code == 0
    answer = client.get(WEEKLY)
    assert answer.status_code == 404 and "text/html" in answer.headers["content-type"]
    assert "shows collection &#39;Team A&#39;, which no longer exists" in answer.text
    assert client.get("/v/Nope").status_code == 404
    assert client.get("/v/Flow").status_code == 200
    assert run_cli("profile", "delete", "--force", "Team flow").code == 0
    gone = client.get("/v/" + quote("Team B restore"))  # the collection is there, not its profile
    assert gone.status_code == 404 and "no profile named &#39;Team flow&#39;" in gone.text
    assert "shows profile &#39;Team flow&#39;, which no longer exists" in client.get("/v/Flow").text


def test_put_org_stores_the_views(saved: Engine, client: TestClient) -> None:
    admin = {"Authorization": f"Apikey {create(saved, 'admin', 'admin')}"}
    profile = yaml.safe_load((COLLECTIONS / "team.yaml").read_text())
    org = {"profiles": [profile], "collections": [{"name": "Solo", "profile": "Team flow"}],
           "views": [{"name": "Solo", "collection": "solo", "widgets": ["lead_time"]}]}  # fmt: skip
    answer = client.put("/v1/org", json=org, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["views"] == ["Solo"]
    found = client.get("/v1/views", headers=admin).json()["views"]
    assert [(v["name"], v["collection"]) for v in found] == [("Solo", "Solo")]
    org["views"] = [{"name": "Bad", "collection": "Solo", "widgets": ["lead_time", "nope"]}]
    bad = client.put("/v1/org", json=org, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith(
        "body: views[0].widgets[1]: unknown widget 'nope' (expected deployment_frequency, "
    )


@pytest.fixture
def locked(db_url: str, saved: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, dashboard_auth="key"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_team_key_sees_its_views_only(locked: TestClient, saved: Engine) -> None:
    team = basic(create(saved, "team-b", "read", collection="Team B"))
    assert locked.get("/v/" + quote("Team B restore"), headers=team).status_code == 200
    for path in (WEEKLY, "/v/Flow"):
        assert locked.get(path, headers=team).status_code == 404, path
    header = locked.get("/c/Team%20B", headers=team).text
    assert "Team B restore" in header and "Team A weekly" not in header
    assert 'href="/v/Flow"' not in header
