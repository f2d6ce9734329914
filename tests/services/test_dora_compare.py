"""``dora(..., compare=True)`` on the quarter fixture, every figure by hand, on both databases.

Window [2024-01-01, 2024-04-01) (91 days); the previous window is [2023-10-02, 2024-01-01).
The fixture (tests/fixtures/dora_quarter, described in tests/cli/test_dora.py) gives:

- now: 5 deployments, 2 failed runs (cd: 2 of 7 runs; linked: 3 of 5 deployments), lead
  times 1 day and 5 days, restores 30 min, 3 h, 1 day and 2 days;
- before: 1 deployment (run 0, 12-31 23:59:59), no failure, one lead time of 1 day, no restore.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.profiles.loader import load_profile
from leadline.profiles.models import DeploymentOptions
from leadline.services.dora import dora
from leadline.services.leadtime import Window
from tests.conftest import FIXTURES

QUARTER = FIXTURES / "dora_quarter"
SECTIONS = ("deployment_frequency", "lead_time_for_changes", "change_failure_rate",
            "mean_time_to_restore")  # fmt: skip
DAY = 86400.0


@pytest.fixture
def quarter(engine: Engine, run_cli: Any) -> Engine:
    result = run_cli("import", str(QUARTER / "records.ndjson"))
    assert result.code == 0, result.err
    return engine


def _report(engine: Engine, profile: str, compare: bool) -> dict[str, Any]:
    """The quarter's report, counting baseline changes: the previous window's one change
    came with deploy-api's first known deployment (run 0), before any run, and this test
    is about the comparison, not the baseline rule (tests/services/test_baseline.py)."""
    window = Window(parse_bound("2024-01-01"), parse_bound("2024-04-01"))
    loaded = load_profile(QUARTER / profile)
    counted = loaded.model_copy(update={"deployments": DeploymentOptions(baseline="include")})
    return dora(engine, counted, window, "month", compare=compare)


def _normal_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.mark.parametrize(
    ("profile", "cfr", "cfr_p"),
    [
        # cd: 2 failed of 7 runs; Wilson: z²/n = 0.548780, centre (0.285714 + 0.274390)/1.548780
        # = 0.361641, half = 1.265491 · √(0.029155 + 0.019599) = 0.279418 → [0.0822, 0.6411].
        # Before: 0 of 1. Pooled 2/8; se = √(0.25·0.75·(1/7 + 1)) = 0.462910;
        # z = 0.285714/0.462910 = 0.617213.
        ("cd-failures.yaml", (0.0822, 0.6411), _normal_p(0.285714286 / 0.462910050)),
        # linked: 3 of 5 deployments; centre (0.6 + 0.384146)/1.768292 = 0.556552,
        # half = 1.108393 · √(0.048 + 0.038415) = 0.325828 → [0.2307, 0.8824].
        # Before: 0 of 1. Pooled 3/6; se = √(0.25·1.2) = 0.547723; z = 0.6/0.547723.
        ("incidents.yaml", (0.2307, 0.8824), _normal_p(0.6 / 0.547722558)),
    ],
)
def test_intervals_and_comparison(
    quarter: Engine, profile: str, cfr: tuple[float, float], cfr_p: float
) -> None:
    plain = _report(quarter, profile, compare=False)
    report = _report(quarter, profile, compare=True)
    assert "comparison" not in plain
    # Additive: the existing keys keep their values and order, the new ones come last.
    assert {k: v for k, v in report.items() if k != "comparison"} == plain
    for name in SECTIONS:
        assert list(report[name])[-2:] == ["interval", "few_samples"]
        assert report[name]["few_samples"] is True  # 5, 7 or 5, 2 and 4 samples: all < 10

    # DF: 5 in 91 days; Garwood [1.623486, 11.668332] / 91.
    assert report["deployment_frequency"]["interval"] == {
        "low": 0.0178, "high": 0.1282, "level": 0.95, "method": "poisson"
    }  # fmt: skip
    interval = report["change_failure_rate"]["interval"]
    assert (interval["low"], interval["high"], interval["method"]) == (*cfr, "wilson")
    # Lead time: two changes of 1 and 5 days; every resample mean is 1, 3 or 5 days, and
    # 2 000 resamples all but surely draw both extremes more than 2.5 % of the time each.
    lead = report["lead_time_for_changes"]["interval"]
    assert (lead["low"], lead["high"], lead["method"]) == (DAY, 5 * DAY, "bootstrap")
    # MTTR: restores 1 800, 10 800, 86 400 and 172 800 s, mean 67 950 s inside the interval.
    mttr = report["mean_time_to_restore"]["interval"]
    assert 1800 <= mttr["low"] < 67950 < mttr["high"] <= 172800
    assert _report(quarter, profile, compare=False)["mean_time_to_restore"]["interval"] == mttr

    comparison = report["comparison"]
    assert (comparison["from"], comparison["to"]) == ("2023-10-02T00:00:00Z",
                                                      "2024-01-01T00:00:00Z")  # fmt: skip
    # DF: 5 against 1 in equal windows: Binomial(6, ½), P(X ≥ 5) = 7/64, doubled → 14/64.
    df = comparison["deployment_frequency"]
    assert df["previous"] == 0.011  # 1/91, rounded as per_day
    assert df["change_percent"] == round((0.0549 - 0.011) / 0.011 * 100, 2)
    assert df["p_value"] == pytest.approx(14 / 64)
    assert df["verdict"] == "no significant change"
    # Lead time: [1 d, 5 d] against [1 d]: ranks 1.5, 3 | 1.5; all 3 splits are as far from
    # the mean rank sum 4 as the observed 4.5 → p = 1.
    lt = comparison["lead_time_for_changes"]
    assert lt == {"previous": DAY, "change_percent": 200.0, "p_value": 1.0,
                  "verdict": "no significant change"}  # fmt: skip
    cf = comparison["change_failure_rate"]
    assert (cf["previous"], cf["change_percent"]) == (0.0, None)
    assert cf["p_value"] == pytest.approx(cfr_p, rel=1e-6)
    assert cf["verdict"] == "no significant change"
    assert comparison["mean_time_to_restore"] == {
        "previous": None, "change_percent": None, "p_value": None, "verdict": "not enough data"
    }  # fmt: skip


def test_cli_compare_previous(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no cell wraps
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    args = ("dora", "--profile", str(QUARTER / "cd-failures.yaml"), "--from", "2024-01-01",
            "--to", "2024-04-01")  # fmt: skip
    plain = run_cli(*args)
    result = run_cli(*args, "--compare", "previous")
    assert plain.code == 0 and result.code == 0, result.err
    assert "vs previous" not in plain.out and "vs previous" in result.out
    assert "not enough data" in result.out and "no significant change" in result.out
    assert "previous window: 2023-10-02T00:00:00Z → 2024-01-01T00:00:00Z" in result.out
    bad = run_cli(*args, "--compare", "last-year")
    assert bad.code == 2
