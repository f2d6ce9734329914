"""`leadline profile apply|list|show|export|clone|delete` and `--profile NAME_OR_PATH`, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.store import profiles as profile_store
from leadline.store.db import writing
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "lead_time_examples"
ALPHA = """\
name: Alpha
stages:
  - {name: Doing, event: issue_status, statuses: [In Progress], ideal: 10m, acceptable: 1h30m}
  - {name: Merged, event: pr_merged}
dora: {failures: {source: incidents, window: 2d}}
"""
BETA = """\
name: Beta
start: {event: commit_created}
stages:
  - {name: Merged, event: pr_merged}
"""


def ok(result: Any) -> str:
    assert result.code == 0, result.err
    return str(result.out)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def listed(run_cli: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(run_cli("profile", "list", "--format", "json")))
    return rows


def test_apply_reports_created_updated_unchanged(run_cli: Any, tmp_path: Path) -> None:
    alpha, beta = write(tmp_path, "a.yaml", ALPHA), write(tmp_path, "b.yaml", BETA)
    assert ok(run_cli("profile", "apply", alpha, beta)).splitlines() == [
        f"{alpha}: profile 'Alpha' created",
        f"{beta}: profile 'Beta' created",
    ]
    before = listed(run_cli)
    assert [(r["name"], r["stages"], r["start"], r["dora"], r["problem"]) for r in before] == [
        ("Alpha", 2, "ticket_created", True, None),
        ("Beta", 1, "commit_created", False, None),
    ]
    assert ok(run_cli("profile", "apply", beta, alpha)).splitlines() == [
        f"{beta}: profile 'Beta' unchanged",
        f"{alpha}: profile 'Alpha' unchanged",
    ]
    assert listed(run_cli) == before  # unchanged: not rewritten, updated_at kept
    # The same profile written differently: a duration in seconds, flow vs block style.
    same = ALPHA.replace("10m", "600").replace("dora: {failures: {source: incidents, window: 2d}}",
                                               "dora:\n  failures:\n    source: incidents\n"
                                               "    window: 172800\n")  # fmt: skip
    assert ok(run_cli("profile", "apply", write(tmp_path, "a2.yaml", same))).endswith(
        "profile 'Alpha' unchanged\n"
    )
    changed = write(tmp_path, "a3.yaml", ALPHA.replace("2d", "3d"))
    assert ok(run_cli("profile", "apply", changed, beta)).splitlines() == [
        f"{changed}: profile 'Alpha' updated",
        f"{beta}: profile 'Beta' unchanged",
    ]
    exported = json.loads(ok(run_cli("profile", "export", "Alpha", "--format", "json")))
    assert exported["dora"]["failures"]["window"] == 3 * 86400.0


def test_apply_is_all_or_nothing(run_cli: Any, tmp_path: Path) -> None:
    alpha, beta = write(tmp_path, "a.yaml", ALPHA), write(tmp_path, "b.yaml", BETA)
    ok(run_cli("profile", "apply", alpha))
    bad = write(tmp_path, "bad.yaml", "name: Bad\nstages:\n  - {name: a, event: teleport}\n")
    newer = write(tmp_path, "a2.yaml", ALPHA.replace("2d", "5d"))
    result = run_cli("profile", "apply", newer, beta, bad)
    assert result.code == 2 and "Traceback" not in result.err
    # One problem in all: it is the error line itself.
    assert result.err.startswith(f"leadline: error: {bad}: stages[0].event: unknown event 'tel")
    assert len(result.err.splitlines()) == 1
    # Nothing stored: Beta is not there and Alpha is the first version.
    assert [r["name"] for r in listed(run_cli)] == ["Alpha"]
    alpha_now = json.loads(ok(run_cli("profile", "export", "Alpha", "--format", "json")))
    assert alpha_now["dora"]["failures"]["window"] == 2 * 86400.0

    two = write(tmp_path, "two.yaml", "name: Two\nstages: []\n")
    result = run_cli("profile", "apply", bad, beta, two)
    assert result.code == 2
    assert (
        result.err.splitlines()[-1] == "leadline: error: 2 files with problems; nothing was stored"
    )
    assert f"{two}: stages: " in result.err


def test_apply_refuses_one_name_in_two_files(run_cli: Any, tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", ALPHA)
    second = write(tmp_path, "a-copy.yaml", ALPHA.replace("2d", "3d"))
    result = run_cli("profile", "apply", first, second)
    assert result.code == 2
    assert result.err.strip() == (
        f"leadline: error: {second}: name: profile 'Alpha' is also in {first}"
    )
    assert listed(run_cli) == []


def test_list_table(run_cli: Any, tmp_path: Path, engine: Engine) -> None:
    assert ok(run_cli("profile", "list")).startswith("no stored profiles: store one with")
    assert listed(run_cli) == []
    ok(run_cli("profile", "apply", write(tmp_path, "a.yaml", ALPHA), write(tmp_path, "b", BETA)))
    with writing(engine) as conn:  # stored by an older version, invalid under today's rules
        profile_store.put(conn, "Old", '{"name": "Old", "stages": []}', 1_714_557_600_000_000)
    table = ok(run_cli("profile", "list"))
    assert "3 stored profiles" in table
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in table.splitlines()
             if line.startswith("│")]  # fmt: skip
    assert cells[0][:4] == ["Alpha", "2", "ticket_created", "yes"]
    assert cells[1][:4] == ["Beta", "1", "commit_created", "no"]
    assert cells[2][0] == "Old" and cells[2][4] == "2024-05-01 10:00"
    assert "2024-05-01 10:00" in table and "invalid: profile 'Old'" in table
    old = listed(run_cli)[-1]
    assert old["name"] == "Old" and old["updated_at"] == "2024-05-01T10:00:00Z"
    assert old["stages"] is None and old["problem"].startswith("profile 'Old': stages")


def test_show_and_export(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("profile", "apply", write(tmp_path, "a.yaml", ALPHA)))
    shown = ok(run_cli("profile", "show", "Alpha"))
    assert shown.startswith("name: Alpha\n")
    assert "ideal: 10m" in shown and "acceptable: 1h30m" in shown and "window: 2d" in shown
    as_json = json.loads(ok(run_cli("profile", "show", "Alpha", "--format", "json")))
    assert as_json["stages"][0]["ideal"] == 600.0 and as_json["stages"][0]["acceptable"] == 5400.0
    assert ok(run_cli("profile", "export", "Alpha")) == shown

    by_suffix = tmp_path / "out.JSON"
    assert ok(run_cli("profile", "export", "Alpha", "-o", str(by_suffix))).strip() == (
        f"{by_suffix}: exported profile 'Alpha' (json)"
    )
    assert json.loads(by_suffix.read_text()) == as_json
    forced = tmp_path / "out.json"
    ok(run_cli("profile", "export", "Alpha", "-o", str(forced), "--format", "yaml"))
    assert forced.read_text() == shown
    result = run_cli("profile", "export", "Alpha", "-o", str(tmp_path))
    assert result.code == 2 and f"{tmp_path}: (file): cannot write" in result.err

    for command in ("show", "export"):
        missing = run_cli("profile", command, "alpha")
        assert missing.code == 2
        assert missing.err.strip() == (
            "leadline: error: no stored profile named 'alpha'; stored profiles: Alpha"
        )


def test_clone(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("profile", "apply", write(tmp_path, "a.yaml", ALPHA), write(tmp_path, "b", BETA)))
    assert ok(run_cli("profile", "clone", "Alpha", "Alpha 2")).strip() == (
        "cloned profile 'Alpha' as 'Alpha 2'"
    )
    original = json.loads(ok(run_cli("profile", "export", "Alpha", "--format", "json")))
    copy = json.loads(ok(run_cli("profile", "export", "Alpha 2", "--format", "json")))
    assert copy == {**original, "name": "Alpha 2"}
    taken = run_cli("profile", "clone", "Alpha", "Beta")
    assert taken.code == 2 and "a profile named 'Beta' already exists" in taken.err
    missing = run_cli("profile", "clone", "Gamma", "Delta")
    assert missing.code == 2 and "no stored profile named 'Gamma'" in missing.err
    blank = run_cli("profile", "clone", "Alpha", " ")
    assert blank.code == 2 and "name" in blank.err and "Traceback" not in blank.err
    assert [r["name"] for r in listed(run_cli)] == ["Alpha", "Alpha 2", "Beta"]


ORG = """\
profiles:
  - {name: Team flow, stages: [{name: Merged, event: pr_merged}]}
