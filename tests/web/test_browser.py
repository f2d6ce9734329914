"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright, against
a real ``leadline serve`` process. Opens the dashboard, switches collection and date range,
follows a drill-down to one change; checks that every request the pages make goes to the
server itself, that the browser reports no error (a Content-Security-Policy violation is
one), and that the overview does not scroll sideways on a phone. Screenshots (laptop 1366×768
and phone 390×844) go to ``test-artifacts/browser/``.

Never downloads a browser: without ``/usr/bin/chromium`` (``apt-get install chromium``, as
``scripts/check`` does) the tests are skipped and say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.chromium import LAPTOP, PHONE, Watch, launch, serving, shoot
from tests.web.conftest import COLLECTIONS

WINDOW = "from=2024-01-01&to=2024-03-01"
BANDS = {"Elite", "High", "Medium", "Low"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium


@pytest.fixture
def fixture_server(db_url: str, run_cli: Any, tmp_path: Path) -> Iterator[str]:
    assert run_cli("import", str(COLLECTIONS / "records.ndjson")).code == 0
    assert run_cli("apply", str(COLLECTIONS / "org.yaml")).code == 0
    with serving(db_url, "serve", "--no-access-log", log=tmp_path / "serve.log") as base:
        yield base


def _no_sideways_scroll(page: Any) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} scrolls sideways on a phone: {width} > {viewport}"


def test_pick_a_collection_and_a_range_then_drill_down_to_one_change(
    browser: Any, fixture_server: str
) -> None:
    base = fixture_server
    context = browser.new_context(viewport=LAPTOP)
    watch = Watch(context)
    page = context.new_page()
    page.goto(base + "/")
    assert page.locator("#org-overview tbody th a").all_inner_texts()[:2] == ["Acme", "Team A"]
    shoot(page, "index-laptop")

    # Choosing a collection shows it when asked to ("Show": a select never navigates).
    page.select_option("#subject", "c:Acme")
    page.click("#show")
    page.wait_for_url("**/c/Acme?**")
    assert page.locator("#title").inner_text() == "Acme"

    # A date range: the window of the fixture.
    page.fill("#from", "2024-01-01")
    page.fill("#to", "2024-03-01")
    page.click("#show")
    page.wait_for_url("**/c/Acme?from=2024-01-01&to=2024-03-01**")
    deployments = page.locator("#deployment_frequency dd a").first
    assert deployments.inner_text() == "7"
    assert page.locator("#deployment_frequency .badge").inner_text() in BANDS
    assert page.locator("#lead-time-by-stage table.stages tbody tr").count() == 4
    shoot(page, "overview-laptop")

    # Another collection keeps the range.
    page.select_option("#subject", "c:Team A")
    page.click("#show")
    page.wait_for_url("**/c/Team%20A?from=2024-01-01&to=2024-03-01**")
    assert page.locator("#deployment_frequency dd a").first.inner_text() == "4"

    # A preset range: the 30 days before the same end.
    page.get_by_role("link", name="30 days").click()
    page.wait_for_url("**from=2024-01-31&to=2024-03-01**")
    shown = page.locator("#lead_time dd a").first.inner_text()

    # Drill down: the changes behind lead time, then one change.
    page.locator("#lead_time dd a").first.click()
    page.wait_for_url("**/c/Team%20A/changes?**")
    assert page.locator("#count").inner_text() == shown
    back = page.url
    page.goto(back.replace("from=2024-01-31", "from=2024-01-01"))
    assert page.locator("#records tbody tr").count() == 5
    shoot(page, "changes-laptop")
    page.locator("#records tbody a", has_text="A-1").click()
    page.wait_for_url("**/c/Team%20A/changes/A-1?**")
    assert page.locator("#change").inner_text() == "A-1"
    steps = page.locator("#timeline li")
    assert steps.count() == 5
    page.locator("#timeline details summary").nth(2).click()
    assert "A-1 change" in page.locator("#timeline details pre").nth(2).inner_text()
    shoot(page, "change-laptop")

    # The failures behind the change failure rate.
    page.goto(f"{base}/c/Team%20A?{WINDOW}")
    page.locator("#change_failure_rate .value").click()
    page.wait_for_url("**/failures?**")
    assert page.locator("#count").inner_text() == "2"
    assert page.locator("#records tbody tr").count() == 2
    context.close()
    watch.check(base)


