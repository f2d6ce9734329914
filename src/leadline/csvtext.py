"""CSV as leadline writes it, for the CLI's ``--format csv``, the API's ``format=csv`` and the
dashboard's table downloads alike: one place for the two rules a CSV file needs.

- **Formula injection.** A spreadsheet reads a cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return as a formula; record text (a ticket title, a branch name)
  could carry one. Such a cell is written with a ``'`` in front (``=cmd()`` → ``'=cmd()``),
  as OWASP recommends, so it is shown as text. A plain number (``-12``, ``+0.5``, ``-1e3``)
  is no formula and is kept as it is, so figures stay figures.
- **Line endings.** Rows end with ``\\n`` (``LINE_END``), fields are quoted only when needed
  (``csv.QUOTE_MINIMAL``), UTF-8 without a byte-order mark.

A CSV leadline reads back (the contributors file) goes through ``read_cell``, which undoes
the escape, so a round trip keeps a name that starts with ``=``.

``None`` is written as an empty cell: "no data" is never a 0.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

LINE_END = "\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Cell = str | int | float | bool | None


def safe_cell(value: Cell) -> str:
    """A cell's text, safe in a spreadsheet: ``None`` → ``""``; text a spreadsheet would read
    as a formula gets a leading ``'``; numbers and other text unchanged."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def read_cell(text: str) -> str:
    """``safe_cell`` undone, for a CSV leadline reads back (``contributors import`` of a
    ``contributors list --format csv``): ``'=x`` → ``=x``; any other text unchanged."""
    rest = text[1:]
    if text.startswith("'") and rest.startswith(FORMULA_START) and not _NUMBER.fullmatch(rest):
        return rest
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A header row and the rows, every cell through ``safe_cell``, as one CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()
