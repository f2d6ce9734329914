"""The dashboard's pages are safe to open: security headers on every page, everything
escaped, nothing inline for the Content-Security-Policy to refuse, and bad input answered with
a 4xx page — never a 5xx."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import collections
from tests.web.html import Page

WINDOW = "from=2024-01-01&to=2024-03-01"
PAGES = ["/", "/c/Acme", "/c/Acme/deployments", "/c/Acme/failures", "/c/Acme/incidents",
         "/c/Acme/changes", "/c/Team%20A/changes/A-1", "/p/Team%20flow",
         "/c/Acme/time-in-status", "/c/Acme/time-in-status/issues", "/c/Acme/pr-lead-time",
         "/c/Acme/pr-lead-time/prs"]  # fmt: skip
HOSTILE = '<script>alert("x")</script>'


def assert_secure(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_secure_and_self_contained(
    client: TestClient, org: Engine, path: str
) -> None:
    response = client.get(f"{path}?{WINDOW}")
    assert response.status_code == 200, response.text[:300]
    assert_secure(response)
    html = response.text
    # Nothing inline for the policy to refuse: scripts and styles come from /static.
    assert all(' src="/static/' in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    for url in re.findall(r'(?:href|src|action)="([^"]*)"', html):
        assert url.startswith(("/", "#")), url  # the server's own pages only


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/c/Nope", 404, "no collection named 'Nope'"),
        ("/p/Nope", 404, "no profile named 'Nope'"),
        ("/c/Nope/deployments", 404, "no collection"),
        ("/c/Acme/changes/NOPE-1", 404, "no change 'NOPE-1'"),
        ("/c/Acme%00", 404, "no such name"),
        ("/c/Acme/changes/A%001", 404, "no such change"),
        ("/c/Acme?from=bad", 422, "from: not a date or RFC 3339 time"),
        ("/c/Acme?to=2024-13-01", 422, "to: not a valid date"),
        ("/c/Acme?from=2024-01-01T10:00:00", 422, "from:"),
        ("/c/Acme?from=2024-03-01&to=2024-01-01", 422, "is not before"),
        ("/c/Acme?interval=year", 422, "interval: expected one of day, week, month"),
        ("/c/Acme?stat=p99", 422, "stat: expected one of"),
        ("/c/Acme?from=1990-01-01&to=2024-01-01&interval=day", 422, "choose a larger interval"),
        ("/c/Acme?from=9999-12-30", 422, "representable dates"),
        ("/c/Acme?to=0001-01-02", 422, "representable dates"),
        ("/c/Acme/deployments?offset=-1", 422, "offset: must not be negative"),
        ("/c/Acme/deployments?offset=x", 422, "offset: expected a whole number"),
        ("/c/Acme/changes?stage=Nope", 422, "no stage named 'Nope'"),
        ("/c/Acme/changes?stage=CI&which=all-of-them", 422, "which: expected one of"),
        ("/p/Team%20flow?from=" + "9" * 5000, 422, "from:"),
    ],
)  # fmt: skip
def test_bad_input_is_a_page_not_a_crash(
    client: TestClient, org: Engine, url: str, status: int, says: str
) -> None:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert_secure(response)
    assert says in Page(response.text).by_id["message"].text


def test_names_and_records_are_escaped(client: TestClient, org: Engine) -> None:
    collections.put(org, HOSTILE, {"profile": "Team flow", "parent": "Acme",
                                   "filters": {"projects": ["<b>A</b>"]},
                                   "description": "<img src=x onerror=alert(1)>"})  # fmt: skip
    index = client.get("/")
    assert index.status_code == 200
    assert HOSTILE not in index.text and "<b>A</b>" not in index.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in index.text
    page = Page(index.text)
    href = next(h for h, text in page.links() if text == HOSTILE)
    assert href.startswith("/c/%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E?")
    overview = client.get(href)  # a name with "/" in it works too
    assert overview.status_code == 200, overview.text[:300]
    assert HOSTILE not in overview.text and Page(overview.text).by_id["title"].text == HOSTILE
    for drill in ("deployments", "changes"):
        response = client.get(href.replace("?", f"/{drill}?"))
        assert response.status_code == 200 and HOSTILE not in response.text


def test_the_picker_redirect_is_secure(client: TestClient, org: Engine) -> None:
    response = client.get("/?subject=c:Acme", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/c/Acme"
    assert_secure(response)
    # Only our own paths: a subject cannot send the browser elsewhere.
    elsewhere = client.get("/?subject=c://evil.example/x", follow_redirects=False)
    assert elsewhere.headers.get("location", "/").startswith("/c/")


def test_static_files_come_from_the_package(client: TestClient) -> None:
    page = client.get("/")
    css = re.search(r'href="(/static/dashboard\.css\?v=[0-9a-f]+)"', page.text)
    assert css is not None
    response = client.get(css.group(1))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["x-content-type-options"] == "nosniff"
    plain = client.get("/static/favicon.svg")
    assert plain.status_code == 200 and "immutable" not in plain.headers["cache-control"]
    assert plain.headers["content-type"].startswith("image/svg+xml")
    for missing in ("/static/nope.css", "/static/..%2Fweb%2F__init__.py", "/static/"):
        assert client.get(missing).status_code == 404, missing


def test_a_static_file_revalidates_with_304(client: TestClient) -> None:
    first = client.get("/static/favicon.svg")
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    for given in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get("/static/favicon.svg", headers={"If-None-Match": given})
        assert again.status_code == 304, given
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert again.headers["x-content-type-options"] == "nosniff"
    changed = client.get("/static/favicon.svg", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.content == first.content


def test_the_api_is_untouched(client: TestClient, org: Engine) -> None:
    """The dashboard does not open the JSON API: it still wants a key."""
    assert client.get("/v1/collections").status_code == 401
    assert client.get("/v1/nope").json()["error"]["code"] == "not_found"
    assert "/" not in client.get("/openapi.json").json()["paths"]
