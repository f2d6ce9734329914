"""Lead time by type, priority, label and project, and the what-if, on the records of
``tests/services/lead_groups_case.py`` (SQLite, and PostgreSQL in that pass): every group's
figures worked out by hand (mean; minutes), for a ticket-based and a pull-request-based
profile; the groups' changes add up to the headline's (but for ``label``); the drill-down of
a group lists exactly its changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.errors import InputError
from leadline.profiles.loader import profile_from_data
from leadline.services import drilldown
from leadline.services.leadtime import Window, lead_time
from leadline.services.leadtime_compare import compare
from tests.services.lead_groups_case import PRS, TICKETS, TICKETS_B, M, write

WINDOW = Window(parse_bound("2024-05-01"), parse_bound("2024-05-02"))
START, END = WINDOW.micros()

# (profile, by) → [(group, changes, [stage means in minutes])], in the report's order.
EXPECTED: list[tuple[dict[str, Any], str, list[tuple[str, int, list[float]]]]] = [
    (TICKETS, "type", [("Bug", 2, [45, 60, 60]), ("Story", 2, [15, 45, 20])]),
    (TICKETS, "priority",
     [("High", 2, [35, 45, 40]), ("Low", 1, [30, 60, 60]), ("(none)", 1, [20, 60, 20])]),
    (TICKETS, "label",
     [("backend", 2, [45, 60, 60]), ("frontend", 1, [10, 30, 20]), ("urgent", 1, [60, 60, 60]),
      ("(no label)", 1, [20, 60, 20])]),
    (TICKETS, "project", [("G", 3, [110 / 3, 60, 140 / 3]), ("H", 1, [10, 30, 20])]),
    # A pull request: type and priority of its linked issue, its own labels, its repository.
    (PRS, "type", [("Bug", 2, [60, 60]), ("Story", 2, [45, 20]), ("(none)", 1, [30, 30])]),
    (PRS, "priority", [("High", 2, [45, 40]), ("Low", 1, [60, 60]), ("(none)", 2, [45, 25])]),
    (PRS, "label",
     [("hotfix", 2, [60, 60]), ("bug", 1, [60, 60]), ("ui", 1, [30, 20]),
      ("(no label)", 2, [45, 25])]),
    (PRS, "project", [("acme/api", 4, [52.5, 42.5]), ("acme/web", 1, [30, 20])]),
]  # fmt: skip


@pytest.fixture
def loaded(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    records, _ = write(tmp_path)
    assert run_cli("import", str(records)).code == 0
    return engine


@pytest.mark.parametrize(("data", "by", "groups"), EXPECTED,
                         ids=[f"{d['name']}-{b}" for d, b, _ in EXPECTED])  # fmt: skip
def test_each_group_by_hand(loaded: Engine, data: dict[str, Any], by: str, groups: Any) -> None:
    profile = profile_from_data(data)
    out = lead_time(loaded, profile, "mean", WINDOW, by=by)
    assert out["by"] == by
    got = [(g["name"], g["changes"], [s["seconds"] / M for s in g["stages"]])
           for g in out["groups"]]  # fmt: skip
    assert [(n, c) for n, c, _ in got] == [(n, c) for n, c, _ in groups]
    for (_, _, stages), (_, _, want) in zip(got, groups, strict=True):
        assert stages == pytest.approx(want)
    for g, (_, _, want) in zip(out["groups"], groups, strict=True):
        assert g["total_seconds"] == pytest.approx(sum(want) * M)
    total = sum(g["changes"] for g in out["groups"])
    if by == "label":  # a change with two labels counts in both
        assert total > out["changes"] and "several labels" in out["groups_note"]
    else:
        assert total == out["changes"] and "groups_note" not in out
    # The grouping leaves the headline as it is.
    plain = lead_time(loaded, profile, "mean", WINDOW)
    assert {k: out[k] for k in plain} == plain


@pytest.mark.parametrize(("data", "by", "groups"), EXPECTED,
                         ids=[f"{d['name']}-{b}" for d, b, _ in EXPECTED])  # fmt: skip
def test_a_groups_drill_down_lists_exactly_its_changes(
    loaded: Engine, data: dict[str, Any], by: str, groups: Any
) -> None:
    profile = profile_from_data(data)
    for name, changes, _ in groups:
        report = drilldown.changes(loaded, profile, START, END, group=f"{by}:{name}")
        assert len(report.items) == changes
    assert drilldown.changes(loaded, profile, START, END, group=f"{by}:nothing").items == []


def test_pull_request_groups_name_their_changes(loaded: Engine) -> None:
    profile = profile_from_data(PRS)
    keys = [
        c.key for c in drilldown.changes(loaded, profile, START, END, group="type:(none)").items
    ]
    assert keys == ["acme/api#9"]
    bugs = drilldown.changes(loaded, profile, START, END, group="label:bug").items
    assert [c.key for c in bugs] == ["acme/api#2"]


@pytest.mark.parametrize(
    ("group", "message"),
    [("type", "expected GROUPING:NAME"), ("colour:red", "unknown grouping 'colour'"),
     ("category:X", "has no categories")],
)  # fmt: skip
def test_a_bad_group_is_an_input_error(loaded: Engine, group: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        drilldown.changes(loaded, profile_from_data(TICKETS), START, END, group=group)


def test_an_unknown_grouping_is_an_input_error(loaded: Engine) -> None:
    with pytest.raises(InputError, match=r"--by: unknown grouping 'colour' \(expected one of"):
        lead_time(loaded, profile_from_data(TICKETS), "mean", WINDOW, by="colour")


def test_what_if_by_hand(loaded: Engine) -> None:
    a, b = profile_from_data(TICKETS), profile_from_data(TICKETS_B)
    out = compare(loaded, a, b, "mean", WINDOW)
    assert (out["a"]["profile"], out["a"]["changes"]) == ("Tickets", 4)
    assert (out["b"]["profile"], out["b"]["changes"]) == ("Tickets B", 4)
    rows = [(s["name"], s["a_seconds"], s["b_seconds"], s["difference_seconds"],
             s["difference_percent"]) for s in out["stages"]]  # fmt: skip
    assert rows == [
        ("Coding", 30 * M, 30 * M, 0.0, 0.0),
        ("Review", 52.5 * M, 52.5 * M, 0.0, 0.0),
        ("Deploy", 40 * M, None, None, None),  # only A has it
    ]
    total = out["total"]
    assert (total["a_seconds"], total["b_seconds"]) == (122.5 * M, 82.5 * M)
    assert total["difference_seconds"] == -40 * M
    assert total["difference_percent"] == pytest.approx(-40 / 122.5 * 100)
    items = [(c["change"], c["a_seconds"] / M, c["b_seconds"] / M, c["difference_seconds"] / M)
             for c in out["changes"]["items"]]  # fmt: skip
    assert items == [("G-1", 180, 120, -60), ("G-2", 150, 90, -60), ("G-3", 100, 80, -20),
                     ("H-1", 60, 40, -20)]  # fmt: skip
    assert (out["changes"]["both"], out["changes"]["shown"]) == (4, 4)


def test_what_if_of_two_units_shares_no_change(loaded: Engine) -> None:
    out = compare(loaded, profile_from_data(TICKETS), profile_from_data(PRS), "mean", WINDOW)
    assert out["changes"] == {"both": 0, "shown": 0, "items": []}
    assert [s["name"] for s in out["stages"]] == ["Coding", "Review", "Deploy"]
    assert out["stages"][0]["b_seconds"] is None and not out["stages"][0]["in_b"]
