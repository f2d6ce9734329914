"""``leadline apply``, ``leadline collection list|show|delete`` and their errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

HERE = FIXTURES / "collections"


def test_apply_list_show_delete(run_cli: Any) -> None:
    assert run_cli("collection", "list").out.startswith("no collections")
    assert run_cli("apply", str(HERE / "org.yaml")).code == 0
    again = run_cli("apply", str(HERE / "org.yaml"))
    assert "collections: nothing changed" in again.out
    listed = run_cli("collection", "list").out.splitlines()
    assert listed[0].startswith("Acme  [Team flow]  projects=A,B; repositories=acme/*")
    assert listed[3].startswith("    Team B deploys  [Team flow (inherited)]")
    shown = json.loads(run_cli("collection", "show", "team a").out)
    assert shown["filters"]["services"] == ["a"] and shown["parent"] == "Acme"
    assert run_cli("collection", "delete", "Team B").out.strip() == (
        "removed: Team B, Team B deploys"
    )
    missing = run_cli("collection", "show", "Team B")
    assert missing.code != 0 and "no collection named 'Team B'" in missing.err


def test_bad_org_files_are_one_line_each(run_cli: Any, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("collections:\n  - name: A\n    profile: nope\n    filter: {}\n")
    result = run_cli("apply", str(org))
    assert result.code == 2
    assert f"{org}: collections[0].filter: unknown field (did you mean 'filters'?)" in result.err
    assert "Traceback" not in result.err
    org.write_text("collections: [\n")
    assert run_cli("apply", str(org)).code == 2
    assert run_cli("apply", str(tmp_path / "none.yaml")).code == 2
    both = run_cli("dora", "--profile", str(HERE / "team.yaml"), "--collection", "A")
    assert both.code == 2 and "either --profile NAME_OR_PATH or --collection NAME" in both.err
