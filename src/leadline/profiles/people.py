"""Contributors (people) and collection members, pure: the models, the identity rules and
how a collection's ``members`` resolve into the ``Scope.people`` of its profile.

A **contributor** is a person with a unique ``name``, an optional ``email`` and
``identities``: the strings records carry as an author (git author names and e-mails,
GitHub/GitLab/Bitbucket/Azure DevOps logins, Jira account ids). The ``email`` is one of their
identities too. Identities are matched ignoring case (``identity_key``), and one identity
belongs to at most one contributor (``identity_problems``).

A collection's **members** are ``{contributor: NAME, from: DATE, to: DATE}`` (``from``
inclusive, ``to`` exclusive, both optional, UTC) or ``{collection: NAME}`` (that
collection's members, with their dates). ``resolve_members`` expands them into
``profiles.models.Member`` entries in the order given; a cycle of collections is an error.

``name_key`` is the rule ``leadline contributors unmatched`` suggests by: letters and digits
only, accents dropped, case ignored, and of an e-mail its local part (``Ana López``,
``ana.lopez`` and ``ana.lopez@acme.com`` are all ``analopez``).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from leadline.csvtext import read_cell
from leadline.csvtext import to_csv as csv_text
from leadline.domain.times import parse_time
from leadline.profiles.model_types import Text
from leadline.profiles.models import Member


def identity_key(identity: str) -> str:
    """What identities are compared by: case-folded, surrounding blanks dropped."""
    return identity.strip().casefold()


def name_key(text: str) -> str:
    """The suggestion key of a name or an identity (see the module doc)."""
    local = text.split("@", 1)[0] if "@" in text else text
    plain = unicodedata.normalize("NFKD", local)
    return "".join(c for c in plain.casefold() if c.isalnum() and not unicodedata.combining(c))


def _day_or_time(value: object) -> object:
    """``2026-01-01`` (a YAML date, or text) is midnight UTC; else an RFC 3339 time."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return _day_or_time(date.fromisoformat(value.strip()))
        except ValueError:
            raise ValueError(f"not a date: {value!r} (e.g. 2026-01-31)") from None
    return parse_time(value)


Moment = Annotated[datetime, BeforeValidator(_day_or_time)]


MAX_NAME = 500


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


#: A name or an identity: non-blank text a database can hold, and index (identities are a
#: unique key: PostgreSQL indexes at most ~2,700 bytes of a value).
Name = Annotated[Text, Field(max_length=MAX_NAME), AfterValidator(_storable)]


class ContributorSpec(BaseModel):
    """One entry of ``contributors:`` (org file), a CSV row group or a PUT body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    email: Name | None = None
    identities: list[Name] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_identity(self) -> ContributorSpec:
        if self.email is None and not self.identities:
            raise ValueError("give an email or at least one identity")
        seen = {identity_key(self.email)} if self.email else set()
        for identity in self.identities:
            if self.email and identity_key(identity) == identity_key(self.email):
                raise ValueError(f"identities: {identity!r} is the email (already an identity)")
            if identity_key(identity) in seen:
                raise ValueError(f"identities: {identity!r} is given twice")
            seen.add(identity_key(identity))
        return self

    def all_identities(self) -> list[str]:
        """The e-mail and the identities, each once (ignoring case), in that order."""
        found: dict[str, str] = {}
        for identity in [*([self.email] if self.email else []), *self.identities]:
            found.setdefault(identity_key(identity), identity.strip())
        return list(found.values())

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "identities": list(self.identities)}


class MemberSpec(BaseModel):
    """One entry of a collection's ``members``: a contributor over a span, or a collection."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    contributor: Name | None = None
    collection: Name | None = None
    start: Moment | None = Field(default=None, alias="from")
    end: Moment | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _one_kind(self) -> MemberSpec:
        if (self.contributor is None) == (self.collection is None):
            raise ValueError("give either contributor or collection")
        if self.collection is not None and (self.start or self.end):
            raise ValueError("from and to are for a contributor (a collection's members "
                             "keep their own dates)")  # fmt: skip
        if self.start and self.end and self.end <= self.start:
            raise ValueError("to: must be after from (to is exclusive)")
        return self

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def identity_problems(
    specs: Iterable[tuple[str, ContributorSpec]],
) -> list[tuple[str, str, str]]:
    """``(where, field, problem)`` for each second contributor of a name or an identity."""
    names: set[str] = set()
    owners: dict[str, str] = {}
    problems = []
    for where, spec in specs:
        if spec.name.casefold() in names:
            problems.append((where, "name", f"a second contributor named {spec.name!r}"))
            continue
        names.add(spec.name.casefold())
        for identity in spec.all_identities():
            owner = owners.setdefault(identity_key(identity), spec.name)
            if owner != spec.name:
                field = "email" if identity == spec.email else "identities"
                problems.append((where, field, f"{identity!r} is already {owner!r}'s identity"))
    return problems


