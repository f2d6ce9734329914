"""API keys: create (shown once), list, revoke, authenticate (constant time), and the one
rule of what a key may read (``can_read``), which the API and the dashboard both apply."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine

from leadline.errors import InputError, NotFoundError
from leadline.services.collections import in_subtree
from leadline.store import apikeys as store
from leadline.store.db import reading, writing

SCOPES = ("ingest", "read", "admin")
KEY_PREFIX = "ll"


@dataclass(frozen=True)
class Principal:
    """Who a request authenticated as."""

    name: str
    prefix: str
    scopes: frozenset[str]
    collection: str | None = None  # a read key limited to this collection's subtree

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def can_read(engine: Engine, limit: str | None, collection: str | None) -> bool:
    """Whether a reader limited to the collection ``limit`` (``None``: not limited, e.g. an
    unlimited key, or the open dashboard) may read ``collection``: that collection or one
    under it (names case-insensitive). ``collection=None`` stands for anything that is not
    one collection (a profile, the list of profiles, the figures of every profile): only an
    unlimited reader may. The API (``api/deps.py``) and the dashboard (``web/params.py``) both
    ask this, so they cannot disagree."""
    if limit is None:
        return True
    return collection is not None and in_subtree(engine, collection, limit)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(engine: Engine, name: str, scope: str = "read", collection: str | None = None) -> str:
    """Make a key with ``scope`` (``admin`` implies the others); returns it — the only time.
    With ``collection``, a ``read`` key that reads that collection (and those under it) and
    nothing else."""
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r} (expected one of {', '.join(SCOPES)})")
    if not name.strip():
        raise InputError("a key needs a name")
    if collection is not None and scope != "read":
        raise InputError("only read keys can be limited to a collection")
    if collection is not None:
        from leadline.services.collections import get as get_collection

        collection = get_collection(engine, collection).name
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        store.add(conn, name.strip(), prefix, _hash(secret), (scope,), _now(), collection)
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def authenticate(engine: Engine, key: str) -> Principal | None:
    """The key's principal, or ``None`` for a malformed, unknown or revoked key."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    with reading(engine) as conn:
        row = store.by_prefix(conn, parts[1])
    candidate = _hash(parts[2])
    expected = row.secret_hash if row is not None else _hash("x")  # same work either way
    if not hmac.compare_digest(candidate, expected) or row is None or row.revoked_at:
        return None
    return Principal(row.name, row.prefix, frozenset(row.scopes), row.collection)


def list_keys(engine: Engine) -> list[store.KeyRow]:
    with reading(engine) as conn:
        return store.all_keys(conn)


def revoke(engine: Engine, prefix: str) -> None:
    with writing(engine) as conn:
        if not store.revoke(conn, prefix, _now()):
            raise NotFoundError(f"no active key with prefix {prefix!r}")


def _now() -> int:
    return int(time.time() * 1_000_000)