def test_readable_on_a_phone(browser: Any, fixture_server: str) -> None:
    base = fixture_server
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    watch = Watch(context)
    page = context.new_page()
    for path, name in ((f"/c/Acme?{WINDOW}", "overview-phone"),
                       (f"/c/Acme/changes?{WINDOW}", "changes-phone"),
                       (f"/c/Team%20A/changes/A-1?{WINDOW}", "change-phone"),
                       ("/", "index-phone")):  # fmt: skip
        page.goto(base + path)
        shoot(page, name)
        _no_sideways_scroll(page)
    # The widgets stack in one column.
    page.goto(f"{base}/c/Acme?{WINDOW}")
    boxes = [
        page.locator(f"#{key}").bounding_box()
        for key in ("deployment_frequency", "lead_time", "change_failure_rate")
    ]
    assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    context.close()
    watch.check(base)


def test_the_demo_dashboard(browser: Any, db_url: str, tmp_path: Path) -> None:
    """Acceptance: after ``leadline demo --serve`` the dashboard shows the four metrics with
    bands, lead time by stage and the trends, and every number links to its records; the
    overview links to the data-quality page, which has findings with linked examples."""
    if not _has_demo():
        pytest.skip("leadline demo is not available in this build")
    log = tmp_path / "demo.log"
    with serving(db_url, "demo", "--serve", log=log, timeout=180) as base:
        for viewport, suffix in ((LAPTOP, "laptop"), (PHONE, "phone")):
            context = browser.new_context(viewport=viewport)
            watch = Watch(context)
            page = context.new_page()
            page.goto(base + "/")
            page.locator("#org-overview tbody a", has_text="Acme").first.click()
            page.wait_for_url("**/c/Acme?**")
            for key in ("deployment_frequency", "lead_time", "change_failure_rate",
                        "mean_time_to_restore"):  # fmt: skip
                widget = page.locator(f"#{key}")
                assert widget.locator(".badge").inner_text() in BANDS
                assert widget.locator("rect.bar").count() >= 12  # a trend: 13 weeks
                for fact in widget.locator("dd").all():
                    if re.search(r"\d", fact.inner_text()):
                        assert fact.locator("a").count() == 1, (key, fact.inner_text())
            assert page.locator("#lead-time-by-stage table.stages tbody tr").count() >= 5
            shoot(page, f"demo-overview-{suffix}")
            if suffix == "phone":
                _no_sideways_scroll(page)
            failures = page.locator("#change_failure_rate dd a").first
            count = failures.inner_text()
            failures.click()
            page.wait_for_url("**/c/Acme/failures?**")
            assert page.locator("#count").inner_text() == count
            assert page.locator("#records tbody tr").count() == int(count) > 0
            shoot(page, f"demo-failures-{suffix}")
            page.go_back()
            page.locator("#quality-link").click()
            page.wait_for_url("**/c/Acme/quality?**")
            counts = page.locator("#checks tbody td.num").all_inner_texts()
            assert len(counts) >= 11 and any(c not in ("0", "—") for c in counts), counts
            assert page.locator("section.check table a").count() > 0  # examples link
            shoot(page, f"demo-quality-{suffix}")
            if suffix == "phone":
                _no_sideways_scroll(page)
            context.close()
            watch.check(base)


def _has_demo() -> bool:
    import importlib.util

    return importlib.util.find_spec("leadline.cli.demo_cmd") is not None


def test_api_docs_render_from_this_server_only(browser: Any, fixture_server: str) -> None:
    """``/docs`` (Swagger UI from the package) renders every operation with no request to
    another host and no console error: a Content-Security-Policy violation would be one."""
    context = browser.new_context(viewport=LAPTOP)
    watch = Watch(context)
    page = context.new_page()
    page.goto(f"{fixture_server}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 20
    assert "leadline" in page.locator(".title").first.inner_text()
    shoot(page, "api-docs")
    watch.check(fixture_server)
    context.close()
