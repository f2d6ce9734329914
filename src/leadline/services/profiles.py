"""Profiles kept in the database for the HTTP API."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Engine

from leadline.errors import InputError, NotFoundError
from leadline.profiles.loader import profile_from_data, profile_to_dict
from leadline.profiles.models import Profile
from leadline.store import profiles as store
from leadline.store.db import reading, writing


def get(engine: Engine, name: str) -> Profile:
    with reading(engine) as conn:
        body = store.get(conn, name)
    if body is None:
        raise NotFoundError(f"no profile named {name!r}")
    return profile_from_data(json.loads(body), f"profile {name!r}")


def put(engine: Engine, name: str, data: Any) -> tuple[Profile, bool]:
    """Validate and store; the body's ``name`` must match the URL's (or be left out)."""
    if isinstance(data, dict) and "name" not in data:
        data = {"name": name, **data}
    profile = profile_from_data(data, f"profile {name!r}")
    if profile.name != name:
        raise InputError(f"the body names profile {profile.name!r} but the URL says {name!r}")
    body = json.dumps(profile_to_dict(profile), sort_keys=True)
    with writing(engine) as conn:
        created = store.put(conn, name, body, int(time.time() * 1_000_000))
    return profile, created


def delete(engine: Engine, name: str) -> None:
    with writing(engine) as conn:
        if not store.remove(conn, name):
            raise NotFoundError(f"no profile named {name!r}")


def names(engine: Engine) -> list[str]:
    with reading(engine) as conn:
        return store.names(conn)
