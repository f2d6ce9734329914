"""docs/cli.md is the commands' own --help, kept current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_cli_docs_are_current() -> None:
    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Compare words, not alignment: click pads the option column to the widest option seen.
    expected = " ".join(module.render().split())
    actual = " ".join((ROOT / "docs" / "cli.md").read_text().split())
    assert actual == expected, "docs/cli.md is stale: run python scripts/cli_docs.py"
