"""DORA edges a rule turns on: the band set at a value where the presets disagree, a single
change, and an incident restored in zero seconds (not "resolved before created")."""

from __future__ import annotations

from leadline.domain.times import parse_time, to_micros
from leadline.metrics.dora import lead_time_for_changes, mean_time_to_restore

DAY = 86_400.0
START = to_micros(parse_time("2024-01-01T00:00:00Z"))
END = to_micros(parse_time("2024-01-08T00:00:00Z"))


def _lead_time(changes: int, total: float) -> dict[str, object]:
    return {"profile": "p", "statistic": "mean", "changes": changes, "total_seconds": total}


def test_one_day_over_one_change_under_each_band_set() -> None:
    # Exactly one day: elite under Harness SEI's bands (≤ 1 day), high under DORA 2023's
    # (elite there is under one day).
    one = _lead_time(1, DAY)
    assert lead_time_for_changes(one)["band"] == "elite"
    assert lead_time_for_changes(one, "harness")["band"] == "elite"
    assert lead_time_for_changes(one, "dora-2023")["band"] == "high"
    assert lead_time_for_changes(_lead_time(0, DAY), "dora-2023")["band"] is None


def test_an_incident_restored_in_zero_seconds_is_no_warning() -> None:
    at = START + 3_600_000_000
    result = mean_time_to_restore([at], [at], START, END, "week")
    assert result["incidents"] == 1
    assert result["mean_seconds"] == 0.0
    assert result["warnings"] == []
    late = mean_time_to_restore([at + 1], [at], START, END, "week")
    assert late["mean_seconds"] == 0.0
    assert late["warnings"] == ["1 incident resolved before created; counted as 0 seconds"]
