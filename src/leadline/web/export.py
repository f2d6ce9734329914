"""Any table of any dashboard page as CSV or JSON: ``?…&format=csv&table=ID`` on the page's
own URL (every other parameter kept) answers the figures that page shows, not another
computation of them.

How: ``render.page`` renders the page as always, then ``tables`` reads the finished HTML
(``html.parser``, stdlib) and the table whose ``id`` is ``ID`` becomes the download. So every
page, present or future, exports with no code of its own, and a download cannot disagree with
the page.

The rules (docs/dashboard.md, "Export"):

- One column per header cell (the last row of ``<thead>``, else a first row of ``<th>``
  only); a cell spanning columns is followed by empty cells.
- A cell's value is its text as shown: whitespace collapsed, a ``<br>`` a space; nothing of
  an ``<svg>``, a ``<script>``/``<style>`` or an ``aria-hidden="true"`` element (drawings,
  not text).
- A cell may carry its machine value, ``data-value="…"`` (seconds, counts, rates): then its
  column is followed by a column ``HEADER (value)`` with those values (empty where a cell has
  none: no data is not 0). In JSON those values are numbers when they read as numbers.
- CSV through ``leadline.csvtext`` (the formula-injection escape, the line ending).

The query: ``format`` is ``html`` (the page, the default), ``csv`` or ``json``; ``table`` is
required with ``csv``/``json``. A bad ``format`` or a missing ``table`` is a 422 page; an
unknown ``table`` a 404 page listing the page's table ids.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import Response

from leadline.csvtext import to_csv
from leadline.errors import InputError, NotFoundError

FORMATS = ("html", "csv", "json")
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
HIDDEN = {"svg", "script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass(frozen=True)
class Asked:
    """The request's path and query: every parameter in order (for the download links) and
    the two this module reads."""

    path: str
    query: tuple[tuple[str, str], ...]
    format: str | None
    table: str | None


ASKED: ContextVar[Asked | None] = ContextVar("leadline_export_asked", default=None)


async def read_export(request: Request) -> None:
    """A dependency of every page (``web/__init__.py``): keeps the query for ``render.page``.
    ``async`` so that it runs in the request's own context, which the page's (threadpool)
    handler inherits; it checks nothing, so that a bad value becomes the page's 422."""
    items = tuple(request.query_params.multi_items())
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(request.url.path)
    query = request.query_params
    asked = Asked(path, items, query.get("format"), query.get("table"))
    ASKED.set(asked)


def export_url(table_id: str, fmt: str) -> str:
    """The page's own URL (its path, as requested) with ``format`` and ``table`` set."""
    asked = ASKED.get()
    kept = [(k, v) for k, v in (asked.query if asked else ()) if k not in ("format", "table")]
    path = asked.path if asked else ""
    return path + "?" + urlencode([*kept, ("format", fmt), ("table", table_id)])


@dataclass
class Cell:
    text: list[str] = field(default_factory=list)
    value: str | None = None
    span: int = 1
    header: bool = False


@dataclass
class Table:
    id: str
    caption: list[str] = field(default_factory=list)
    head: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)

    def columns(self) -> tuple[list[str], list[list[str | None]]]:
        """The header and the rows, cells as text, the value columns added."""
        header_cells = self.head[-1] if self.head else []
        body = self.rows
        if not header_cells and body and all(c.header for c in body[0]):
            header_cells, body = body[0], body[1:]
        header = [_text(c) for c in _spread(header_cells)]
        rows = [_spread(r) for r in body]
        width = max([len(header), *(len(r) for r in rows)])
        header += [f"column {i + 1}" for i in range(len(header), width)]
        valued = {i for r in rows for i, c in enumerate(r) if c.value is not None}
        out_header: list[str] = []
        for i, name in enumerate(header):
            out_header += [name, f"{name} (value)"] if i in valued else [name]
        out_rows: list[list[str | None]] = []
        for r in rows:
            cells = r + [Cell()] * (width - len(r))
            line: list[str | None] = []
            for i, c in enumerate(cells):
                line += [_text(c), c.value] if i in valued else [_text(c)]
            out_rows.append(line)
        return out_header, out_rows


def _text(cell: Cell) -> str:
    return " ".join("".join(cell.text).split())


