"""A filter's value: today's list of names, or a mapping of conditions (docs/profiles.md,
"Matching").

Every filter key of a profile (``scope``, stages, ``categories``, ``dora.*``) and of a
collection takes a ``Filter``: either a non-empty list (``[acme/*, web]``: "any of these",
by the filter's own rule, unchanged) or ``Conditions``, a mapping such as
``{starts_with: [acme/pay], not: [acme/payments-legacy]}`` whose keys must all hold. This
module is the pure model (its validation and compiled regular expressions); what each key
means for a record's value, under each filter's case rule, is ``correlate/scope.py``'s, the
one place every filter is matched. The ``exclude`` rules are lists of globs, not filters:
each glob is one rule that the doctor and the drill-downs name (``correlate/exclusions.py``).

A list stays a list: profiles written before conditions existed validate, dump, export and
fingerprint exactly as they did. A ``Conditions`` dumps the keys given as they are written
(``not``, not the Python name ``not_``), in ``CONDITION_KEYS`` order, a lone ``regex``
string as a one-item list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_serializer,
    model_validator,
)

from leadline.profiles.model_types import Names, StrictModel, raise_first

#: The condition keys, in the order the docs list them (``not`` is a Python keyword: the
#: model's field is ``not_``).
CONDITION_KEYS = ("equals", "not", "starts_with", "ends_with", "contains", "not_contains", "regex")
#: Keys that hold when the record has none of what they name (a record without the field
#: passes them; it fails every other key).
NEGATIVE_KEYS = ("not", "not_contains")
#: What a negative key's names name: the values its positive twin would match.
POSITIVE = {"not": "equals", "not_contains": "contains"}


def _one_or_many(value: object) -> object:
    """``regex: '^deploy-'`` is ``regex: ['^deploy-']``."""
    return [value] if isinstance(value, str) else value


class Conditions(StrictModel):
    """A filter written as a mapping: every key given must hold (AND); inside one key, any of
    its values will do (OR), except ``not``/``not_contains``, which must hold for all."""

    equals: Names | None = None
    not_: Names | None = Field(default=None, alias="not")
    starts_with: Names | None = None
    ends_with: Names | None = None
    contains: Names | None = None
    not_contains: Names | None = None
    regex: Annotated[Names, BeforeValidator(_one_or_many, str | list[str])] | None = None

    _items: tuple[tuple[str, tuple[str, ...]], ...] = PrivateAttr(default=())
    _exact: tuple[re.Pattern[str], ...] = PrivateAttr(default=())
    _folded: tuple[re.Pattern[str], ...] = PrivateAttr(default=())

    def given(self) -> dict[str, list[str]]:
        """The keys given, as written (``not`` for ``not_``), in ``CONDITION_KEYS`` order."""
        values = (
            self.equals, self.not_, self.starts_with, self.ends_with, self.contains,
            self.not_contains, self.regex,
        )  # fmt: skip
        return {k: list(v) for k, v in zip(CONDITION_KEYS, values, strict=True) if v is not None}

    def items(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``given()`` as pairs, computed once (the predicates ask for them per record)."""
        return self._items

    def singles(self) -> Iterator[tuple[str, str, Conditions]]:
        """Each name of each key with the one-name filter that matches the values it names
        (``not: [x]`` names what ``equals: [x]`` matches): the doctor asks whether each
        names any stored value, as it asks of each name of a list."""
        for key, names in self._items:
            for name in names:
                single = Conditions.model_validate({POSITIVE.get(key, key): [name]})
                yield key, name, single

    def patterns(self, *, ignore_case: bool) -> tuple[re.Pattern[str], ...]:
        """``regex`` compiled (``re.IGNORECASE`` for a filter that ignores case)."""
        return self._folded if ignore_case else self._exact

    @model_serializer(mode="plain")
    def _as_written(self) -> dict[str, list[str]]:
        return self.given()

    @model_validator(mode="wrap")
    @classmethod
    def _checked(cls, data: Any, handler: Any) -> Conditions:
        model: Conditions = handler(data)
        if not model.given():
            keys = ", ".join(CONDITION_KEYS)
            what = f"no condition given (expected one or more of {keys})"
            raise_first([((), what)])
        written = data.get("regex") if isinstance(data, dict) else None
        exact: list[re.Pattern[str]] = []
        folded: list[re.Pattern[str]] = []
        for index, text in enumerate(model.regex or ()):
            try:
                exact.append(re.compile(text))
                folded.append(re.compile(text, re.IGNORECASE))
            except re.error as exc:
                loc = ("regex",) if isinstance(written, str) else ("regex", index)
                what = f"bad regular expression {text!r}: {exc}"
                raise_first([(loc, what)])
        model._exact, model._folded = tuple(exact), tuple(folded)
        model._items = tuple((key, tuple(names)) for key, names in model.given().items())
        return model


def filter_text(value: Names | Conditions, sep: str = ", ") -> str:
    """A filter as the CLI and the dashboard show it: a list's names joined by ``sep``
    (``acme/*, web``), conditions in YAML's flow form, keys in ``CONDITION_KEYS`` order
    (``{not: [acme/payments-legacy], starts_with: [acme/pay]}``)."""
    if isinstance(value, Conditions):
        keys = (f"{key}: [{', '.join(names)}]" for key, names in value.items())
        return "{" + ", ".join(keys) + "}"
    return sep.join(value)


#: Union tags of a ``Filter``; ``messages`` drops them from locations, so errors read
#: ``scope.repos.regex`` rather than ``scope.repos.<conditions>.regex``.
FILTER_TAGS = ("<list>", "<conditions>")


def _filter_kind(value: object) -> str:
    return FILTER_TAGS[1] if isinstance(value, dict | Conditions) else FILTER_TAGS[0]


#: A filter's value: a non-empty list of names or globs ("any of these"), or ``Conditions``.
Filter = Annotated[
    Annotated[Names, Tag(FILTER_TAGS[0])] | Annotated[Conditions, Tag(FILTER_TAGS[1])],
    Discriminator(_filter_kind),
]
