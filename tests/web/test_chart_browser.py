"""The overview's charts in a real browser (Debian's Chromium, headless, via Playwright) at
laptop (1366 px) and phone (390 px) widths, on the two-team fixture organisation: the plot
stretches to its card while its tick labels keep their size and shape (no viewBox, text at
percentages), nothing scrolls sideways, no request leaves the server, the browser reports no
error (a Content-Security-Policy violation is one), and axe-core finds nothing on the
overview with every chart's table open. Screenshots: ``test-artifacts/browser/charts-laptop.png``
and ``charts-phone.png``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, PHONE, Watch, launch, serving, shoot
from tests.web.conftest import COLLECTIONS
from tests.web.test_a11y import AXE, axe_violations

PAGE = "/c/Acme?from=2024-01-03&to=2024-02-28&interval=week&stat=mean"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture organisation behind ``leadline serve``, once for the module."""
    tmp = tmp_path_factory.mktemp("charts")
    with fresh_db_url(tmp) as url:
        for args in (["import", str(COLLECTIONS / "records.ndjson")],
                     ["apply", str(COLLECTIONS / "org.yaml")]):  # fmt: skip
            subprocess.run([sys.executable, "-m", "leadline", "--db", url, *args], check=True,
                           capture_output=True)  # fmt: skip
        with serving(url, "serve", "--no-access-log", log=tmp / "serve.log") as base:
            yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium


def label_boxes(page: Any) -> list[dict[str, float]]:
    """The size of each y-axis label as drawn."""
    return list(page.eval_on_selector_all(
        "#chart-lead_time svg.y-axis text",
        "ts => ts.map(t => { const b = t.getBoundingClientRect();"
        " return {w: b.width, h: b.height}; })",
    ))  # fmt: skip


@pytest.mark.parametrize(("viewport", "name"), [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_charts_read_at_both_widths(served: str, browser: Any, viewport: Any, name: str) -> None:
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    watch = Watch(context)
    page = context.new_page()
    page.goto(served + PAGE)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"scrolls sideways: {width} > {inner}"
    boxes = label_boxes(page)
    assert 3 <= len(boxes) <= 5
    # The text keeps its shape: the same height at any width, about a line of .7rem.
    assert all(8 <= b["h"] <= 16 and b["w"] < 60 for b in boxes), boxes
    plot = page.eval_on_selector("#chart-lead_time svg.plot",
                                 "s => { const b = s.getBoundingClientRect();"
                                 " return [b.width, b.height]; }")  # fmt: skip
    assert plot[1] == 120 and plot[0] > 150  # stretched to the card, a fixed height
    assert page.locator("#chart-lead-time-trend svg.plot rect.seg").count() > 0
    shoot(page, f"charts-{name}")
    watch.check(served)
    context.close()


def test_axe_finds_nothing_on_the_overview(served: str, browser: Any) -> None:
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE}: `bash scripts/check` installs it")
    for viewport in (LAPTOP, PHONE):
        context = browser.new_context(viewport=viewport)
        context.add_init_script(path=str(Path(AXE)))
        page = context.new_page()
        page.goto(served + PAGE)
        page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")
        assert axe_violations(page) == []
        context.close()
