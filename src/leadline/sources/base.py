"""What every source parser returns, the error it raises, and the helpers they share.

A parser is a pure function: a decoded payload in, records out (``Parsed``), or a
``PayloadError`` naming the JSON path that is missing or ill-typed — never a ``KeyError`` or
``TypeError``. Reading nested fields lives in ``leadline.sources.payload`` (``Node``, and
``PayloadError``, which ``Node`` raises: re-exported here; ``payload`` never imports this
module).

Webhook deliveries are *snapshots*, written as ``merge(stored, incoming)``; the merge rules
are pure functions of two records and live in ``leadline.domain.merge`` (imported here so
the parsers and their callers keep one name for them). A value the database cannot hold (a
NUL character, a lone surrogate, an integer past 64 bits, a non-finite number) is refused by
record validation itself (``leadline.domain.storable``), named by its payload path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from leadline.domain.merge import merge as merge
from leadline.domain.merge import merge_commit as merge_commit
from leadline.domain.merge import merge_incident as merge_incident
from leadline.domain.merge import merge_issue as merge_issue
from leadline.domain.merge import merge_pull_request as merge_pull_request
from leadline.domain.merge import merge_reviews as merge_reviews
from leadline.domain.records import RecordModel
from leadline.domain.times import parse_time
from leadline.sources.payload import Node, build
from leadline.sources.payload import PayloadError as PayloadError


@dataclass(frozen=True)
class Parsed:
    """The records one delivery yields. ``ignored`` says why a delivery (an event type or
    action) is acknowledged but changes nothing leadline uses; it may come with records
    (the current state of a pull request, harmless to store)."""

    records: list[RecordModel]
    ignored: str | None = None


R = TypeVar("R", bound=RecordModel)


def build_record(model: type[R], data: dict[str, Any], paths: Mapping[str, str]) -> R:
    """``payload.build``: ``data`` validated as a record by the NDJSON rules, a problem named
    by the payload path its field came from (``paths``) — a value the database cannot hold
    included (a NUL character, a lone surrogate…: ``leadline.domain.storable``)."""
    return build(model, data, paths)


# --- times ---------------------------------------------------------------------------------

_UTC_WORD = re.compile(r"^(?P<time>.*\d)\s*(?:UTC|GMT)$")
_SPACED_OFFSET = re.compile(r"^(?P<time>.*\d)\s+(?P<offset>[+-]\d{2}:?\d{2})$")


def parse_source_time(text: str) -> datetime:
    """A time as the tools write it → aware UTC. RFC 3339 (GitHub: ``…T10:00:00Z``), and
    GitLab's ``2021-03-17 10:00:00 UTC`` and ``2021-04-28 21:50:00 +0200``. A time without an
    offset raises ``ValueError`` (leadline never guesses a zone)."""
    value = text.strip()
    if m := _UTC_WORD.match(value):
        value = m["time"] + "Z"
    elif m := _SPACED_OFFSET.match(value):
        value = m["time"] + m["offset"]
    return parse_time(value)


def read_time(node: Node) -> datetime:
    """A required time at ``node`` in any form ``parse_source_time`` knows."""
    text = node.text()
    try:
        return parse_source_time(text)
    except ValueError as exc:
        raise node.error(str(exc)) from None


def read_opt_time(node: Node) -> datetime | None:
    """An optional time: missing, null or blank → ``None``."""
    return None if node.opt_text() is None else read_time(node)


def read_int(node: Node) -> int:
    """A required integer (not a boolean, not a float)."""
    value = node.number()
    if not isinstance(value, int):
        raise node.error(f"expected an integer, got the number {value!r}")
    return value


def shift_ms(moment: datetime, node: Node, sign: int = 1) -> datetime:
    """``moment`` plus (``sign=-1``: minus) the integer milliseconds at ``node`` (a
    duration); a shift past the years a time can hold (1–9999) names the path, instead of an
    ``OverflowError`` that would fail the whole delivery without saying where."""
    value = read_int(node)
    try:
        return moment + sign * timedelta(milliseconds=value)
    except OverflowError:
        raise node.error(f"out of range: {value!r} milliseconds") from None


# --- refs ----------------------------------------------------------------------------------

_SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")
_VERSION_TAG = re.compile(r"^[vV]?\d+(\.\d+)+")


def branch_of(ref: str | None) -> str | None:
    """The branch a deployment ref names, or ``None`` when it is surely not a branch.

    Deployments carry a bare ref that may be a branch, a tag or a commit: ``refs/heads/x`` →
    ``x``; ``refs/tags/…``, a hex SHA and a version-like name (``v1.2``, ``1.0.0``) → ``None``
    (a wrong branch would send the branch fallback of the deployment rules to the wrong place).
    """
    if not ref or not ref.strip():
        return None
    if ref.startswith("refs/tags/") or _SHA.match(ref) or _VERSION_TAG.match(ref):
        return None
    return ref.removeprefix("refs/heads/")


def repo_of_url(url: str | None) -> str | None:
    """``https://github.com/acme/app.git`` or ``git@github.com:acme/app.git`` → ``acme/app``
    (the form the GitHub and GitLab records use); anything else is kept as given."""
    if url is None:
        return None
    text = url.strip()
    if "://" in text:
        path = urlsplit(text).path
    elif "@" in text and ":" in text:
        path = text.split(":", 1)[1]
    else:
        path = text
    path = path.strip("/").removesuffix(".git").strip("/")
    return path or text


def image_artifact(text: str, direction: str = "input") -> dict[str, Any]:
    """A container image as an artifact: ``registry/app:1.4.2`` → name ``registry/app``,
    version ``1.4.2``; ``app@sha256:…`` → the digest is the version; no tag → no version
    (a registry's port, ``host:5000/app``, is not a tag)."""
    name, sep, version = text.partition("@")
    if not sep:
        name, sep, version = text.rpartition(":")
        if not sep or "/" in version:
            name, version = text, ""
    artifact: dict[str, Any] = {"name": name, "direction": direction}
    if version:
        artifact["version"] = version
    return artifact
