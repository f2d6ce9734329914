"""Accessibility in a real browser: axe-core (from the npm registry) on every page of the
dashboard, at phone and laptop widths, on the demo organisation; and the overview by keyboard
alone.

axe runs with the WCAG 2.0 and 2.1 A and AA rules (``wcag2a, wcag2aa, wcag21a, wcag21aa``) on
each kind of page the demo reaches from ``/`` (the tree, overviews of a collection and of a
profile, every drill-down, a stage's samples and missing changes, one change, data quality),
plus the API docs, the "no collections yet" index, the page shown while a profile's figures
are built, and the error pages (404, 422). Any violation fails with the rule, its impact, the
elements (CSS selectors) and the page's URL.

axe-core is not vendored: ``scripts/check`` installs its pinned version into ``.cache/axe``
(``LEADLINE_TEST_AXE`` names another ``axe.min.js``); without it these tests are skipped and
say how to install it, as they are without Chromium.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from leadline.errors import NotReady
from leadline.web.render import building_page
from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, PHONE, launch, serving

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(
    os.environ.get("LEADLINE_TEST_AXE", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js")
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

if not AXE.exists():
    pytest.skip(
        f"no axe-core at {AXE}: `bash scripts/check` installs it (npm install --no-save "
        "--prefix .cache/axe axe-core@VERSION, the version pinned there); "
        "LEADLINE_TEST_AXE names another axe.min.js",
        allow_module_level=True,
    )
pytestmark = pytest.mark.slow

# Each kind of page, from its path (and query); the walk opens the first two of each.
KINDS = [
    ("docs", r"^/docs$"),
    ("change", r"^/[cp]/.+/changes/[^/]+$"),
    ("stage changes", r"^/[cp]/.+/changes\?.*\bstage="),
    ("drill-down", r"^/[cp]/.+/(deployments|failures|incidents|changes|quality)(\?|$)"),
    ("profile overview", r"^/p/[^?]+"),
    ("collection overview", r"^/c/[^?]+"),
    ("index", r"^/(\?|$)"),
]
WALKED = {"index", "collection overview", "profile overview", "drill-down", "stage changes",
          "change"}  # fmt: skip
DRILLS = ("deployments", "failures", "incidents", "changes", "quality")


def kind_of(url: str) -> str | None:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return next((k for k, pattern in KINDS if re.search(pattern, target)), None)


def axe_violations(page: Any) -> list[str]:
    """axe's WCAG A/AA violations on the page as it is, one line per element."""
    results = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.map(n => n.target.join(" "))}));
           }""",
        TAGS,
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: {target}"
        for v in results
        for target in v["targets"]
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``leadline demo --serve``, once for the module."""
    tmp = tmp_path_factory.mktemp("demo")
    with fresh_db_url(tmp) as url, serving(url, "demo", "--serve", log=tmp / "demo.log",
                                           timeout=180) as base:  # fmt: skip
        yield base


def new_context(browser: Any, viewport: dict[str, int]) -> Any:
    """A context that loads axe into every page (an init script: the pages' policy allows no
    inline script, and needs not be loosened for it)."""
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    context.add_init_script(path=str(AXE))
    return context


def walk(page: Any, base: str) -> dict[str, list[str]]:
    """From ``/``, follow same-site links breadth first; open at most two pages of each kind
    (and a kind's links only from those). Returns the URLs opened, by kind."""
    opened: dict[str, list[str]] = {}
    queue = [base + "/"]
    seen = set(queue)
    while queue:
        url = queue.pop(0)
        kind = kind_of(url)
        if kind is None or len(opened.setdefault(kind, [])) >= 2:
            continue
        page.goto(url)
        opened[kind].append(url)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            link = urljoin(url, href).split("#")[0]
            if urlsplit(link).netloc == urlsplit(base).netloc and link not in seen:
                seen.add(link)
                queue.append(link)
    return opened


def axe_on_building_page(page: Any, base: str) -> list[str]:
    """The page a profile's first build shows (it cannot be caught on a running server: the
    demo builds in seconds), rendered by the server's own code and shown in the browser at
    the server's origin, so that it gets the real stylesheet."""
    html = bytes(building_page(NotReady("Acme", 12_000, 73_000)).body)
    url = f"{base}/c/Acme/building-page"
    page.route(url, lambda route: route.fulfill(status=202, body=html,
                                                content_type="text/html; charset=utf-8"))  # fmt: skip
    page.goto(url)
    assert page.locator("#message").inner_text().startswith("The figures of profile")
    return axe_violations(page)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_axe_finds_nothing_on_any_page(
    browser: Any, demo: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    context = new_context(browser, viewport)
    page = context.new_page()
    opened = walk(page, demo)
    assert WALKED <= set(opened), f"the walk missed some kinds of page: {sorted(opened)}"
    urls = [u for kind in sorted(opened) for u in opened[kind]]
    acme = f"{demo}/c/Acme"
    urls += [f"{acme}/{d}" for d in DRILLS]  # every drill-down, whatever the walk met first
    # The error pages (404, 422). A path outside the dashboard and /docs is the JSON API's.
    urls += [f"{demo}/docs", f"{demo}/c/No%20such%20team", f"{demo}/p/No%20such%20profile",
             f"{acme}?from=yesterday", f"{acme}/changes/NO-SUCH-CHANGE"]  # fmt: skip
    violations: list[str] = []
    statuses = set()
    for url in urls:
        response = page.goto(url)
        assert response is not None
        statuses.add(response.status)
        if url.endswith("/docs"):
            page.wait_for_selector(".opblock", timeout=20_000)
        violations += axe_violations(page)
    assert statuses == {200, 404, 422}, statuses
    violations += axe_on_building_page(page, demo)
    context.close()
    with fresh_db_url(tmp_path) as url, serving(url, "serve", "--no-access-log",
                                                log=tmp_path / "empty.log") as empty:  # fmt: skip
        context = new_context(browser, viewport)
        page = context.new_page()
        page.goto(empty + "/")
        assert page.locator("h1").inner_text() == "No collections yet"
        violations += axe_violations(page)
        context.close()
    assert not violations, "axe found:\n" + "\n".join(violations)
