"""Accessibility in a real browser: axe-core (from the npm registry) on every page of the
dashboard, at phone and laptop widths, on the demo organisation; and every kind of page by
keyboard alone.

axe runs with the WCAG 2.0 and 2.1 A and AA rules (``wcag2a, wcag2aa, wcag21a, wcag21aa``) on
each kind of page the demo reaches from ``/`` (``KINDS``: the organisation overview, sorted
too; overviews of a collection, a profile and the demo's saved view; every drill-down, a
stage's samples and missing changes, one change, data quality; lead time by each grouping;
time in status and its issues; PR lead time and its pull requests), plus what-if (a form,
opened by URL), the API docs, the "no collections yet" index, the page shown while a
profile's figures are built, and the error pages (404, 422). The dashboard's own pages also
pass axe's best-practice rules (landmarks, heading order, …); the API docs, Swagger UI's
layout, only the WCAG ones. Any violation fails with the rule, its impact, the elements (CSS
selectors) and the page's URL. At phone width, with every ``<details>`` open, no page is
wider than the phone but for labelled regions that scroll by themselves (WCAG 1.4.10). The
first page of each kind is shot at each width (``a11y-KIND-WIDTH.png``).

axe-core is not vendored: ``scripts/check`` installs its pinned version into ``.cache/axe``
(``LEADLINE_TEST_AXE`` names another ``axe.min.js``); without it the axe tests are skipped
and say how to install it, as they are without Chromium.

By keyboard, on the same demo server, on a page of each kind (``TABBED``) at both widths: Tab
reaches every control and link in the order they are seen, each with a visible focus ring;
and the picker works by keyboard alone without navigating before "Show".
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from leadline.errors import NotReady
from leadline.store.timeline_groups import GROUPINGS
from leadline.web.render import building_page
from tests.conftest import fresh_db_url
from tests.web.chromium import LAPTOP, PHONE, launch, serving, shoot

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(
    os.environ.get("LEADLINE_TEST_AXE", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js")
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OURS = [*TAGS, "best-practice"]  # pages whose markup is ours

pytestmark = pytest.mark.slow

# Each kind of page, from its path (and query); the walk opens the first two of each.
KINDS = [
    ("docs", r"^/docs$"),
    ("change", r"^/[cp]/.+/changes/[^/]+$"),
    ("stage changes", r"^/[cp]/.+/changes\?.*\bstage="),
    ("issues in a status", r"^/[cp]/.+/time-in-status/issues(\?|$)"),
    ("pull requests", r"^/[cp]/.+/pr-lead-time/prs(\?|$)"),
    ("time in status", r"^/[cp]/.+/time-in-status(\?|$)"),
    ("PR lead time", r"^/[cp]/.+/pr-lead-time(\?|$)"),
    ("lead time by group", r"^/[cp]/.+/lead-time(\?|$)"),
    ("compare", r"^/compare\?"),
    ("drill-down", r"^/[cp]/.+/(deployments|failures|incidents|changes|quality|excluded)(\?|$)"),
    ("saved view", r"^/v/."),
    ("profile overview", r"^/p/[^?]+"),
    ("collection overview", r"^/c/[^?]+"),
    ("index", r"^/(\?|$)"),
]
# Every kind the demo links to from `/` (what-if is a form: its page is opened by URL).
WALKED = {kind for kind, _ in KINDS} - {"docs", "compare"}
DRILLS = ("deployments", "failures", "incidents", "changes", "quality")
PROFILES = "profile=Ticket%20to%20production&profile=PR%20to%20production"
VIEW = "/v/Payments%20weekly"  # the demo's saved view


def kind_of(url: str) -> str | None:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return next((k for k, pattern in KINDS if re.search(pattern, target)), None)


def axe_violations(page: Any, tags: list[str] = OURS) -> list[str]:
    """axe's violations of the rules ``tags`` select on the page as it is, one line per
    element."""
    results = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.map(n => n.target.join(" "))}));
           }""",
        tags,
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
def axe() -> Path:
    if not AXE.exists():
        pytest.skip(
            f"no axe-core at {AXE}: `bash scripts/check` installs it (npm install --no-save "
            "--prefix .cache/axe axe-core@VERSION, the version pinned there); "
            "LEADLINE_TEST_AXE names another axe.min.js"
        )
    return AXE


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``leadline demo --serve``, once for the module."""
    tmp = tmp_path_factory.mktemp("demo")
    with fresh_db_url(tmp) as url, serving(url, "demo", "--serve", log=tmp / "demo.log",
                                           timeout=180) as base:  # fmt: skip
        yield base


def new_context(browser: Any, viewport: dict[str, int], axe: Path) -> Any:
    """A context that loads axe into every page (an init script: the pages' policy allows no
    inline script, and needs not be loosened for it)."""
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    context.add_init_script(path=str(axe))
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
            if re.search(r"[?&]format=", link):
                continue  # an export link (a file, not a page): test_export's
            if urlsplit(link).netloc == urlsplit(base).netloc and link not in seen:
                seen.add(link)
                queue.append(link)
    return opened


def too_wide(page: Any) -> list[str]:
    """With every ``<details>`` open, what makes the page wider than the phone (WCAG 1.4.10,
    reflow): only a labelled region that scrolls by itself (``.table-wrap``, the
    organisation's table) may be."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    found = page.evaluate(
        """(width) => [...document.querySelectorAll('main *')]
             .filter(e => e.getBoundingClientRect().right > width + 0.5
                          && !e.closest('[role=region], section[aria-label]'))
             .map(e => e.tagName + (e.id ? '#' + e.id : ''))""",
        PHONE["width"],
    )
    return [f"{page.url}: wider than the phone: {e}" for e in found[:3]]


