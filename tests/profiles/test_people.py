"""Contributors and members, pure: the suggestion key, the validation messages, the CSV
format and how members resolve (dates, nested collections, identities, cycles)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from leadline.profiles.collections import CollectionSpec, OrgSpec
from leadline.profiles.people import (
    ContributorSpec,
    MembersError,
    MemberSpec,
    PeopleCsvError,
    identity_problems,
    name_key,
    parse_csv,
    resolve_members,
    to_csv,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ana López", "analopez"),  # accent dropped, blank dropped, case ignored
        ("ana.lopez", "analopez"),  # punctuation dropped
        ("Ana.Lopez@acme.com", "analopez"),  # an e-mail: its local part
        ("ANA_LOPEZ", "analopez"),
        ("alopez", "alopez"),  # a login is not the full name: no match
        ("Zoë O'Neil-Smith", "zoeoneilsmith"),
        ("李雷", "李雷"),  # letters of any script stay
        ("--", ""),
    ],
)
def test_name_key(text: str, key: str) -> None:
    assert name_key(text) == key


def test_contributor_identities_include_the_email_once() -> None:
    spec = ContributorSpec(name="Ana", email="ana@acme.com", identities=["alopez", "Ana L"])
    assert spec.all_identities() == ["ana@acme.com", "alopez", "Ana L"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"name": "Ana"}, "give an email or at least one identity"),
        ({"name": "Ana", "identities": ["a", "A"]}, "identities: 'A' is given twice"),
        ({"name": "Ana", "email": "a@x", "identities": ["A@X"]},
         "identities: 'A@X' is the email (already an identity)"),
        ({"name": " "}, "String should match pattern"),
        ({"name": "Ana", "identities": ["a\x00"]}, "contains a NUL character"),
        # 500 characters of up to 4 bytes: within what a PostgreSQL index holds
        ({"name": "Ana", "identities": ["a" * 501]}, "at most 500 characters"),
        ({"name": "Ana", "identities": ["a"], "login": "a"}, "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_contributor_rules(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        ContributorSpec.model_validate(data)


def test_one_identity_one_contributor_ignoring_case() -> None:
    ana = ContributorSpec(name="Ana", email="ana@acme.com", identities=["alopez"])
    bo = ContributorSpec(name="Bo", identities=["ALOPEZ", "bo"])
    ana2 = ContributorSpec(name="ana", identities=["x"])
    bo_mail = ContributorSpec(name="Bo2", email="Ana@Acme.com")
    assert identity_problems([("a", ana), ("b", bo), ("c", ana2), ("d", bo_mail)]) == [
        ("b", "identities", "'ALOPEZ' is already 'Ana''s identity"),
        ("c", "name", "a second contributor named 'ana'"),
        ("d", "email", "'Ana@Acme.com' is already 'Ana''s identity"),
    ]


def test_org_file_reports_a_shared_identity_at_its_path() -> None:
    data = {"contributors": [{"name": "Ana", "identities": ["a"]},
                             {"name": "Bo", "identities": ["A"]}]}  # fmt: skip
    with pytest.raises(ValidationError, match=r"contributors\[1\].identities: 'A' is already"):
        OrgSpec.model_validate(data)


@pytest.mark.parametrize(
    ("data", "start", "end"),
    [
        ({"contributor": "Ana"}, None, None),
        # a day is midnight UTC; ``to`` exclusive
        ({"contributor": "Ana", "from": "2026-01-15", "to": "2026-04-01"},
         datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
        # a YAML date, and an RFC 3339 time with an offset (08:00+02:00 = 06:00Z)
        ({"contributor": "Ana", "from": datetime(2026, 1, 15).date(),
          "to": "2026-02-01T08:00:00+02:00"},
         datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 2, 1, 6, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_member_dates(data: dict[str, Any], start: datetime | None, end: datetime | None) -> None:
    spec = MemberSpec.model_validate(data)
    assert (spec.start, spec.end) == (start, end)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "give either contributor or collection"),
        ({"contributor": "Ana", "collection": "T"}, "give either contributor or collection"),
        ({"collection": "T", "from": "2026-01-01"}, "from and to are for a contributor"),
        ({"contributor": "Ana", "from": "2026-02-01", "to": "2026-02-01"}, "to: must be after"),
        ({"contributor": "Ana", "from": "2026-02-30"}, "not a date: '2026-02-30'"),
        ({"contributor": "Ana", "to": "2026-02-01T10:00:00"}, "naive time"),
        ({"contributor": "Ana", "since": "2026-02-01"}, "Extra inputs are not permitted"),
    ],
)
def test_member_rules(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        MemberSpec.model_validate(data)


PEOPLE = {
    "ana": ContributorSpec(name="Ana", email="ana@acme.com", identities=["alopez"]),
    "bo": ContributorSpec(name="Bo", identities=["bochen", "Bo Chen"]),
    "cy": ContributorSpec(name="Cy", identities=["cy"]),
}


def _members(tree: dict[str, list[dict[str, Any]]]) -> Any:
    specs = {k.casefold(): [MemberSpec.model_validate(m) for m in v] for k, v in tree.items()}
    return lambda name: specs.get(name.casefold())


def test_members_resolve_with_identities_dates_and_nested_collections() -> None:
    tree = {
        "Payments": [
            {"contributor": "ana", "to": "2026-02-15"},  # moves out mid-quarter
            {"collection": "Platform"},
        ],
        "Platform": [{"contributor": "Bo"}, {"contributor": "Ana", "from": "2026-02-15"}],
    }
    got = [m.model_dump() for m in resolve_members("payments", _members(tree), PEOPLE)]
    feb15 = datetime(2026, 2, 15, tzinfo=UTC)
    assert got == [
        # names as stored, the e-mail first among the identities
        {"name": "Ana", "identities": ["ana@acme.com", "alopez"], "start": None, "end": feb15},
        {"name": "Bo", "identities": ["bochen", "Bo Chen"], "start": None, "end": None},
        {"name": "Ana", "identities": ["ana@acme.com", "alopez"], "start": feb15, "end": None},
    ]


@pytest.mark.parametrize(
    ("tree", "problem"),
    [
        ({"A": [{"contributor": "Dee"}]}, "members: no contributor named 'Dee'"),
        ({"A": [{"collection": "Nope"}]}, "members: no collection named 'Nope'"),
        ({"A": [{"collection": "B"}], "B": []}, "members: collection 'B' has no members"),
        ({"A": [{"collection": "B"}], "B": [{"collection": "C"}], "C": [{"collection": "a"}]},
         "members: collections name each other: A → B → C → a"),
    ],
)  # fmt: skip
def test_member_problems(tree: dict[str, list[dict[str, Any]]], problem: str) -> None:
    with pytest.raises(MembersError, match=re.escape(problem)):
        resolve_members("A", _members(tree), PEOPLE)


def test_a_collection_takes_members_or_none() -> None:
    spec = CollectionSpec.model_validate(
        {"name": "T", "members": [{"contributor": "Ana", "from": "2026-01-01"}]}
    )
    assert spec.members_json() == [{"contributor": "Ana", "from": "2026-01-01T00:00:00Z"}]
    with pytest.raises(ValidationError, match="at least 1 item"):
        CollectionSpec.model_validate({"name": "T", "members": []})


def test_csv_both_shapes_one_contributor_per_name() -> None:
    text = (
        "\ufeffName,email,identities\n"  # a BOM and any case in the header
        "Ana López,ana@acme.com,alopez; Ana López\n"
        "Bo,,bochen\n"
        "\n"
        "bo,,BO@acme.com\n"  # a second row of Bo (name ignoring case): one more identity
        "Bo,,bochen\n"  # the same identity again: once
        "Cy,cy@acme.com\n"  # a missing trailing cell is blank
    )
    got = [(line, spec.as_json()) for line, spec in parse_csv(text, "people.csv")]
    assert got == [
        (2, {"name": "Ana López", "email": "ana@acme.com", "identities": ["alopez", "Ana López"]}),
        (3, {"name": "Bo", "email": None, "identities": ["bochen", "BO@acme.com"]}),
        (7, {"name": "Cy", "email": "cy@acme.com", "identities": []}),
    ]
    specs = [spec for _, spec in parse_csv(text, "people.csv")]
    assert [s for _, s in parse_csv(to_csv(specs), "again.csv")] == specs


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("", ["p.csv:1: (header): expected the columns name, email, identities"]),
        ("name,mail\n", ["p.csv:1: mail: unknown column (expected name, email, identities)"]),
        ("email,identities\n", ["p.csv:1: name: required column"]),
        ("name,name\n", ["p.csv:1: name: a second column 'name'"]),
        ("name,identities\nAna,a,b\n,x\n", ["p.csv:2: (row): 3 cells for 2 columns",
                                          "p.csv:3: name: required"]),
        ("name,email\nAna,a@x\nana,b@x\n", ["p.csv:3: email: 'ana' already has 'a@x'"]),
        ("name,identities\nAna,\n", ["p.csv:2: identities: give an email or at least one "
                                     "identity"]),
        ("name,identities\nAna,x\nBo,y;X\n", ["p.csv:3: identities: 'X' is already 'Ana''s "
                                            "identity"]),
    ],
)  # fmt: skip
def test_csv_problems_name_line_and_column(text: str, problems: list[str]) -> None:
    with pytest.raises(PeopleCsvError) as caught:
        parse_csv(text, "p.csv")
    assert caught.value.problems == problems
