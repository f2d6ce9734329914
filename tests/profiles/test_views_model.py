"""The org file's ``views:`` (profiles/views.py): every wrong entry is one clear message
naming its place, in the wording of every org-file problem (``org_messages.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.profiles.views import WIDGETS, sections
from leadline.services.collections import OrgError, parse_org

EXPECTED = ", ".join(WIDGETS)
BAD: list[tuple[Any, str]] = [
    ([{"name": "v", "collection": "X", "widgets": ["lead_time", "change_failure_rate", "x"]}],
     f"views[0].widgets[2]: unknown widget 'x' (expected {EXPECTED})"),
    ([{"name": "v", "collection": "X", "profile": "P"}],
     "views[0]: give either collection or profile (what the view shows)"),
    ([{"name": "v"}], "views[0]: give either collection or profile (what the view shows)"),
    ([{"collection": "X"}], "views[0].name: required"),
    ([{"name": "v", "collection": "X", "range": {"last": "30h"}}],
     "views[0].range: last: expected whole days (e.g. 30d or 4w), got '30h'"),
    ([{"name": "v", "collection": "X", "range": {"last": "30d", "days": 30}}],
     "views[0].range: give one of last (e.g. 30d), days (e.g. 30), or from/to"),
    ([{"name": "v", "collection": "X", "range": {"from": "2024-13-01"}}],
     "views[0].range.from: not a valid date: '2024-13-01'"),
    ([{"name": "v", "collection": "X", "range": {"from": "2024-05-01", "to": "2024-04-01"}}],
     "views[0].range: from 2024-05-01 is not before to 2024-04-01"),
    ([{"name": "v", "collection": "X", "range": {"lats": "3d"}}],
     "views[0].range.lats: unknown field (did you mean 'last'?)"),
    ([{"name": "v", "collection": "X", "widget": ["lead_time"]}],
     "views[0].widget: unknown field (did you mean 'widgets'?)"),
    ([{"name": "v", "collection": "X", "widgets": ["lead_time", "lead_time"]}],
     "views[0]: widgets: 'lead_time' is listed twice"),
    ([{"name": "v", "collection": "X", "widgets": []}],
     "views[0].widgets: List should have at least 1 item after validation, not 0"),
    ([{"name": "v", "collection": "X"}, {"name": "V", "collection": "X"}],
     "(file): views[1]: a second view named 'V'"),
    ("x", "views: Input should be a valid list"),
]  # fmt: skip


@pytest.mark.parametrize(("views", "message"), BAD)
def test_a_wrong_view_is_one_clear_message(views: Any, message: str) -> None:
    with pytest.raises(OrgError) as caught:
        parse_org({"views": views}, "org.yaml")
    assert str(caught.value) == f"org.yaml: {message}"


def test_a_yaml_date_is_a_bound() -> None:
    from leadline.profiles.parsing import parse_yaml

    text = "views: [{name: v, profile: P, range: {from: 2024-01-01, to: 2024-02-01T12:00:00Z}}]"
    found = parse_org(parse_yaml(text)).views[0].as_json()["range"]
    assert found == {"from": "2024-01-01", "to": "2024-02-01T12:00:00+00:00"}


def test_a_view_reads_its_range_and_keeps_its_widgets_order() -> None:
    org = parse_org({"views": {
        "Weekly": {"collection": "Team A", "widgets": ["lead_time_by_stage", "lead_time"],
                   "range": {"last": "4w"}, "interval": "day", "stat": "p90"},
        "Fixed": {"profile": "Flow", "range": {"from": "2024-01-01"}},
        "Days": {"profile": "Flow", "range": {"days": 30}},
    }})  # fmt: skip
    weekly, fixed, days = (v.as_json() for v in org.views)
    assert weekly == {"name": "Weekly", "description": None, "collection": "Team A",
                      "profile": None, "widgets": ["lead_time_by_stage", "lead_time"],
                      "range": {"days": 28}, "interval": "day", "stat": "p90"}  # fmt: skip
    assert fixed["range"] == {"from": "2024-01-01"} and fixed["widgets"] == list(WIDGETS)
    assert days["range"] == {"days": 30} and days["interval"] is None


SECTIONS = [
    (list(WIDGETS), ["cards", "lead_time_by_stage", "lead_time_by_category"]),
    (["lead_time_by_stage", "lead_time"], ["lead_time_by_stage", "cards"]),
    (["lead_time_by_category", "lead_time", "lead_time_by_stage", "change_failure_rate"],
     ["lead_time_by_category", "cards", "lead_time_by_stage"]),
    (["mean_time_to_restore"], ["cards"]),
]  # fmt: skip


@pytest.mark.parametrize(("widgets", "expected"), SECTIONS)
def test_the_cards_are_drawn_together_where_the_first_is_listed(
    widgets: list[str], expected: list[str]
) -> None:
    assert sections(widgets) == expected