collections:
  - name: Acme
    profile: Team flow
    children:
      - {name: Payments, filters: {projects: [PAY]}}
  - name: Tools
    profile: Team flow
"""


def test_delete(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("profile", "apply", write(tmp_path, "a.yaml", ALPHA)))
    ok(run_cli("apply", write(tmp_path, "org.yaml", ORG)))
    assert ok(run_cli("profile", "delete", "Alpha")).strip() == "deleted profile 'Alpha'"
    assert [r["name"] for r in listed(run_cli)] == ["Team flow"]
    missing = run_cli("profile", "delete", "Alpha")
    assert missing.code == 2 and "no stored profile named 'Alpha'" in missing.err

    # Named by two collections (Payments inherits it from Acme): kept, exit 2.
    used = run_cli("profile", "delete", "Team flow")
    assert used.code == 2
    assert used.err.strip() == (
        "leadline: error: profile 'Team flow' is used by 2 collections: Acme, Tools; give "
        "them another profile (leadline apply) first, or delete with --force"
    )
    assert [r["name"] for r in listed(run_cli)] == ["Team flow"]
    ok(run_cli("lead-time", "--collection", "Payments", "--format", "json"))

    forced = run_cli("profile", "delete", "Team flow", "--force")
    assert forced.code == 0 and forced.out.strip() == "deleted profile 'Team flow'"
    assert forced.err.strip() == "2 collections named it and now have no profile: Acme, Tools"
    assert listed(run_cli) == []
    orphan = run_cli("lead-time", "--collection", "Payments")
    assert orphan.code == 2 and "no profile named 'Team flow'" in orphan.err


def test_profile_option_takes_a_stored_name(run_cli: Any) -> None:
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson"), "--format", "json"))
    path = str(EXAMPLES / "profile.yaml")
    ok(run_cli("profile", "apply", path))
    by_name = ok(run_cli("lead-time", "--profile", "Ticket to production", "--all-time",
                         "--format", "json"))  # fmt: skip
    report = json.loads(by_name)
    # The page's example 1: one ticket, 70 minutes from creation to release.
    assert report["changes"] == 1 and report["total_seconds"] == 70 * 60.0
    assert by_name == ok(run_cli("lead-time", "--profile", path, "--all-time", "--format", "json"))
    window = ("--from", "2024-05-01", "--to", "2024-06-01", "--format", "json")
    doctor = ok(run_cli("doctor", "--profile", "Ticket to production", *window))
    assert doctor == ok(run_cli("doctor", "--profile", path, *window))
    # dora reads the stored profile too: it has no dora block, the same refusal as the file's.
    by_name_dora = run_cli("dora", "--profile", "Ticket to production", *window)
    by_file_dora = run_cli("dora", "--profile", path, *window)
    assert by_name_dora.code == by_file_dora.code == 2
    assert by_name_dora.err == by_file_dora.err and "dora" in by_name_dora.err


def test_a_file_wins_over_a_stored_name(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run_cli("profile", "apply", write(tmp_path, "a.yaml", ALPHA)))
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "Alpha", BETA)  # a file called Alpha, holding profile Beta
    report = json.loads(ok(run_cli("lead-time", "--profile", "Alpha", "--format", "json")))
    assert report["profile"] == "Beta"


def test_neither_a_file_nor_a_stored_name(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("lead-time", "--profile", "nope.yaml")
    assert result.code == 2
    assert result.err.strip() == (
        "leadline: error: nope.yaml: (file): no such file, and no stored profile named "
        "'nope.yaml'; none is stored (leadline profile apply FILE)"
    )
    ok(run_cli("profile", "apply", write(tmp_path, "a.yaml", ALPHA), write(tmp_path, "b", BETA)))
    for command in ("lead-time", "dora", "doctor"):
        result = run_cli(command, "--profile", "alpha")
        assert result.code == 2, command
        assert result.err.strip() == (
            "leadline: error: alpha: (file): no such file, and no stored profile named 'alpha'; "
            "stored profiles: Alpha, Beta"
        )
    both = run_cli("lead-time", "--profile", "Alpha", "--collection", "X")
    assert both.code == 2 and "give either --profile NAME_OR_PATH or --collection NAME" in both.err


@pytest.mark.parametrize("command", ["lead-time", "dora", "doctor"])
def test_help_says_name_or_path(run_cli: Any, command: str) -> None:
    text = " ".join(ok(run_cli(command, "--help", db=False)).split())
    assert "--profile NAME_OR_PATH" in text
    assert "a file (YAML or JSON), or else the name of a stored profile" in text
