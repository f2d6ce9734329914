"""The demo organisation's own profile options on the dashboard: Mobile's overview names the
levels of its own maturity scale (docs/demo.md: a six-week release train is "Steady"), and
Checkout's failures drill-down lists the revert pull requests that made its deployments
failures. Real ASGI app on the loaded demo, SQLite or PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.demo.records import generate
from leadline.services.demo import load_demo
from tests.web.html import Element, Page

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
WINDOW = {"from": "2025-03-04", "to": "2025-06-02", "compare": "none"}


def _get(client: TestClient, path: str) -> Page:
    deadline = time.monotonic() + 60
    while True:  # the server's refresher may build a profile's timelines first (202)
        response = client.get(path, params=WINDOW)
        if response.status_code != 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[:500]
    return Page(response.text)


def _badge(root: Element) -> Element:
    return next(e for e in root.find_all("span") if "badge" in e.attrs.get("class", ""))


def test_mobile_overview_shows_its_own_levels_and_checkout_its_revert_prs(
    client: TestClient, engine: Engine
) -> None:
    load_demo(engine, ANCHOR)
    page = _get(client, "/c/Mobile")
    # By hand from the demo's design: 2 releases in 90 days (0.67 a month, ≥ 0.6: Steady),
    # lead time about 38½ days (≤ 6 weeks: Steady), 1 failure of 2 (exactly the 50 % edge,
    # which belongs to the better level: Watch), restore about 10 days (one to two weeks: Watch).
    expected = {"deployment_frequency": "Steady", "lead_time": "Steady",
                "change_failure_rate": "Watch", "mean_time_to_restore": "Watch"}  # fmt: skip
    for key, level in expected.items():
        assert _badge(page.by_id[key]).text == level, key
    legend = page.by_id["band-legend"]
    assert [e.text for e in legend.find_all("span")] == ["Steady", "Watch", "Behind"]
    # Checkout: a revert for each of the 8 deployments of the window an incident followed
    # (22 % of 42, rounded), and one hotfix-labelled pull request (CHK-726, 2025-05-05) that
    # repairs the deployment before it: 9 failed deployments.
    prs = [r for r in generate(ANCHOR) if r["kind"] == "pull_request"
           and r["repo"].startswith("acme/checkout-")
           and "2025-03-04" <= r["created_at"] < "2025-06-02"]  # fmt: skip
    reverts = [f"{r['repo']}#{r['number']} · {r['title']}" for r in prs
               if r["title"].startswith('Revert "')]  # fmt: skip
    hotfixes = [f"{r['repo']}#{r['number']} · {r['title']}" for r in prs
                if "hotfix" in r["labels"] and "merged_at" in r]  # fmt: skip
    assert (len(reverts), len(hotfixes)) == (8, 1)
    failures = _get(client, "/c/Checkout/failures")
    assert failures.by_id["count"].text == "9"
    repaired = [r[2] for r in failures.rows()]
    for pr in reverts:
        assert sum(f"{pr} [title 'Revert \"*\"']" in text for text in repaired) == 1, pr
    assert sum(f"{hotfixes[0]} [label 'hotfix']" in text for text in repaired) == 1