class MembersError(ValueError):
    """A collection's members that cannot be resolved (unknown name, cycle)."""


def resolve_members(
    collection: str,
    members_of: Callable[[str], list[MemberSpec] | None],
    contributors: Mapping[str, ContributorSpec],
) -> list[Member]:
    """The ``Member`` entries of ``collection``: its contributors with their spans, and
    those of each collection it names, in the order given. ``members_of`` gives a
    collection's own members (``None``: no such collection); ``contributors`` is keyed by
    the case-folded name."""

    def expand(name: str, path: list[str]) -> list[Member]:
        if name.casefold() in (p.casefold() for p in path):
            raise MembersError(f"members: collections name each other: {' → '.join([*path, name])}")
        specs = members_of(name)
        if specs is None:
            raise MembersError(f"members: no collection named {name!r}")
        out: list[Member] = []
        for spec in specs:
            if spec.collection is not None:
                nested = expand(spec.collection, [*path, name])
                if not nested:
                    raise MembersError(f"members: collection {spec.collection!r} has no members")
                out += nested
                continue
            person = contributors.get(str(spec.contributor).casefold())
            if person is None:
                raise MembersError(f"members: no contributor named {spec.contributor!r}")
            out.append(Member(name=person.name, identities=person.all_identities(),
                              start=spec.start, end=spec.end))  # fmt: skip
        return out

    return expand(collection, [])


CSV_COLUMNS = ("name", "email", "identities")


def parse_csv(text: str, source: str) -> list[tuple[int, ContributorSpec]]:
    """``name,email,identities`` rows (a header line first; identities ``;``-separated;
    ``email`` and ``identities`` optional, missing trailing cells blank) → each contributor
    with the line it starts on. Rows of the same name are one contributor (so one row per
    identity works too). Every problem is a ``SOURCE:LINE: column: problem`` line of the
    ``PeopleCsvError`` raised."""
    rows = [[read_cell(cell) for cell in row]
            for row in csv.reader(io.StringIO(text.removeprefix("\ufeff")))]  # fmt: skip
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise PeopleCsvError([f"{source}:1: (header): expected the columns {_COLUMNS_TEXT}"])
    header = [cell.strip().lower() for cell in rows[0]]
    problems = [
        f"{source}:1: {cell or '(blank)'}: unknown column (expected {_COLUMNS_TEXT})"
        for cell in header if cell not in CSV_COLUMNS
    ]  # fmt: skip
    problems += [f"{source}:1: name: required column"] if "name" not in header else []
    problems += [f"{source}:1: {c}: a second column {c!r}" for c in set(header)
                 if header.count(c) > 1]  # fmt: skip
    if problems:
        raise PeopleCsvError(problems)
    merged: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(f"{source}:{number}: (row): {len(row)} cells for {len(header)} columns")
            continue
        cells = {column: cell.strip() for column, cell in zip(header, row, strict=False)}
        name = cells.get("name", "")
        if not name:
            problems.append(f"{source}:{number}: name: required")
            continue
        entry = merged.setdefault(name.casefold(), {"name": name, "identities": []})
        lines.setdefault(name.casefold(), number)
        email = cells.get("email") or None
        if email and entry.get("email") not in (None, email):
            problems.append(f"{source}:{number}: email: {name!r} already has {entry['email']!r}")
        elif email:
            entry["email"] = email
        known = {identity_key(i) for i in entry["identities"]}
        for identity in (i.strip() for i in cells.get("identities", "").split(";")):
            if identity and identity_key(identity) not in known:
                entry["identities"].append(identity)
                known.add(identity_key(identity))
    specs: list[tuple[str, ContributorSpec]] = []
    for key, entry in merged.items():
        where = f"{source}:{lines[key]}"
        try:
            specs.append((where, ContributorSpec.model_validate(entry)))
        except ValidationError as exc:
            problems += [f"{where}: {_csv_column(e)}: {e['msg'].removeprefix('Value error, ')}"
                         for e in exc.errors(include_url=False)]  # fmt: skip
    problems += [f"{where}: {field}: {what}" for where, field, what in identity_problems(specs)]
    if problems:
        raise PeopleCsvError(problems)
    return [(int(where.rsplit(":", 1)[1]), spec) for where, spec in specs]


class PeopleCsvError(ValueError):
    """The problems of a contributors CSV, one ``SOURCE:LINE: column: problem`` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0])
        self.problems = problems


_COLUMNS_TEXT = ", ".join(CSV_COLUMNS)


def _csv_column(err: Any) -> str:
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    return loc[0] if loc else "identities"


def to_csv(specs: Iterable[ContributorSpec]) -> str:
    """Contributors as the CSV ``parse_csv`` reads (one row each; ``leadline.csvtext``)."""
    rows = [[spec.name, spec.email or "", ";".join(spec.identities)] for spec in specs]
    return csv_text(CSV_COLUMNS, rows)