def axe_on_building_page(page: Any, base: str) -> list[str]:
    """The page a profile's first build shows (it cannot be caught on a running server: the
    demo builds in seconds), rendered by the server's own code and shown in the browser at
    the server's origin, so that it gets the real stylesheet."""
    html = bytes(building_page(NotReady("Acme", 12_000, 73_000)).body)
    url = f"{base}/c/Acme/building-page"
    kind = "text/html; charset=utf-8"
    page.route(url, lambda route: route.fulfill(status=202, body=html, content_type=kind))
    page.goto(url)
    assert page.locator("#message").inner_text().startswith("The figures of profile")
    return axe_violations(page)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_axe_finds_nothing_on_any_page(
    axe: Path, browser: Any, demo: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    context = new_context(browser, viewport, axe)
    page = context.new_page()
    opened = walk(page, demo)
    assert set(opened) >= WALKED, f"the walk missed some kinds of page: {sorted(opened)}"
    urls = [u for kind in sorted(opened) for u in opened[kind]]
    acme = f"{demo}/c/Acme"
    urls += [f"{acme}/{d}" for d in DRILLS]  # every drill-down, whatever the walk met first
    urls.append(f"{acme}/excluded")  # what the exclude rules took out (linked when rules exist)
    urls.append(f"{acme}?compare=previous")  # each widget compared with the previous window
    urls.append(f"{demo}/?sort=lead_time&order=desc")  # the organisation overview, sorted
    urls += [f"{acme}/lead-time?by={by}" for by in GROUPINGS]  # the demo has no categories
    urls.append(f"{demo}/compare?{PROFILES}")  # what-if: two profiles side by side
    urls += [f"{acme}/time-in-status/issues", f"{acme}/pr-lead-time/prs", demo + VIEW]
    # The error pages (404, 422). A path outside the dashboard and /docs is the JSON API's.
    urls += [f"{demo}/docs", f"{demo}/c/No%20such%20team", f"{demo}/p/No%20such%20profile",
             f"{acme}?from=yesterday", f"{acme}/changes/NO-SUCH-CHANGE"]  # fmt: skip
    violations: list[str] = []
    statuses = set()
    shots: set[str] = set()
    name = "phone" if viewport == PHONE else "laptop"
    for url in urls:
        response = page.goto(url)
        assert response is not None
        statuses.add(response.status)
        if url.endswith("/docs"):
            page.wait_for_selector(".opblock", timeout=20_000)
        violations += axe_violations(page, TAGS if url.endswith("/docs") else OURS)
        shot = f"a11y-{kind_of(url) or 'error'}-{name}".replace(" ", "-")
        if shot not in shots and response.status == 200:
            shots.add(shot)  # the first page of each kind, as it is seen
            shoot(page, shot)
        if viewport == PHONE and not url.endswith("/docs"):
            violations += too_wide(page)
    assert statuses == {200, 404, 422}, statuses
    violations += axe_on_building_page(page, demo)
    context.close()
    with fresh_db_url(tmp_path) as url, serving(url, "serve", "--no-access-log",
                                                log=tmp_path / "empty.log") as empty:  # fmt: skip
        context = new_context(browser, viewport, axe)
        page = context.new_page()
        page.goto(empty + "/")
        assert page.locator("h1").inner_text() == "No collections yet"
        violations += axe_violations(page)
        context.close()
    assert not violations, "axe found:\n" + "\n".join(violations)


# Every element Tab should stop at, in document order: visible (a closed <details> hides its
# contents) and not taken out of the tab order.
FOCUSABLE = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled
               && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}))
  .map((e, i) => { e.dataset.stop = i; return i; })"""
# Where the focus is: its stop, where it starts and ends (its first and last line box: a link
# may wrap; left as if no box were scrolled sideways: focus scrolls a wide table), its table
# cell (cells of a row are read left to right, however their text wraps), its card
# (the block read as one: a card, the header, the heading, the footer, or else its parent),
# its focus ring.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e.dataset.stop === undefined) return null;
  let dx = 0;
  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) dx += p.scrollLeft;
  const rects = e.getClientRects(), style = getComputedStyle(e);
  const edge = r => ({top: r.top + scrollY, left: r.left + dx, bottom: r.bottom + scrollY});
  const all = e.getBoundingClientRect();
  const card = e.closest('.card, .top, .heading, .foot') || e.parentElement;
  const c = card.getBoundingClientRect(), cell = e.closest('td, th');
  return {stop: Number(e.dataset.stop), start: edge(rects[0] || all),
          end: edge(rects[rects.length - 1] || all),
          cell: cell && edge(cell.getBoundingClientRect()),
          card: [c.top + scrollY, c.left], name: e.tagName + ' ' + (e.id || e.textContent.trim()),
          ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== 'none'};
}"""


