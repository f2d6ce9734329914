"""``LEADLINE_DASHBOARD_AUTH=key``: the dashboard needs a read key (HTTP Basic password), and
a key limited to a collection sees that collection and those under it, nothing else."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"me:{key}".encode()).decode()}


@pytest.fixture
def locked(db_url: str, org: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, dashboard_auth="key"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_the_dashboard_asks_for_a_read_key(locked: TestClient, org: Engine) -> None:
    asked = locked.get("/c/Acme")
    assert asked.status_code == 401
    assert asked.headers["www-authenticate"].startswith('Basic realm="leadline"')
    assert "text/html" in asked.headers["content-type"]
    assert locked.get("/c/Acme", headers=basic("ll_nope_nope")).status_code == 401
    ingest = create(org, "ci", "ingest")
    assert locked.get("/c/Acme", headers=basic(ingest)).status_code == 403
    read = create(org, "me", "read")
    assert locked.get("/c/Acme", headers=basic(read)).status_code == 200
    assert locked.get("/c/Acme", headers={"Authorization": f"Apikey {read}"}).status_code == 200
    assert locked.get("/static/dashboard.css").status_code == 200  # no secret in a stylesheet


def test_a_team_key_sees_its_collections_only(locked: TestClient, org: Engine) -> None:
    team = basic(create(org, "team-b", "read", collection="Team B"))
    assert locked.get("/c/Team%20B", headers=team).status_code == 200
    assert locked.get(f"/c/{quote('Team B deploys')}/deployments", headers=team).status_code == 200
    for path in ("/c/Acme", "/c/Team%20A", "/c/Team%20A/changes", "/p/Team%20flow",
                 "/c/Team%20A/time-in-status", "/c/Team%20A/pr-lead-time/prs"):  # fmt: skip
        assert locked.get(path, headers=team).status_code == 404, path
    index = locked.get("/", headers=team).text
    assert "Team B deploys" in index and "Team A" not in index and "Acme" not in index


def test_open_by_default(client: TestClient, org: Any) -> None:
    assert client.get("/c/Acme").status_code == 200


def test_every_page_takes_the_viewer_explicitly() -> None:
    """Fails closed: a page sees only what its viewer may see because it is handed the viewer
    (``find_subject`` and ``navigation`` require one), not through ambient state a change of
    the page's signature or threading could lose. Every dashboard page but the static files
    declares it; a new page without it fails this test."""
    from fastapi.routing import APIRoute

    from leadline.web import KINDS, compare, drill, flow, pages, quality, reports, views
    from leadline.web.auth import viewer

    routers = [pages.router, views.router, compare.router] + [
        make(kind)
        for kind in KINDS
        for make in (
            pages.subject_router,
            drill.subject_router,
            quality.subject_router,
            flow.subject_router,
            reports.subject_router,
        )
    ]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 1 + 2 * 8  # index; per kind the overview, quality, 6 drill-downs
    for route in routes:
        calls = [d.call for d in route.dependant.dependencies]
        assert viewer in calls, f"{route.path} does not take the viewer"


def test_the_subject_and_the_picker_need_a_viewer() -> None:
    import inspect

    from leadline.web.pages import navigation
    from leadline.web.params import Viewer, find_subject

    for needs in (find_subject, navigation):
        who = inspect.signature(needs).parameters["who"]
        assert who.default is inspect.Parameter.empty, needs.__name__  # no "unlimited" default
    with pytest.raises(TypeError):
        Viewer()  # type: ignore[call-arg]  # who looks is always said, never assumed


def test_the_api_and_the_dashboard_apply_one_rule(locked: TestClient, org: Engine) -> None:
    """A key limited to a collection reads the same collections through the API as it sees
    on the dashboard (``services.apikeys.can_read`` decides both), and no profile."""
    from leadline.services.apikeys import can_read

    key = create(org, "team-b", "read", collection="Team B")
    apikey = {"Authorization": f"Apikey {key}"}
    for name in ("Acme", "Team A", "Team B", "Team B deploys", "team b"):
        allowed = can_read(org, "Team B", name)
        api = locked.get(f"/v1/collections/{quote(name)}", headers=apikey)
        page = locked.get(f"/c/{quote(name)}", headers=basic(key))
        assert (api.status_code == 200) is allowed, (name, api.status_code)
        assert (page.status_code == 200) is allowed, (name, page.status_code)
        assert api.status_code in (200, 403) and page.status_code in (200, 404), name
    assert not can_read(org, "Team B", None)
    assert locked.get("/v1/profiles", headers=apikey).status_code == 403
    assert locked.get("/p/Team%20flow", headers=basic(key)).status_code == 404
    assert can_read(org, None, "Acme") and can_read(org, None, None)
