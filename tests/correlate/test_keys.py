"""Ticket keys are matched as whole keys; branch names case-insensitively."""

from __future__ import annotations

import pytest

from leadline.correlate.keys import find_keys

CASE_SENSITIVE = [
    # (text, keys found)
    ("HX-1", {"HX-1"}),
    ("HX-1 add login", {"HX-1"}),
    ("HX-1.", {"HX-1"}),
    ("HX-1: add login", {"HX-1"}),
    ("[HX-1] add login", {"HX-1"}),
    ("(HX-1)", {"HX-1"}),
    ("feature/HX-1-login", {"HX-1"}),
    ("HX-1_fix", {"HX-1"}),
    ("feature_HX-1", {"HX-1"}),
    ("fixes HX-1, HX-2 and HX-3;", {"HX-1", "HX-2", "HX-3"}),
    ("HX-1/HX-2", {"HX-1", "HX-2"}),
    ("HX-1\nHX-2", {"HX-1", "HX-2"}),
    ("HX-1 again HX-1", {"HX-1"}),
    ("PROJ_2-7", {"PROJ_2-7"}),
    ("AB12-345", {"AB12-345"}),
    # look-alikes that are not HX-1
    ("HX-10", {"HX-10"}),
    ("XHX-1", {"XHX-1"}),
    ("HX-1a", set()),
    ("HX-1b2", set()),
    ("aHX-1", set()),
    ("1HX-1", set()),
    ("HX-", set()),
    ("HX-x", set()),
    ("-1", set()),
    ("1-2", set()),
    # case-sensitive: a lower-case key in a message is not a key
    ("hx-1 add login", set()),
    ("Hx-1", set()),
    ("", set()),
    (None, set()),
]


@pytest.mark.parametrize(("text", "keys"), CASE_SENSITIVE)
def test_find_keys_whole_keys(text: str | None, keys: set[str]) -> None:
    assert find_keys(text) == keys


def test_hx1_never_matches_inside_a_longer_key() -> None:
    for text in ["HX-10", "XHX-1", "HX-1a", "HX-100 HX-11", "ZHX-1 HX-12"]:
        assert "HX-1" not in find_keys(text), text


IGNORE_CASE = [
    ("feature/hx-1-login", {"HX-1"}),
    ("feature/HX-1-login", {"HX-1"}),
    ("bugfix/Hx-12_retry", {"HX-12"}),
    ("hx-1", {"HX-1"}),
    ("hx-10", {"HX-10"}),
    ("xhx-1", {"XHX-1"}),
    ("hx-1a", set()),
    ("main", set()),
    (None, set()),
]


@pytest.mark.parametrize(("branch", "keys"), IGNORE_CASE)
def test_find_keys_ignore_case_upper_cases_branch_keys(branch: str | None, keys: set[str]) -> None:
    assert find_keys(branch, ignore_case=True) == keys


def test_underscore_prefix_may_form_a_longer_key_too() -> None:
    # Both readings are returned; only keys of existing tickets are ever linked.
    assert find_keys("feature_hx-1", ignore_case=True) == {"FEATURE_HX-1", "HX-1"}
