"""Ticket-key edges each part of the key pattern decides (a digit after the number ends no
key; overlapping keys after an underscore are all found; one-letter projects; an underscore
is not the dash; a dash with no number is no key) — in both matching modes."""

from __future__ import annotations

import pytest

from leadline.correlate.keys import find_keys

EDGES = [
    # (text, keys found, case-sensitive and ignoring case alike)
    ("HX-10a", set()),  # not HX-1 by stopping before the 0
    ("HX-10a HX-2", {"HX-2"}),
    ("FOO_HX-1", {"FOO_HX-1", "HX-1"}),
    ("A-1", {"A-1"}),
    ("x A-12b A-3", {"A-3"}),
    ("HX_1", set()),
    ("HX-", set()),
    ("feature/HX-", set()),
]


@pytest.mark.parametrize(("text", "keys"), EDGES)
@pytest.mark.parametrize("ignore_case", [False, True])
def test_key_edges(text: str, keys: set[str], ignore_case: bool) -> None:
    assert find_keys(text, ignore_case=ignore_case) == keys


def test_lower_case_edges_only_when_ignoring_case() -> None:
    assert find_keys("feature/hx-") == set()
    assert find_keys("feature/hx-", ignore_case=True) == set()
    assert find_keys("foo_hx-1", ignore_case=True) == {"FOO_HX-1", "HX-1"}
    assert find_keys("foo_hx-1") == set()
    assert find_keys("hx-10a", ignore_case=True) == set()
