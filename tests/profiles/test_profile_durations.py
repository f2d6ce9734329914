"""Durations: ``90s 10m 4h 2d 1w 1h30m`` and plain numbers of seconds."""

from __future__ import annotations

import pytest

from leadline.profiles import ProfileError, format_duration, load_profile_text, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("10m", 600.0),
        ("4h", 14_400.0),
        ("2d", 172_800.0),
        ("1w", 604_800.0),
        ("1h30m", 5_400.0),
        ("1d 12h", 129_600.0),
        ("1.5h", 5_400.0),
        (" 5m ", 300.0),
        ("0s", 0.0),
        (0, 0.0),
        (45, 45.0),
        (2.5, 2.5),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10", "not a duration: '10' (expected e.g. 90s, 10m, 4h, 2d, 1w or 1h30m)"),
        (
            "10 minutes",
            "not a duration: '10 minutes' (expected e.g. 90s, 10m, 4h, 2d, 1w or 1h30m)",
        ),
        ("", "not a duration: '' (expected e.g. 90s, 10m, 4h, 2d, 1w or 1h30m)"),
        ("-5m", "not a duration: '-5m' (expected e.g. 90s, 10m, 4h, 2d, 1w or 1h30m)"),
        ("1H", "not a duration: '1H' (expected e.g. 90s, 10m, 4h, 2d, 1w or 1h30m)"),
        (-1, "a duration cannot be negative"),
        (True, "expected a duration (e.g. 90s, 10m, 4h, 2d, 1w or 1h30m), got a boolean"),
        (None, "expected a duration (e.g. 90s, 10m, 4h, 2d, 1w or 1h30m), got null"),
        ([], "expected a duration (e.g. 90s, 10m, 4h, 2d, 1w or 1h30m), got a list"),
        (float("nan"), "a duration must be a finite number of seconds"),
        (float("inf"), "a duration must be a finite number of seconds"),
        (10**400, "a duration must be a finite number of seconds"),
    ],
)
def test_bad_duration(value: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (90, "1m30s"), (600, "10m"), (5_400, "1h30m"), (691_200, "1w1d"), (0.5, "0.5s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("ideal", "acceptable", "expected"),
    [
        ("90s", "10m", (90.0, 600.0)),
        ("4h", "2d", (14_400.0, 172_800.0)),
        ("1h30m", "1w", (5_400.0, 604_800.0)),
        (600, 3600.5, (600.0, 3600.5)),
        ('"600"', "1h", None),
    ],
)
def test_durations_in_a_profile(
    ideal: object, acceptable: object, expected: tuple[float, float] | None
) -> None:
    text = f"""
name: T
stages:
  - {{name: Commit, event: commit, ideal: {ideal}, acceptable: {acceptable}}}
"""
    if expected is None:
        with pytest.raises(ProfileError, match="not a duration: '600'"):
            load_profile_text(text)
        return
    stage = load_profile_text(text).stages[0]
    assert (stage.ideal, stage.acceptable) == expected
