"""The dashboard shows a collection's filters of conditions as written (escaped), on the
home page (its own filters) and on its overview (its effective filters)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import collections
from tests.web.html import Page


def _tags(html: str) -> list[str]:
    return [e.text for e in Page(html).root.find_all("span") if e.attrs.get("class") == "tag"]


def test_conditions_read_as_written(client: TestClient, org: Engine) -> None:
    filters = {"repositories": {"not": ["acme/b"], "starts_with": ["acme/"]},
               "pipelines": {"regex": "^deploy-<b>$"}}  # fmt: skip
    collections.put(org, "Pay", {"profile": "Team flow", "parent": "Acme", "filters": filters})
    index = client.get("/")
    assert index.status_code == 200 and "<b>$" not in index.text
    tags = _tags(index.text)
    assert "repositories: {not: [acme/b], starts_with: [acme/]}" in tags
    assert "pipelines: {regex: [^deploy-<b>$]}" in tags  # the text, escaped in the HTML
    overview = client.get("/c/Pay")
    assert overview.status_code == 200, overview.text[:300]
    # Its own filters, and Acme's projects it inherits.
    assert _tags(overview.text) == [
        "projects: A, B",
        "repositories: {not: [acme/b], starts_with: [acme/]}",
        "pipelines: {regex: [^deploy-<b>$]}",
    ]
