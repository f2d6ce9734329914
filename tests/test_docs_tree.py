"""docs/development.md's layer picture and tree say what the code is: the picture's layers
are import-linter's (``pyproject.toml``), in order, and the tree names every package of
``src/leadline`` and nothing that is not there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
DOC = (ROOT / "docs" / "development.md").read_text()
SRC = ROOT / "src" / "leadline"


def block_after(heading: str) -> list[str]:
    """The lines of the first fenced block after ``heading``."""
    rest = DOC.split(heading, 1)[1]
    return rest.split("```", 2)[1].strip("\n").splitlines()


def test_the_layer_picture_is_the_layers_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["type"] == "layers" and "containers" not in c
    )
    want = [layer.replace("leadline.", "").replace(" ", "") for layer in contract["layers"]]
    drawn = [
        re.split(r"\s{2,}", line.strip())[0].replace(" ", "") for line in block_after("## Layers")
    ]
    assert drawn == want


def test_the_tree_names_every_package() -> None:
    lines = block_after("## The tree")
    named = {m.group(1) for line in lines if (m := re.match(r"\s{2}(\w+)/", line))}
    nested = {m.group(1) for line in lines if (m := re.match(r"\s{4}(\w+)/", line))}
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert named == packages
    for sub in nested:  # services/sync/, …
        assert any((SRC / top / sub / "__init__.py").exists() for top in packages), sub
    modules = {
        p.name for p in SRC.glob("*.py") if p.name != "__init__.py" and p.name != "__main__.py"
    }
    assert set(re.findall(r"\b(\w+\.py)\b", lines[-1])) == modules
