"""``leadline.csvtext``: the formula-injection escape and the line ending of every CSV
leadline writes (CLI, API, dashboard downloads), cell by cell, expectations by hand."""

from __future__ import annotations

import csv
import io

import pytest

from leadline.csvtext import read_cell, safe_cell, to_csv


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-12", "-12"),  # a number is no formula: figures stay figures
        ("+0.5", "+0.5"),
        ("-1e3", "-1e3"),
        (-7, "-7"),
        (2.5, "2.5"),
        ("-12 %", "'-12 %"),  # text, not a number
        ("—", "—"),  # an em dash is not a minus
        ("a=b", "a=b"),  # only the first character counts
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),  # no data is an empty cell, never 0
        (True, "True"),
    ],
)
def test_safe_cell(cell: object, written: str) -> None:
    assert safe_cell(cell) == written  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["=x", "+a", "-b", "@c", "plain", "-12", "'quoted", ""])
def test_read_cell_undoes_safe_cell(text: str) -> None:
    assert read_cell(safe_cell(text)) == text


def test_to_csv_lines_end_with_newline_and_quote_only_when_needed() -> None:
    text = to_csv(["name", "note"], [["a,b", "=1"], ["line\nbreak", None], [3, -4]])
    assert text == 'name,note\n"a,b",\'=1\n"line\nbreak",\n3,-4\n'
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"], ["a,b", "'=1"], ["line\nbreak", ""], ["3", "-4"]
    ]  # fmt: skip
