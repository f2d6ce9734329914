"""Lead time by type and the what-if in a real browser, on the demo organisation: both pages
render with no request leaving the machine and no console error, axe-core (WCAG 2.1 A/AA and
best practice) finds nothing at laptop and phone widths, a group's changes link opens exactly
that many changes, and the screenshots ``lead-time-by-type.png`` and ``compare.png`` land in
``test-artifacts/browser``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, PHONE, Watch, launch, serving, shoot
from tests.web.test_a11y import AXE, OURS, axe_violations

pytestmark = pytest.mark.slow

A, B = "Ticket to production", "Checkout — revert PRs"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("demo")
    with fresh_db_url(tmp) as url, serving(url, "demo", "--serve", log=tmp / "demo.log",
                                           timeout=180) as base:  # fmt: skip
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE} (LEADLINE_TEST_AXE names another axe.min.js)")
    with launch() as chromium:
        yield chromium


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_by_type_and_compare_pages(browser: Any, demo: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    context.add_init_script(path=str(AXE))
    watch = Watch(context)
    page = context.new_page()
    suffix = "" if viewport == LAPTOP else "-phone"
    violations: list[str] = []

    page.goto(f"{demo}/c/Acme")
    page.click("#lead-time-reports a")  # the overview links the page
    assert page.locator("h1").inner_text() == "Lead time by type"
    violations += axe_violations(page, OURS)
    shoot(page, f"lead-time-by-type{suffix}")
    first = page.locator("#lead-time-by-group tbody tr").first
    count = int(first.locator("td a").first.inner_text())
    first.locator("td a").first.click()
    assert int(page.locator("#count").inner_text()) == count

    for by in ("priority", "label", "project"):
        page.goto(f"{demo}/c/Acme/lead-time?by={by}")
        violations += axe_violations(page, OURS)

    page.goto(f"{demo}/compare?profile={quote(A)}&profile={quote(B)}")
    assert page.locator("h1").inner_text().startswith("What-if:")
    violations += axe_violations(page, OURS)
    shoot(page, f"compare{suffix}")
    page.goto(f"{demo}/p/{quote(A)}")
    violations += axe_violations(page, OURS)  # the overview with its what-if form
    page.select_option("#compare-with", B)  # the overview's what-if form, no script
    page.click("#lead-time-reports button")
    assert page.locator("h1").inner_text() == f"What-if: {A} vs {B}"
    watch.check(demo)
    context.close()
    assert not violations, "axe found:\n" + "\n".join(violations)