def tab_through(page: Any) -> list[dict[str, Any]]:
    """Press Tab from the top until the focus leaves the page; each stop once (a date field
    takes a Tab for each of its parts)."""
    page.locator("body").focus()
    stops: list[dict[str, Any]] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED)
        if now is None:
            break
        if not stops or stops[-1]["stop"] != now["stop"]:
            stops.append(now)
    return stops


def read_after(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Is ``b`` seen after ``a``: in the same card, to the right of where ``a`` ends on the
    same line (their boxes overlap vertically) or below it; in another card, one below or to
    the right of ``a``'s (cards are read row by row)."""
    if a["card"] != b["card"]:
        return tuple(b["card"]) > tuple(a["card"])
    last, first = a["end"], b["start"]  # a's last line box, b's first
    if a["cell"] and b["cell"] and a["cell"] != b["cell"]:
        last, first = a["cell"], b["cell"]
    same_line = last["top"] < first["bottom"] and first["top"] < last["bottom"]
    return first["left"] > last["left"] if same_line else first["top"] > last["top"]


# A page of each kind, and what Tab must meet on it (besides the skip link, first).
TABBED = {
    "overview": ("/c/Acme", ["SELECT subject", "SUMMARY"]),
    "organisation": ("/", ["SECTION ", "A Team", "SUMMARY Collections"]),  # SECTION: its table
    "lead time by type": ("/c/Acme/lead-time?by=type", ["A Priority"]),
    "what-if": (f"/compare?{PROFILES}", ["A swap", "DIV "]),  # DIV: a table scrolling sideways
    "time in status": ("/c/Acme/time-in-status", ["A PR lead time by stage"]),
    "PR lead time": ("/c/Payments/pr-lead-time", ["A Time in status"]),
    "saved view": (VIEW, ["A the whole overview of Payments"]),
    "drill-down": ("/c/Payments/incidents", ["A ← Payments"]),
}


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("path, meets", TABBED.values(), ids=TABBED)
def test_tab_reaches_every_control_in_order_with_a_ring(
    browser: Any, demo: str, path: str, meets: list[str], viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(demo + path)
    expected = page.evaluate(FOCUSABLE)
    stops = tab_through(page)
    reached = [s["stop"] for s in stops]
    names = [s["name"] for s in stops]
    assert reached == expected, f"Tab skips or reorders controls: {names}"
    assert names[0] == "A Skip to the content"
    missing = [m for m in meets if not any(n.startswith(m) for n in names)]
    assert not missing, f"Tab never reaches {missing}: {names}"
    assert not [s["name"] for s in stops if not s["ring"]], "focus not visible"
    out_of_order = [
        (a["name"], b["name"]) for a, b in itertools.pairwise(stops) if not read_after(a, b)
    ]
    assert not out_of_order, f"Tab goes back up the page: {out_of_order}"
    context.close()


def test_a_charts_table_opens_from_the_keyboard(browser: Any, demo: str) -> None:
    """Its links then take their turn."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(demo + "/c/Acme")
    summary = page.locator("#lead_time summary")
    summary.focus()
    page.keyboard.press("Enter")
    rows = page.locator("#lead_time details tbody tr")
    assert rows.count() >= 12 and rows.first.locator("a").first.is_visible()
    context.close()


def test_the_picker_by_keyboard_alone(browser: Any, demo: str) -> None:
    """Arrow keys change a select and nothing else: the page stays until "Show"."""
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    page = context.new_page()
    page.goto(demo + "/c/Acme")
    start = page.url
    page.locator("#subject").focus()
    page.keyboard.press("ArrowDown")
    chosen = page.eval_on_selector("#subject", "s => s.selectedOptions[0].textContent.trim()")
    assert chosen != "Acme"
    page.locator("#interval").focus()
    page.keyboard.press("ArrowDown")  # week → month
    page.locator("#from").focus()
    page.keyboard.type("09012026")  # mm dd yyyy, the en-US order of the date field
    page.wait_for_timeout(500)
    assert page.url == start, "a select navigated by itself"
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "show":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/c/**interval=month**")
    assert page.locator("#title").inner_text() == chosen
    assert "from=2026-09-01" in page.url
    # A preset range, by keyboard too.
    before = page.url
    page.locator(".presets a", has_text="30 days").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url != before)
    assert "from=2026-09-01" not in page.url and page.locator("#title").inner_text() == chosen
    context.close()
