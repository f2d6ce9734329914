"""The organisation overview in a real browser, on the demo: a screenshot
(``test-artifacts/browser/overview.png``), sorting by keyboard alone (Tab to a column's
heading, Enter), and axe-core finding nothing on the sorted page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, Watch, launch, serving, shoot
from tests.web.test_a11y import AXE, OURS, axe_violations

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("orgdemo")
    with fresh_db_url(tmp) as url, serving(url, "demo", "--serve", log=tmp / "demo.log",
                                           timeout=180) as base:  # fmt: skip
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium


def test_the_overview_sorts_by_keyboard_and_passes_axe(browser: Any, demo: str) -> None:
    context = browser.new_context(viewport=LAPTOP)
    if AXE.exists():
        context.add_init_script(path=str(AXE))
    watch = Watch(context)
    page = context.new_page()
    page.goto(demo + "/")
    rows = page.locator("#org-overview tbody tr")
    assert rows.count() == 7
    assert page.locator("#org-overview tbody th a").first.inner_text() == "Acme"
    shoot(page, "overview")
    page.locator("body").focus()
    for _ in range(200):  # Tab until the lead time heading has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Lead time for changes":
            break
    else:
        raise AssertionError("Tab never reached the lead time heading")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=lead_time**")
    heading = page.locator("#org-overview th[aria-sort]")
    assert heading.get_attribute("aria-sort") == "ascending"
    assert "Lead time" in heading.inner_text()
    values = page.evaluate(
        """() => [...document.querySelectorAll('#org-overview tbody tr')].map(
             tr => tr.querySelectorAll('td')[1].querySelector('a.value').textContent.trim())"""
    )
    assert len(values) == 7 and "No data" not in values[:-1]
    shoot(page, "overview-sorted")
    if AXE.exists():
        violations = axe_violations(page, OURS)
        page.goto(demo + "/?sort=change_failure_rate&order=desc&compare=none")
        violations += axe_violations(page, OURS)
        assert not violations, "axe found:\n" + "\n".join(violations)
    watch.check(demo)
    context.close()
