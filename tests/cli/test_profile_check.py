"""`leadline profile check PATH` (docs/cli.md): exit 0 when valid, else 2 with every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
VALID = sorted((ROOT / "examples" / "profiles").glob("*")) + sorted(
    (ROOT / "tests" / "fixtures" / "lead_time_examples").glob("*.yaml")
)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_shipped_profiles_are_valid(run_cli: Any, path: Path) -> None:
    result = run_cli("profile", "check", str(path), db=False)
    assert result.code == 0, result.err
    assert result.out.startswith(f"{path}: ok — profile ")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (
            "name: p\nstages:\n  - {name: a, event: teleport}\n",
            ["stages[0].event: unknown event 'teleport' (expected one of issue_status, commit"],
        ),
        (
            "name: p\nstages:\n  - {name: a, event: pr_created, pipelines: [x]}\n"
            "  - {name: b, event: issue_status}\n",
            [
                "stages[0].pipelines: not used by event 'pr_created'",
                "stages[1].statuses: required for event 'issue_status' (or give category)",
            ],
        ),
        ("name: p\nstages: []\n", ["stages: "]),
        ("name: p\nstages:\n  - {name: a, event: commit, ideal: soon}\n", ["stages[0].ideal: "]),
        ("name: [unclosed\n", ["(file): "]),
        ("", ["(file): "]),
    ],
)
def test_bad_profiles_name_each_problem(
    run_cli: Any, tmp_path: Path, text: str, lines: list[str]
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    result = run_cli("profile", "check", str(path), db=False)
    assert result.code == 2
    assert "Traceback" not in result.err
    # One line per problem; a single problem is the error line itself.
    problems = [e.removeprefix("leadline: error: ") for e in result.err.splitlines()]
    for line in lines:
        assert sum(e.startswith(f"{path}: {line}") for e in problems) == 1, (line, result.err)


def test_missing_file(run_cli: Any) -> None:
    result = run_cli("profile", "check", "/nonexistent/p.yaml", db=False)
    assert result.code == 2
    assert "/nonexistent/p.yaml" in result.err and "Traceback" not in result.err
