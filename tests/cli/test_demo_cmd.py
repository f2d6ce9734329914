"""`leadline demo`: what it prints, JSON, idempotence, refusal, export, --serve."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from leadline.demo.records import Record, generate, ndjson

DEMO = ("demo", "--anchor", "2025-06-01")
BANDS = {"Payments": "elite", "Checkout": "high", "Platform": "medium", "Mobile": "low",
         "Identity": "high", "Search": "medium"}  # fmt: skip
EXAMPLES = Path(__file__).parents[2] / "examples" / "records.ndjson"
DOC = Path(__file__).parents[2] / "docs" / "demo.md"


@cache
def demo(seed: int = 7) -> list[Record]:
    return generate(datetime(2025, 6, 1, tzinfo=UTC), seed)


def test_prints_counts_per_kind_then_dora_per_team(run_cli: Any) -> None:
    result = run_cli(*DEMO)
    assert result.code == 0, result.err
    out = result.out
    for kind in ("commit", "event", "incident", "issue", "pipeline_run", "pull_request",
                 "version"):  # fmt: skip
        assert re.search(rf"^{kind}\s+[1-9]\d*\s+0\s+0$", out, re.M), kind
    total = len(demo())
    assert f"{total} records ({total} new)" in out
    assert (
        "profiles: Ticket to production, PR to production, Checkout — revert PRs, "
        "Mobile — release train scale\n"
    ) in out
    assert "collections: Acme, Payments, Checkout, Platform, Mobile, Identity, Search\n" in out
    # The default window of the anchor's day, as leadline dora and the dashboard on that day.
    assert "DORA by team, 2025-03-04 → 2025-06-02 (90 days)\n" in out
    assert "bands: elite/high/medium/low as Harness SEI defines them (docs/dora.md)" in out
    assert out.count("Harness") == 1 and "harness" not in out
    rows = [line for line in out.splitlines()
            if line.startswith(" ") and line.strip().startswith((*BANDS, "Acme"))]  # fmt: skip
    assert [row.split()[0] for row in rows] == [*BANDS, "Acme"]
    # The figures docs/demo.md shows are these (adding a team changed no other team's).
    documented = [
        line
        for line in DOC.read_text().splitlines()
        if line.strip().startswith((*BANDS, "Acme")) and re.search(r"\d\.\d\d  ", line)
    ]
    assert [row.rstrip() for row in rows] == documented
    for team, band in BANDS.items():
        row = next(line for line in rows if line.strip().startswith(team))
        if team == "Mobile":  # its own maturity scale (tests/services/test_demo.py)
            cells = [m.group() for m in re.finditer(r"\S+(?: \S+)*", row)]
            assert cells[2::2] == ["Steady", "Steady", "Watch", "Watch"], row
            continue
        assert row.count(band) == 4, row  # each of the four figures with its band
    assert "\nMobile: its own levels, best first: Steady, Watch, Behind\n" in out
    # A column for each figure and one for its band: the figures end where their column does.
    ends: list[list[int]] = []
    for row in rows:
        cells = [(m.group(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", row)]
        assert len(cells) == 9, cells  # team, then four times figure and band
        levels = (*BANDS.values(), "Steady", "Watch", "—")
        assert all(text in levels for text, _ in cells[2::2]), cells
        ends.append([end for _, end in cells[1::2]])
    assert all(e == ends[0] for e in ends), ends
    assert "leadline demo --serve" in out
    assert out.splitlines()[-1] == "See what the data is missing: leadline doctor --collection Acme"
    assert "Traceback" not in result.err


def test_running_it_again_loads_nothing_new(run_cli: Any) -> None:
    first = run_cli(*DEMO, "--format", "json")
    again = run_cli(*DEMO, "--format", "json")
    assert first.code == again.code == 0, again.err
    a, b = json.loads(first.out), json.loads(again.out)
    assert a["load"]["records"] == b["load"]["records"] > 3000
    assert all(k["new"] == 0 and k["updated"] == 0 for k in b["load"]["kinds"].values())
    assert b["load"]["removed"] == 0 and b["load"]["replaced"] is None
    assert a["teams"] == b["teams"]
    teams = {t["team"]: t for t in b["teams"]}
    for team, band in BANDS.items():
        if team == "Mobile":  # on its own scale (tests/services/test_demo.py)
            assert teams[team]["levels"] == ["Steady", "Watch", "Behind"]
            band = "Steady"
        assert teams[team]["deployment_band"] == teams[team]["lead_time_band"] == band
    print(f"demo load (CLI): {a['load']['seconds']} s, again {b['load']['seconds']} s")


def test_other_data_is_refused_unless_forced(run_cli: Any) -> None:
    assert run_cli("import", str(EXAMPLES)).code == 0
    refused = run_cli(*DEMO)
    assert refused.code == 2 and refused.out == ""
    assert refused.err.startswith("leadline: error: this database already holds data that is "
                                  "not the demo's (1 issue, 1 version, 2 commits")  # fmt: skip
    assert "--force" in refused.err and "Traceback" not in refused.err
    forced = run_cli(*DEMO, "--force")
    assert forced.code == 0, forced.err
    assert "Payments" in forced.out


def test_export_writes_the_same_bytes_every_time(run_cli: Any, tmp_path: Path) -> None:
    first = run_cli(*DEMO, "--export", "-", db=False)
    again = run_cli(*DEMO, "--export", "-", db=False)
    assert first.code == 0 and first.out == again.out
    assert first.out.encode() == ndjson(demo())
    path = tmp_path / "demo.ndjson"
    written = run_cli(*DEMO, "--seed", "3", "--export", str(path))
    assert written.code == 0 and path.read_bytes() == ndjson(demo(3))
    assert f"wrote {len(demo(3))} records to {path}" in written.err
    imported = run_cli("import", str(path), "--format", "json")  # a valid import file
    assert imported.code == 0, imported.err
    assert json.loads(imported.out)["records"] == len(demo(3))


def test_serve_starts_the_server_on_the_demo(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = run_cli(*DEMO, "--serve", "--port", "8123", "--host", "0.0.0.0")
    assert result.code == 0, result.err
    assert "DORA by team" in result.out
    assert "serving the demo on http://0.0.0.0:8123/" in result.err
    assert len(calls) == 1 and (calls[0]["host"], calls[0]["port"]) == ("0.0.0.0", 8123)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--anchor", "2025-13-01"), "'2025-13-01' does not match the format '%Y-%m-%d'"),
        (("--seed", "-1"), "--seed"),
        (("--export", "/nonexistent/dir/x.ndjson"), "cannot write"),
    ],
)
def test_bad_options_are_one_clear_line(run_cli: Any, args: tuple[str, ...], message: str) -> None:
    result = run_cli("demo", *args)
    assert result.code == 2 and message in result.err
    assert "Traceback" not in result.err