def _spread(row: list[Cell]) -> list[Cell]:
    """A row's cells with each ``colspan`` followed by empty cells."""
    out: list[Cell] = []
    for c in row:
        out.append(c)
        out += [Cell() for _ in range(c.span - 1)]
    return out


class _Reader(HTMLParser):
    """Every ``<table id>`` of a page (a table inside a table is read as its cell's text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, Table] = {}
        self.open: list[tuple[str, bool]] = []  # tag, hides its text
        self.table: Table | None = None
        self.depth = 0  # tables open inside the one read
        self.row: list[Cell] | None = None
        self.cell: Cell | None = None
        self.part = ""  # thead, tbody, tfoot, caption

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in VOID:
            hides = tag in HIDDEN or found.get("aria-hidden") == "true"
            self.open.append((tag, hides))
        if tag == "table":
            if self.table is None and found.get("id"):
                self.table = Table(str(found["id"]))
                self.depth = 0
            elif self.table is not None:
                self.depth += 1
        if self.table is None or self.depth:
            return
        if tag == "br" and self.cell is not None and not any(h for _, h in self.open):
            self.cell.text.append(" ")  # a line break between two words is a space
        elif tag in ("thead", "tbody", "tfoot", "caption"):
            self.part = tag
        elif tag == "tr":
            self.row = []
            (self.table.head if self.part == "thead" else self.table.rows).append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            value = found.get("data-value")
            span = found.get("colspan") or "1"
            wide = int(span) if span.isdigit() else 1
            self.cell = Cell(value=value, span=wide, header=tag == "th")
            self.row.append(self.cell)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:  # <rect/>: opened and closed at once
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _ in self.open):
            return
        while self.open and self.open.pop()[0] != tag:
            pass
        if tag == "table" and self.table is not None:
            if self.depth:
                self.depth -= 1
            else:
                self.tables.setdefault(self.table.id, self.table)
                self.table = None
        elif self.table is not None and not self.depth:
            if tag in ("td", "th"):
                self.cell = None
            elif tag == "tr":
                self.row = None
            elif tag in ("thead", "tbody", "tfoot", "caption"):
                self.part = ""

    def handle_data(self, data: str) -> None:
        if self.table is None or any(hides for _, hides in self.open):
            return
        if self.cell is not None:
            self.cell.text.append(data)
        elif self.part == "caption":
            self.table.caption.append(data)


def tables(html: str) -> dict[str, Table]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.tables


def _number(value: str | None) -> float | int | str | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def _json(table: Table, header: list[str], rows: list[list[str | None]]) -> str:
    valued = {i for i, h in enumerate(header) if h.endswith(" (value)")}
    shaped = [[_number(c) if i in valued else c for i, c in enumerate(r)] for r in rows]
    caption = " ".join("".join(table.caption).split()) or None
    data = {"table": table.id, "caption": caption, "columns": header, "rows": shaped}
    return json.dumps(data, indent=2, ensure_ascii=False)


def asked_format() -> tuple[str, str] | None:
    """``(format, table)`` when the request asks for a download, ``None`` for the page;
    ``InputError`` for a bad ``format`` or ``csv``/``json`` without a ``table``."""
    asked = ASKED.get()
    if asked is None or (asked.format is None and asked.table is None):
        return None
    fmt = (asked.format or "html").strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"format: expected one of {', '.join(FORMATS)}, got {asked.format!r}")
    if fmt == "html":
        return None
    if not asked.table:
        raise InputError(f"table: give the id of the table to download as {fmt}")
    return fmt, asked.table


def download(html: str, fmt: str, table_id: str, name: str, context: dict[str, Any]) -> Response:
    """The table ``table_id`` of the rendered page ``html`` as a ``fmt`` attachment named
    ``NAME-ID-FROM-TO.EXT``; ``NotFoundError`` listing the page's tables for an unknown id."""
    found = tables(html)
    table = found.get(table_id)
    if table is None:
        ids = ", ".join(found) or "none"
        raise NotFoundError(f"no table {table_id[:80]!r} on this page (its tables: {ids})")
    header, rows = table.columns()
    body = to_csv(header, rows) if fmt == "csv" else _json(table, header, rows)
    parts = [name, table_id, context.get("from_day"), context.get("to_day")]
    stem = "-".join(re.sub(r"[^A-Za-z0-9_.-]+", "_", str(p)) for p in parts if p)
    response = Response(body, media_type=MEDIA[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
