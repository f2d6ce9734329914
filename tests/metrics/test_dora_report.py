"""The ``leadline dora --format json`` document (docs/cli.md)."""

from __future__ import annotations

import json

import pytest

from leadline.domain.times import parse_time, to_micros
from leadline.errors import InputError
from leadline.metrics.dora import (
    change_failure_rate_linked,
    deployment_frequency,
    dora_report,
    lead_time_band,
    lead_time_for_changes,
    mean_time_to_restore,
)
from leadline.metrics.series import DAY_US


def us(text: str) -> int:
    return to_micros(parse_time(text if "T" in text else text + "T00:00:00Z"))


START = us("2024-01-01")
END = us("2024-04-01")
LEAD_TIME = {
    "profile": "Ticket to production",
    "statistic": "mean",
    "changes": 2,
    "stages": [{"name": "In Progress", "seconds": 600.0, "samples": 2, "missing": 0}],
    "total_seconds": 4200.0,
    "rating": "good",
}


def report(interval: str = "week", band_set: str = "harness") -> dict[str, object]:
    deploys = [START + i * 7 * DAY_US + 5 for i in range(12)]
    mask = [i == 4 for i in range(12)]
    return dora_report(
        "Ticket to production",
        START,
        END,
        interval,
        deployment_frequency=deployment_frequency(deploys, START, END, interval, band_set),
        lead_time_for_changes=lead_time_for_changes(LEAD_TIME, band_set),
        change_failure_rate=change_failure_rate_linked(
            deploys, mask, START, END, interval, band_set
        ),
        mean_time_to_restore=mean_time_to_restore(
            [START, START + DAY_US],
            [START + 3600_000_000, START + DAY_US + 7200_000_000],
            START,
            END,
            interval,
            band_set,
        ),
        band_set=band_set,
    )


def test_contract_shape() -> None:
    doc = report()
    assert list(doc) == [
        "profile",
        "from",
        "to",
        "window",
        "interval",
        "bands",
        "deployment_frequency",
        "lead_time_for_changes",
        "change_failure_rate",
        "mean_time_to_restore",
    ]
    assert doc["from"] == "2024-01-01T00:00:00Z"
    assert doc["to"] == "2024-04-01T00:00:00Z"
    assert doc["window"] == {"from": "2024-01-01T00:00:00Z", "to": "2024-04-01T00:00:00Z",
                             "days": 91.0}  # fmt: skip
    assert doc["interval"] == "week"
    assert doc["bands"] == "harness"
    df = doc["deployment_frequency"]
    assert isinstance(df, dict)
    assert (df["deployments"], df["days"], df["per_day"], df["band"]) == (
        12,
        91.0,
        0.1319,
        "medium",
    )
    lt = doc["lead_time_for_changes"]
    assert lt == {**LEAD_TIME, "band": "elite"}
    cfr = doc["change_failure_rate"]
    assert isinstance(cfr, dict)
    assert (cfr["failures"], cfr["deployments"], cfr["rate"], cfr["band"]) == (
        1,
        12,
        0.0833,
        "elite",
    )
    restore = doc["mean_time_to_restore"]
    assert isinstance(restore, dict)
    assert (restore["incidents"], restore["mean_seconds"], restore["median_seconds"]) == (
        2,
        5400.0,
        5400.0,
    )
    assert restore["band"] == "high"
    json.dumps(doc, allow_nan=False)  # plain JSON, no numpy types


def test_dora_2023_bands() -> None:
    doc = report(band_set="dora-2023")
    assert doc["bands"] == "dora-2023"
    bands = {
        key: part["band"] for key, part in doc.items() if isinstance(part, dict) and "band" in part
    }
    assert bands == {
        "deployment_frequency": "medium",
        "lead_time_for_changes": "elite",
        "change_failure_rate": "high",  # 8.33 %: above 5 %, at most 10 %
        "mean_time_to_restore": "high",
    }


def test_lead_time_for_changes_band() -> None:
    assert lead_time_for_changes({**LEAD_TIME, "total_seconds": 8 * 86_400.0})["band"] == "medium"
    none = lead_time_for_changes({**LEAD_TIME, "changes": 0, "total_seconds": 0.0})
    assert none["band"] is None
    assert "band" not in LEAD_TIME  # the input is not modified
    assert lead_time_band(86_400.0) == "elite"
    assert lead_time_band(86_400.0, "dora-2023") == "high"


def test_bad_window_or_interval() -> None:
    def build(start: int, end: int, interval: str, band_set: str = "harness") -> None:
        dora_report(
            "p",
            start,
            end,
            interval,
            deployment_frequency={},
            lead_time_for_changes={},
            change_failure_rate={},
            mean_time_to_restore={},
            band_set=band_set,
        )

    with pytest.raises(InputError, match="empty window"):
        build(END, START, "week")
    with pytest.raises(InputError, match="unknown interval"):
        build(START, END, "fortnight")
    with pytest.raises(InputError, match="unknown band set"):
        build(START, END, "week", "elite")
