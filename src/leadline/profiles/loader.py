"""Load and validate workflow profiles, reporting every problem as ``PATH: where: what``.

``where`` is the exact key (``stages[3].event``, ``dora.deployments.source``) or ``(file)`` for
a problem with the file as a whole. Problems are listed in the order of the document.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from leadline.errors import InputError
from leadline.profiles.messages import describe_value, validation_problems
from leadline.profiles.models import Profile
from leadline.profiles.parsing import MAX_CHARS, SyntaxProblem, normalize, parse_json, parse_yaml
from leadline.profiles.phases import expand_phases
from leadline.profiles.problems import Loc, Problem, render_loc
from leadline.profiles.rules import profile_problems

FILE = "(file)"
MAX_SHOWN = 50
FINGERPRINT_VERSION = 1
MAX_BYTES = 4 * MAX_CHARS


class ProfileError(InputError):
    """A profile file is unreadable or invalid.

    ``problems`` holds every ``(where, what)`` pair; ``details`` the rendered lines
    ``PATH: where: what`` (the first ``MAX_SHOWN``); ``message`` a one-line summary.
    """

    code = "invalid_profile"

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        # One line per problem, whatever the user wrote: control characters are escaped.
        lines = [f"{source}: {where}: {_one_line(what)}" for where, what in self.problems]
        count = len(lines)
        message = lines[0] if count == 1 else f"{source}: {count} problems in the profile"
        shown = lines[:MAX_SHOWN]
        if len(lines) > MAX_SHOWN:
            shown.append(f"… and {len(lines) - MAX_SHOWN} more")
        super().__init__(message, shown)


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Read and validate a profile file (``.json`` → JSON, anything else → YAML)."""
    source = os.fspath(path)
    text = _read(Path(path), source)
    return load_profile_text(text, source)


def load_profile_text(text: str, source: str = "<profile>") -> Profile:
    """Validate profile text; ``source`` names it in messages (a ``.json`` name → JSON)."""
    text = text.removeprefix("\ufeff")
    try:
        data = parse_json(text) if source.lower().endswith(".json") else parse_yaml(text)
    except SyntaxProblem as exc:
        raise ProfileError(source, [(FILE, str(exc))]) from None
    return profile_from_data(data, source)


def profile_from_data(data: object, source: str = "<profile>") -> Profile:
    """Validate already-decoded data (e.g. an HTTP request's JSON body)."""
    if data is None:
        raise ProfileError(source, [(FILE, "the profile is empty")])
    if not isinstance(data, Mapping):
        got = describe_value(data)
        problem = f"expected a mapping (name, stages, …) at the top level, got {got}"
        raise ProfileError(source, [(FILE, problem)])
    problems: list[Problem] = []
    try:
        plain = normalize(data, problems)
    except SyntaxProblem as exc:
        raise ProfileError(source, [(FILE, str(exc))]) from None
    written = plain
    plain, phase_problems, where = expand_phases(plain)
    problems += profile_problems(plain)
    profile: Profile | None = None
    try:
        profile = Profile.model_validate(plain)
    except ValidationError as exc:
        problems += validation_problems(exc)
    if problems or phase_problems or profile is None:
        mapped = [(where(loc), what) for loc, what in _dedupe(problems)]
        raise ProfileError(source, _ordered(written, mapped + phase_problems))
    return profile


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def profile_fingerprint(profile: Profile) -> str:
    """A stable sha256 (hex) of the profile's normalized content.

    Formatting, comments, key order and spelling a default out (``occurrence: first``) do not
    change it; any change to a definition does. Options left at their defaults are left out,
    so a new profile option (whose default keeps today's answers) does not change the
    fingerprints of the profiles that do not use it: their derived timelines stay valid.
    """
    data = profile.model_dump(mode="json", exclude_defaults=True)
    for stage, dumped in zip(profile.stages, data["stages"], strict=True):
        dumped["occurrence"] = stage.effective_occurrence
    payload = {"fingerprint_version": FINGERPRINT_VERSION, "profile": data}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """JSON-ready form (durations in seconds, unset keys left out); loads back to an equal
    profile with ``profile_from_data``."""
    return profile.model_dump(mode="json", exclude_none=True)


def _read(path: Path, source: str) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ProfileError(source, [(FILE, "no such file")]) from None
    except IsADirectoryError:
        raise ProfileError(source, [(FILE, "is a directory, not a profile file")]) from None
    except PermissionError:
        raise ProfileError(source, [(FILE, "cannot read the file (permission denied)")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ProfileError(source, [(FILE, f"cannot read the file ({reason})")]) from None
    if len(raw) > MAX_BYTES:
        raise ProfileError(source, [(FILE, f"too large (the limit is {MAX_BYTES} bytes)")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        raise ProfileError(source, [(FILE, problem)]) from None


def _ordered(data: object, problems: list[Problem]) -> list[tuple[str, str]]:
    """Render, drop repeats, and sort into the order of the document."""
    seen: set[tuple[str, str]] = set()
    unique: list[tuple[tuple[int, ...], tuple[str, str]]] = []
    for loc, what in problems:
        line = (render_loc(loc) or FILE, what)
        if line not in seen:
            seen.add(line)
            unique.append((_position(data, loc), line))
    unique.sort(key=lambda item: item[0])
    return [line for _, line in unique]


def _position(data: object, loc: Loc) -> tuple[int, ...]:
    """Where ``loc`` sits in the document; keys that are absent sort after present ones."""
    position: list[int] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            keys = list(node)
            position.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
        else:
            position.append(0)
            node = None
    return tuple(position)


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")
