"""Table downloads on the demo organisation, over real HTTP and in a real browser.

The walk (as ``test_a11y.walk``: from ``/`` and the pages of ``SEEDS`` — lead time by type,
the what-if comparison of two demo profiles, the flow reports and their drill-downs — at most
two pages of each kind) checks every ``<table>`` of every page, with no exception: it has an
``id``, a "Download: CSV · JSON" line under it, and its CSV parses (csv module) to exactly
the cells the page shows (read by the tests' own HTML reader; each value column against the
cells' ``data-value``). Chart value tables inside a closed ``<details>`` are checked as well.

In Chromium (Debian's, headless; skipped without it): a click on a download link of the org
overview (``/``, table ``org-overview``) gives a file (``expect_download``) whose CSV is the
table's cells as the browser shows them (innerText) plus each figure's value column; a
screenshot goes to ``test-artifacts/browser/export-org-overview.png``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from math import isclose
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx
import pytest

from leadline.csvtext import safe_cell
from leadline.demo.org import CHECKOUT_PROFILE, PR_PROFILE, TICKET_PROFILE
from tests.conftest import fresh_db_url
from tests.web.chromium import CHROMIUM, LAPTOP, launch, serving, shoot
from tests.web.html import Element, Page
from tests.web.test_a11y import kind_of

pytestmark = pytest.mark.slow

# Pages the walk starts from besides ``/`` (the overview links to some of them only through
# a form, the what-if comparison): every kind of dashboard page with tables.
SEEDS = [
    "/c/Acme/lead-time?by=type",
    f"/compare?profile={quote(TICKET_PROFILE)}&profile={quote(PR_PROFILE)}",
    f"/compare?profile={quote(TICKET_PROFILE)}&profile={quote(CHECKOUT_PROFILE)}",  # same changes
    "/c/Acme/time-in-status",
    "/c/Acme/time-in-status/issues",
    "/c/Acme/pr-lead-time",
    "/c/Acme/pr-lead-time/prs",
]
# The kinds of page test_a11y's walk does not name (it calls them collection overviews).
MORE_KINDS = [
    ("lead time groups", r"^/[cp]/.+/lead-time(\?|$)"),
    ("what-if", r"^/compare\?"),
    ("flow drill-down", r"^/[cp]/.+/(time-in-status/issues|pr-lead-time/prs)(\?|$)"),
    ("flow", r"^/[cp]/.+/(time-in-status|pr-lead-time)(\?|$)"),
]


def kind(url: str) -> str | None:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    found = next((k for k, pattern in MORE_KINDS if re.search(pattern, target)), None)
    return found or kind_of(url)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``leadline demo --serve``, once for the module."""
    tmp = tmp_path_factory.mktemp("demo")
    with fresh_db_url(tmp) as url, serving(url, "demo", "--serve", log=tmp / "demo.log",
                                           timeout=180) as base:  # fmt: skip
        yield base


def walk(base: str) -> dict[str, str]:
    """URL → HTML of the pages met from ``/``, at most two of each kind."""
    opened: dict[str, str] = {}
    per_kind: dict[str, int] = {}
    queue = [base + "/", *(base + s for s in SEEDS)]
    seen = set(queue)
    with httpx.Client(timeout=60) as http:
        while queue:
            url = queue.pop(0)
            what = kind(url)
            if what is None or what == "docs" or per_kind.get(what, 0) >= 2:
                continue
            got = http.get(url)
            assert got.status_code == 200, url
            opened[url] = got.text
            per_kind[what] = per_kind.get(what, 0) + 1
            for href, _ in Page(got.text).links():
                link = urljoin(url, href).split("#")[0]
                if urlsplit(link).netloc == urlsplit(base).netloc and link not in seen:
                    seen.add(link)
                    queue.append(link)
    return opened


def text(cell: Element) -> str:
    return " ".join("".join(cell.shown).split())


def shown(table: Element) -> tuple[list[str], list[list[Element]]]:
    head = table.find_all("thead")[0].find_all("tr")[-1]
    body = [tr for b in table.find_all("tbody") for tr in b.find_all("tr")]
    cells = [[c for c in tr.children if c.tag in ("td", "th")] for tr in body]
    return [text(c) for c in head.children if c.tag == "th"], cells


