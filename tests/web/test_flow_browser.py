"""The flow pages in a real browser on the demo organisation: time in status and PR lead time
by stage (screenshots ``time-in-status.png`` and ``pr-lead-time.png``), and a drill-down of
each, pass axe-core (WCAG 2.1 A and AA, best practice), request nothing from another host, and
the demo has the status history and reviews they need (their figures are not "No data")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, Watch, launch, serving, shoot
from tests.web.test_a11y import AXE, axe_violations, new_context

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("flow-demo")
    log = tmp / "demo.log"
    with fresh_db_url(tmp) as url, serving(url, "demo", "--serve", log=log, timeout=180) as base:
        yield base


def test_flow_pages_in_the_browser(demo: str) -> None:
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE} (LEADLINE_TEST_AXE names another axe.min.js)")
    with launch() as browser:
        context = new_context(browser, LAPTOP, Path(AXE))
        watch = Watch(context)
        page: Any = context.new_page()
        problems: list[str] = []
        titles = {"time-in-status": "Time in status", "pr-lead-time": "PR lead time by stage"}
        for name, title in titles.items():
            page.goto(f"{demo}/c/Acme/{name}")
            assert page.locator("#title").inner_text() == title
            shoot(page, name)
            problems += axe_violations(page)
        page.goto(f"{demo}/c/Acme/time-in-status")
        assert "No data" not in page.locator("#time-in-status").inner_text()
        page.locator("#time-in-status-table a").first.click()
        assert page.locator("#time-in-status-issues tbody tr").count() > 0
        problems += axe_violations(page)
        page.goto(f"{demo}/c/Acme/pr-lead-time")
        assert page.locator("#pr-lead-time-stages").inner_text().count("No data") == 0
        page.locator("#pr-lead-time-stages a").first.click()
        assert page.locator("#pr-lead-time-prs tbody tr").count() > 0
        problems += axe_violations(page)
        page.goto(f"{demo}/c/Acme")
        page.locator("#flow-links a").first.click()
        assert page.url.startswith(f"{demo}/c/Acme/time-in-status")
        watch.check(demo)
        context.close()
    assert not problems, "\n".join(problems)
