"""``--format csv`` on every CLI report: each parses with the csv module, has the documented
columns (docs/cli.md, "CSV"), and holds the figures of the same report in JSON; the DORA
CSV's window rows checked by hand on the quarter fixture (docs/dora.md: 5 deployments)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

QUARTER = FIXTURES / "dora_quarter"
COLLECTIONS = FIXTURES / "collections"
WINDOW = ["--from", "2024-01-01", "--to", "2024-04-01"]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_dora_csv_one_row_per_metric_then_per_bucket(run_cli: Any) -> None:
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    profile = str(QUARTER / "cd-failures.yaml")
    args = ["dora", "--profile", profile, *WINDOW, "--interval", "month"]
    got = run_cli(*args, "--format", "csv")
    assert got.code == 0, got.err
    report = json.loads(run_cli(*args, "--format", "json").out)
    found = rows(got.out)
    assert list(found[0]) == ["metric", "bucket", "value", "unit", "samples", "band", "ci_low",
                              "ci_high"]  # fmt: skip
    window = [r for r in found if r["bucket"] == ""]
    assert [r["metric"] for r in window] == ["deployment_frequency", "lead_time_for_changes",
        "change_failure_rate", "mean_time_to_restore"]  # fmt: skip
    df = window[0]
    assert (df["samples"], df["unit"]) == ("5", "per_day")  # 5 deployments in the quarter
    assert float(df["value"]) == report["deployment_frequency"]["per_day"]
    assert df["band"] == (report["deployment_frequency"]["band"] or "")
    lt = window[1]
    assert lt["samples"] == str(report["lead_time_for_changes"]["changes"])
    cfr = report["change_failure_rate"]
    assert window[2]["value"] == ("" if cfr["rate"] is None else str(cfr["rate"]))
    series = [r for r in found if r["metric"] == "deployment_frequency" and r["bucket"]]
    assert [r["bucket"] for r in series] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert sum(int(r["value"]) for r in series) == 5
    assert all(r["unit"] == "deployments" for r in series)
    compared = rows(run_cli(*args, "--compare", "previous", "--format", "csv").out)
    assert list(compared[0])[-3:] == ["vs_previous", "change_percent", "p_value"]
    assert compared[0]["vs_previous"] == "no significant change"  # 5 against 1 (docs/dora.md)


def test_doctor_csv(run_cli: Any) -> None:
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    profile = str(QUARTER / "cd-failures.yaml")
    got = run_cli("doctor", "--profile", profile, *WINDOW, "--format", "csv")
    assert got.code == 0, got.err
    data = json.loads(run_cli("doctor", "--profile", profile, *WINDOW, "--format", "json").out)
    found = rows(got.out)
    assert list(found[0]) == ["severity", "id", "target", "count", "summary", "fix"]
    assert [r["id"] for r in found] == [c["id"] for c in data["checks"]]
    assert [r["count"] for r in found] == ["" if c["count"] is None else str(c["count"])
                                          for c in data["checks"]]  # fmt: skip
    examples = run_cli("doctor", "--profile", profile, *WINDOW, "--examples", "--format", "csv")
    assert examples.out.startswith("id,target,record,at,detail\n")
    assert len(rows(examples.out)) == sum(len(c["examples"]) for c in data["checks"])
    excluded = run_cli("doctor", "--profile", profile, *WINDOW, "--excluded", "--format", "csv")
    assert excluded.out.startswith("rule,count,record,at,repo,detail\n")


def test_lists_and_import_as_csv(run_cli: Any) -> None:
    imported = run_cli("import", str(COLLECTIONS / "records.ndjson"), "--format", "csv")
    assert imported.code == 0, imported.err
    counts = json.loads(run_cli("import", str(COLLECTIONS / "records.ndjson"),
                                "--format", "json").out)["kinds"]  # fmt: skip
    found = rows(imported.out)
    assert [r["kind"] for r in found] == sorted(counts)
    assert all(int(r["new"]) > 0 for r in found)  # the first import: every record new
    assert run_cli("apply", str(COLLECTIONS / "org.yaml")).code == 0
    tree = rows(run_cli("collection", "list", "--format", "csv").out)
    assert [(r["name"], r["parent"], r["depth"]) for r in tree] == [
        ("Acme", "", "0"), ("Team A", "Acme", "1"), ("Team B", "Acme", "1"),
        ("Team B deploys", "Team B", "2")]  # fmt: skip
    assert tree[0]["profile"] == "Team flow" and tree[1]["inherits_profile"] == "True"
    stored = rows(run_cli("profile", "list", "--format", "csv").out)
    assert [(r["name"], r["dora"], r["problem"]) for r in stored] == [("Team flow", "True", "")]
    unmatched = run_cli("contributors", "unmatched", "--format", "csv")
    assert unmatched.code == 0 and unmatched.out.startswith("identity,records,seen,suggestions\n")
    data = json.loads(run_cli("contributors", "unmatched", "--format", "json").out)
    assert [r["identity"] for r in rows(unmatched.out)] == [u["identity"] for u in data]


def test_contributors_csv_escapes_formulas_and_reads_them_back(
    run_cli: Any, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text('name,email,identities\n"=cmd()",a@x.org,github:a\nBea,,github:-b\n')
    assert run_cli("contributors", "import", str(people)).code == 0
    listed = run_cli("contributors", "list", "--format", "csv").out
    assert "'=cmd()" in listed  # a spreadsheet shows it as text
    again = tmp_path / "again.csv"
    again.write_text(listed)
    assert run_cli("contributors", "import", str(again), "--replace").code == 0
    names = [p["name"] for p in json.loads(run_cli("contributors", "list", "--format",
                                                   "json").out)]  # fmt: skip
    assert sorted(names) == ["=cmd()", "Bea"]


def test_git_csv_no_data_is_empty_never_zero(run_cli: Any, tmp_path: Path) -> None:
    """``leadline git``'s CSV is ``dora``'s; the figures by hand (tests/cli/test_git_cmd.py):
    5 tags in the window, 7 commits, median 1d19h; git has no failures or restores, so
    their values are empty cells, never 0 — in the window and in every bucket."""
    from tests.gitbuild import history

    repo, _ = history(tmp_path / "app")
    got = run_cli("git", str(repo.path), "--from", "2024-01-03", "--to", "2024-02-01",
                  "--all-tags", "--format", "csv")  # fmt: skip
    assert got.code == 0, got.err
    found = rows(got.out)
    window = {r["metric"]: r for r in found if not r["bucket"]}
    df, lt = window["deployment_frequency"], window["lead_time_for_changes"]
    assert (df["value"], df["samples"]) == (str(round(5 / 29, 4)), "5")
    assert (lt["value"], lt["unit"], lt["samples"]) == (str(86400.0 + 19 * 3600.0), "seconds", "7")
    for metric in ("change_failure_rate", "mean_time_to_restore"):
        assert [(r["value"], r["band"]) for r in found if r["metric"] == metric] == [("", "")] * 6
    weeks = [r["value"] for r in found if r["metric"] == "deployment_frequency" and r["bucket"]]
    assert weeks == ["2", "3", "0", "0", "0"]  # a count of 0 deployments is a measured 0
