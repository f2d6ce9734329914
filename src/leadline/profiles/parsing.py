"""Read profile text (YAML or JSON) into plain data, noting keys given twice.

YAML goes through ``ProfileYamlLoader`` (a ``yaml.SafeLoader``: no arbitrary objects) and
JSON through ``json``. Either way mappings come back as ``KeyedDict`` so that ``normalize`` can
report a duplicate key at its exact location; a YAML/JSON error becomes ``SyntaxProblem``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from leadline.profiles.problems import Loc, Problem

MAX_CHARS = 1_000_000
MAX_VALUES = 100_000
MAX_DEPTH = 64
_MERGE_TAG = "tag:yaml.org,2002:merge"


class SyntaxProblem(Exception):
    """The text could not be read as YAML/JSON at all (a file-level problem)."""


class KeyedDict(dict[Any, Any]):
    """A mapping that remembers the keys given more than once: key → what to report."""

    duplicates: dict[str, str]

    def __init__(self) -> None:
        super().__init__()
        self.duplicates = {}


class ProfileYamlLoader(yaml.SafeLoader):
    """``SafeLoader`` whose mappings are ``KeyedDict``s that record duplicate keys."""

    def construct_keyed_map(self, node: yaml.MappingNode) -> Iterator[KeyedDict]:
        data = KeyedDict()
        yield data
        data.duplicates = self._duplicate_keys(node)
        data.update(self.construct_mapping(node))

    def _duplicate_keys(self, node: yaml.MappingNode) -> dict[str, str]:
        lines: dict[str, list[int]] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                key = key_text(self.construct_object(key_node))
                lines.setdefault(key, []).append(key_node.start_mark.line + 1)
        return {
            key: f"duplicate key (lines {_and(seen)})"
            for key, seen in lines.items()
            if len(seen) > 1
        }


ProfileYamlLoader.add_constructor(
    "tag:yaml.org,2002:map",
    ProfileYamlLoader.construct_keyed_map,
)


def _and(numbers: list[int]) -> str:
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def parse_yaml(text: str) -> Any:
    """Parse one YAML document; ``None`` for an empty one. Raises ``SyntaxProblem``."""
    _check_size(text)
    try:
        return yaml.load(text, Loader=ProfileYamlLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise SyntaxProblem(_marked_message(exc)) from None
    except yaml.reader.ReaderError as exc:
        problem = str(exc).splitlines()[0]
        raise SyntaxProblem(f"invalid YAML at offset {exc.position}: {problem}") from None
    except yaml.YAMLError as exc:
        raise SyntaxProblem("invalid YAML: " + str(exc).splitlines()[0]) from None
    except RecursionError:
        raise SyntaxProblem(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    except Exception as exc:  # a constructor's own error, e.g. a timestamp like 2024-13-45
        raise SyntaxProblem(f"invalid YAML: {exc}") from None


def _marked_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = exc.problem or exc.context or "not valid YAML"
    context = ""
    if exc.problem and exc.context and exc.context_mark is not None:
        context = f" ({exc.context} at line {exc.context_mark.line + 1})"
    return f"invalid YAML{where}: {problem}{context}"


def parse_json(text: str) -> Any:
    """Parse JSON, recording duplicate keys. Raises ``SyntaxProblem``."""
    _check_size(text)
    try:
        return json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        raise SyntaxProblem(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise SyntaxProblem(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise SyntaxProblem(f"invalid JSON: {exc}") from None


def _json_object(pairs: list[tuple[str, Any]]) -> KeyedDict:
    data = KeyedDict()
    for key, value in pairs:
        if key in data:
            data.duplicates[key] = "duplicate key"
        data[key] = value
    return data


def _check_size(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise SyntaxProblem(f"too large ({len(text)} characters; the limit is {MAX_CHARS})")


def normalize(data: Any, problems: list[Problem]) -> Any:
    """A fresh tree of plain dicts (string keys) and lists; duplicate keys go to ``problems``.

    Aliases are expanded, so the walk is bounded: more than ``MAX_VALUES`` values or
    ``MAX_DEPTH`` levels raise ``SyntaxProblem`` (this also stops self-referencing YAML).
    """
    budget = [MAX_VALUES]

    def walk(value: Any, loc: Loc) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise SyntaxProblem(
                f"too large (more than {MAX_VALUES} values once aliases are expanded)"
            )
        if len(loc) > MAX_DEPTH:
            raise SyntaxProblem(f"nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                name = key_text(key)
                out[name] = walk(item, (*loc, name))
            if isinstance(value, KeyedDict):
                problems.extend(((*loc, key), what) for key, what in value.duplicates.items())
            return out
        if isinstance(value, list | tuple):
            return [walk(item, (*loc, index)) for index, item in enumerate(value)]
        return value

    return walk(data, ())


def key_text(key: object) -> str:
    """A mapping key as text, YAML-style: ``None`` → ``null``, ``True`` → ``true``."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return str(key).lower()
    try:
        return str(key)
    except ValueError:  # an integer too long to print
        return f"<{type(key).__name__}>"
