"""A saved view in a real browser: ``/v/NAME`` on a ``leadline serve`` of the two-team org
with views, at laptop and phone widths — axe finds nothing (WCAG 2.1 AA and best practice),
the header's views are reachable by keyboard, no request leaves the machine — and its
screenshot (test-artifacts/browser/view.png)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, PHONE, Watch, launch, serving, shoot
from tests.web.conftest import COLLECTIONS
from tests.web.test_a11y import axe_violations, new_context
from tests.web.test_saved_views import org_file

pytestmark = pytest.mark.slow
VIEWS = """
views:
  - name: Team A in January
    description: The flow of team A at the start of 2024
    collection: Team A
    widgets: [lead_time_by_stage, change_failure_rate, lead_time, deployment_frequency]
    range: {from: 2024-01-01, to: 2024-02-01}
    interval: week
    stat: median
  - name: Flow
    profile: Team flow
"""


@pytest.fixture(scope="module")
def axe() -> Path:
    from tests.web.test_a11y import AXE as found

    if not found.exists():
        pytest.skip(f"no axe-core at {found}: `bash scripts/check` installs it")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("views")
    with fresh_db_url(tmp) as url:
        for args in (("import", str(COLLECTIONS / "records.ndjson")),
                     ("apply", org_file(tmp, VIEWS)), ("refresh",)):  # fmt: skip
            done = subprocess.run([sys.executable, "-m", "leadline", "--db", url, *args],
                                  capture_output=True, text=True, check=False)  # fmt: skip
            assert done.returncode == 0, done.stderr
        with serving(url, "serve", "--no-access-log", log=tmp / "serve.log") as base:
            yield base


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_view_in_the_browser(
    axe: Path, server: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    with launch() as browser:
        context = new_context(browser, viewport, axe)
        watch = Watch(context)
        page = context.new_page()
        answer = page.goto(f"{server}/v/Team%20A%20in%20January")
        assert answer is not None and answer.status == 200
        assert page.locator("h1").inner_text() == "Team A in January"
        order = page.eval_on_selector_all(
            "#lead-time-by-stage, .widget", "els => els.map(e => e.id)"
        )
        assert order == ["lead-time-by-stage", "change_failure_rate", "lead_time",
                         "deployment_frequency"]  # fmt: skip
        assert page.locator("#from").input_value() == "2024-01-01"
        violations = axe_violations(page)
        if viewport == LAPTOP:
            shoot(page, "view")
            # The header's views, by keyboard: Tab reaches the current view (marked), then
            # the next one, and Enter opens it.
            focused = "document.activeElement.closest('.saved-views') ? " \
                "document.activeElement.textContent : null"  # fmt: skip
            seen = []
            for _ in range(40):
                page.keyboard.press("Tab")
                name = page.evaluate(focused)
                if name:
                    seen.append(name)
                if name == "Flow":
                    break
            assert seen == ["Team A in January", "Flow"]
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.url == f"{server}/v/Flow"
            violations += axe_violations(page)
        watch.check(server)
        missing = page.goto(f"{server}/v/No%20such%20view")  # the error page (404)
        assert missing is not None and missing.status == 404
        violations += axe_violations(page)
        context.close()
    assert not violations, "axe found:\n" + "\n".join(violations)
