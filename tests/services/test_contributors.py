"""Contributors and people-based collections on both databases: the org file round trip
(file → database → ``collection show``), members resolved into ``scope.people`` (dates,
nested collections, inherited), the fingerprint following them, the identities records
carry that belong to no one (with suggestions), and every write's rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.errors import InputError
from leadline.services import collections, contributors
from leadline.services.refresh import timeline_fingerprint
from tests.conftest import FIXTURES

HERE = FIXTURES / "people"
FEB15 = datetime(2026, 2, 15, tzinfo=UTC)
ANA = ["ana@acme.com", "alopez"]


@pytest.fixture
def org(engine: Engine, run_cli: Any) -> Engine:
    assert run_cli("import", str(HERE / "records.ndjson")).code == 0
    result = run_cli("apply", str(HERE / "org.yaml"))
    assert result.code == 0, result.err
    assert "contributors stored: Ana López, Bo Chen, Cy Dev" in result.out
    assert "created: Eng, Payments, Platform, Platform infra" in result.out
    return engine


def _org_file() -> dict[str, Any]:
    return yaml.safe_load((HERE / "org.yaml").read_text())  # type: ignore[no-any-return]


def test_org_file_round_trip(org: Engine, run_cli: Any) -> None:
    listed = run_cli("contributors", "list", "--format", "json")
    assert json.loads(listed.out) == [
        {"email": None, **c} if "email" not in c else {"identities": [], **c}
        for c in _org_file()["contributors"]
    ]
    shown = json.loads(run_cli("collection", "show", "payments").out)
    # Dates as UTC times; the names as written (resolved when the profile is built).
    assert (
        shown["members"]
        == shown["own_members"]
        == [
            {"contributor": "Ana López", "to": "2026-02-15T00:00:00Z"},
            {"collection": "Platform"},
        ]
    )
    infra = json.loads(run_cli("collection", "show", "Platform infra").out)
    assert infra["own_members"] is None
    assert infra["members"] == [
        {"contributor": "bo chen"},
        {"contributor": "Ana López", "from": "2026-02-15T00:00:00Z"},
    ]
    assert json.loads(run_cli("collection", "show", "Eng").out)["members"] is None
    tree = run_cli("collection", "list").out.splitlines()
    assert tree[1] == ("  Payments  [People flow (inherited)]  repositories=acme/app; "
                       "members=Ana López,collection:Platform")  # fmt: skip
    again = run_cli("apply", str(HERE / "org.yaml"))
    assert "unchanged: Eng, Payments, Platform, Platform infra" in again.out


def _people(engine: Engine, name: str) -> list[dict[str, Any]] | None:
    _, profile = collections.report_profile(engine, name)
    people = profile.scope.people
    return None if people is None else [p.model_dump() for p in people]


def test_members_resolve_into_scope_people(org: Engine) -> None:
    bo = {"name": "Bo Chen", "identities": ["bo"], "start": None, "end": None}
    platform = [bo, {"name": "Ana López", "identities": ANA, "start": FEB15, "end": None}]
    # Payments: Ana until Feb 15 (exclusive), then Platform's members in place.
    assert _people(org, "Payments") == [
        {"name": "Ana López", "identities": ANA, "start": None, "end": FEB15},
        *platform,
    ]
    assert _people(org, "Platform") == platform
    assert _people(org, "Platform infra") == platform  # inherited, like a filter
    assert _people(org, "Eng") is None
    _, profile = collections.report_profile(org, "Payments")
    assert profile.scope.repos == ["acme/app"]  # the filters still apply


def test_a_change_of_contributors_or_members_changes_the_fingerprint(
    org: Engine, run_cli: Any, tmp_path: Path
) -> None:
    def fingerprint(name: str) -> str:
        return timeline_fingerprint(collections.report_profile(org, name)[1])

    before = {n: fingerprint(n) for n in ("Eng", "Payments", "Platform")}
    contributors.put(org, "Bo Chen", {"identities": ["bo", "bochen"]})
    after = {n: fingerprint(n) for n in ("Eng", "Payments", "Platform")}
    assert after["Eng"] == before["Eng"]  # not people-based
    assert after["Payments"] != before["Payments"] and after["Platform"] != before["Platform"]
    data = _org_file()
    data["collections"][0]["children"][1]["members"][1]["from"] = "2026-03-01"
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    assert run_cli("apply", str(tmp_path / "org.yaml")).code == 0
    moved = {n: fingerprint(n) for n in ("Eng", "Payments", "Platform")}
    assert moved["Eng"] == before["Eng"] and moved["Platform"] != after["Platform"]
    # The file gave Bo back his one identity: the same members as at first.
    data["collections"][0]["children"][1]["members"][1]["from"] = "2026-02-15"
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    assert run_cli("apply", str(tmp_path / "org.yaml")).code == 0
    assert {n: fingerprint(n) for n in ("Eng", "Payments", "Platform")} == before


def test_unmatched_identities_with_suggestions(org: Engine, run_cli: Any) -> None:
    found = json.loads(run_cli("contributors", "unmatched", "--format", "json").out)
    # Matched and so absent: ana@acme.com (an e-mail is an identity; ANA@… as an assignee,
    # case ignored), alopez (PR author), bo (commit author; BO as a reviewer).
    assert found == [
        # 2 records each, then by identity: "ana lópez" < "cy-dev" < "dependabot[bot]"
        {"identity": "Ana López", "records": 2,
         "seen": [{"where": "commit author", "records": 2}],
         # its commits carry ana@acme.com, Ana's (the same name too: one suggestion)
         "suggestions": [{"contributor": "Ana López", "reason": "same e-mail"}]},
        {"identity": "cy-dev", "records": 2,
         "seen": [{"where": "reviewer", "records": 2}],  # pull requests reviewed: #1, #2
         "suggestions": [{"contributor": "Cy Dev", "reason": "same name"}]},  # cydev
        {"identity": "dependabot[bot]", "records": 2,
         "seen": [{"where": "commit author", "records": 1},
                  {"where": "pull request author", "records": 1}],
         "suggestions": []},
        {"identity": "5b10ac8d82e05b22cc7d4ef5", "records": 1,
         "seen": [{"where": "ticket assignee", "records": 1}], "suggestions": []},
        # the e-mail of commits whose author is bo, Bo's (and bo.chen ~ Bo Chen)
        {"identity": "bo.chen@gmail.com", "records": 1,
         "seen": [{"where": "commit author e-mail", "records": 1}],
         "suggestions": [{"contributor": "Bo Chen", "reason": "same name"}]},
    ]  # fmt: skip
    table = run_cli("contributors", "unmatched").out.splitlines()
    assert table[0] == "Ana López  [commit author 2]  → Ana López? (same e-mail)"
    contributors.put(org, "Cy Dev", {"identities": ["cy@acme.com", "CY-DEV"]})
    assert "cy-dev" not in [u.identity for u in contributors.unmatched(org)]


def test_csv_import_merges_or_replaces(org: Engine, tmp_path: Path, run_cli: Any) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("name,email,identities\nana lópez,ana@acme.com,alopez;Ana López\n"
                   "Dee,,dee\nDee,,dee@acme.com\nBo Chen,,bo\n", encoding="utf-8")  # fmt: skip
    result = run_cli("contributors", "import", str(csv))
    assert result.code == 0, result.err
    # Ana keeps her stored spelling; Cy is kept (not named, no --replace).
    assert result.out.splitlines() == ["created: Dee", "updated: Ana López",
                                       "unchanged: Bo Chen"]  # fmt: skip
    assert [c.name for c in contributors.all_contributors(org)] == [
        "Ana López", "Bo Chen", "Cy Dev", "Dee"]  # fmt: skip
    assert contributors.get(org, "dee").identities == ["dee", "dee@acme.com"]
    # --replace would remove Cy: fine, no collection names Cy.
    replaced = run_cli("contributors", "import", str(csv), "--replace")
    assert "removed: Cy Dev" in replaced.out
    exported = run_cli("contributors", "list", "--format", "csv").out
    (tmp_path / "again.csv").write_text(exported, encoding="utf-8")
    assert "unchanged: Ana López, Bo Chen, Dee" in run_cli(
        "contributors", "import", str(tmp_path / "again.csv"), "--replace").out  # fmt: skip


@pytest.mark.parametrize(
    ("text", "replace", "message"),
    [
        # an identity stored as another's: the line that claims it
        ("name,identities\nDee,x\nEve,ALOPEZ\n", False,
         "p.csv:3: identities: 'ALOPEZ' is already 'Ana López''s identity"),
        # with --replace the stored ones go, but a collection still names Bo
        ("name,identities\nAna López,alopez\n", True,
         "collection 'Platform' names contributor 'bo chen' as a member: change its members "
         "first"),
        ("name,identities\nDee,\n", False,
         "p.csv:2: identities: give an email or at least one identity"),
    ],
)  # fmt: skip
def test_csv_import_is_all_or_nothing(
    org: Engine, tmp_path: Path, text: str, replace: bool, message: str
) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text(text)
    before = contributors.all_contributors(org)
    with pytest.raises(InputError) as caught:
        contributors.import_csv(org, csv, replace=replace)
    assert str(caught.value).replace(str(tmp_path) + "/", "") == message
    assert contributors.all_contributors(org) == before


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda d: d["collections"][0]["children"][0]["members"].append({"contributor": "Dee"}),
         "collections[0].children[0].members: no contributor named 'Dee'"),
        (lambda d: d["collections"][0]["children"][1]["members"].append(
            {"collection": "Payments"}),
         "collections[0].children[0].members: collections name each other: Payments → "
         "Platform → Payments"),
        (lambda d: d["contributors"].pop(1),
         "collections[0].children[1].members: no contributor named 'bo chen'"),
        (lambda d: d["contributors"][2]["identities"].append("BO"),
         "(file): contributors[2].identities: 'BO' is already 'Bo Chen''s identity"),
        (lambda d: d["collections"][0]["children"][0]["members"][0].update(to="2025-12-01",
                                                                           **{"from": "2026"}),
         "collections[0].children[0].members[0].from: not an RFC 3339 time: '2026'"),
        (lambda d: d["collections"][0]["children"][0]["members"][0].update(since="2026-01-01"),
         "collections[0].children[0].members[0].since: unknown field (expected one of "
         "['contributor', 'collection', 'from', 'to'])"),
    ],
)  # fmt: skip
def test_org_file_member_problems(
    org: Engine, run_cli: Any, tmp_path: Path, edit: Any, problem: str
) -> None:
    data = _org_file()
    edit(data)
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = run_cli("apply", str(tmp_path / "org.yaml"))
    assert result.code == 2
    assert problem in result.err, result.err
    # all or nothing: the stored contributors and collections are as before
    assert len(contributors.all_contributors(org)) == 3
    assert collections.get(org, "Platform").own_members is not None


def test_org_file_without_contributors_keeps_the_stored_ones(
    org: Engine, run_cli: Any, tmp_path: Path
) -> None:
    data = _org_file()
    del data["contributors"]
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    assert run_cli("apply", str(tmp_path / "org.yaml")).code == 0
    assert len(contributors.all_contributors(org)) == 3
    data["contributors"] = []
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = run_cli("apply", str(tmp_path / "org.yaml"))
    assert result.code == 2 and "no contributor named 'Ana López'" in result.err


def test_a_contributor_named_as_a_member_stays(org: Engine, run_cli: Any) -> None:
    result = run_cli("contributors", "delete", "Bo Chen")
    assert result.code == 2
    assert "collection 'Platform' names contributor 'bo chen' as a member" in result.err
    assert run_cli("contributors", "delete", "cy dev").out == "removed: Cy Dev\n"
    assert run_cli("contributors", "delete", "Cy Dev").err.endswith(
        "no contributor named 'Cy Dev'\n")  # fmt: skip


def test_a_collection_named_in_members_stays(org: Engine, run_cli: Any) -> None:
    result = run_cli("collection", "delete", "Platform")
    assert result.code == 2
    assert "collection 'Payments': members: no collection named 'Platform'" in result.err
    assert collections.get(org, "Platform infra").members is not None  # nothing removed
    assert run_cli("collection", "delete", "Payments").out == "removed: Payments\n"
    assert run_cli("collection", "delete", "Platform").code == 0
