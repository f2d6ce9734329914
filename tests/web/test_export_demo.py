"""Table downloads on the demo organisation, over real HTTP and in a real browser.

The walk (as ``test_a11y.walk``: from ``/``, at most two pages of each kind) checks every
``<table>`` of every page: it has an ``id``, a "Download: CSV · JSON" line under it, and its
CSV parses (csv module) to exactly the cells the page shows (read by the tests' own HTML
reader; each value column against the cells' ``data-value``). The only tables left out are
those of ``SKIPPED``: the charts' value tables (``templates/_macros.html``) and the overview's
lead-time tables, whose links are wired when the chart work is merged (then it is emptied).

In Chromium (Debian's, headless; skipped without it): a click on a download link gives a file
(``expect_download``) whose CSV is the table's cells as the browser shows them (innerText);
a screenshot goes to ``test-artifacts/browser/export-incidents.png``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from leadline.csvtext import safe_cell
from tests.conftest import fresh_db_url
from tests.web.chromium import CHROMIUM, LAPTOP, launch, serving, shoot
from tests.web.html import Element, Page
from tests.web.test_a11y import kind_of

pytestmark = pytest.mark.slow

# Tables without download links yet, by what they are: emptied when they get them.
SKIPPED = {
    "chart values": lambda t: t.inside("details"),  # templates/_macros.html bar_chart
    "overview stages": lambda t: "stages" in t.attrs.get("class", "").split(),  # overview.html
}


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
    queue = [base + "/"]
    seen = set(queue)
    with httpx.Client(timeout=60) as http:
        while queue:
            url = queue.pop(0)
            kind = kind_of(url)
            if kind is None or kind == "docs" or per_kind.get(kind, 0) >= 2:
                continue
            got = http.get(url)
            assert got.status_code == 200, url
            opened[url] = got.text
            per_kind[kind] = per_kind.get(kind, 0) + 1
            for href, _ in Page(got.text).links():
                link = urljoin(url, href).split("#")[0]
                if urlsplit(link).netloc == urlsplit(base).netloc and link not in seen:
                    seen.add(link)
                    queue.append(link)
    return opened


def text(cell: Element) -> str:
    return " ".join("".join(cell.texts).split())


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


def test_every_table_downloads_as_the_page_shows_it(demo: str) -> None:
    pages = walk(demo)
    kinds = {kind_of(u) for u in pages}
    assert kinds >= {"index", "collection overview", "drill-down", "change"}, kinds
    skipped: dict[str, int] = {}
    checked = 0
    with httpx.Client(timeout=60) as http:
        for url, html in pages.items():
            page = Page(html)
            for table in page.root.find_all("table"):
                reason = next((k for k, test in SKIPPED.items() if test(table)), None)
                if reason is not None:
                    skipped[reason] = skipped.get(reason, 0) + 1
                    continue
                table_id = table.attrs.get("id")
                assert table_id, f"{url}: a table without an id"
                links = page.by_id[f"{table_id}-export"].find_all("a")
                got = http.get(urljoin(url, links[0].attrs["href"]))
                assert got.status_code == 200, (url, table_id)
                parsed = list(csv.reader(io.StringIO(got.text)))
                assert parsed == expected_csv(table), (url, table_id)
                checked += 1
    print(f"checked {checked} tables; skipped (no links yet): {skipped}")
    assert checked >= 8


def test_a_click_downloads_the_table(demo: str, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with launch() as browser:
        context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{demo}/c/Acme/incidents?interval=month")
        link = page.get_by_role("link", name="Download Restored as CSV")
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename.startswith("incidents-records-")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        parsed = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = page.locator("#records thead th").all_inner_texts()
        rows = [
            [" ".join(t.split()) for t in row.locator("td").all_inner_texts()]
            for row in page.locator("#records tbody tr").all()
        ]
        assert rows, "the demo has restored incidents"
        value = parsed[0].index("Time to restore (value)")
        assert [h for i, h in enumerate(parsed[0]) if i != value] == header
        assert [[c for i, c in enumerate(r) if i != value] for r in parsed[1:]] == [
            [safe_cell(c) for c in r] for r in rows
        ]
        link.focus()  # the link by keyboard: focused, with its accessible name
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
            "Download Restored as CSV"
        )
        shoot(page, "export-incidents")
        context.close()
