"""The dashboard shows a people-based team's members (with their dates, ``to`` exclusive) on
the home page (its own members) and on its overview (its effective members, inherited or
its own)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import collections, contributors
from tests.web.html import Page


def _tags(html: str, within: str | None = None) -> list[str]:
    root = Page(html).root
    if within is not None:
        found = [e for e in root.find_all("p") if e.attrs.get("id") == within]
        assert found, f"no #{within}"
        root = found[0]
    return [e.text for e in root.find_all("span") if e.attrs.get("class") == "tag"]


def test_members_read_with_their_dates(client: TestClient, org: Engine) -> None:
    contributors.put(org, "Ana", {"identities": ["ana"]})
    contributors.put(org, "Bo <dev>", {"identities": ["bo"]})
    members = [{"contributor": "Ana", "from": "2026-01-01", "to": "2026-04-01"},
               {"contributor": "Bo <dev>"}]  # fmt: skip
    collections.put(org, "Pay", {"profile": "Team flow", "parent": "Acme", "members": members})
    collections.put(org, "Pay ops", {"parent": "Pay"})
    index = client.get("/")
    assert index.status_code == 200 and "Bo <dev>" not in index.text  # escaped
    assert "people: 2 (Ana (2026-01-01 → 2026-04-01), Bo <dev>)" in _tags(index.text)
    overview = client.get("/c/Pay")
    assert overview.status_code == 200, overview.text[:300]
    assert _tags(overview.text, "members") == ["Ana (2026-01-01 → 2026-04-01)", "Bo <dev>"]
    assert "(members inherited)" not in overview.text
    child = client.get("/c/Pay%20ops")
    assert child.status_code == 200, child.text[:300]
    assert _tags(child.text, "members") == ["Ana (2026-01-01 → 2026-04-01)", "Bo <dev>"]
    assert "People-based team (members inherited)" in child.text


def test_a_team_without_members_shows_none(client: TestClient, org: Engine) -> None:
    overview = client.get("/c/Acme")
    assert overview.status_code == 200
    assert 'id="members"' not in overview.text
