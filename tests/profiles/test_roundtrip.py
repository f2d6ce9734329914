"""Every profile option survives the whole way round: file → `leadline profile apply` →
`leadline profile export` (YAML and JSON) → `PUT /v1/profiles/{name}` → `GET` → the same
profile, on SQLite and PostgreSQL.

The profiles are every file of tests/profiles/options/ (each feature adds one that uses all
its options; see the README there) and of examples/profiles/. Each step's document is
validated again and must give a profile equal to the file's; the JSON documents (the CLI's
export, the PUT answer, the GET answer) must be equal dicts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from leadline.profiles import load_profile, load_profile_text, profile_from_data
from tests.api.conftest import auth

ROOT = Path(__file__).parents[2]
OPTIONS = ROOT / "tests" / "profiles" / "options"
FILES = sorted(OPTIONS.glob("*.yaml")) + sorted((ROOT / "examples" / "profiles").glob("*"))


def test_there_are_option_profiles() -> None:
    assert (OPTIONS / "profnames.yaml") in FILES and (OPTIONS / "phases.yaml") in FILES
    names = [load_profile(path).name for path in FILES]
    assert len(set(names)) == len(names), "every profile file needs its own name"


def ok(result: Any) -> str:
    assert result.code == 0, result.err
    return str(result.out)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_profile_round_trips(
    path: Path, run_cli: Any, client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    original = load_profile(path)
    name = original.name
    assert ok(run_cli("profile", "apply", str(path))).strip() == (
        f"{path}: profile {name!r} created"
    )

    # The CLI's exports, both formats, validate back to the same profile.
    as_yaml = ok(run_cli("profile", "export", name))
    assert load_profile_text(as_yaml, "export.yaml") == original
    as_json = ok(run_cli("profile", "export", name, "--format", "json"))
    exported = json.loads(as_json)
    assert profile_from_data(exported) == original
    assert ok(run_cli("profile", "show", name, "--format", "json")) == as_json
    assert ok(run_cli("profile", "show", name)) == as_yaml

    # Written to files, they pass `profile check` and applying them changes nothing.
    for suffix, text in ((".yaml", as_yaml), (".json", as_json)):
        out = tmp_path / f"export{suffix}"
        ok(run_cli("profile", "export", name, "-o", str(out)))
        assert out.read_text(encoding="utf-8") == text
        ok(run_cli("profile", "check", str(out), db=False))
        assert ok(run_cli("profile", "apply", str(out))).strip() == (
            f"{out}: profile {name!r} unchanged"
        )

    # The JSON export is what the API answers, and PUT of it round-trips.
    url = "/v1/profiles/" + quote(name, safe="")
    got = client.get(url, headers=auth(keys["read"]))
    assert got.status_code == 200, got.text
    assert got.json() == exported
    put = client.put(url, content=as_json.encode(), headers={
        **auth(keys["admin"]), "Content-Type": "application/json"})  # fmt: skip
    assert put.status_code == 200, put.text
    assert put.json() == exported
    assert ok(run_cli("profile", "export", name, "--format", "json")) == as_json

    # And in a database without it: created (201), then read back the same.
    assert client.delete(url, headers=auth(keys["admin"])).status_code == 204
    put = client.put(url, content=as_json.encode(), headers={
        **auth(keys["admin"]), "Content-Type": "application/json"})  # fmt: skip
    assert put.status_code == 201, put.text
    again = client.get(url, headers=auth(keys["read"])).json()
    assert again == exported and profile_from_data(again) == original
    assert ok(run_cli("profile", "export", name)) == as_yaml
