"""Profiles stored by name: the HTTP API (``/v1/profiles/{name}``), ``leadline profile
list|show|export|clone|delete|apply`` and ``--profile NAME``.

The stored body is the JSON of ``profile_to_dict`` (keys sorted). A profile is "unchanged" when
the stored one validates to an equal profile: storing it again writes nothing (its
``updated_at`` stays), so applying an export is a no-op.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine

from leadline.domain.times import from_micros
from leadline.errors import InputError, LeadlineError, NotFoundError
from leadline.profiles.loader import profile_from_data, profile_to_dict
from leadline.profiles.models import Profile
from leadline.store import profiles as store
from leadline.store.db import reading, writing
from leadline.words import plural

Status = Literal["created", "updated", "unchanged"]
SHOWN_NAMES = 20  # stored names listed in a "no profile named …" message


@dataclass(frozen=True)
class Stored:
    """One stored profile; ``profile`` is ``None`` (and ``problem`` says why) when its body
    no longer validates (stored by an older version with other rules)."""

    name: str
    updated_at: datetime
    profile: Profile | None
    problem: str | None = None


def get(engine: Engine, name: str) -> Profile:
    found = find(engine, name)
    if found is None:
        raise NotFoundError(f"no profile named {name!r}")
    return found


def find(engine: Engine, name: str) -> Profile | None:
    """The stored profile called ``name`` (exactly), or ``None``."""
    with reading(engine) as conn:
        body = store.get(conn, name)
    return None if body is None else _load(name, body)


def put(engine: Engine, name: str, data: Any) -> tuple[Profile, bool]:
    """Validate and store; the body's ``name`` must match the URL's (or be left out).
    Returns the profile and whether it is new; an equal stored profile is left untouched."""
    if isinstance(data, dict) and "name" not in data:
        data = {"name": name, **data}
    profile = profile_from_data(data, f"profile {name!r}")
    if profile.name != name:
        raise InputError(f"the body names profile {profile.name!r} but the URL says {name!r}")
    with writing(engine) as conn:
        status = _store(conn, profile, _now())
    return profile, status == "created"


def put_many(engine: Engine, profiles: list[Profile]) -> list[Status]:
    """Store validated profiles in one transaction (all or nothing); each one's status."""
    names = [p.name for p in profiles]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"profile {twice[0]!r} is given more than once")
    now = _now()
    with writing(engine) as conn:
        return [_store(conn, profile, now) for profile in profiles]


def clone(engine: Engine, name: str, new_name: str) -> Profile:
    """Store a copy of profile ``name`` called ``new_name`` (which must not exist yet)."""
    with writing(engine) as conn:
        body = store.get(conn, name)
        if body is None:
            raise NotFoundError(_unknown(conn, name))
        if store.get(conn, new_name) is not None:
            raise InputError(f"a profile named {new_name!r} already exists")
        data = {**profile_to_dict(_load(name, body)), "name": new_name}
        copy = profile_from_data(data, f"profile {new_name!r}")
        _store(conn, copy, _now())
    return copy


def delete(engine: Engine, name: str, *, keep_used: bool = False) -> list[str]:
    """Remove a profile; returns the collections that named it. With ``keep_used`` a profile
    a collection names is kept and the refusal lists those collections (exit 2); without it
    (the HTTP API, ``--force``) they are left naming a missing profile."""
    with writing(engine) as conn:
        if store.get(conn, name) is None:
            raise NotFoundError(_unknown(conn, name))
        users = store.users(conn, name)
        if users and keep_used:
            raise InputError(
                f"profile {name!r} is used by {plural(len(users), 'collection')}: "
                f"{', '.join(users)}; give them another profile (leadline apply) first, "
                "or delete with --force"
            )
        store.remove(conn, name)
    return users


def names(engine: Engine) -> list[str]:
    with reading(engine) as conn:
        return store.names(conn)


def stored(engine: Engine) -> list[Stored]:
    """Every stored profile, by name, with when it last changed."""
    with reading(engine) as conn:
        rows = store.rows(conn)
    out = []
    for row in rows:
        at = from_micros(row.updated_at)
        try:
            out.append(Stored(row.name, at, _load(row.name, row.body)))
        except LeadlineError as exc:
            out.append(Stored(row.name, at, None, exc.message))
    return out


def unknown_message(engine: Engine, name: str) -> str:
    """``no stored profile named 'X'; stored profiles: A, B`` (or how to store one)."""
    with reading(engine) as conn:
        return _unknown(conn, name)


# --- helpers ---------------------------------------------------------------------------------


def _store(conn: Connection, profile: Profile, now: int) -> Status:
    body = json.dumps(profile_to_dict(profile), sort_keys=True)
    old = store.get(conn, profile.name)
    if old is not None and (old == body or _same(profile, old)):
        return "unchanged"
    store.put(conn, profile.name, body, now)
    return "created" if old is None else "updated"


def _same(profile: Profile, body: str) -> bool:
    try:
        return _load(profile.name, body) == profile
    except LeadlineError:
        return False


def _load(name: str, body: str) -> Profile:
    return profile_from_data(json.loads(body), f"profile {name!r}")


def _unknown(conn: Connection, name: str) -> str:
    known = store.names(conn)
    if not known:
        return f"no stored profile named {name!r}; none is stored (leadline profile apply FILE)"
    shown = ", ".join(known[:SHOWN_NAMES])
    more = f" … and {len(known) - SHOWN_NAMES} more" if len(known) > SHOWN_NAMES else ""
    return f"no stored profile named {name!r}; stored profiles: {shown}{more}"


def _now() -> int:
    return int(time.time() * 1_000_000)
