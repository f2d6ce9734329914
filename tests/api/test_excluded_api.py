"""``GET /v1/quality/excluded`` and ``leadline doctor --excluded``: every record the
``exclude`` rules took out, under the rule that did, on the people-based teams of
``tests/services/test_people_teams.py`` (window [2024-01-01, 2024-04-01)). Each rule's
``count`` is the doctor's ``excluded_by_rule`` count (one selection:
``services/doctor_exclusions.py``); bad parameters are 4xx JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.schemas import ErrorBody, ExcludedReport
from tests.api.conftest import auth
from tests.services.test_people_teams import CLI_WINDOW, load_org

WINDOW = {"from": "2024-01-01", "to": "2024-04-01"}
# By hand (the table of tests/services/test_people_teams.py), newest first: the bots' PRs
# #9 (merged 01-26 12:00) and #4 (01-25 12:00), each followed by its commit (08:00 that day);
# renovate's #7 (03-05) and its commit; Team B's own rule: the unmerged #10 (opened 03-10).
BOT = "exclude.authors '*[bot]' (org)"
RENOVATE = "exclude.authors 'renovate*' (org)"
WIP = "exclude.titles 'WIP*' (collection Team B)"
TEAM_B = {
    BOT: [("pull_request acme/app#9", "2024-01-26T12:00:00Z"),
          ("commit acme/app@9999999", "2024-01-26T08:00:00Z"),
          ("pull_request acme/app#4", "2024-01-25T12:00:00Z"),
          ("commit acme/app@4444444", "2024-01-25T08:00:00Z")],
    RENOVATE: [("pull_request acme/app#7", "2024-03-05T12:00:00Z"),
               ("commit acme/app@7777777", "2024-03-05T08:00:00Z")],
    WIP: [("pull_request acme/app#10", "2024-03-10T09:00:00Z")],
}  # fmt: skip


@pytest.fixture
def teams(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    return load_org(engine, run_cli, tmp_path)


def _listed(report: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {r["rule"]: [(x["record"], x["at"]) for x in r["records"]] for r in report["rules"]}


def test_http_lists_what_each_rule_excluded_with_the_doctors_counts(
    teams: Engine, client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    params = {"collection": "Team B", **WINDOW}
    http = client.get("/v1/quality/excluded", params=params, headers=auth(keys["read"]))
    assert http.status_code == 200, http.text
    answer = http.json()
    ExcludedReport.model_validate(answer)
    assert _listed(answer) == TEAM_B
    assert [(r["key"], r["pattern"], r["origin"]) for r in answer["rules"]] == [
        ("authors", "*[bot]", "org"), ("authors", "renovate*", "org"),
        ("titles", "WIP*", "collection Team B"),
    ]  # fmt: skip
    assert answer["subject"] == {"collection": "Team B", "profile": "Team B flow"}
    assert answer["rules"][2]["records"][0]["detail"] == f"WIP: spike: excluded by rule {WIP}"
    # The same counts as the doctor's check, rule by rule, over HTTP and in the CLI.
    quality = client.get("/v1/quality", params=params, headers=auth(keys["read"])).json()
    doctor = {c["rule"]: c["count"] for c in quality["checks"] if c["id"] == "excluded_by_rule"}
    assert {r["rule"]: r["count"] for r in answer["rules"]} == doctor == {BOT: 4, RENOVATE: 2,
                                                                          WIP: 1}  # fmt: skip
    cli = run_cli("doctor", "--collection", "Team B", "--excluded", *CLI_WINDOW,
                  "--format", "json")  # fmt: skip
    assert cli.code == 0, cli.err
    assert json.loads(cli.out) == answer


def test_the_cli_table_names_each_rule_and_its_records(teams: Engine, run_cli: Any) -> None:
    result = run_cli("doctor", "--collection", "Team A", "--excluded", *CLI_WINDOW)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("Records excluded from collection Team A (profile Team A flow)")
    # Team A has only the org's rules.
    assert lines[2:] == [
        f"{BOT}: 4",
        _line("pull_request acme/app#9", "01-26T12", 'Revert "Bump lodash"', BOT),
        _line("commit acme/app@9999999", "01-26T08", "dependabot[bot]", BOT),
        _line("pull_request acme/app#4", "01-25T12", "Bump lodash", BOT),
        _line("commit acme/app@4444444", "01-25T08", "dependabot[bot]", BOT),
        f"{RENOVATE}: 2",
        _line("pull_request acme/app#7", "03-05T12", "Update deps", RENOVATE),
        _line("commit acme/app@7777777", "03-05T08", "renovate-bot", RENOVATE),
    ]


def _line(record: str, at: str, what: str, rule: str) -> str:
    """A record's line of the table: indented, its time, its title or author and the rule."""
    return f"    {record}  2024-{at}:00:00Z  {what}: excluded by rule {rule}"


def test_a_profile_without_rules_lists_none(
    teams: Engine, client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    http = client.get("/v1/quality/excluded", params={"profile": "Flow", **WINDOW},
                      headers=auth(keys["read"]))  # fmt: skip
    assert http.status_code == 200 and http.json()["rules"] == []
    result = run_cli("doctor", "--profile", "Flow", "--excluded", *CLI_WINDOW)
    assert result.code == 0 and result.out.splitlines()[2:] == ["No exclude rules."]


@pytest.mark.parametrize(
    ("params", "status", "said"),
    [
        ({"collection": "Team B", "from": "yesterday"}, 422, "not a date or RFC 3339 time"),
        ({"collection": "Team B", "from": "2024-04-01", "to": "2024-01-01"}, 422, "is not before"),
        ({"collection": "No such team"}, 404, "no collection named 'No such team'"),
        ({"profile": "No such profile"}, 404, "no profile named 'No such profile'"),
        ({}, 422, "give either profile=NAME or collection=NAME"),
    ],
)
def test_bad_parameters_are_4xx_json(
    teams: Engine, client: TestClient, keys: dict[str, str], params: dict[str, str],
    status: int, said: str,
) -> None:  # fmt: skip
    http = client.get("/v1/quality/excluded", params=params, headers=auth(keys["read"]))
    assert http.status_code == status, http.text
    body = ErrorBody.model_validate(http.json())
    assert said in body.error.message


def test_a_key_is_needed(teams: Engine, client: TestClient, keys: dict[str, str]) -> None:
    assert client.get("/v1/quality/excluded", params={"profile": "Flow"}).status_code == 401
