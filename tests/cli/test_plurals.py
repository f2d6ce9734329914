"""Counts read right: ``1 change``, ``2 changes`` — never ``1 changes`` (one helper,
``leadline.words.plural``, for the CLI and the dashboard)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leadline.words import plural
from tests.helpers import WRONG_PLURAL as WRONG

EXAMPLES = Path(__file__).parents[2] / "examples"
TICKETS = EXAMPLES / "profiles" / "ticket-to-production.yaml"
ONE_DAY = ("--from", "2024-05-01", "--to", "2024-05-02")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1, "change"), "1 change"),
        ((0, "change"), "0 changes"),
        ((2, "change"), "2 changes"),
        ((1, "failed delivery", "failed deliveries"), "1 failed delivery"),
        ((3, "failed delivery", "failed deliveries"), "3 failed deliveries"),
        ((1.0, "day", None, "g"), "1 day"),
        ((0.5, "day", None, "g"), "0.5 days"),
        ((1234, "record", None, ","), "1,234 records"),
    ],
)
def test_plural(args: tuple[Any, ...], expected: str) -> None:
    assert plural(*args) == expected


def test_the_pattern_finds_wrong_plurals() -> None:
    assert WRONG.search("1 deployments in 1 days") and WRONG.search("1 bad records")
    assert not WRONG.search("1 deployment in 1 day; 11 changes, 0 failures, 1 restored, 1 s")


def test_cli_messages_with_a_count_of_one(run_cli: Any, tmp_path: Path) -> None:
    one = tmp_path / "one.ndjson"
    one.write_text((EXAMPLES / "records.ndjson").read_text().splitlines()[0] + "\n")
    imported = run_cli("import", str(one))
    assert imported.code == 0 and "\n1 record in " in imported.out, imported.out
    assert run_cli("import", str(EXAMPLES / "records.ndjson")).code == 0
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"kind": "issue"}\n')
    refused = run_cli("import", str(bad))
    assert refused.err.splitlines()[-1] == "leadline: error: 1 bad record; nothing was written"
    single = tmp_path / "single.yaml"
    single.write_text("name: Single\nstages:\n  - {name: Deployed, event: cd_completed}\n")
    checked = run_cli("profile", "check", str(single))
    assert checked.code == 0 and "'Single', 1 stage, start" in checked.out, checked.out
    dora = run_cli("dora", "--profile", str(TICKETS), *ONE_DAY)
    assert dora.code == 0, dora.err
    text = " ".join(dora.out.split())
    assert "1 deployment in 1 day" in text and "over 1 change" in text
    assert "0 failures / 1 deployment" in text
    lead = run_cli("lead-time", "--profile", str(TICKETS), *ONE_DAY)
    assert lead.code == 0 and "1 change (0 in flight)" in " ".join(lead.out.split())
    for result in (imported, refused, checked, dora, lead):
        assert not WRONG.search(result.out + result.err), result