def expected_csv(table: Element) -> list[list[str]]:
    """The page's cells, each value column after its column (``web/export.py``'s rule)."""
    header, rows = shown(table)
    valued = {i for r in rows for i, c in enumerate(r) if "data-value" in c.attrs}
    out = [[x for i, h in enumerate(header) for x in ([h, f"{h} (value)"] if i in valued else [h])]]
    for r in rows:
        line: list[str] = []
        for i, c in enumerate(r):
            line += [text(c), c.attrs.get("data-value", "")] if i in valued else [text(c)]
        out.append([safe_cell(x) for x in line])
    return out


def same(got: list[list[str]], want: list[list[str]]) -> bool:
    """Equal cell for cell; a value column's numbers to 1 part in 1,000: a bucket not over
    yet (the demo's last week) is a rate over the time so far, so the download, rendered a
    moment after the page, may differ in its last digits (its text, rounded, does not)."""
    if len(got) != len(want) or got[:1] != want[:1]:
        return False
    valued = {i for i, h in enumerate(want[0]) if h.endswith(" (value)")}
    for g, w in zip(got[1:], want[1:], strict=True):
        if len(g) != len(w):
            return False
        for i, (a, b) in enumerate(zip(g, w, strict=True)):
            if a != b and not (
                i in valued and a and b and isclose(float(a), float(b), rel_tol=1e-3)
            ):
                return False
    return True


def test_every_table_downloads_as_the_page_shows_it(demo: str) -> None:
    pages = walk(demo)
    kinds = {kind(u) for u in pages}
    assert kinds >= {"index", "collection overview", "drill-down", "change", "lead time groups",
                     "what-if", "flow", "flow drill-down"}, kinds  # fmt: skip
    checked: dict[str, int] = {}
    with httpx.Client(timeout=60) as http:
        for url, html in pages.items():
            page = Page(html)
            for table in page.root.find_all("table"):
                table_id = table.attrs.get("id")
                assert table_id, f"{url}: a table without an id"
                links = page.by_id[f"{table_id}-export"].find_all("a")
                got = http.get(urljoin(url, links[0].attrs["href"]))
                assert got.status_code == 200, (url, table_id)
                parsed = list(csv.reader(io.StringIO(got.text)))
                assert same(parsed, expected_csv(table)), (url, table_id, parsed)
                checked[table_id] = checked.get(table_id, 0) + 1
    print(f"checked {sum(checked.values())} tables: {checked}")
    wanted = {"org-overview", "lead-time-stages", "lead_time-values", "lead-time-trend-values",
              "lead-time-by-group", "lead-time-by-group-stages", "compare-by-stage",
              "compare-changes-table", "time-in-status-table", "time-in-status-issues",
              "pr-lead-time-stages", "pr-lead-time-trend", "pr-lead-time-prs",
              "records"}  # fmt: skip
    assert wanted <= set(checked), wanted - set(checked)


def test_a_click_downloads_the_table(demo: str, tmp_path: Path) -> None:
    """Acceptance: the org overview's download parses as CSV with the figures the page shows
    (team, each metric's value, band, samples, change vs previous: the cells' text), and
    each figure's machine value in the column after it."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with launch() as browser:
        context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{demo}/?compare=previous")
        link = page.get_by_role("link", name="Download DORA metrics by team as CSV")
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename.startswith("index-org-overview-")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        parsed = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = [
            " ".join(t.split()) for t in page.locator("#org-overview thead th").all_inner_texts()
        ]
        rows = [
            [" ".join(t.split()) for t in row.locator("th, td").all_inner_texts()]
            for row in page.locator("#org-overview tbody tr").all()
        ]
        assert len(rows) >= 6, "the demo has Acme and its teams"
        values = [i for i, h in enumerate(parsed[0]) if h.endswith(" (value)")]
        assert len(values) >= 4, parsed[0]  # one per metric column
        assert [h for i, h in enumerate(parsed[0]) if i not in values] == header
        assert [[c for i, c in enumerate(r) if i not in values] for r in parsed[1:]] == [
            [safe_cell(c) for c in r] for r in rows
        ]
        assert any(" vs " in c or "previous" in c.lower() or "%" in c for r in rows for c in r)
        for r in parsed[1:]:  # a value is a number, or empty where the page says no figure
            for i in values:
                assert r[i] == "" or float(r[i]) >= 0, (r[0], parsed[0][i], r[i])
        link.focus()  # the link by keyboard: focused, with its accessible name
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
            "Download DORA metrics by team as CSV"
        )
        shoot(page, "export-org-overview")
        context.close()
