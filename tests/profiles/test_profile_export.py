"""``leadline.profiles.export``: YAML with readable durations, JSON exactly as stored; both
load back to an equal profile."""

from __future__ import annotations

import json

import pytest
import yaml

from leadline.profiles import load_profile_text, profile_to_dict
from leadline.profiles.export import export_text, format_for

TRICKY = """\
name: "2024"
description: "yes: a colon, # a hash, and 'quotes'"
stages:
  - name: "on"
    event: issue_status
    statuses: ["*star", "[list]", "- dash", "~", "null", "0x1f", "1_000", ".inf", " padded ", "é"]
    ideal: 0.0000001
    acceptable: 0.5
  - {name: b, event: commit, ideal: 600, acceptable: 129600}
  - {name: c, event: pr_merged, ideal: 5400, acceptable: 1w}
dora: {failures: {source: incidents, window: 90061}}
"""


def test_yaml_writes_durations_in_the_duration_syntax() -> None:
    profile = load_profile_text(TRICKY)
    data = yaml.safe_load(export_text(profile))
    # By hand: 600 s = 10 min; 129 600 s = 1 d 12 h; 5 400 s = 1 h 30 min; 1 w;
    # 90 061 s = 1 d 1 h 1 min 1 s; 0.5 s; 1e-7 s has no exact syntax and stays a number.
    assert [(s.get("ideal"), s.get("acceptable")) for s in data["stages"]] == [
        (1e-7, "0.5s"),
        ("10m", "1d12h"),
        ("1h30m", "1w"),
    ]
    assert data["dora"]["failures"]["window"] == "1d1h1m1s"


def test_yaml_quotes_what_would_read_back_as_something_else() -> None:
    profile = load_profile_text(TRICKY)
    text = export_text(profile)
    assert load_profile_text(text) == profile
    assert yaml.safe_load(text)["name"] == "2024"
    assert yaml.safe_load(text)["stages"][0]["name"] == "on"


def test_json_is_exactly_the_stored_form() -> None:
    profile = load_profile_text(TRICKY)
    text = export_text(profile, "json")
    assert json.loads(text) == profile_to_dict(profile)
    assert json.loads(text)["stages"][1]["acceptable"] == 129600.0
    assert text.endswith("}\n") and "é" in text
    assert load_profile_text(text, "export.json") == profile


def test_phases_are_exported_as_start_and_stages() -> None:
    profile = load_profile_text(
        "name: P\nphases:\n"
        "  - {name: Plan, start: {source: issue_management, event: ticket_created},\n"
        "     end: {source: scm, event: commit}, ideal: 1h}\n"
        "  - {name: Ship, end: {source: cd, event: cd_completed}}\n"
    )
    data = yaml.safe_load(export_text(profile))
    assert "phases" not in data
    assert data["start"] == {"event": "ticket_created"}
    assert data["stages"] == [
        {"name": "Plan", "event": "commit", "ideal": "1h"},
        {"name": "Ship", "event": "cd_completed"},
    ]
    assert load_profile_text(export_text(profile)) == profile


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("p.json", "json"), ("P.JSON", "json"), ("p.yaml", "yaml"), ("p.json.txt", "yaml"),
     ("", "yaml")],
)  # fmt: skip
def test_format_for(path: str, fmt: str) -> None:
    assert format_for(path) == fmt
