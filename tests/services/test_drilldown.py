"""The dashboard's drill-downs list exactly the records behind each figure: as many
deployments as deployment frequency counts, failures as the change failure rate, incidents
as time to restore (and open ones), changes as lead time (and each stage's samples and
missing) — for every kind of ``dora`` block, on SQLite and PostgreSQL, over whole windows and
over the buckets the charts link to."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.domain.times import parse_bound, to_micros
from leadline.errors import InputError
from leadline.profiles.loader import profile_from_data
from leadline.profiles.models import Profile
from leadline.services import collections, drilldown
from leadline.services.dora import dora
from leadline.services.leadtime import Window, lead_time
from leadline.store.db import reading
from leadline.store.dora_queries import load_incidents
from tests.conftest import FIXTURES

COLLECTIONS = FIXTURES / "collections"
QUARTER = FIXTURES / "dora_quarter"
WINDOWS = [("2024-01-01", "2024-03-01"), ("2024-01-02", "2024-01-06"),
           ("2024-01-05T12:00:00Z", "2024-04-15")]  # fmt: skip


@pytest.fixture
def loaded(engine: Engine, run_cli: Any) -> Engine:
    for path in (COLLECTIONS / "records.ndjson", QUARTER / "records.ndjson"):
        assert run_cli("import", str(path)).code == 0
    result = run_cli("apply", str(COLLECTIONS / "org.yaml"))
    assert result.code == 0, result.err
    return engine


def _team(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load((COLLECTIONS / "team.yaml").read_text())
    out = copy.deepcopy(data)
    for path, value in changes.items():
        target = out
        *parents, last = path.split("__")
        for p in parents:
            target = target[p]
        target[last] = value
    return out  # type: ignore[no-any-return]


def _deep(path: Any, section: str, **options: Any) -> dict[str, Any]:
    """A fixture profile with ``options`` added to its ``dora.<section>``."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    data["dora"][section] = {**data["dora"][section], **options}
    return data


VARIANTS = {
    "quarter cd failures": yaml.safe_load((QUARTER / "cd-failures.yaml").read_text()),
    "quarter incidents": yaml.safe_load((QUARTER / "incidents.yaml").read_text()),
    "team incidents": _team(dora__failures={"source": "incidents", "window": "2d"}),
    "team pull requests": _team(
        dora__deployments={"source": "pull_requests"}, dora__failures={"source": "incidents"}
    ),
    "team releases": _team(
        dora__deployments={"source": "releases"},
        dora__failures={"source": "issues", "issue_types": ["Story"]},
    ),
    "team issues restore": _team(dora__restore={"source": "issues", "issue_types": ["Story"]}),
    "team exclude": _team(missing_stages="exclude"),
    "team commits": _team(dora__lead_time="commits"),
    # issue 17: tickets as deployments, runs counted at their start, the all-runs
    # denominator, absolute counts
    "team tickets": _team(
        dora__deployments={"source": "issues", "category": "done", "occurrence": "every"},
        dora__failures={"source": "issues", "issue_types": ["Story"]},
    ),
    "quarter count at start": _deep(QUARTER / "cd-failures.yaml", "deployments",
                                    count_at="start"),
    "quarter all runs": _deep(QUARTER / "incidents.yaml", "failures", total="all_runs"),
    "quarter cd all runs": _deep(QUARTER / "cd-failures.yaml", "failures", total="all_runs"),
    "quarter absolute": _deep(QUARTER / "incidents.yaml", "failures", count="absolute"),
}  # fmt: skip


def _window(start: str, end: str) -> tuple[Window, int, int]:
    a, b = parse_bound(start), parse_bound(end)
    return Window(a, b), to_micros(a), to_micros(b)


