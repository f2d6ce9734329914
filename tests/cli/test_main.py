"""The `leadline` entry point: help, version, and error handling."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from leadline import __version__


def test_help_lists_commands(run_cli: Any) -> None:
    result = run_cli("--help", db=False)
    assert result.code == 0
    assert "import" in result.out and "--db URL" in result.out


def test_version(run_cli: Any) -> None:
    result = run_cli("--version", db=False)
    assert result.code == 0
    assert __version__ in result.out


def test_unknown_command_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("teleport", db=False)
    assert result.code == 2
    assert "No such command 'teleport'" in result.err


def _explode(*_: object, **__: object) -> None:
    raise RuntimeError("boom")


def test_unexpected_error_is_one_line_without_debug(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import leadline.services.ingest as ingest

    monkeypatch.setattr(ingest, "import_ndjson", _explode)
    path = tmp_path / "x.ndjson"
    path.write_text("")
    result = run_cli("import", str(path))
    assert result.code == 1
    assert result.err.strip() == (
        "leadline: internal error: RuntimeError: boom (run with --debug for a traceback)"
    )
    debug = run_cli("--debug", "import", str(path))
    assert debug.code == 1
    assert "Traceback" in debug.err and "RuntimeError: boom" in debug.err


def test_console_script_runs_in_a_fresh_process(db_url: str, tmp_path: Any) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text('{"kind": "issue"}\n')
    proc = subprocess.run(
        [sys.executable, "-m", "leadline", "--db", db_url, "import", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert f"{path}:1: key: required field is missing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_each_error_message_is_printed_once(run_cli: Any, tmp_path: Any) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text("")
    org = tmp_path / "org.yaml"
    org.write_text("- a list\n")
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"kind": "issue"}\n')
    cases = [
        (("profile", "check", str(typo)), f"{typo}: (file): the profile is empty"),
        (("dora", "--profile", str(tmp_path / "missing.yaml")), "missing.yaml: (file): no such"),
        (("lead-time", "--profile", str(tmp_path / "gone.json")), "gone.json: (file): no such"),
        (("apply", str(org)), "(file): expected a mapping with profiles and collections"),
        (("import", str(bad)), "key: required field is missing"),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert result.code == 2, args
        assert result.err.count(message) == 1, (args, result.err)
        assert result.err.splitlines()[-1].startswith("leadline: error: "), args