def _check(engine: Engine, profile: Profile, start: str, end: str) -> dict[str, Any]:
    window, a, b = _window(start, end)
    report = dora(engine, profile, window, "week", "mean", now=datetime(2024, 6, 1))
    df, cfr = report["deployment_frequency"], report["change_failure_rate"]
    mttr, lead = report["mean_time_to_restore"], report["lead_time_for_changes"]
    deployments = drilldown.deployments(engine, profile, a, b)
    failures = drilldown.failures(engine, profile, a, b)
    restores = drilldown.incidents(engine, profile, a, b)
    changes = drilldown.changes(engine, profile, a, b)
    where = f"{profile.name} {start}..{end}"
    assert len(deployments) == df["deployments"], where
    assert all(a <= d.at_us < b for d in deployments), where
    assert len(failures.items) == cfr["failures"], where
    assert len(failures.unlinked) == cfr.get("unlinked", 0), where
    assert len(restores.resolved) == mttr["incidents"], where
    assert len(restores.open) == mttr["open"], where
    assert len(changes.items) == lead["changes"], where
    for stage in lead["stages"]:
        samples = drilldown.changes(engine, profile, a, b, stage["name"], "samples")
        missing = drilldown.changes(engine, profile, a, b, stage["name"], "missing")
        assert (len(samples.items), len(missing.items)) == (stage["samples"], stage["missing"])
    if mttr["incidents"]:
        mean = sum(r.seconds or 0 for r in restores.resolved) / len(restores.resolved)
        assert mean == pytest.approx(mttr["mean_seconds"]), where
    return report


@pytest.mark.parametrize("name", ["Acme", "Team A", "Team B", "Team B deploys"])
@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: "..".join(w))
def test_collections_list_what_they_count(
    loaded: Engine, name: str, window: tuple[str, str]
) -> None:
    _, profile = collections.report_profile(loaded, name)
    report = _check(loaded, profile, *window)
    if name == "Team A" and window == WINDOWS[0]:  # the figures are not trivially zero
        assert report["deployment_frequency"]["deployments"] == 4
        assert report["change_failure_rate"]["failures"] == 2
        assert report["lead_time_for_changes"]["changes"] == 5


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_dora_block_lists_what_it_counts(loaded: Engine, variant: str) -> None:
    profile = profile_from_data(VARIANTS[variant] | {"name": variant}, variant)
    totals = [_check(loaded, profile, *window) for window in WINDOWS]
    if variant == "quarter incidents":
        assert totals[2]["change_failure_rate"]["failures"] > 0
        assert totals[2]["mean_time_to_restore"]["open"] + totals[2]["mean_time_to_restore"][
            "incidents"] > 0  # fmt: skip


def test_chart_buckets_list_what_they_count(loaded: Engine) -> None:
    """Each bar of a chart links to its bucket's window: the list there equals the bar."""
    _, profile = collections.report_profile(loaded, "Acme")
    window, a, _ = _window("2024-01-01", "2024-01-15")
    report = dora(loaded, profile, window, "day")
    df = report["deployment_frequency"]["series"]
    cfr = report["change_failure_rate"]["series"]
    lead = report["lead_time_for_changes"]["series"]
    day = 86_400_000_000
    assert sum(p["count"] for p in df) > 3
    for i, (d, f, c) in enumerate(zip(df, cfr, lead, strict=True)):
        s, e = a + i * day, a + (i + 1) * day
        assert len(drilldown.deployments(loaded, profile, s, e)) == d["count"]
        assert len(drilldown.failures(loaded, profile, s, e).items) == f["failures"]
        assert len(drilldown.changes(loaded, profile, s, e).items) == c["changes"]


def test_failed_deployments_name_their_incidents(loaded: Engine) -> None:
    profile = profile_from_data(VARIANTS["quarter incidents"], "q")
    _, a, b = _window("2024-01-01", "2024-04-15")
    report = drilldown.failures(loaded, profile, a, b)
    with reading(loaded) as conn:
        known = {f"{i.source}/{i.id}" for i in load_incidents(conn)}
    assert report.items and all(d.failures for d in report.items)
    assert {k for d in report.items for k in d.failures} <= known
    assert all(report.refs[k].at_us > 0 for d in report.items for k in d.failures)


def test_a_profile_without_dora_has_only_changes(loaded: Engine) -> None:
    data = _team()
    del data["dora"]
    profile = profile_from_data(data, "no dora")
    window, a, b = _window("2024-01-01", "2024-03-01")
    with pytest.raises(InputError, match="no dora block"):
        drilldown.deployments(loaded, profile, a, b)
    counted = lead_time(loaded, profile, "mean", window)["changes"]
    assert counted == 10 and len(drilldown.changes(loaded, profile, a, b).items) == counted
    with pytest.raises(InputError, match="no stage named"):
        drilldown.changes(loaded, profile, a, b, "Nope", "missing")
